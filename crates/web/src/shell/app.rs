//! The shell's start and dispatcher: reads the URL, wires the controls every view
//! shares (the form, the kernel, the language, the keys), and carries out each
//! [`Change`] a control or a view asks for: write the URL, set the controls, load the
//! input or recompute, and let the view shown draw.

use std::cell::RefCell;
use std::rc::Rc;

use convlens_core::Kernel;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventTarget, HtmlElement, HtmlFormElement, HtmlInputElement, KeyboardEvent,
};

use crate::dom::{by_id, document, event_value, index_of, now, property, window, PageResult};
use crate::i18n::Lang;
use crate::message::Message;
use crate::meter::{Grab, Timings};
use crate::pipeline::cell_value;
use crate::settings::{parameters, KernelChoice, Settings};
use crate::shell::state::{Change, Shell, State};
use crate::shell::video::VideoFrames;
use crate::shell::{embed, export, input, render};
use crate::views;

/// Builds the state from the URL, wires every control and every view, and loads the
/// first image.
///
/// # Errors
/// A page without the elements the shell wires.
pub fn start() -> PageResult {
    let search = window()?.location().search().unwrap_or_default();
    let (settings, warnings) = Settings::from_query(&search);
    let notices = warnings.into_iter().map(Message::from).collect();
    let shell = Shell::new(
        Rc::new(RefCell::new(State::new(settings, notices))),
        changed,
    );
    let lang = shell
        .state
        .borrow()
        .settings
        .lang
        .unwrap_or_else(browser_language);
    render::language(lang)?;
    wire_controls(&shell)?;
    wire_language(&shell)?;
    wire_shortcuts(&shell)?;
    input::wire(&shell)?;
    embed::wire(&shell)?;
    export::wire(&shell)?;
    for view in views::all() {
        view.page().wire(&shell)?;
    }
    {
        let state = shell.state.borrow();
        render::sync_controls(&state.settings)?;
        render::kernel_grid(
            &state.settings.kernel.kernel(),
            &state.settings.weight_texts,
            false,
        )?;
        render::notices(&state.notices)?;
        // The URL now says exactly what is shown (bad parameters dropped).
        write_url(&state.settings)?;
    }
    input::load_source(&shell)
}

/// Carries out a change (the function every [`Shell`] calls).
fn changed(shell: &Shell, change: Change) -> PageResult {
    match change {
        Change::None => Ok(()),
        Change::Settings | Change::Source => {
            let from = shell.state.borrow_mut().changed_from.take();
            if let Some(before) = from {
                settings_changed(shell, &before)?;
            }
            {
                let state = shell.state.borrow();
                write_url(&state.settings)?;
                render::sync_controls(&state.settings)?;
            }
            if change == Change::Source {
                input::load_source(shell)
            } else {
                recompute(shell)
            }
        }
        Change::Frame => {
            {
                let mut state = shell.state.borrow_mut();
                state.input = None;
                state.frame_id = state.frame_id.wrapping_add(1);
            }
            recompute(shell)
        }
        Change::Redraw => recompute(shell),
        Change::Selection => {
            let state = shell.state.borrow();
            views::of(&state.settings).page().select(&state)
        }
    }
}

/// Recomputes and redraws the view shown, and the frame meter. The caller sets
/// `timings.grab` when it grabbed a frame for this.
fn recompute(shell: &Shell) -> PageResult {
    let mut guard = shell.state.borrow_mut();
    let state = &mut *guard;
    state.timings.draw = 0.0;
    let start = now();
    let page = views::of(&state.settings).page();
    // A live webcam frame between two full ones: the map only, straight from the frame's
    // bytes to the canvas's (the page around it is as the last full frame left it).
    let drawn = match state.live && page.live(state)? {
        true => Ok(()),
        false => render::view(&state.settings).and_then(|()| page.draw(state)),
    };
    state.live = false;
    let mut timings = std::mem::take(&mut state.timings);
    // Everything but drawing the map counts as computing: the input tensor, the numbers
    // shown beside the map, the legend and the selection too.
    timings.compute = (now() - start - timings.draw).max(0.0);
    show_meter(state, timings)?;
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
fn wire_language(shell: &Shell) -> PageResult {
    shell.on(
        &by_id::<EventTarget>("language")?,
        "change",
        |shell, event: Event| {
            let code = event_value(&event);
            let Some(lang) = Lang::from_code(&code) else {
                return Ok(Change::None);
            };
            render::language(lang)?;
            let mut state = shell.state.borrow_mut();
            state.settings.lang = Some(lang);
            render::kernel_grid(
                &state.settings.kernel.kernel(),
                &state.settings.weight_texts,
                false,
            )?;
            render::camera_controls(state.camera.stream.is_some(), state.camera.frozen)?;
            for view in views::all() {
                view.page().language(&state)?;
                if let Some(track) = view.page().track() {
                    track.face(track.playing(&state))?;
                }
            }
            Ok(Change::Settings)
        },
    )
}

fn wire_controls(shell: &Shell) -> PageResult {
    let form: HtmlFormElement = by_id("controls")?;
    // `submit` would reload the page (Enter in a number field).
    shell.on(&form, "submit", |_, event: Event| {
        event.prevent_default();
        Ok(Change::None)
    })?;
    for kind in ["change", "input"] {
        shell.on(&form, kind, |shell, event: Event| on_control(shell, &event))?;
    }
    let grid: Element = by_id("kernel-grid")?;
    shell.on(&grid, "input", |shell, event: Event| {
        on_kernel_cell(shell, &event)
    })?;
    shell.on(
        &by_id::<EventTarget>("freeze")?,
        "click",
        |shell, _: Event| {
            input::toggle_freeze(shell)?;
            Ok(Change::None)
        },
    )?;
    // The pictures are sized to the window: a new size redraws them.
    let page: EventTarget = window()?.into();
    shell.on(&page, "resize", |_, _: Event| Ok(Change::Redraw))?;
    // Controls outside the form (the tabs, the input's picker) name it with `form=`.
    for id in ["tabs", "input-panel"] {
        let holder: Element = by_id(id)?;
        for kind in ["change", "input"] {
            shell.on(&holder, kind, |shell, event: Event| {
                on_control(shell, &event)
            })?;
        }
    }
    // A channel's name in the magnifier opens its window.
    let magnifier: Element = by_id("arithmetic")?;
    shell.on(&magnifier, "click", |_, event: Event| {
        let name = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.get_attribute("data-open-channel"));
        if let Some(name) = name {
            render::open_channel(&name)?;
        }
        Ok(Change::None)
    })?;
    shell.on(
        &by_id::<EventTarget>("projector-toggle")?,
        "click",
        |shell, _: Event| {
            let mut state = shell.state.borrow_mut();
            state.settings.projector = !state.settings.projector;
            Ok(Change::Settings)
        },
    )
}

/// A control changed: read its name and value into the settings.
fn on_control(shell: &Shell, event: &Event) -> PageResult<Change> {
    let Some(target) = event.target() else {
        return Ok(Change::None);
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
        return Ok(Change::None);
    }
    if name == "upload" {
        let chooser: HtmlInputElement = target.dyn_into()?;
        if let Some(file) = chooser.files().and_then(|files| files.get(0)) {
            input::load_file(shell, &file)?;
        }
        chooser.set_value("");
        return Ok(Change::None);
    }
    if name == "kernel_size" {
        return set_kernel_size(shell, &value);
    }
    if !parameters().contains(&name.as_str()) {
        return Ok(Change::None);
    }
    let (before, result) = {
        let mut state = shell.state.borrow_mut();
        let before = state.settings.clone();
        let result = state.settings.set(&name, &value);
        (before, result)
    };
    if let Err(error) = result {
        render::message(Some(error.into()))?;
        // Put the control back to the value in use.
        render::sync_controls(&shell.state.borrow().settings)?;
        return Ok(Change::None);
    }
    // Re-picking the photo shown loads it again (and says so in the caption).
    let source_changed = name == "image"
        || (before.source, before.size) != {
            let state = shell.state.borrow();
            (state.settings.source, state.settings.size)
        };
    settings_changed(shell, &before)?;
    Ok(if source_changed {
        Change::Source
    } else {
        Change::Settings
    })
}

/// What follows from the settings changing from `before`: a new channel drops the
/// cached input, a new kernel or view the selection, a new view stops the old one's
/// timers, a new stack goes back to its first layer, and the kernel grid shows the
/// kernel in use.
fn settings_changed(shell: &Shell, before: &Settings) -> PageResult {
    let (view_changed, old_view) = {
        let mut state = shell.state.borrow_mut();
        let now = state.settings.clone();
        if now.channel != before.channel {
            state.input = None;
        }
        if now.kernel != before.kernel || now.view != before.view {
            state.selected = None;
        }
        if now.stack.preset != before.stack.preset || now.stack.layers != before.stack.layers {
            state.settings.stack.layer = 0;
        }
        if now.kernel != before.kernel && !matches!(now.kernel, KernelChoice::Custom(_)) {
            // A preset replaces every cell: no cell is left unreadable, none as typed.
            state.cell_problem = None;
            state.settings.weight_texts.clear();
        }
        if now.view != before.view {
            // A view opened by a tab or a key starts from its own defaults, as from a
            // URL that names none (the step-by-step view: the lecture's example).
            let opened = views::of(&now);
            if now.view == "steps" {
                state.kernel_before = Some(now.kernel.clone());
            }
            opened.opened(&mut state.settings, &[]);
            if before.view == "steps"
                && state.settings.kernel
                    == KernelChoice::Preset(convlens_core::Preset::LectureExample)
            {
                if let Some(kept) = state.kernel_before.take() {
                    state.settings.kernel = kept;
                }
            }
        }
        let kernel = state.settings.kernel.clone();
        if kernel != before.kernel {
            // The training view's note on a learned kernel goes with it.
            let texts = state.settings.weight_texts.clone();
            state.notices.retain(
                |n| !matches!(n, Message::LearnedKernel { weights, .. } if *weights != texts),
            );
            render::notices(&state.notices)?;
            render::kernel_grid(&kernel.kernel(), &state.settings.weight_texts, false)?;
        }
        (now.view != before.view, views::of(before))
    };
    if view_changed {
        old_view.page().close(shell)?;
        if let Some(track) = old_view.page().track() {
            track.stop(shell)?;
        }
    }
    Ok(())
}

fn write_url(settings: &Settings) -> PageResult {
    let url = format!("?{}", settings.to_query());
    window()?
        .history()?
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
}

/// A kernel cell was edited: the kernel becomes custom with the typed weight. A cell
/// that cannot be read stays marked and the message stays until every cell is good.
fn on_kernel_cell(shell: &Shell, event: &Event) -> PageResult<Change> {
    let Some(target) = event.target() else {
        return Ok(Change::None);
    };
    let cell: HtmlInputElement = target.dyn_into()?;
    let (row, column) = (index_of(&cell, "data-row"), index_of(&cell, "data-column"));
    let mut kernel = shell.state.borrow().settings.kernel.kernel();
    let parsed = cell_value(&cell.value(), "kernel", row, column)
        .and_then(|value| kernel.set(row, column, value));
    let mut state = shell.state.borrow_mut();
    if let Err(error) = parsed {
        cell.set_attribute("aria-invalid", "true")?;
        let message = Message::LastValidKernel(error);
        state.cell_problem = Some((row, column, message.clone()));
        render::message(Some(message))?;
        return Ok(Change::None);
    }
    cell.remove_attribute("aria-invalid")?;
    // A cell that still cannot be read keeps its message (defect 4): the kernel in use
    // is not what that cell shows.
    if state
        .cell_problem
        .as_ref()
        .is_some_and(|(r, c, _)| (*r, *c) == (row, column))
    {
        state.cell_problem = None;
    }
    // The cells' texts as typed go to the URL (defect 5): `1/3` stays `1/3`.
    let count = kernel.weights().len();
    if state.settings.weight_texts.len() != count {
        state.settings.weight_texts = kernel
            .weights()
            .iter()
            .map(|&w| crate::pipeline::weight_text(w))
            .collect();
    }
    if let Some(text) = state
        .settings
        .weight_texts
        .get_mut(row * kernel.width() + column)
    {
        *text = cell.value().trim().to_string();
    }
    state.settings.kernel = KernelChoice::Custom(kernel);
    // The sum of weights and the cells' signs follow the edit (defect 1).
    render::kernel_grid(
        &state.settings.kernel.kernel(),
        &state.settings.weight_texts,
        true,
    )?;
    Ok(Change::Settings)
}

/// The kernel size control: switches a blur between its sizes, or resizes a custom
/// kernel around its centre.
fn set_kernel_size(shell: &Shell, value: &str) -> PageResult<Change> {
    let Ok(size) = value.parse::<usize>() else {
        return Ok(Change::None);
    };
    let choice = shell.state.borrow().settings.kernel.clone();
    let next = match choice {
        KernelChoice::Preset(preset) => {
            match preset.sizes().iter().find(|p| p.kernel().height() == size) {
                Some(&other) => KernelChoice::Preset(other),
                None => KernelChoice::Custom(resize(&preset.kernel(), size)?),
            }
        }
        KernelChoice::Custom(kernel) => KernelChoice::Custom(resize(&kernel, size)?),
    };
    let mut state = shell.state.borrow_mut();
    state.settings.kernel = next;
    state.settings.weight_texts.clear();
    state.selected = None;
    render::kernel_grid(
        &state.settings.kernel.kernel(),
        &state.settings.weight_texts,
        false,
    )?;
    Ok(Change::Settings)
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
    Kernel::new(size, size, weights).map_err(crate::dom::core_error)
}

fn wire_shortcuts(shell: &Shell) -> PageResult {
    render::help_keys()?;
    shell.on(
        &by_id::<EventTarget>("help-open")?,
        "click",
        |_, _: Event| {
            render::toggle_help(Some(true))?;
            Ok(Change::None)
        },
    )?;
    shell.on(
        &by_id::<EventTarget>("help-close")?,
        "click",
        |_, _: Event| {
            render::toggle_help(Some(false))?;
            Ok(Change::None)
        },
    )?;
    let page = document()?;
    shell.on(&page, "keydown", |shell, event: KeyboardEvent| {
        if render::help_shown()? {
            // The list holds the focus while it is open (Tab cycles inside it).
            return render::help_key(&event).map(|()| Change::None);
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
            return Ok(Change::None);
        }
        let Some(action) = crate::shortcuts::action(&event.key()) else {
            return Ok(Change::None);
        };
        event.prevent_default();
        run_shortcut(shell, action)
    })
}

fn run_shortcut(shell: &Shell, action: crate::shortcuts::Action) -> PageResult<Change> {
    use crate::shortcuts::Action;
    let before = shell.state.borrow().settings.clone();
    let changed = crate::shortcuts::apply(&mut shell.state.borrow_mut().settings, action);
    if changed {
        settings_changed(shell, &before)?;
        return Ok(Change::Settings);
    }
    match action {
        Action::Help => render::toggle_help(None).map(|_| ())?,
        Action::Freeze => input::toggle_freeze(shell)?,
        Action::Play | Action::Step(_) => {
            // The view shown plays its own animation, if it has one (the state's borrow
            // ends before the player takes it).
            let view = views::of(&shell.state.borrow().settings);
            match (view.page().track(), action) {
                (Some(track), Action::Step(forward)) => return track.step(shell, forward),
                (Some(track), _) => track.toggle(shell)?,
                (None, _) => {}
            }
        }
        _ => {}
    }
    Ok(Change::None)
}
