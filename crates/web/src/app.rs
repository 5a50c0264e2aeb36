//! The page's state and its event handling: the only place that owns state.
//!
//! One [`State`] lives behind an `Rc<RefCell<_>>` shared by the event listeners. Every
//! change goes the same way: update [`Settings`], write the URL, recompute, redraw.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use convlens_core::frame::{FrameConv, FramePool};
use convlens_core::{Kernel, Tensor};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, DragEvent, Element, Event, EventTarget, HtmlCanvasElement,
    HtmlElement, HtmlFormElement, HtmlImageElement, HtmlInputElement, HtmlVideoElement,
    KeyboardEvent, MediaStream, MediaStreamConstraints, PointerEvent,
};

use crate::dom::{
    by_id, describe, document, js_error, listen, now, pixels, property, put_rgba, window,
    PageResult,
};
use crate::i18n::{fill, t, Lang};
use crate::message::{CameraProblem, InputLabel, Message};
use crate::meter::{Grab, GrabTrial, Meter, Timings};
use crate::pipeline::{self, Backend, Frame};
use crate::render;
use crate::settings::{KernelChoice, Sample, Settings, Source, View, PARAMETERS};
use crate::video::{Copying, VideoFrames};

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

/// Everything the page holds between events.
pub struct State {
    /// The controls' values.
    pub settings: Settings,
    /// The current input frame (scaled to `settings.size`).
    pub frame: Frame,
    /// The decoded image behind the frame (sample or upload) and its name, kept to
    /// rescale it.
    image: Option<(HtmlImageElement, String)>,
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
    notices: Vec<Message>,
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
    /// The frame meter's recent frames, this frame's timings so far, and when the meter
    /// line was last written (it is written a few times a second, not every frame).
    meter: Meter,
    timings: Timings,
    meter_written: f64,
    /// The algorithm that computed the last map, for the frame meter.
    path: &'static str,
    /// The frame engine and the settings it was planned for.
    engine: Option<(EngineKey, Engine)>,
    /// Whether the frame being recomputed is a live webcam frame (set by the camera's
    /// frame loop, taken by the recompute), and when the last full frame was drawn, and
    /// its size.
    live: bool,
    full_frame: Option<(f64, usize, usize)>,
    /// Webcam frames by `VideoFrame.copyTo`: the buffers, the copy in flight (with the
    /// page's time spent starting it), the callbacks (made once, kept for the page's life), and whether
    /// this browser failed at it (then the canvas path is used).
    video_frames: Option<VideoFrames>,
    copying: Option<(Copying, f64)>,
    on_copy: Option<(Callback, Callback)>,
    video_frames_failed: bool,
    /// Times both ways of grabbing webcam frames and keeps the faster.
    grab_trial: GrabTrial,
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

/// A promise's callback.
type Callback = Closure<dyn FnMut(JsValue)>;

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
        notices: warnings.into_iter().map(Message::from).collect(),
        frame_id: 0,
        stack_outputs: None,
        player: None,
        one_d_selected: 0,
        retired_tick: None,
        meter: Meter::default(),
        timings: Timings::default(),
        meter_written: f64::NEG_INFINITY,
        path: "",
        engine: None,
        live: false,
        full_frame: None,
        video_frames: None,
        copying: None,
        on_copy: None,
        video_frames_failed: false,
        grab_trial: GrabTrial::default(),
    }));
    let lang = state
        .borrow()
        .settings
        .lang
        .unwrap_or_else(browser_language);
    render::language(lang)?;
    wire_controls(&state)?;
    wire_language(&state)?;
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
        let _ = render::message(Some(Message::WentWrong(describe(&error))));
    }
}

/// The language of the browser's preferred languages (`navigator.languages`).
fn browser_language() -> Lang {
    let navigator = window().map(|w| w.navigator());
    let languages: Vec<String> = navigator
        .as_ref()
        .map(|n| n.languages().iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    match (languages.is_empty(), navigator) {
        (true, Ok(navigator)) => Lang::from_browser(&[navigator.language().unwrap_or_default()]),
        _ => Lang::from_browser(&languages),
    }
}

/// The language switch: the chosen language goes into the URL, and every text on the
/// page is said again in it.
fn wire_language(state: &Shared) -> PageResult {
    let shared = state.clone();
    listen(
        &by_id::<EventTarget>("language")?,
        "change",
        move |event: Event| {
            let code = event
                .target()
                .map(|t| property(&t, "value"))
                .unwrap_or_default();
            if let Some(lang) = Lang::from_code(&code) {
                report(set_language(&shared, lang));
            }
        },
    )?;
    Ok(())
}

fn set_language(state: &Shared, lang: Lang) -> PageResult {
    render::language(lang)?;
    {
        let mut state = state.borrow_mut();
        state.settings.lang = Some(lang);
        render::kernel_grid(&state.settings.kernel.kernel(), false)?;
        render::notices(&state.notices)?;
        render::steps_playing(state.player.is_some())?;
        if state.camera.stream.is_some() {
            render::camera_controls(true, state.camera.frozen)?;
        }
    }
    after_change(state, false)
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
    let kind = property(&target, "type");
    let value = if kind == "checkbox" {
        let checked = js_sys::Reflect::get(&target, &"checked".into())?.is_truthy();
        String::from(if checked { "1" } else { "0" })
    } else {
        property(&target, "value")
    };
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
    if let Err(error) = result {
        render::message(Some(error.into()))?;
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
    let parsed =
        cell_value(&text, "kernel", row, column).and_then(|value| kernel.set(row, column, value));
    if let Err(error) = parsed {
        input.set_attribute("aria-invalid", "true")?;
        return render::message(Some(Message::LastValidKernel(error)));
    }
    input.remove_attribute("aria-invalid")?;
    state.borrow_mut().settings.kernel = KernelChoice::Custom(kernel);
    after_change(state, false)
}

/// One typed cell (`row`, `column` from 0) of `what`, read the way URL weights are, so
/// that fractions like 1/16 work too.
fn cell_value(
    text: &str,
    what: &'static str,
    row: usize,
    column: usize,
) -> convlens_core::Result<f32> {
    let at = convlens_core::Position::Cell {
        row: row + 1,
        column: column + 1,
    };
    let rows = convlens_core::kernel::parse_rows(text, what).map_err(|error| match error {
        // The error names the cell typed in, not the first of a one-cell text.
        convlens_core::Error::NotANumber { what, text, .. } => {
            convlens_core::Error::NotANumber { what, at, text }
        }
        convlens_core::Error::NotFinite { what, value, .. } => {
            convlens_core::Error::NotFinite { what, at, value }
        }
        convlens_core::Error::WeightTooLarge {
            what, value, limit, ..
        } => convlens_core::Error::WeightTooLarge {
            what,
            at,
            value,
            limit,
        },
        other => other,
    })?;
    match rows.as_slice() {
        [row] if row.len() == 1 => Ok(row[0]),
        _ => Err(convlens_core::Error::NotANumber {
            what,
            at,
            text: convlens_core::error::shorten(text),
        }),
    }
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
    let value = match cell_value(text, "grid", y, x) {
        Ok(value) => value,
        Err(error) => {
            input.set_attribute("aria-invalid", "true")?;
            return render::message(Some(Message::LastValidGrid(error)));
        }
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
            None => report(render::message(Some(Message::DropImages))),
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
                Some((image, name)) => use_image(state, &image, &name),
                None => Ok(()),
            }
        }
    }
}

fn load_file(state: &Shared, file: &web_sys::File) -> PageResult {
    let name = file.name();
    if !file.type_().starts_with("image/") && !file.type_().is_empty() {
        return render::message(Some(Message::NotImage {
            name,
            kind: file.type_(),
        }));
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
                shared.borrow_mut().image = Some((image.clone(), name.clone()));
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
            report(render::message(Some(Message::Unreadable {
                name: name.clone(),
                previous,
            })));
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

/// [`pipeline::scaled_size`] in the browser's units.
fn scaled(width: u32, height: u32, size: usize) -> (u32, u32) {
    let (w, h) = pipeline::scaled_size(width as usize, height as usize, size);
    (w as u32, h as u32)
}

fn use_image(state: &Shared, image: &HtmlImageElement, name: &str) -> PageResult {
    let (natural_w, natural_h) = (image.natural_width(), image.natural_height());
    if natural_w == 0 || natural_h == 0 {
        return render::message(Some(Message::NoPixels { name: name.into() }));
    }
    let size = state.borrow().settings.size;
    let (width, height) = scaled(natural_w, natural_h, size);
    let mut notices = Vec::new();
    if size == 0 && (width, height) != (natural_w, natural_h) {
        notices.push(Message::ScaledDown {
            name: name.into(),
            size: (natural_w, natural_h),
            scaled: (width, height),
        });
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
        state
            .notices
            .retain(|n| !matches!(n, Message::ScaledDown { .. }));
        state.notices.extend(notices);
        render::notices(&state.notices)?;
        let label = match state.settings.source {
            Source::Sample(sample) => InputLabel::Photo(sample),
            _ => InputLabel::Upload(name.into()),
        };
        render::input_caption(label, &frame)?;
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
        .ok_or_else(|| js_error(t().msg_no_canvas))?
        .dyn_into::<CanvasRenderingContext2d>()?)
}

fn grab(context: &CanvasRenderingContext2d, canvas: &HtmlCanvasElement) -> PageResult<Frame> {
    let mut frame = Frame::default();
    grab_into(context, canvas, &mut frame)?;
    Ok(frame)
}

/// Reads the canvas into `frame`, reusing its buffer: one copy, from the browser's pixels
/// straight into the module's memory.
fn grab_into(
    context: &CanvasRenderingContext2d,
    canvas: &HtmlCanvasElement,
    frame: &mut Frame,
) -> PageResult {
    let (width, height) = (canvas.width(), canvas.height());
    let data = context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
    let source = pixels(&data)?;
    frame.width = width as usize;
    frame.height = height as usize;
    frame.rgba.resize(source.length() as usize, 0);
    source.copy_to(&mut frame.rgba);
    Ok(())
}

fn set_frame(state: &Shared, frame: Frame) -> PageResult {
    state.borrow_mut().frame = frame;
    frame_changed(state)
}

/// The frame's pixels changed: drop what was computed from the old ones and recompute.
fn frame_changed(state: &Shared) -> PageResult {
    {
        let mut state = state.borrow_mut();
        state.input = None;
        state.frame_id = state.frame_id.wrapping_add(1);
    }
    recompute(state)
}

/// Recomputes the shown map from the frame and settings and redraws it, its numbers and
/// the selection, and the frame meter. Invalid settings keep the last good map and say
/// what is wrong. The caller sets `timings.grab` when it grabbed a frame for this.
fn recompute(state: &Shared) -> PageResult {
    state.borrow_mut().timings.draw = 0.0;
    let start = now();
    let drawn = recompute_maps(state);
    let mut state = state.borrow_mut();
    let mut timings = std::mem::take(&mut state.timings);
    // Everything but drawing the map counts as computing: the input tensor, the numbers
    // shown beside the map, the legend and the selection too.
    timings.compute = (now() - start - timings.draw).max(0.0);
    show_meter(&mut state, timings)?;
    drawn
}

/// Records a frame in the meter and, a few times a second, writes the meter's line.
fn show_meter(state: &mut State, timings: Timings) -> PageResult {
    let meter: HtmlElement = by_id("frame-meter")?;
    if !state.settings.meter {
        meter.set_hidden(true);
        return Ok(());
    }
    let at = now();
    state.meter.record(at, timings);
    let summary = state.meter.summary();
    // Live video is written a few times a second; a still photo's change at once.
    let live = timings.grab > 0.0;
    if live && at - state.meter_written < 250.0 && summary.frames > 1 {
        return Ok(());
    }
    state.meter_written = at;
    meter.set_hidden(false);
    meter.set_text_content(Some(&summary.line(state.path)));
    for (name, value) in [
        ("grab", summary.mean.grab),
        ("compute", summary.mean.compute),
        ("draw", summary.mean.draw),
        ("total", summary.mean.total()),
        ("worst", summary.worst),
        ("fps", summary.fps),
    ] {
        meter.set_attribute(&format!("data-{name}"), &format!("{value:.3}"))?;
    }
    meter.set_attribute("data-frames", &summary.frames.to_string())?;
    // How webcam frames are grabbed: "trial" while both ways are being timed.
    let grab = if state.video_frames_failed || !VideoFrames::supported() {
        Grab::Canvas.name()
    } else {
        state.grab_trial.chosen().map_or("trial", Grab::name)
    };
    meter.set_attribute("data-grab-by", if live { grab } else { "" })?;
    meter.set_attribute("data-path", state.path)
}

fn recompute_maps(state: &Shared) -> PageResult {
    let mut guard = state.borrow_mut();
    let state = &mut *guard;
    // A live webcam frame between two full ones: the map only, straight from the frame's
    // bytes to the canvas's (the page around it is as the last full frame left it).
    let live = std::mem::take(&mut state.live);
    if live && live_map(state)? {
        return Ok(());
    }
    render::view(&state.settings)?;
    if state.settings.view == View::OneD {
        return match pipeline::one_d_facts(&state.settings) {
            Ok(facts) => {
                render::one_d(&state.settings, &facts, state.one_d_selected)?;
                render::message(None)
            }
            Err(error) => render::message(Some(Message::Error(error))),
        };
    }
    if state.settings.view == View::Steps {
        // The grid is the input: no image needed.
        return match pipeline::steps_facts(&state.settings) {
            Ok(facts) => {
                render::steps(&state.settings, &facts)?;
                render::message(None)
            }
            Err(error) => render::message(Some(Message::Error(error))),
        };
    }
    if state.frame.rgba.is_empty() {
        return Ok(());
    }
    if state.settings.view == View::Channels {
        return match pipeline::channels_facts(&state.settings, &state.frame) {
            Ok(facts) => {
                render::channels(&state.settings, &facts, &mut state.rgba)?;
                render::message(None)
            }
            Err(error) => render::message(Some(Message::Error(error))),
        };
    }
    if state.settings.view == View::Stack {
        return match recompute_stack(state) {
            Ok(Ok(())) => render::message(None),
            Ok(Err(error)) => render::message(Some(Message::Error(error))),
            Err(error) => Err(error),
        };
    }
    let (width, height) = (state.frame.width, state.frame.height);
    // Photos, frozen frames and changed settings take the step-by-step path that the
    // command-line tool and the tests' reference share, to the byte; live frames the
    // core's whole-frame engine (the same values, summed in another order).
    if !live && state.input.is_none() {
        state.input =
            Some(pipeline::input_tensor(&state.frame, state.settings.channel).map_err(js_error)?);
    }
    let channels = state.settings.channel.count();
    let result = match state.settings.view {
        View::Conv => pipeline::conv_facts(&state.settings, channels, height, width)
            .and_then(|facts| {
                let map = compute_map(state, live, |settings, input| {
                    pipeline::feature_map(settings, input, Backend::Fast)
                })?;
                Ok((facts, map))
            })
            .map(|(facts, map)| {
                render::conv_facts(&facts, (height, width))?;
                let start = now();
                pipeline::draw(&map, state.settings.display, &mut state.rgba).map_err(js_error)?;
                put_map("feature-map", &map, &state.rgba)?;
                state.timings.draw = now() - start;
                render::legend(&state.settings, &map)?;
                state.feature_map = Some(map);
                Ok::<(), JsValue>(())
            }),
        View::Pool => pipeline::pool_facts(&state.settings, height, width)
            .and_then(|facts| {
                let map = compute_map(state, live, |settings, input| {
                    pipeline::pooled_map(settings, input, Backend::Fast)
                })?;
                Ok((facts, map))
            })
            .map(|(facts, map)| {
                render::pool_facts(&facts)?;
                let start = now();
                pipeline::draw(&map, convlens_core::DisplayMapping::Clamp, &mut state.rgba)
                    .map_err(js_error)?;
                put_map("pooled-map", &map, &state.rgba)?;
                state.timings.draw = now() - start;
                state.pooled_map = Some(map);
                Ok::<(), JsValue>(())
            }),
        // Handled above.
        View::Stack | View::Steps | View::OneD | View::Channels => Ok(Ok(())),
    };
    match result {
        Ok(drawn) => {
            drawn?;
            render::message(None)?;
            state.full_frame = Some((now(), width, height));
        }
        Err(error) => {
            render::message(Some(Message::LastValidOutput(error)))?;
        }
    }
    // The arithmetic of a selected cell reads the input's values.
    if live && state.selected.is_some() && state.input.is_none() {
        state.input =
            Some(pipeline::input_tensor(&state.frame, state.settings.channel).map_err(js_error)?);
    }
    show_selection(state)
}

/// How often a live webcam frame goes the whole way (numbers, legend, the selected cell's
/// arithmetic); the frames between only update the map.
const FULL_FRAME_MS: f64 = 500.0;

/// Draws a live frame's map straight from the frame's bytes, if the last full frame is
/// recent and of the same size (so every number shown still holds). False when the
/// whole way is due.
fn live_map(state: &mut State) -> PageResult<bool> {
    let (width, height) = (state.frame.width, state.frame.height);
    let due = state
        .full_frame
        .is_none_or(|(at, w, h)| now() - at >= FULL_FRAME_MS || (w, h) != (width, height));
    if due || !matches!(state.settings.view, View::Conv | View::Pool) {
        return Ok(false);
    }
    let Ok(engine) = planned(&state.settings, &mut state.engine) else {
        return Ok(false);
    };
    let Ok((out_h, out_w)) = engine.run(&state.frame.rgba, width, height, &mut state.rgba) else {
        return Ok(false);
    };
    let start = now();
    let id = if state.settings.view == View::Pool {
        "pooled-map"
    } else {
        "feature-map"
    };
    put_rgba(&by_id(id)?, out_w as u32, out_h as u32, &state.rgba)?;
    state.timings.draw = now() - start;
    // The selection's arithmetic waits for the next full frame.
    state.input = None;
    Ok(true)
}

/// The shown view's map: for a live frame by the whole-frame engine (into the last
/// map's storage), otherwise by `step_by_step` on the input tensor.
fn compute_map(
    state: &mut State,
    live: bool,
    step_by_step: impl FnOnce(&Settings, &Tensor) -> convlens_core::Result<Tensor>,
) -> convlens_core::Result<Tensor> {
    let (width, height) = (state.frame.width, state.frame.height);
    let pooling = state.settings.view == View::Pool;
    if !live {
        state.path = if pooling { "pool2d" } else { "conv2d" };
        return match &state.input {
            Some(input) => step_by_step(&state.settings, input),
            None => pipeline::input_tensor(&state.frame, state.settings.channel)
                .and_then(|input| step_by_step(&state.settings, &input)),
        };
    }
    let kept = if pooling {
        state.pooled_map.take()
    } else {
        state.feature_map.take()
    };
    let mut map = match kept {
        Some(map) => map,
        None => Tensor::new(1, 1, 1, vec![0.0])?,
    };
    let engine = planned(&state.settings, &mut state.engine)?;
    engine.run_map(&state.frame.rgba, width, height, &mut map)?;
    state.path = engine.path();
    Ok(map)
}

/// The frame engine for the current settings, planned again only when they change.
fn planned<'a>(
    settings: &Settings,
    engine: &'a mut Option<(EngineKey, Engine)>,
) -> convlens_core::Result<&'a mut Engine> {
    let kept = match engine.take() {
        Some((key, kept)) if key.holds_for(settings) => (key, kept),
        _ => {
            let key = EngineKey::of(settings);
            let planned = if key.view == View::Pool {
                Engine::Pool(FramePool::new(key.pool.0, &key.pool.1, key.channels)?)
            } else {
                Engine::Conv(FrameConv::new(
                    &key.kernel.kernel(),
                    &key.conv,
                    key.channels,
                    key.display,
                )?)
            };
            (key, planned)
        }
    };
    Ok(&mut engine.insert(kept).1)
}

/// What a frame engine is planned for.
struct EngineKey {
    view: View,
    kernel: KernelChoice,
    conv: convlens_core::ConvParams,
    pool: (convlens_core::PoolFunction, convlens_core::PoolParams),
    channels: convlens_core::Channels,
    display: convlens_core::DisplayMapping,
}

impl EngineKey {
    fn of(settings: &Settings) -> Self {
        EngineKey {
            view: settings.view,
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
        self.view == settings.view
            && self.kernel == settings.kernel
            && self.conv == settings.conv_params()
            && self.pool == (settings.pool, settings.pool_params())
            && self.channels == settings.channel
            && self.display == settings.display
    }
}

/// The core's whole-frame convolution or pooling, with its buffers.
enum Engine {
    Conv(FrameConv),
    Pool(FramePool),
}

impl Engine {
    fn run(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        out: &mut Vec<u8>,
    ) -> convlens_core::Result<(usize, usize)> {
        match self {
            Engine::Conv(conv) => conv.run(rgba, width, height, out),
            Engine::Pool(pool) => pool.run(rgba, width, height, out),
        }
    }

    fn run_map(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        map: &mut Tensor,
    ) -> convlens_core::Result<()> {
        match self {
            Engine::Conv(conv) => conv.run_map(rgba, width, height, map),
            Engine::Pool(pool) => pool.run_map(rgba, width, height, map),
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Engine::Conv(conv) => conv.path(),
            Engine::Pool(_) => "pooling",
        }
    }
}

/// The stack view: the frame scaled to the network's input, the forward pass (cached
/// while only the chosen layer changes), the table and the chosen layer's maps.
///
/// The outer result is the page's own failure, the inner one the core's.
fn recompute_stack(state: &mut State) -> PageResult<convlens_core::Result<()>> {
    let facts = match pipeline::stack_facts(&state.settings) {
        Ok(facts) => facts,
        Err(error) => return Ok(Err(error)),
    };
    let (channels, height, width) = facts.architecture.input;
    let key = (state.settings.architecture().to_string(), state.frame_id);
    if state.stack_outputs.as_ref().map(|(k, _)| k) != Some(&key) {
        let frame = scale_into("stack-input", width as u32, height as u32)?;
        let outputs = match pipeline::stack_forward(&state.settings, &frame) {
            Ok(outputs) => outputs,
            Err(error) => return Ok(Err(error)),
        };
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
    render::stack_maps(&facts, outputs.get(layer), layer, &mut state.rgba)?;
    Ok(Ok(()))
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
        &fill(
            if id == "feature-map" {
                crate::i18n::t().feature_map_aria
            } else {
                crate::i18n::t().pooled_map_aria
            },
            &[("width", &width), ("height", &height)],
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
        return camera_failed(state, CameraProblem::NoAccess, String::new());
    };
    let constraints = MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    js_sys::Reflect::set(&video, &"width".into(), &JsValue::from(1280))?;
    js_sys::Reflect::set(&video, &"height".into(), &JsValue::from(720))?;
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = match devices.get_user_media_with_constraints(&constraints) {
        Ok(promise) => promise,
        Err(error) => {
            let detail = describe(&error);
            return camera_failed(state, CameraProblem::of(&detail), detail);
        }
    };
    render::notice_camera(Some(Message::CameraAsking))?;
    let shared = state.clone();
    let on_stream = Closure::<dyn FnMut(JsValue)>::once(move |stream: JsValue| {
        report(camera_started(&shared, stream.unchecked_into()));
    });
    let shared = state.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::once(move |error: JsValue| {
        let detail = describe(&error);
        report(camera_failed(&shared, CameraProblem::of(&detail), detail));
    });
    let _ = promise.then2(&on_stream, &on_error);
    // Exactly one of the two runs, once; both are small and live until then.
    on_stream.forget();
    on_error.forget();
    Ok(())
}

fn camera_failed(state: &Shared, problem: CameraProblem, detail: String) -> PageResult {
    render::notice_camera(Some(Message::CameraFailed { problem, detail }))?;
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
    render::notice_camera(Some(Message::CameraOn))?;
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
        return camera_failed(state, CameraProblem::NoFrames, String::new());
    }
    if video.ready_state() < 2 || video.video_width() == 0 {
        return Ok(());
    }
    let start = now();
    let (width, height) = scaled(video.video_width(), video.video_height(), size);
    if (width, height) == (video.video_width(), video.video_height())
        && state.borrow().grab_trial.next() == Grab::VideoFrame
        && copy_video_frame(state, &video, start)?
    {
        return Ok(());
    }
    let (canvas, context) = input_canvas(width, height)?;
    context.draw_image_with_html_video_element_and_dw_and_dh(
        &video,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let resized = {
        let mut state = state.borrow_mut();
        let before = (state.frame.width, state.frame.height);
        grab_into(&context, &canvas, &mut state.frame)?;
        state.timings.grab = now() - start;
        let grab = state.timings.grab;
        state.grab_trial.record(Grab::Canvas, grab);
        before != (state.frame.width, state.frame.height)
    };
    if resized {
        render::input_caption(InputLabel::Webcam, &state.borrow().frame)?;
    }
    FRAMES.fetch_add(1, Ordering::Relaxed);
    state.borrow_mut().live = true;
    frame_changed(state)
}

/// Starts copying the video's frame with `VideoFrame.copyTo`; the frame is processed
/// when the copy is done. False when this browser cannot (the canvas path is used).
fn copy_video_frame(state: &Shared, video: &HtmlVideoElement, start: f64) -> PageResult<bool> {
    let mut guard = state.borrow_mut();
    let st = &mut *guard;
    if st.video_frames_failed || !VideoFrames::supported() {
        return Ok(false);
    }
    if st.copying.is_some() {
        // One copy at a time: this animation frame is skipped.
        return Ok(true);
    }
    let size = (video.video_width(), video.video_height());
    if st.video_frames.as_ref().map(|f| f.size) != Some(size) {
        st.video_frames = Some(VideoFrames::new(size.0, size.1)?);
    }
    let Some(frames) = &st.video_frames else {
        return Ok(false);
    };
    let copying = match frames.copy(video) {
        Ok(Some(copying)) => copying,
        // A frame of another size, or none yet: the canvas path copes.
        Ok(None) | Err(_) => return Ok(false),
    };
    let (on_done, on_failed) = st.on_copy.get_or_insert_with(|| {
        let shared = state.clone();
        let done = Closure::new(move |_: JsValue| report(video_frame_copied(&shared)));
        let shared = state.clone();
        let failed = Closure::new(move |_: JsValue| {
            let mut state = shared.borrow_mut();
            if let Some((copying, _)) = state.copying.take() {
                copying.close();
            }
            state.video_frames_failed = true;
        });
        (done, failed)
    });
    let _ = copying.done.then2(on_done, on_failed);
    // The browser converts the frame while the page waits; the grab counts the
    // page's own time, before and after.
    st.copying = Some((copying, now() - start));
    Ok(true)
}

/// The webcam frame is in the buffer: show it as the input and process it.
fn video_frame_copied(state: &Shared) -> PageResult {
    let resized = {
        let mut guard = state.borrow_mut();
        let st = &mut *guard;
        let resumed = now();
        let Some((copying, starting)) = st.copying.take() else {
            return Ok(());
        };
        copying.close();
        let Some(frames) = &st.video_frames else {
            return Ok(());
        };
        if st.camera.stream.is_none() || st.camera.frozen {
            return Ok(());
        }
        let before = (st.frame.width, st.frame.height);
        let (width, height) = frames.size;
        frames.read_into(&mut st.frame.rgba);
        st.frame.width = width as usize;
        st.frame.height = height as usize;
        let (_, context) = input_canvas(width, height)?;
        context.put_image_data(frames.image(), 0.0, 0.0)?;
        st.timings.grab = starting + (now() - resumed);
        st.grab_trial.record(Grab::VideoFrame, st.timings.grab);
        before != (st.frame.width, st.frame.height)
    };
    if resized {
        render::input_caption(InputLabel::Webcam, &state.borrow().frame)?;
    }
    FRAMES.fetch_add(1, Ordering::Relaxed);
    state.borrow_mut().live = true;
    frame_changed(state)
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
    render::camera_controls(true, frozen)?;
    if frozen {
        // The frozen frame goes the whole way: its numbers, and the exact map.
        recompute(state)?;
    }
    Ok(())
}

fn stop_tracks(stream: &MediaStream) {
    stream.get_tracks().for_each(&mut |track, _, _| {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    });
}

fn stop_camera(state: &Shared) -> PageResult {
    let camera = std::mem::take(&mut state.borrow_mut().camera);
    if let Some(stream) = camera.stream {
        render::notice_camera(None)?;
        stop_tracks(&stream);
    }
    drop(camera.tick);
    render::camera_controls(false, false)
}
