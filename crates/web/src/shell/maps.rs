//! What the image views (convolution, pooling) share on the page: the map canvas a cell
//! is pointed at on, the two paths to a map (the exact step-by-step one for photos and
//! changed settings, the core's whole-frame engines for live webcam frames, in their own
//! module: [`crate::shell::frames`]), and the last good map kept when the settings turn
//! invalid.

use convlens_core::{DisplayMapping, Result, Tensor};
use web_sys::{Event, HtmlCanvasElement, KeyboardEvent, PointerEvent};

use crate::dom::{by_id, cell_under, now, put_image, put_rgba, PageResult};
use crate::i18n::{fill, t, Texts};
use crate::message::Message;
use crate::pipeline::{draw, CellArithmetic};
use crate::settings::{KernelChoice, Settings};
use crate::shell::frames::Engine;
use crate::shell::layout::{self, Pictures};
use crate::shell::render;
use crate::shell::state::{Change, Shell, State};

/// The output cells that input pixel `(y, x)` of an input of `(height, width)` feeds.
pub type Fed = fn(&Settings, (usize, usize), (usize, usize)) -> Result<Vec<(usize, usize)>>;

/// An image view (convolution, pooling) as the shell draws it: its facts, its map, the
/// numbers beside it and one cell's arithmetic, each given by the view.
#[derive(Debug)]
pub struct ImageView<F> {
    /// The view's name (its state is kept under it).
    pub name: &'static str,
    /// Which frame engine takes its live frames.
    pub kind: Kind,
    /// The map canvas's id; the cell marker's id is the same with `-cell` for `-map`.
    pub canvas: &'static str,
    /// The map canvas's label, a template with `{width}` and `{height}`.
    pub label: fn(&Texts) -> &'static str,
    /// The facts for an input of `channels x height x width`.
    pub facts: fn(&Settings, usize, usize, usize) -> Result<F>,
    /// The map, step by step.
    pub map: fn(&Settings, &Tensor) -> Result<Tensor>,
    /// How the map's values are drawn.
    pub display: fn(&Settings) -> DisplayMapping,
    /// Writes the facts and the legend beside the map (input `(height, width)`).
    pub numbers: fn(&Settings, &F, (usize, usize), &Tensor) -> PageResult,
    /// One cell's arithmetic.
    pub arithmetic: fn(&Settings, &Tensor, &Tensor, (usize, usize)) -> Result<CellArithmetic>,
    /// The padding around the input (top, right, bottom, left), from the facts.
    pub pads: fn(&F) -> [usize; 4],
    /// The output cells an input pixel feeds (the receptive field read backwards).
    pub fed: Fed,
}

impl<F: 'static> ImageView<F> {
    /// Wires the map canvas ([`wire_map`]) and the input: pointing at an input pixel
    /// marks, on the map, every cell that pixel feeds.
    ///
    /// # Errors
    /// A missing canvas.
    pub fn wire(&'static self, shell: &Shell) -> PageResult {
        wire_map(shell, self.canvas)?;
        let input: HtmlCanvasElement = by_id("input-frame")?;
        let target = input.clone();
        shell.on(&input, "pointermove", move |shell, event: PointerEvent| {
            let state = shell.state.borrow();
            if state.settings.view != self.name {
                return Ok(Change::None);
            }
            let size = (state.frame.height, state.frame.width);
            let cells = cell_under(&event, &target)
                .and_then(|pixel| (self.fed)(&state.settings, size, pixel).ok())
                .unwrap_or_default();
            fed(self.canvas, &cells)?;
            Ok(Change::None)
        })?;
        let target = input.clone();
        shell.on(&target, "pointerleave", move |_, _: Event| {
            fed(self.canvas, &[])?;
            Ok(Change::None)
        })
    }

    /// Recomputes and draws the map and its numbers; invalid settings keep the last good
    /// map and say why.
    ///
    /// # Errors
    /// The page's own failures.
    pub fn draw(&self, state: &mut State) -> PageResult {
        if state.frame.rgba.is_empty() {
            return Ok(());
        }
        let (width, height) = (state.frame.width, state.frame.height);
        let channels = state.settings.channel.count();
        let map = self.map;
        let computed = (self.facts)(&state.settings, channels, height, width)
            .and_then(|facts| Ok((facts, compute(state, self.name, self.kind, map)?)));
        match computed {
            Ok((facts, map)) => {
                (self.numbers)(&state.settings, &facts, (height, width), &map)?;
                let start = now();
                draw(&map, (self.display)(&state.settings), &mut state.rgba)
                    .map_err(crate::dom::core_error)?;
                put_map(self.canvas, &map, &state.rgba, (self.label)(t()))?;
                layout::image_view(Pictures {
                    map: self.canvas,
                    pads: (self.pads)(&facts),
                    fit: state.settings.fit,
                    embed: state.settings.embed,
                    video: state.camera.stream.is_some() && !state.camera.frozen,
                })?;
                state.timings.draw = now() - start;
                state.part::<MapPart>(self.name).map = Some(map);
                state.say(None)?;
                state.full_frame = Some((now(), width, height));
            }
            Err(error) => state.say(Some(Message::LastValidOutput(error)))?,
        }
        // The arithmetic of a selected cell reads the input's values.
        if state.selected.is_some() {
            state.input().map_err(crate::dom::core_error)?;
        }
        self.select(state)
    }

    /// Shows the selected cell's window on the input and its arithmetic.
    ///
    /// # Errors
    /// The page's own failures.
    pub fn select(&self, state: &State) -> PageResult {
        let map = state
            .part_ref::<MapPart>(self.name)
            .and_then(|p| p.map.as_ref());
        let (Some(input), Some(cell), Some(map)) = (&state.input, state.selected, map) else {
            return render::clear_selection();
        };
        match (self.arithmetic)(&state.settings, input, map, cell) {
            Ok(arithmetic) => render::selection(
                &state.settings,
                &state.frame,
                &arithmetic,
                self.canvas.trim_end_matches("-map"),
                self.kind == Kind::Pool,
            ),
            // The cell is outside a map that just shrank, or the settings are invalid.
            Err(_) => render::clear_selection(),
        }
    }

    /// A live frame's map, straight from the frame's bytes ([`live`]).
    ///
    /// # Errors
    /// A missing canvas.
    pub fn live(&self, state: &mut State) -> PageResult<bool> {
        live(state, self.name, self.kind, self.canvas)
    }
}

/// How often a live webcam frame goes the whole way (numbers, legend, the selected cell's
/// arithmetic); the frames between only update the map.
pub const FULL_FRAME_MS: f64 = 500.0;

/// An image view's own state: its last good map and its frame engine.
#[derive(Default)]
pub struct MapPart {
    /// The last good map (kept while the settings are invalid).
    pub map: Option<Tensor>,
    engine: Option<(EngineKey, Engine)>,
}

/// Which engine an image view takes live frames through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The convolution (the core's `FrameConv`).
    Conv,
    /// Pooling (`FramePool`).
    Pool,
}

/// Wires a map canvas: pointing, tapping or focusing a cell selects it, arrow keys move
/// the selection (and do not scroll the page).
///
/// # Errors
/// A missing canvas.
pub fn wire_map(shell: &Shell, id: &str) -> PageResult {
    let canvas: HtmlCanvasElement = by_id(id)?;
    for event in ["pointermove", "pointerdown"] {
        let target = canvas.clone();
        shell.on(&canvas, event, move |shell, event: PointerEvent| {
            Ok(match cell_under(&event, &target) {
                Some(cell) => {
                    shell.state.borrow_mut().selected = Some(cell);
                    Change::Selection
                }
                None => Change::None,
            })
        })?;
    }
    shell.on(&canvas, "focus", |shell, _: Event| {
        let mut state = shell.state.borrow_mut();
        state.selected = Some(state.selected.unwrap_or((0, 0)));
        Ok(Change::Selection)
    })?;
    let target = canvas.clone();
    shell.on(&canvas, "keydown", move |shell, event: KeyboardEvent| {
        let (y, x) = shell.state.borrow().selected.unwrap_or((0, 0));
        let (height, width) = (target.height() as usize, target.width() as usize);
        let last = (height.saturating_sub(1), width.saturating_sub(1));
        let page = (height / 8).max(1);
        let next = match event.key().as_str() {
            "ArrowUp" => (y.saturating_sub(1), x),
            "ArrowDown" => ((y + 1).min(last.0), x),
            "ArrowLeft" => (y, x.saturating_sub(1)),
            "ArrowRight" => (y, (x + 1).min(last.1)),
            "PageUp" => (y.saturating_sub(page), x),
            "PageDown" => ((y + page).min(last.0), x),
            "Home" => (0, 0),
            "End" => last,
            _ => return Ok(Change::None),
        };
        // The map handles these keys: the page does not scroll.
        event.prevent_default();
        shell.state.borrow_mut().selected = Some(next);
        Ok(Change::Selection)
    })
}

/// The view's map: for a live frame by the whole-frame engine (once its module is in),
/// otherwise by `step_by_step` on the input tensor.
///
/// # Errors
/// Settings that do not fit the frame.
pub fn compute(
    state: &mut State,
    view: &'static str,
    kind: Kind,
    step_by_step: impl FnOnce(&Settings, &Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let (width, height) = (state.frame.width, state.frame.height);
    if state.live {
        let settings = state.settings.clone();
        let mut engine = state.part::<MapPart>(view).engine.take();
        let ran = planned(&settings, kind, &mut engine).and_then(|engine| {
            let map = engine.run_map(&state.frame.rgba, width, height)?;
            Some((map, engine.path()))
        });
        state.part::<MapPart>(view).engine = engine;
        if let Some((map, path)) = ran {
            state.path = path;
            return Ok(map);
        }
    }
    state.path = if kind == Kind::Pool {
        "pool2d"
    } else {
        "conv2d"
    };
    state.input()?;
    let State {
        settings,
        input,
        frame,
        ..
    } = &*state;
    match input {
        Some(input) => step_by_step(settings, input),
        None => crate::pipeline::input_tensor(frame, settings.channel)
            .and_then(|input| step_by_step(settings, &input)),
    }
}

/// Draws a live frame's map straight from the frame's bytes onto canvas `id`, if the
/// last full frame is recent and of the same size (so every number shown still holds).
/// False when the whole way is due.
///
/// # Errors
/// A missing canvas.
pub fn live(state: &mut State, view: &'static str, kind: Kind, id: &str) -> PageResult<bool> {
    let (width, height) = (state.frame.width, state.frame.height);
    let due = state
        .full_frame
        .is_none_or(|(at, w, h)| now() - at >= FULL_FRAME_MS || (w, h) != (width, height));
    if due {
        return Ok(false);
    }
    let settings = state.settings.clone();
    let mut engine = state.part::<MapPart>(view).engine.take();
    // The shell counts what is not drawing as computing.
    let drawn = match planned(&settings, kind, &mut engine)
        .and_then(|e| e.run(&state.frame.rgba, width, height))
    {
        Some((image, _)) => {
            let start = now();
            let canvas: HtmlCanvasElement = by_id(id)?;
            put_image(&canvas, image)?;
            layout::refresh(&canvas)?;
            Some(now() - start)
        }
        None => None,
    };
    state.part::<MapPart>(view).engine = engine;
    let Some(draw) = drawn else {
        return Ok(false);
    };
    state.timings.draw = draw;
    // The selection's arithmetic waits for the next full frame.
    state.input = None;
    Ok(true)
}

/// Puts a drawn map on canvas `id`, labelled with its size by `label` (a template with
/// `{width}` and `{height}`).
///
/// # Errors
/// A missing canvas.
pub fn put_map(id: &str, map: &Tensor, rgba: &[u8], label: &str) -> PageResult {
    let canvas: HtmlCanvasElement = by_id(id)?;
    let (width, height) = (map.width() as u32, map.height() as u32);
    put_rgba(&canvas, width, height, rgba)?;
    canvas.set_attribute(
        "aria-label",
        &fill(label, &[("width", &width), ("height", &height)]),
    )
}

/// The frame engine for the current settings, planned again only when they change;
/// `None` while the frames module is loading or where it cannot plan them.
fn planned<'a>(
    settings: &Settings,
    kind: Kind,
    engine: &'a mut Option<(EngineKey, Engine)>,
) -> Option<&'a mut Engine> {
    let kept = match engine.take() {
        Some((key, kept)) if key.holds_for(settings) => (key, kept),
        _ => (
            EngineKey::of(settings),
            Engine::plan(settings, kind == Kind::Pool)?,
        ),
    };
    Some(&mut engine.insert(kept).1)
}

/// What a frame engine is planned for.
struct EngineKey {
    kernel: KernelChoice,
    conv: convlens_core::ConvParams,
    pool: (convlens_core::PoolFunction, convlens_core::PoolParams),
    channels: convlens_core::Channels,
    display: convlens_core::DisplayMapping,
}

impl EngineKey {
    fn of(settings: &Settings) -> Self {
        EngineKey {
            kernel: settings.kernel.clone(),
            conv: settings.conv_params(),
            pool: (settings.pool, settings.pool_params()),
            channels: settings.channel,
            display: settings.display,
        }
    }

    /// Whether `settings` still ask for this engine; compared in place, so that a
    /// frame costs no allocation.
    fn holds_for(&self, settings: &Settings) -> bool {
        self.kernel == settings.kernel
            && self.conv == settings.conv_params()
            && self.pool == (settings.pool, settings.pool_params())
            && self.channels == settings.channel
            && self.display == settings.display
    }
}

impl std::fmt::Debug for MapPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapPart").finish_non_exhaustive()
    }
}

/// Marks `cells` on the overlay of map canvas `id` (the overlay's id is the map's with
/// `-fed`), one overlay pixel per cell.
///
/// # Errors
/// A missing element.
pub fn fed(id: &str, cells: &[(usize, usize)]) -> PageResult {
    let map: HtmlCanvasElement = by_id(id)?;
    let overlay: HtmlCanvasElement = by_id(&format!("{id}-fed"))?;
    let (width, height) = (map.width(), map.height());
    let mut rgba = vec![0u8; width as usize * height as usize * 4];
    for &(y, x) in cells {
        if let Some(pixel) =
            rgba.get_mut((y * width as usize + x) * 4..(y * width as usize + x) * 4 + 4)
        {
            pixel.copy_from_slice(&[255, 176, 0, 200]);
        }
    }
    put_rgba(&overlay, width, height, &rgba)?;
    overlay.set_attribute("data-cells", &cells.len().to_string())?;
    overlay.set_hidden(cells.is_empty());
    Ok(())
}
