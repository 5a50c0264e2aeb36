//! The page in a lecture: embed mode (one view and a few controls filling an iframe),
//! the "Embed" dialog that writes the iframe snippet, and projector mode.
//!
//! Both modes are classes on `<html>` (`embed`, `projector`) that the style sheet reads;
//! in embed mode the canvases are also fitted to the frame here, because the space they
//! get depends on the frame's size and on the image's aspect ratio.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventTarget, HtmlElement, HtmlInputElement, KeyboardEvent};

use crate::dom::{all, by_id, clear, document, element, listen, window, PageResult};
use crate::settings::{embed_controls, Settings};
use crate::shell::state::{report, Change, Shell};

/// Sets the `embed` and `projector` classes on `<html>` from the settings.
pub fn modes(settings: &Settings) -> PageResult {
    let Some(root) = document()?.document_element() else {
        return Ok(());
    };
    let classes = root.class_list();
    classes.toggle_with_force("embed", settings.embed)?;
    classes.toggle_with_force("projector", settings.projector)?;
    if let Ok(button) = by_id::<Element>("projector-toggle") {
        button.set_attribute(
            "aria-pressed",
            if settings.projector { "true" } else { "false" },
        )?;
    }
    Ok(())
}

/// The line width, in pixels, of exported figures: thicker in projector mode.
pub fn line_width(settings: &Settings) -> usize {
    if settings.projector {
        4
    } else {
        1
    }
}

/// Wires the Embed dialog and the projector button; in embed mode, shows only the named
/// controls and keeps the canvases fitted to the frame.
pub fn wire(shell: &Shell) -> PageResult {
    // The module runs: the note on how to serve the page (for file://) can go.
    by_id::<HtmlElement>("loading")?.set_hidden(true);
    let settings = shell.state.borrow().settings.clone();
    modes(&settings)?;
    if settings.embed {
        show_controls(&settings.controls)?;
        watch_size()?;
    }
    shell.on(
        &by_id::<EventTarget>("embed-open")?,
        "click",
        |shell, _: Event| {
            open_dialog(shell)?;
            Ok(Change::None)
        },
    )?;
    listen(
        &by_id::<EventTarget>("embed-close")?,
        "click",
        |_: Event| {
            report(by_id::<HtmlElement>("embed-dialog").map(|d| d.set_hidden(true)));
        },
    )?;
    for (id, event) in [("embed-controls", "change"), ("embed-size", "change")] {
        shell.on(&by_id::<EventTarget>(id)?, event, |shell, _: Event| {
            write_snippet(&shell.state.borrow().settings)?;
            copy()?;
            Ok(Change::None)
        })?;
    }
    listen(&by_id::<EventTarget>("embed-copy")?, "click", |_: Event| {
        report(copy())
    })?;
    let page = document()?;
    listen(&page, "keydown", |event: KeyboardEvent| {
        if event.key() == "Escape" {
            report(by_id::<HtmlElement>("embed-dialog").map(|d| d.set_hidden(true)));
        }
    })?;
    Ok(())
}

/// Marks the containers of the named controls; the style sheet hides all others.
fn show_controls(controls: &[&'static str]) -> PageResult {
    for name in controls {
        for control in all::<Element>(&format!("[name=\"{name}\"]"))? {
            let container = control
                .closest(".field, .segmented, .tabs")?
                .unwrap_or(control.clone());
            container.set_attribute("data-embed-shown", "")?;
            // The position scrubber comes with its play and step buttons.
            if let Some(player) = control.closest(".player-controls")? {
                player.set_attribute("data-embed-shown", "")?;
            }
            if *name == "image" {
                by_id::<Element>("freeze")?.set_attribute("data-embed-shown", "")?;
            }
        }
    }
    Ok(())
}

/// Refits the page whenever the frame, a panel or a canvas changes size, or the input's
/// padding ring changes (once per animation frame at most).
fn watch_size() -> PageResult {
    let pending = Rc::new(Cell::new(false));
    let run = Rc::new(Closure::<dyn FnMut()>::new({
        let pending = pending.clone();
        move || {
            pending.set(false);
            report(fit());
        }
    }));
    let observer = {
        let run = run.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if !pending.replace(true) {
                let _ = window()
                    .map(|w| w.request_animation_frame(run.as_ref().as_ref().unchecked_ref()));
            }
        })
    };
    let resize = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref())?;
    for element in all::<Element>(
        "body, .panel, .stage canvas, #steps-input, #steps-output, #oned-rows, #oned-matrix, \
         #channels-grid, #stack-maps",
    )? {
        resize.observe(&element);
    }
    // The padding ring's room (the input stage's margins) changes without any resize.
    let mutations = web_sys::MutationObserver::new(observer.as_ref().unchecked_ref())?;
    let options = web_sys::MutationObserverInit::new();
    options.set_attribute_filter(&js_sys::Array::of1(&"style".into()));
    mutations.observe_with_options(&by_id::<web_sys::Node>("input-stage")?, &options)?;
    // Both live as long as the page.
    observer.forget();
    std::mem::forget(run);
    Ok(())
}

/// A length in CSS pixels from a computed style ("12.5px"), 0 if absent.
fn pixels(element: &Element, property: &str) -> f64 {
    window()
        .ok()
        .and_then(|w| w.get_computed_style(element).ok().flatten())
        .and_then(|style| style.get_property_value(property).ok())
        .and_then(|value| value.trim_end_matches("px").parse().ok())
        .unwrap_or(0.0)
}

/// Embed mode's layout pass: every visible canvas stage as large as its panel allows at
/// its aspect ratio, then any panel whose content still overflows scaled down to fit.
fn fit() -> PageResult {
    for stage in all::<HtmlElement>(".panel .stage")? {
        let (Some(panel), Some(canvas)) =
            (stage.closest(".panel")?, stage.query_selector("canvas")?)
        else {
            continue;
        };
        let Ok(panel) = panel.dyn_into::<HtmlElement>() else {
            continue;
        };
        let canvas: web_sys::HtmlCanvasElement = canvas.dyn_into()?;
        if stage.offset_parent().is_none() || canvas.width() == 0 {
            continue;
        }
        // The room left in the panel once its other children have theirs.
        let children = panel.children();
        let mut others = 0.0;
        let mut count = 0.0;
        for child in 0..children.length() {
            let Some(child) = children.item(child) else {
                continue;
            };
            if child == *stage {
                continue;
            }
            if let Ok(child) = child.dyn_into::<HtmlElement>() {
                if child.offset_parent().is_some() {
                    others += f64::from(child.offset_height());
                    count += 1.0;
                }
            }
        }
        let gap = pixels(&panel, "row-gap");
        let width = f64::from(panel.client_width())
            - pixels(&panel, "padding-left")
            - pixels(&panel, "padding-right")
            - pixels(&stage, "margin-left")
            - pixels(&stage, "margin-right");
        let height = f64::from(panel.client_height())
            - pixels(&panel, "padding-top")
            - pixels(&panel, "padding-bottom")
            - pixels(&stage, "margin-top")
            - pixels(&stage, "margin-bottom")
            - others
            - gap * count;
        let aspect = f64::from(canvas.width()) / f64::from(canvas.height().max(1));
        let fitted = width.min(height * aspect).floor().max(8.0);
        let value = format!("{fitted}px");
        if stage.style().get_property_value("width").ok().as_deref() != Some(value.as_str()) {
            stage.style().set_property("width", &value)?;
        }
    }
    // Tables and map grids: scaled to the room they have (canvas panels only shrink).
    for panel in all::<HtmlElement>(".panel")? {
        if panel.offset_parent().is_none() {
            continue;
        }
        let children: Vec<HtmlElement> = (0..panel.children().length())
            .filter_map(|i| panel.children().item(i))
            .filter_map(|c| c.dyn_into::<HtmlElement>().ok())
            .filter(|c| c.offset_parent().is_some())
            .collect();
        let has_stage = children.iter().any(|c| c.class_list().contains("stage"));
        // The heading keeps its size; the rest is measured at zoom 1.
        let (fixed, zoomable): (Vec<_>, Vec<_>) = children
            .into_iter()
            .partition(|c| c.tag_name() == "H2" || c.class_list().contains("stage"));
        for child in &zoomable {
            child.style().remove_property("zoom")?;
            child.style().remove_property("width")?;
        }
        let gap = pixels(&panel, "row-gap");
        let used: f64 = fixed
            .iter()
            .map(|c| f64::from(c.offset_height()) + gap)
            .sum();
        let room_w = f64::from(panel.client_width())
            - pixels(&panel, "padding-left")
            - pixels(&panel, "padding-right");
        let room_h = f64::from(panel.client_height())
            - pixels(&panel, "padding-top")
            - pixels(&panel, "padding-bottom")
            - used;
        let natural_w = zoomable
            .iter()
            .map(|c| f64::from(c.scroll_width().max(c.offset_width())))
            .fold(1.0, f64::max);
        let natural_h: f64 = zoomable
            .iter()
            .map(|c| f64::from(c.offset_height()) + gap)
            .sum::<f64>()
            .max(1.0);
        let largest = if has_stage { 1.0 } else { 3.0 };
        let zoom = (room_w / natural_w).min(room_h / natural_h).min(largest) * 0.98;
        if !(0.97..=1.03).contains(&zoom) {
            // Each keeps the width it was measured at: content that flows with its
            // width (the channels' figures) then shrinks with the zoom as well.
            let widths: Vec<i32> = zoomable.iter().map(|c| c.offset_width()).collect();
            for (child, width) in zoomable.iter().zip(widths) {
                let style = child.style();
                style.set_property("zoom", &format!("{:.3}", zoom.max(0.2)))?;
                style.set_property("width", &format!("{width}px"))?;
            }
        }
    }
    Ok(())
}

/// Opens the Embed dialog: one checkbox per control the current view shows (its
/// usual ones ticked), the snippet, and a first copy to the clipboard.
fn open_dialog(shell: &Shell) -> PageResult {
    let settings = shell.state.borrow().settings.clone();
    let list: Element = by_id("embed-controls")?;
    clear(&list);
    let page = document()?;
    for name in embed_controls() {
        // Only the controls on screen in this view are offered.
        let shown = all::<HtmlElement>(&format!("[name=\"{name}\"]"))?
            .first()
            .is_some_and(|control| control.offset_parent().is_some());
        if !shown {
            continue;
        }
        let label = element("label", "embed-control", "")?;
        let checkbox: HtmlInputElement = page.create_element("input")?.dyn_into()?;
        checkbox.set_type("checkbox");
        checkbox.set_value(name);
        checkbox.set_attribute("data-testid", &format!("embed-control-{name}"))?;
        checkbox.set_checked(crate::views::of(&settings).embed_controls().contains(&name));
        label.append_child(&checkbox)?;
        label.append_child(&*element("span", "", &control_label(name))?)?;
        label.append_child(&*element("code", "embed-name", name)?)?;
        list.append_child(&label)?;
    }
    by_id::<HtmlElement>("embed-dialog")?.set_hidden(false);
    write_snippet(&settings)?;
    by_id::<HtmlElement>("embed-snippet")?.focus()?;
    copy()
}

/// A control's name as its label on the page says it (the URL name otherwise).
fn control_label(name: &str) -> String {
    let label = all::<Element>(&format!("[name=\"{name}\"]"))
        .ok()
        .and_then(|found| found.into_iter().next())
        .and_then(|control| {
            control
                .closest(".field, .segmented, .check, .tabs")
                .ok()
                .flatten()
        })
        .and_then(|holder| {
            // The holder's own legend or translated text, before any option inside it.
            let legend = holder.query_selector(":scope > legend").ok().flatten();
            legend
                .or_else(|| holder.has_attribute("data-i18n").then(|| holder.clone()))
                .or_else(|| holder.query_selector("[data-i18n]").ok().flatten())
                .or(Some(holder))
        })
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    let first = label
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(name);
    first.to_string()
}

/// Writes the snippet for the ticked controls and the chosen size into the text field.
fn write_snippet(settings: &Settings) -> PageResult {
    let controls: Vec<&'static str> = all::<HtmlInputElement>("#embed-controls input:checked")?
        .iter()
        .filter_map(|input| embed_controls().find(|&name| name == input.value()))
        .collect();
    let size = by_id::<web_sys::HtmlSelectElement>("embed-size")?.value();
    let (width, height) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .unwrap_or((960, 540));
    let href = window()?.location().href()?;
    let page_url = href.split(['?', '#']).next().unwrap_or_default();
    let title = format!(
        "convlens: {}",
        crate::views::of(settings).tab(crate::i18n::t())
    );
    let snippet = settings.iframe_snippet(page_url, &controls, (width, height), &title);
    by_id::<web_sys::HtmlTextAreaElement>("embed-snippet")?.set_value(&snippet);
    Ok(())
}

/// Copies the snippet with the asynchronous clipboard; if the browser refuses, says so
/// and selects the text for Ctrl+C.
fn copy() -> PageResult {
    let text = by_id::<web_sys::HtmlTextAreaElement>("embed-snippet")?;
    let snippet = text.value();
    let navigator = window()?.navigator();
    // Outside https and localhost there is no clipboard object at all.
    let available = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    let refused = |why: String| {
        let _ = status(&crate::i18n::fill(
            crate::i18n::t().embed_refused,
            &[("why", &why)],
        ));
        if let Ok(text) = by_id::<web_sys::HtmlTextAreaElement>("embed-snippet") {
            text.select();
        }
    };
    if !available {
        refused(crate::i18n::t().embed_no_clipboard.into());
        return Ok(());
    }
    let promise = navigator.clipboard().write_text(&snippet);
    let on_done = Closure::<dyn FnMut(JsValue)>::once(move |_: JsValue| {
        let _ = status(crate::i18n::t().embed_copied);
    });
    let on_error = Closure::<dyn FnMut(JsValue)>::once(move |error: JsValue| {
        refused(crate::dom::describe(&error));
    });
    let _ = promise.then2(&on_done, &on_error);
    // Exactly one of the two runs, once.
    on_done.forget();
    on_error.forget();
    Ok(())
}

fn status(text: &str) -> PageResult {
    crate::dom::set_text("embed-status", text)
}
