//! The page's state and its event handling: the only place that owns state.
//!
//! One [`State`] lives behind an `Rc<RefCell<_>>` shared by the event listeners. Every
//! change goes the same way: update [`Settings`], write the URL, recompute, redraw.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use convlens_core::{Kernel, Tensor};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, DragEvent, Element, Event, EventTarget, HtmlCanvasElement,
    HtmlFormElement, HtmlImageElement, HtmlInputElement, HtmlVideoElement, KeyboardEvent,
    MediaStream, MediaStreamConstraints, PointerEvent,
};

use crate::dom::{
    by_id, describe, document, js_error, listen, property, put_rgba, window, PageResult,
};
use crate::pipeline::{self, Backend, Frame};
use crate::render;
use crate::settings::{KernelChoice, Sample, Settings, Source, View, PARAMETERS};

/// Webcam frames processed since the page started (read by [`stats`]).
static FRAMES: AtomicU32 = AtomicU32::new(0);

/// Counters for tests and the curious: webcam frames processed and the module's memory.
pub fn stats() -> PageResult<JsValue> {
    let stats = js_sys::Object::new();
    let memory = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into())?;
    let bytes = js_sys::Reflect::get(&memory, &"byteLength".into())?;
    js_sys::Reflect::set(
        &stats,
        &"frames".into(),
        &FRAMES.load(Ordering::Relaxed).into(),
    )?;
    js_sys::Reflect::set(&stats, &"memoryBytes".into(), &bytes)?;
    Ok(stats.into())
}

/// The photo shown when nothing else can be.
const DEFAULT_PHOTO: &str = "samples/astronaut.png";

/// The longest side an uploaded image keeps; larger ones are scaled down, with a notice.
pub const MAX_SIDE: u32 = 2048;

/// Everything the page holds between events.
pub struct State {
    /// The controls' values.
    pub settings: Settings,
    /// The current input frame (scaled to `settings.size`).
    pub frame: Frame,
    /// The decoded image behind the frame (sample or upload), kept to rescale it.
    image: Option<HtmlImageElement>,
    /// The frame as a tensor of the selected channels, cached between redraws.
    input: Option<Tensor>,
    /// The last good feature map and pooled map (kept when settings turn invalid).
    feature_map: Option<Tensor>,
    pooled_map: Option<Tensor>,
    /// Reused RGBA buffer for drawing maps.
    rgba: Vec<u8>,
    /// The output cell under the pointer or keyboard focus.
    pub selected: Option<(usize, usize)>,
    /// Counts image loads, so a slow load never replaces a newer one.
    load_generation: u32,
    camera: Camera,
    /// Notices about the input or the URL (shown until the next change of input).
    notices: Vec<String>,
    /// Counts input frames, so cached results know which frame they belong to.
    frame_id: u32,
    /// The stack view's outputs for (stack, frame), kept while only the layer changes.
    stack_outputs: Option<((String, u32), Vec<Tensor>)>,
    /// The step-by-step animation's timer, while it plays.
    player: Option<Player>,
    /// The 1D view's chosen output.
    one_d_selected: usize,
    /// The last stopped timer's closure: a timer may stop itself from inside its own
    /// closure, which must outlive that call.
    retired_tick: Option<Closure<dyn FnMut()>>,
}

/// A running `setInterval` and the closure it calls.
struct Player {
    interval: i32,
    tick: Closure<dyn FnMut()>,
}

#[derive(Default)]
struct Camera {
    stream: Option<MediaStream>,
    video: Option<HtmlVideoElement>,
    frozen: bool,
    /// The requestAnimationFrame loop's closure, while the camera runs.
    tick: Option<Tick>,
}

type Tick = Rc<Closure<dyn FnMut()>>;

type Shared = Rc<RefCell<State>>;

/// Builds the state from the URL, wires every control and loads the first image.
pub fn start() -> PageResult {
    let search = window()?.location().search().unwrap_or_default();
    let (settings, warnings) = Settings::from_query(&search);
    let state: Shared = Rc::new(RefCell::new(State {
        settings,
        frame: Frame::default(),
        image: None,
        input: None,
        feature_map: None,
        pooled_map: None,
        rgba: Vec::new(),
        selected: None,
        load_generation: 0,
        camera: Camera::default(),
        notices: warnings,
        frame_id: 0,
        stack_outputs: None,
        player: None,
        one_d_selected: 0,
        retired_tick: None,
    }));
    render::kernel_menu()?;
    wire_controls(&state)?;
    wire_maps(&state)?;
    wire_stack(&state)?;
    wire_steps(&state)?;
    wire_one_d(&state)?;
    wire_shortcuts(&state)?;
    wire_input(&state)?;
    crate::embed::wire(&state)?;
    crate::export::wire(&state)?;
    {
        let state = state.borrow();
        render::sync_controls(&state.settings)?;
        render::kernel_grid(&state.settings.kernel.kernel(), false)?;
        render::notices(&state.notices)?;
        // The URL now says exactly what is shown (bad parameters dropped).
        write_url(&state.settings)?;
    }
    load_source(&state)?;
    Ok(())
}

/// Runs a handler step and shows any failure on the page rather than losing it.
pub(crate) fn report(result: PageResult) {
    if let Err(error) = result {
        let _ = render::message(&format!("Something went wrong: {}", describe(&error)));
    }
}

fn wire_controls(state: &Shared) -> PageResult {
    let form: HtmlFormElement = by_id("controls")?;
    // `submit` would reload the page (Enter in a number field).
    listen(&form, "submit", |event: Event| event.prevent_default())?;
    for event in ["change", "input"] {
        let state = state.clone();
        listen(&form, event, move |event: Event| {
            report(on_control(&state, &event));
        })?;
    }
    let grid: Element = by_id("kernel-grid")?;
    let shared = state.clone();
    listen(&grid, "input", move |event: Event| {
        report(on_kernel_cell(&shared, &event))
    })?;
    let shared = state.clone();
    listen(
        &by_id::<EventTarget>("freeze")?,
        "click",
        move |_: Event| {
            report(toggle_freeze(&shared));
        },
    )?;
    Ok(())
}

/// A control changed: read its name and value into the settings.
fn on_control(state: &Shared, event: &Event) -> PageResult {
    let Some(target) = event.target() else {
        return Ok(());
    };
    let name = property(&target, "name");
    let value = property(&target, "value");
    let kind = property(&target, "type");
    // Text and number fields apply on `change` (after typing), the rest on `input` too.
    if event.type_() == "input" && matches!(kind.as_str(), "number" | "text" | "textarea") {
        return Ok(());
    }
    if name == "upload" {
        let input: HtmlInputElement = target.dyn_into()?;
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            load_file(state, &file)?;
        }
        input.set_value("");
        return Ok(());
    }
    if name == "kernel_size" {
        return set_kernel_size(state, &value);
    }
    if name == "grid_size" {
        return set_grid_size(state, &value);
    }
    if !PARAMETERS.contains(&name.as_str()) {
        return Ok(());
    }
    let (source_changed, result) = {
        let mut state = state.borrow_mut();
        let before = (
            state.settings.source,
            state.settings.size,
            state.settings.channel,
        );
        let result = state.settings.set(&name, &value);
        let after = (
            state.settings.source,
            state.settings.size,
            state.settings.channel,
        );
        if before.2 != after.2 {
            state.input = None;
        }
        (before.0 != after.0 || before.1 != after.1, result)
    };
    if let Err(message) = result {
        render::message(&message)?;
        // Put the control back to the value in use.
        render::sync_controls(&state.borrow().settings)?;
        return Ok(());
    }
    if name == "kernel" || name == "view" {
        state.borrow_mut().selected = None;
    }
    if name == "view" {
        stop_playing(state)?;
    }
    if name == "stack" || name == "layers" {
        state.borrow_mut().settings.layer = 0;
    }
    if name == "kernel" {
        render::kernel_grid(&state.borrow().settings.kernel.kernel(), false)?;
    }
    after_change(state, source_changed)
}

/// The settings changed: URL, controls, then either a new source or a recompute.
pub(crate) fn after_change(state: &Shared, source_changed: bool) -> PageResult {
    {
        let state = state.borrow();
        write_url(&state.settings)?;
        render::sync_controls(&state.settings)?;
    }
    if source_changed {
        load_source(state)
    } else {
        recompute(state)
    }
}

fn write_url(settings: &Settings) -> PageResult {
    let url = format!("?{}", settings.to_query());
    window()?
        .history()?
        .replace_state_with_url(&JsValue::NULL, "", Some(&url))
}

/// A kernel cell was edited: the kernel becomes custom with the typed weight.
fn on_kernel_cell(state: &Shared, event: &Event) -> PageResult {
    let Some(target) = event.target() else {
        return Ok(());
    };
    let input: HtmlInputElement = target.dyn_into()?;
    let (row, column) = (
        index_of(&input, "data-row"),
        index_of(&input, "data-column"),
    );
    let text = input.value();
    let mut kernel = state.borrow().settings.kernel.kernel();
    // One cell parsed the same way as URL weights, so fractions like 1/16 work too.
    let parsed = Kernel::parse(&text)
        .map_err(|e| e.to_string())
        .and_then(|one| {
            if one.weights().len() == 1 {
                kernel
                    .set(row, column, one.weights()[0])
                    .map_err(|e| e.to_string())
            } else {
                Err("type one number per cell".into())
            }
        });
    if let Err(message) = parsed {
        input.set_attribute("aria-invalid", "true")?;
        let where_ = format!("row {}, column {}", row + 1, column + 1);
        let message = message.replace("row 1, column 1", &where_);
        return render::message(&format!(
            "{message}. The last valid kernel is still in use."
        ));
    }
    input.remove_attribute("aria-invalid")?;
    state.borrow_mut().settings.kernel = KernelChoice::Custom(kernel);
    after_change(state, false)
}

/// The kernel size control: switches a blur between its sizes, or resizes a custom
/// kernel around its centre.
fn set_kernel_size(state: &Shared, value: &str) -> PageResult {
    let Ok(size) = value.parse::<usize>() else {
        return Ok(());
    };
    let choice = state.borrow().settings.kernel.clone();
    let next = match choice {
        KernelChoice::Preset(preset) => {
            match preset.sizes().iter().find(|p| p.kernel().height() == size) {
                Some(&other) => KernelChoice::Preset(other),
                None => KernelChoice::Custom(resize(&preset.kernel(), size)?),
            }
        }
        KernelChoice::Custom(kernel) => KernelChoice::Custom(resize(&kernel, size)?),
    };
    {
        let mut state = state.borrow_mut();
        state.settings.kernel = next;
        state.selected = None;
        render::kernel_grid(&state.settings.kernel.kernel(), false)?;
    }
    after_change(state, false)
}

/// The kernel resized to `size x size`, its weights kept around the centre.
fn resize(kernel: &Kernel, size: usize) -> PageResult<Kernel> {
    let mut weights = vec![0.0; size * size];
    let offset = |old: usize| (size as isize - old as isize) / 2;
    let (dy, dx) = (offset(kernel.height()), offset(kernel.width()));
    for (m, row) in kernel.rows().iter().enumerate() {
        for (n, &w) in row.iter().enumerate() {
            let (y, x) = (m as isize + dy, n as isize + dx);
            if (0..size as isize).contains(&y) && (0..size as isize).contains(&x) {
                weights[y as usize * size + x as usize] = w;
            }
        }
    }
    Kernel::new(size, size, weights).map_err(js_error)
}

/// The map cell `(row, column)` under the pointer on a canvas drawn one pixel per cell
/// (and scaled by CSS), or `None` outside it.
fn cell_under(event: &PointerEvent, canvas: &HtmlCanvasElement) -> Option<(usize, usize)> {
    let along = |offset: i32, shown: i32, cells: u32| {
        let cell = (f64::from(offset) / f64::from(shown.max(1)) * f64::from(cells)).floor();
        (cell >= 0.0 && cell < f64::from(cells)).then_some(cell as usize)
    };
    Some((
        along(event.offset_y(), canvas.client_height(), canvas.height())?,
        along(event.offset_x(), canvas.client_width(), canvas.width())?,
    ))
}

fn wire_maps(state: &Shared) -> PageResult {
    for id in ["feature-map", "pooled-map"] {
        let canvas: HtmlCanvasElement = by_id(id)?;
        for event in ["pointermove", "pointerdown"] {
            let shared = state.clone();
            let target = canvas.clone();
            listen(&canvas, event, move |event: PointerEvent| {
                if let Some(cell) = cell_under(&event, &target) {
                    report(select(&shared, Some(cell)));
                }
            })?;
        }
        let shared = state.clone();
        listen(&canvas, "focus", move |_: Event| {
            let selected = shared.borrow().selected;
            report(select(&shared, Some(selected.unwrap_or((0, 0)))));
        })?;
        let shared = state.clone();
        let target = canvas.clone();
        listen(&canvas, "keydown", move |event: KeyboardEvent| {
            let (y, x) = shared.borrow().selected.unwrap_or((0, 0));
            let (height, width) = (target.height() as usize, target.width() as usize);
            let next = match event.key().as_str() {
                "ArrowUp" => (y.saturating_sub(1), x),
                "ArrowDown" => ((y + 1).min(height.saturating_sub(1)), x),
                "ArrowLeft" => (y, x.saturating_sub(1)),
                "ArrowRight" => (y, (x + 1).min(width.saturating_sub(1))),
                "Home" => (0, 0),
                "End" => (height.saturating_sub(1), width.saturating_sub(1)),
                _ => return,
            };
            event.prevent_default();
            report(select(&shared, Some(next)));
        })?;
    }
    Ok(())
}

/// Selects an output cell: its receptive field is outlined and its arithmetic shown.
fn select(state: &Shared, cell: Option<(usize, usize)>) -> PageResult {
    state.borrow_mut().selected = cell;
    show_selection(&state.borrow())
}

fn show_selection(state: &State) -> PageResult {
    let (Some(input), Some(cell)) = (&state.input, state.selected) else {
        return render::clear_selection();
    };
    let arithmetic = match state.settings.view {
        View::Conv => state
            .feature_map
            .as_ref()
            .map(|map| pipeline::conv_arithmetic(&state.settings, input, map, cell)),
        View::Pool => state
            .pooled_map
            .as_ref()
            .map(|map| pipeline::pool_arithmetic(&state.settings, input, map, cell)),
        View::Stack | View::Steps | View::OneD | View::Channels => None,
    };
    match arithmetic {
        Some(Ok(arithmetic)) => render::selection(&state.settings, &state.frame, &arithmetic),
        // The cell is outside a map that just shrank, or the settings are invalid.
        _ => render::clear_selection(),
    }
}

fn wire_stack(state: &Shared) -> PageResult {
    let table: Element = by_id("stack-table")?;
    let choose = |state: &Shared, target: Option<EventTarget>| -> PageResult {
        let row = target
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("tr[data-layer]").ok().flatten());
        let Some(layer) = row.and_then(|r| r.get_attribute("data-layer")) else {
            return Ok(());
        };
        let Ok(layer) = layer.parse::<usize>() else {
            return Ok(());
        };
        state.borrow_mut().settings.layer = layer;
        after_change(state, false)
    };
    let shared = state.clone();
    listen(&table, "click", move |event: Event| {
        report(choose(&shared, event.target()))
    })?;
    let shared = state.clone();
    listen(&table, "keydown", move |event: KeyboardEvent| {
        if event.key() == "Enter" || event.key() == " " {
            event.prevent_default();
            report(choose(&shared, event.target()));
        }
    })?;
    let maps: Element = by_id("stack-maps")?;
    // A tap (touch, pen) sends pointerdown without a move.
    for kind in ["pointermove", "pointerdown"] {
        let shared = state.clone();
        listen(&maps, kind, move |event: PointerEvent| {
            let canvas = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlCanvasElement>().ok());
            let Some(cell) = canvas.and_then(|canvas| cell_under(&event, &canvas)) else {
                return;
            };
            let state = shared.borrow();
            report(
                pipeline::stack_facts(&state.settings)
                    .map_err(js_error)
                    .and_then(|facts| render::stack_window(&facts, state.settings.layer, cell)),
            );
        })?;
    }
    Ok(())
}

fn wire_steps(state: &Shared) -> PageResult {
    let grid: Element = by_id("steps-input")?;
    // Typed values apply when the cell is left (or Enter is pressed).
    let shared = state.clone();
    listen(&grid, "change", move |event: Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        report(set_grid_cell(&shared, &input, &input.value()));
    })?;
    // Painting: with a paint value chosen, pressing or dragging over cells sets them.
    // Touch and pen send a drag's events to the cell it started on: the cell is the one
    // under the pointer.
    for kind in ["pointerdown", "pointerover", "pointermove"] {
        let shared = state.clone();
        let stroke = grid.clone();
        listen(&grid, kind, move |event: PointerEvent| {
            let paint = document()
                .ok()
                .and_then(|d| d.query_selector("input[name=paint]:checked").ok().flatten())
                .map(|e| property(&e, "value"))
                .unwrap_or_default();
            if paint == "off" || paint.is_empty() || event.buttons() & 1 == 0 {
                return;
            }
            // The grid is redrawn under the stroke: the grid itself, not a cell, follows
            // the pointer until it is lifted.
            if kind == "pointerdown" {
                let _ = stroke.set_pointer_capture(event.pointer_id());
            }
            let under = document().ok().and_then(|d| {
                d.element_from_point(event.client_x() as f32, event.client_y() as f32)
            });
            let Some(input) = under.and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else {
                return;
            };
            event.prevent_default();
            report(set_grid_cell(&shared, &input, &paint));
        })?;
    }
    let scrubber: Element = by_id("steps-scrubber")?;
    let shared = state.clone();
    listen(&scrubber, "input", move |event: Event| {
        let value = event
            .target()
            .map(|t| property(&t, "value"))
            .unwrap_or_default();
        report(set_step(&shared, |_| {
            value.parse::<usize>().unwrap_or(1).saturating_sub(1)
        }));
    })?;
    let shared = state.clone();
    listen(
        &by_id::<EventTarget>("steps-back")?,
        "click",
        move |_: Event| {
            report(stop_playing(&shared).and_then(|()| set_step(&shared, |s| s.saturating_sub(1))));
        },
    )?;
    let shared = state.clone();
    listen(
        &by_id::<EventTarget>("steps-forward")?,
        "click",
        move |_: Event| {
            report(stop_playing(&shared).and_then(|()| set_step(&shared, |s| s + 1)));
        },
    )?;
    let shared = state.clone();
    listen(
        &by_id::<EventTarget>("steps-play")?,
        "click",
        move |_: Event| {
            let playing = shared.borrow().player.is_some();
            report(if playing {
                stop_playing(&shared)
            } else {
                start_playing(&shared)
            });
        },
    )?;
    Ok(())
}

/// The number in an element's `data-` attribute (0 if absent: the page writes them all).
fn index_of(element: &Element, attribute: &str) -> usize {
    element
        .get_attribute(attribute)
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// Sets one grid cell from text (a number, or `a/b`).
fn set_grid_cell(state: &Shared, input: &HtmlInputElement, text: &str) -> PageResult {
    let (y, x) = (index_of(input, "data-y"), index_of(input, "data-x"));
    let value = Kernel::parse(text)
        .ok()
        .filter(|k| k.weights().len() == 1)
        .map(|k| k.weights()[0]);
    let Some(value) = value else {
        input.set_attribute("aria-invalid", "true")?;
        return render::message(&format!(
            "the grid cell at row {}, column {} ({}) is not a number; the grid keeps its last \
             valid values",
            y + 1,
            x + 1,
            if text.trim().is_empty() {
                "empty"
            } else {
                text
            }
        ));
    };
    {
        let mut state = state.borrow_mut();
        let Some(cell) = state
            .settings
            .grid
            .get_mut(y)
            .and_then(|row| row.get_mut(x))
        else {
            return Ok(());
        };
        if *cell == value {
            return Ok(());
        }
        *cell = value;
    }
    after_change(state, false)
}

/// Resizes the grid to `size x size`, keeping the top-left values.
fn set_grid_size(state: &Shared, value: &str) -> PageResult {
    let Ok(size) = value.parse::<usize>() else {
        return Ok(());
    };
    let size = size.clamp(1, crate::settings::MAX_GRID);
    {
        let mut state = state.borrow_mut();
        let old = std::mem::take(&mut state.settings.grid);
        state.settings.grid = (0..size)
            .map(|y| {
                (0..size)
                    .map(|x| old.get(y).and_then(|r| r.get(x)).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        state.settings.step = 0;
    }
    after_change(state, false)
}

/// Moves to another window position (clamped when drawn).
fn set_step(state: &Shared, next: impl FnOnce(usize) -> usize) -> PageResult {
    let positions = pipeline::steps_facts(&state.borrow().settings).map_or(1, |f| f.positions);
    {
        let mut state = state.borrow_mut();
        let current = state.settings.step.min(positions - 1);
        state.settings.step = next(current).min(positions - 1);
    }
    after_change(state, false)
}

fn start_playing(state: &Shared) -> PageResult {
    let delay: i32 = by_id::<web_sys::HtmlSelectElement>("steps-speed")?
        .value()
        .parse()
        .unwrap_or(1000);
    // Playing from the last position starts over.
    let positions = pipeline::steps_facts(&state.borrow().settings).map_or(1, |f| f.positions);
    if state.borrow().settings.step + 1 >= positions {
        state.borrow_mut().settings.step = 0;
        after_change(state, false)?;
    }
    let shared = state.clone();
    let tick = Closure::<dyn FnMut()>::new(move || {
        let positions = pipeline::steps_facts(&shared.borrow().settings).map_or(1, |f| f.positions);
        let step = shared.borrow().settings.step;
        if step + 1 >= positions {
            report(stop_playing(&shared));
        } else {
            report(set_step(&shared, |s| s + 1));
        }
    });
    let interval = window()?.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        delay,
    )?;
    state.borrow_mut().player = Some(Player { interval, tick });
    render::steps_playing(true)
}

fn stop_playing(state: &Shared) -> PageResult {
    let player = state.borrow_mut().player.take();
    if let Some(player) = player {
        window()?.clear_interval_with_handle(player.interval);
        state.borrow_mut().retired_tick = Some(player.tick);
    }
    render::steps_playing(false)
}

fn wire_one_d(state: &Shared) -> PageResult {
    let rows: Element = by_id("oned-rows")?;
    for kind in ["pointerover", "click", "focusin"] {
        let shared = state.clone();
        listen(&rows, kind, move |event: Event| {
            let chosen = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.get_attribute("data-z"))
                .and_then(|z| z.parse::<usize>().ok());
            let Some(chosen) = chosen else { return };
            if shared.borrow().one_d_selected == chosen {
                return;
            }
            shared.borrow_mut().one_d_selected = chosen;
            report(recompute(&shared));
            // Keep keyboard focus on the chosen output after the redraw.
            if kind == "focusin" {
                let selector = format!("#oned-rows td[data-z=\"{chosen}\"]");
                if let Ok(Some(cell)) = document().and_then(|d| d.query_selector(&selector)) {
                    let _ = cell.dyn_into::<web_sys::HtmlElement>().map(|c| c.focus());
                }
            }
        })?;
    }
    Ok(())
}

fn wire_shortcuts(state: &Shared) -> PageResult {
    render::help_keys()?;
    listen(&by_id::<EventTarget>("help-open")?, "click", |_: Event| {
        report(render::toggle_help(Some(true)).map(|_| ()));
    })?;
    listen(&by_id::<EventTarget>("help-close")?, "click", |_: Event| {
        report(render::toggle_help(Some(false)).map(|_| ()));
    })?;
    let shared = state.clone();
    let page = document()?;
    listen(&page, "keydown", move |event: KeyboardEvent| {
        if event.key() == "Escape" {
            report(render::toggle_help(Some(false)).map(|_| ()));
            return;
        }
        // Keys typed into a field are text, not commands; modified keys are the browser's.
        let typing = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|e| {
                matches!(
                    e.tag_name().as_str(),
                    "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON"
                )
            });
        // A key already handled where it was pressed (a table row, a map) stays handled.
        let handled = event.default_prevented();
        if typing || handled || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let Some(action) = crate::shortcuts::action(&event.key()) else {
            return;
        };
        event.prevent_default();
        report(run_shortcut(&shared, action));
    })?;
    Ok(())
}

fn run_shortcut(state: &Shared, action: crate::shortcuts::Action) -> PageResult {
    use crate::shortcuts::Action;
    let changed = {
        let mut state = state.borrow_mut();
        let before = (state.settings.view, state.settings.channel);
        let changed = crate::shortcuts::apply(&mut state.settings, action);
        if changed {
            state.selected = None;
            if state.settings.channel != before.1 {
                state.input = None;
            }
        }
        changed
    };
    if changed {
        if matches!(action, Action::Kernel(_)) {
            render::kernel_grid(&state.borrow().settings.kernel.kernel(), false)?;
        }
        if matches!(action, Action::View(_)) {
            stop_playing(state)?;
        }
        return after_change(state, false);
    }
    match action {
        Action::Help => render::toggle_help(None).map(|_| ()),
        Action::Freeze => toggle_freeze(state),
        Action::Play => {
            let playing = state.borrow().player.is_some();
            if playing {
                stop_playing(state)
            } else {
                start_playing(state)
            }
        }
        Action::Step(forward) => {
            stop_playing(state)?;
            set_step(state, |s| if forward { s + 1 } else { s.saturating_sub(1) })
        }
        _ => Ok(()),
    }
}

fn wire_input(state: &Shared) -> PageResult {
    let panel: Element = by_id("input-panel")?;
    listen(&panel, "dragover", |event: DragEvent| {
        event.prevent_default()
    })?;
    let shared = state.clone();
    listen(&panel, "drop", move |event: DragEvent| {
        event.prevent_default();
        let file = event
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        match file {
            Some(file) => report(load_file(&shared, &file)),
            None => report(render::message("Only image files can be dropped here.")),
        }
    })?;
    Ok(())
}

/// Loads the source the settings name: a sample photo, or the webcam.
fn load_source(state: &Shared) -> PageResult {
    let source = state.borrow().settings.source;
    match source {
        Source::Sample(sample) => {
            stop_camera(state)?;
            load_url(
                state,
                &format!("samples/{}.png", sample.name()),
                sample.name().into(),
            )
        }
        Source::Webcam => {
            // Show a photo while the browser asks for the camera (or if it never answers).
            if state.borrow().frame.rgba.is_empty() {
                load_url(state, DEFAULT_PHOTO, "astronaut".into())?;
            }
            start_camera(state)
        }
        Source::Upload => {
            // Rescale the uploaded image already decoded.
            let image = state.borrow().image.clone();
            match image {
                Some(image) => use_image(state, &image, "your image"),
                None => Ok(()),
            }
        }
    }
}

fn load_file(state: &Shared, file: &web_sys::File) -> PageResult {
    let name = file.name();
    if !file.type_().starts_with("image/") && !file.type_().is_empty() {
        return render::message(&format!(
            "'{name}' is not an image ({}); open a PNG, JPEG, GIF, WebP or BMP file.",
            file.type_()
        ));
    }
    let url = web_sys::Url::create_object_url_with_blob(file)?;
    stop_camera(state)?;
    state.borrow_mut().settings.source = Source::Upload;
    load_url(state, &url, name)
}

/// Decodes an image from `url` (the browser's decoder) and makes it the input.
fn load_url(state: &Shared, url: &str, name: String) -> PageResult {
    let image = HtmlImageElement::new()?;
    let generation = {
        let mut state = state.borrow_mut();
        state.load_generation += 1;
        state.load_generation
    };
    let on_load = {
        let shared = state.clone();
        let image = image.clone();
        let name = name.clone();
        let url = url.to_string();
        Closure::once_into_js(move || {
            if url.starts_with("blob:") {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
            if shared.borrow().load_generation == generation {
                shared.borrow_mut().image = Some(image.clone());
                report(use_image(&shared, &image, &name));
            }
        })
    };
    let on_error = {
        let shared = state.clone();
        let failed_url = url.to_string();
        Closure::once_into_js(move || {
            if shared.borrow().load_generation != generation {
                return;
            }
            let previous = shared.borrow().image.is_some();
            report(render::message(&format!(
                "'{name}' could not be read as an image (the file may be damaged or in a \
                 format this browser cannot decode).{}",
                if previous {
                    " The previous image stays."
                } else {
                    ""
                }
            )));
            // Nothing shown yet: fall back to the default photo, unless that is what failed.
            if !previous && !failed_url.ends_with(DEFAULT_PHOTO) {
                shared.borrow_mut().settings.source = Source::Sample(Sample::Astronaut);
                report(load_source(&shared));
            }
        })
    };
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_onerror(Some(on_error.unchecked_ref()));
    image.set_src(url);
    Ok(())
}

/// The size a `width x height` input is drawn at: the chosen size for the longest side,
/// never above [`MAX_SIDE`], never below 1.
fn scaled(width: u32, height: u32, size: usize) -> (u32, u32) {
    let longest = width.max(height).max(1);
    let target = if size == 0 {
        longest.min(MAX_SIDE)
    } else {
        (size as u32).min(longest)
    };
    if target >= longest {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(target) / f64::from(longest);
    (
        ((f64::from(width) * scale).round() as u32).max(1),
        ((f64::from(height) * scale).round() as u32).max(1),
    )
}

fn use_image(state: &Shared, image: &HtmlImageElement, name: &str) -> PageResult {
    let (natural_w, natural_h) = (image.natural_width(), image.natural_height());
    if natural_w == 0 || natural_h == 0 {
        return render::message(&format!("'{name}' has no pixels."));
    }
    let size = state.borrow().settings.size;
    let (width, height) = scaled(natural_w, natural_h, size);
    let mut notices = Vec::new();
    if size == 0 && (width, height) != (natural_w, natural_h) {
        notices.push(format!(
            "'{name}' is {natural_w}×{natural_h}: it was scaled down to {width}×{height} to keep \
             the demo responsive."
        ));
    }
    let (canvas, context) = input_canvas(width, height)?;
    context.set_image_smoothing_enabled(true);
    // Transparent parts of an image show as white, not as the previous image.
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    context.draw_image_with_html_image_element_and_dw_and_dh(
        image,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let frame = grab(&context, &canvas)?;
    {
        let mut state = state.borrow_mut();
        state.notices.retain(|n| !n.contains("scaled down"));
        state.notices.extend(notices);
        render::notices(&state.notices)?;
        let label = match state.settings.source {
            Source::Upload => format!("Your image '{name}'"),
            _ => format!("Photo '{name}'"),
        };
        render::input_caption(&label, &frame)?;
    }
    set_frame(state, frame)
}

fn input_canvas(
    width: u32,
    height: u32,
) -> PageResult<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas: HtmlCanvasElement = by_id("input-frame")?;
    let context = readable_context(&canvas, width, height)?;
    Ok((canvas, context))
}

/// Sizes `canvas` and gives its 2D context, set up for frequent pixel reads.
fn readable_context(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
) -> PageResult<CanvasRenderingContext2d> {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE)?;
    Ok(canvas
        .get_context_with_context_options("2d", &options)?
        .ok_or_else(|| js_error("this browser gives no 2D canvas"))?
        .dyn_into::<CanvasRenderingContext2d>()?)
}

fn grab(context: &CanvasRenderingContext2d, canvas: &HtmlCanvasElement) -> PageResult<Frame> {
    let (width, height) = (canvas.width(), canvas.height());
    let data = context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
    Ok(Frame {
        width: width as usize,
        height: height as usize,
        rgba: data.data().0,
    })
}

fn set_frame(state: &Shared, frame: Frame) -> PageResult {
    {
        let mut state = state.borrow_mut();
        state.frame = frame;
        state.input = None;
        state.frame_id = state.frame_id.wrapping_add(1);
    }
    recompute(state)
}

/// Recomputes the shown map from the frame and settings and redraws it, its numbers and
/// the selection. Invalid settings keep the last good map and say what is wrong.
fn recompute(state: &Shared) -> PageResult {
    let mut guard = state.borrow_mut();
    let state = &mut *guard;
    render::view(&state.settings)?;
    if state.settings.view == View::OneD {
        return match pipeline::one_d_facts(&state.settings) {
            Ok(facts) => {
                render::one_d(&state.settings, &facts, state.one_d_selected)?;
                render::message("")
            }
            Err(error) => render::message(&format!("{error}.")),
        };
    }
    if state.settings.view == View::Steps {
        // The grid is the input: no image needed.
        return match pipeline::steps_facts(&state.settings) {
            Ok(facts) => {
                render::steps(&state.settings, &facts)?;
                render::message("")
            }
            Err(error) => render::message(&format!("{error}.")),
        };
    }
    if state.frame.rgba.is_empty() {
        return Ok(());
    }
    if state.settings.view == View::Channels {
        return match pipeline::channels_facts(&state.settings, &state.frame) {
            Ok(facts) => {
                render::channels(&state.settings, &facts, &mut state.rgba)?;
                render::message("")
            }
            Err(error) => render::message(&format!("{error}.")),
        };
    }
    if state.settings.view == View::Stack {
        return match recompute_stack(state) {
            Ok(()) => render::message(""),
            Err(error) => render::message(&describe(&error)),
        };
    }
    if state.input.is_none() {
        state.input =
            Some(pipeline::input_tensor(&state.frame, state.settings.channel).map_err(js_error)?);
    }
    let Some(input) = &state.input else {
        return Ok(());
    };
    let result = match state.settings.view {
        View::Conv => pipeline::conv_facts(
            &state.settings,
            input.channels(),
            input.height(),
            input.width(),
        )
        .and_then(|facts| {
            let map = pipeline::feature_map(&state.settings, input, Backend::Fast)?;
            Ok((facts, map))
        })
        .map(|(facts, map)| {
            render::conv_facts(&facts, (input.height(), input.width()))?;
            pipeline::draw(&map, state.settings.display, &mut state.rgba).map_err(js_error)?;
            put_map("feature-map", &map, &state.rgba)?;
            render::legend(&state.settings, &map)?;
            state.feature_map = Some(map);
            Ok::<(), JsValue>(())
        }),
        View::Pool => pipeline::pool_facts(&state.settings, input.height(), input.width())
            .and_then(|facts| {
                let map = pipeline::pooled_map(&state.settings, input, Backend::Fast)?;
                Ok((facts, map))
            })
            .map(|(facts, map)| {
                render::pool_facts(&facts)?;
                pipeline::draw(&map, convlens_core::DisplayMapping::Clamp, &mut state.rgba)
                    .map_err(js_error)?;
                put_map("pooled-map", &map, &state.rgba)?;
                state.pooled_map = Some(map);
                Ok::<(), JsValue>(())
            }),
        // Handled above, before the input tensor is made.
        View::Stack | View::Steps | View::OneD | View::Channels => Ok(Ok(())),
    };
    match result {
        Ok(drawn) => {
            drawn?;
            render::message("")?;
        }
        Err(error) => {
            render::message(&format!("{error}. The last valid output is still shown."))?;
        }
    }
    show_selection(state)
}

/// The stack view: the frame scaled to the network's input, the forward pass (cached
/// while only the chosen layer changes), the table and the chosen layer's maps.
fn recompute_stack(state: &mut State) -> PageResult {
    let facts = pipeline::stack_facts(&state.settings).map_err(js_error)?;
    let (channels, height, width) = facts.architecture.input;
    let key = (state.settings.architecture().to_string(), state.frame_id);
    if state.stack_outputs.as_ref().map(|(k, _)| k) != Some(&key) {
        let frame = scale_into("stack-input", width as u32, height as u32)?;
        let outputs = pipeline::stack_forward(&state.settings, &frame).map_err(js_error)?;
        state.stack_outputs = Some((key, outputs));
    }
    let layer = state
        .settings
        .layer
        .min(facts.reports.len().saturating_sub(1));
    let outputs = state
        .stack_outputs
        .as_ref()
        .map(|(_, o)| o.as_slice())
        .unwrap_or_default();
    render::stack(&facts, outputs.len(), layer, channels)?;
    render::stack_maps(&facts, outputs.get(layer), layer, &mut state.rgba)
}

/// Draws the input canvas, scaled by the browser, into canvas `id` and reads it back.
fn scale_into(id: &str, width: u32, height: u32) -> PageResult<Frame> {
    let source: HtmlCanvasElement = by_id("input-frame")?;
    let canvas: HtmlCanvasElement = by_id(id)?;
    let context = readable_context(&canvas, width, height)?;
    context.draw_image_with_html_canvas_element_and_dw_and_dh(
        &source,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    grab(&context, &canvas)
}

fn put_map(id: &str, map: &Tensor, rgba: &[u8]) -> PageResult {
    let canvas: HtmlCanvasElement = by_id(id)?;
    let (width, height) = (map.width() as u32, map.height() as u32);
    put_rgba(&canvas, width, height, rgba)?;
    canvas.set_attribute(
        "aria-label",
        &format!(
            "{} of {width}×{height} cells",
            if id == "feature-map" {
                "Feature map"
            } else {
                "Pooled map"
            }
        ),
    )?;
    Ok(())
}

/// Asks for the webcam; on refusal, says why and goes back to a photo.
fn start_camera(state: &Shared) -> PageResult {
    if state.borrow().camera.stream.is_some() {
        return Ok(());
    }
    let devices = window()?.navigator().media_devices();
    let Ok(devices) = devices else {
        return camera_failed(
            state,
            "this page has no camera access here (a camera needs https or localhost)".into(),
        );
    };
    let constraints = MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    js_sys::Reflect::set(&video, &"width".into(), &JsValue::from(1280))?;
    js_sys::Reflect::set(&video, &"height".into(), &JsValue::from(720))?;
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = match devices.get_user_media_with_constraints(&constraints) {
        Ok(promise) => promise,
        Err(error) => return camera_failed(state, describe(&error)),
    };
    render::notice_camera(
        "Asking for the camera… Its frames stay in this browser: nothing is sent anywhere.",
    )?;
    let shared = state.clone();
    let on_stream = Closure::<dyn FnMut(JsValue)>::once(move |stream: JsValue| {
        report(camera_started(&shared, stream.unchecked_into()));
    });
    let shared = state.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::once(move |error: JsValue| {
        report(camera_failed(&shared, describe(&error)));
    });
    let _ = promise.then2(&on_stream, &on_error);
    // Exactly one of the two runs, once; both are small and live until then.
    on_stream.forget();
    on_error.forget();
    Ok(())
}

fn camera_failed(state: &Shared, why: String) -> PageResult {
    let help = if why.contains("NotAllowed") {
        "the camera was refused; allow it in the browser's site settings to use it"
    } else if why.contains("NotFound") || why.contains("Overconstrained") {
        "no camera was found"
    } else if why.contains("stopped") {
        "the camera stopped"
    } else {
        "the camera could not be opened"
    };
    render::notice_camera(&format!(
        "Webcam: {help} ({why}). The demo goes on with a photo."
    ))?;
    {
        let mut state = state.borrow_mut();
        state.settings.source = Source::Sample(Sample::Astronaut);
    }
    after_change(state, true)
}

fn camera_started(state: &Shared, stream: MediaStream) -> PageResult {
    // The user may have switched back to a photo while the browser asked.
    if state.borrow().settings.source != Source::Webcam {
        stop_tracks(&stream);
        return Ok(());
    }
    let video: HtmlVideoElement = document()?.create_element("video")?.dyn_into()?;
    video.set_muted(true);
    video.set_attribute("playsinline", "")?;
    video.set_src_object(Some(&stream));
    let _ = video.play();
    render::notice_camera("Webcam on: its frames stay in this browser, nothing is sent anywhere.")?;
    // The frame loop's closure schedules itself; the cell breaks the cycle when the
    // camera stops.
    let tick: Rc<RefCell<Option<Tick>>> = Rc::new(RefCell::new(None));
    let shared = state.clone();
    let this = tick.clone();
    let closure = Rc::new(Closure::<dyn FnMut()>::new(move || {
        let running = shared.borrow().camera.stream.is_some();
        if !running {
            this.borrow_mut().take();
            return;
        }
        report(camera_frame(&shared));
        if let Some(next) = this.borrow().as_ref() {
            let _ =
                window().map(|w| w.request_animation_frame(next.as_ref().as_ref().unchecked_ref()));
        }
    }));
    *tick.borrow_mut() = Some(closure.clone());
    {
        let mut state = state.borrow_mut();
        state.camera = Camera {
            stream: Some(stream),
            video: Some(video),
            frozen: false,
            tick: Some(closure.clone()),
        };
        state.image = None;
    }
    render::camera_controls(true, false)?;
    window()?.request_animation_frame(closure.as_ref().as_ref().unchecked_ref())?;
    Ok(())
}

/// One webcam frame: grab it (unless frozen) and recompute.
fn camera_frame(state: &Shared) -> PageResult {
    let (video, frozen, size) = {
        let state = state.borrow();
        (
            state.camera.video.clone(),
            state.camera.frozen,
            state.settings.size,
        )
    };
    let Some(video) = video else { return Ok(()) };
    // The stack view runs whole networks: it takes the frame shown when it opened; the
    // step-by-step and 1D views do not use the image at all.
    let view = state.borrow().settings.view;
    if frozen || matches!(view, View::Stack | View::Steps | View::OneD) {
        return Ok(());
    }
    let stopped = state.borrow().camera.stream.as_ref().is_some_and(|stream| {
        stream.get_video_tracks().iter().all(|track| {
            track
                .unchecked_into::<web_sys::MediaStreamTrack>()
                .ready_state()
                == web_sys::MediaStreamTrackState::Ended
        })
    });
    if video.ended() || stopped {
        stop_camera(state)?;
        return camera_failed(state, "the camera stopped sending frames".into());
    }
    if video.ready_state() < 2 || video.video_width() == 0 {
        return Ok(());
    }
    let (width, height) = scaled(video.video_width(), video.video_height(), size);
    let (canvas, context) = input_canvas(width, height)?;
    context.draw_image_with_html_video_element_and_dw_and_dh(
        &video,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let frame = grab(&context, &canvas)?;
    if state.borrow().frame.width != frame.width {
        render::input_caption("Webcam", &frame)?;
    }
    FRAMES.fetch_add(1, Ordering::Relaxed);
    set_frame(state, frame)
}

fn toggle_freeze(state: &Shared) -> PageResult {
    let frozen = {
        let mut state = state.borrow_mut();
        if state.camera.stream.is_none() {
            return Ok(());
        }
        state.camera.frozen = !state.camera.frozen;
        state.camera.frozen
    };
    render::camera_controls(true, frozen)
}

fn stop_tracks(stream: &MediaStream) {
    stream.get_tracks().for_each(&mut |track, _, _| {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    });
}

fn stop_camera(state: &Shared) -> PageResult {
    let camera = std::mem::take(&mut state.borrow_mut().camera);
    if let Some(stream) = camera.stream {
        render::notice_camera("")?;
        stop_tracks(&stream);
    }
    drop(camera.tick);
    render::camera_controls(false, false)
}
