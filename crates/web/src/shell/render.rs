//! Writes what views share into the page: control values, the tabs, the kernel grid,
//! messages and notices, the language, the selected cell's outline and arithmetic, and
//! figures of maps. Text always goes in as text, never as markup.

use std::cell::RefCell;

use convlens_core::{DisplayMapping, Kernel, Preset, Rect, Tensor};
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlCanvasElement, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlSelectElement,
};

use crate::dom::{
    all, by_id, clear, document, element, js_error, property, put_rgba, set_text, PageResult,
};
use crate::i18n::{fill, t, Lang};
use crate::message::{InputLabel, Message};
use crate::pipeline::{number, CellArithmetic, Frame};
pub use crate::pipeline::{signed, weight_text};
use crate::settings::{parameters, KernelChoice, PaddingChoice, Settings};
use crate::views;

/// Fills the kernel menu from the core crate's presets, so menu and URL always agree.
pub fn kernel_menu() -> PageResult {
    let select: HtmlSelectElement = by_id("kernel")?;
    let groups: [(&str, &[Preset]); 3] = [
        (t().group_lecture, Preset::LECTURE),
        (t().group_blurs, &Preset::ALL[8..14]),
        (t().group_more, &Preset::ALL[14..]),
    ];
    clear(&select);
    for (label, presets) in groups {
        let group = document()?.create_element("optgroup")?;
        group.set_attribute("label", label)?;
        for preset in presets {
            let option = element("option", "", t().preset(*preset))?;
            option.set_attribute("value", preset.slug())?;
            group.append_child(&option)?;
        }
        select.append_child(&group)?;
    }
    let custom = element("option", "", t().kernel_custom)?;
    custom.set_attribute("value", "custom")?;
    select.append_child(&custom)?;
    Ok(())
}

/// Sets every control to the value in `settings`.
pub fn sync_controls(settings: &Settings) -> PageResult {
    let form: HtmlFormElement = by_id("controls")?;
    let elements = form.elements();
    for index in 0..elements.length() {
        let Some(control) = elements.item(index) else {
            continue;
        };
        let name = property(&control, "name");
        if !parameters().contains(&name.as_str()) {
            continue;
        }
        let value = settings.describe(&name);
        if let Some(input) = control.dyn_ref::<HtmlInputElement>() {
            match input.type_().as_str() {
                "radio" => input.set_checked(input.value() == value),
                "checkbox" => input.set_checked(value == "1"),
                "number" => {
                    // A number field shows the number in use, or stays empty (padding 'same').
                    let shown = if value.parse::<f64>().is_ok() {
                        value
                    } else {
                        String::new()
                    };
                    if input.value() != shown {
                        input.set_value(&shown);
                    }
                }
                _ => input.set_value(&value),
            }
        } else if let Some(select) = control.dyn_ref::<HtmlSelectElement>() {
            select.set_value(&value);
        } else if let Some(area) = control.dyn_ref::<web_sys::HtmlTextAreaElement>() {
            if area.value() != value {
                area.set_value(&value);
            }
        }
    }
    // The kernel size control: blurs switch size, custom kernels resize, others are fixed.
    let size: HtmlSelectElement = by_id("kernel-size")?;
    let kernel = settings.kernel.kernel();
    let resizable = match &settings.kernel {
        KernelChoice::Preset(preset) => preset.sizes().len() > 1,
        KernelChoice::Custom(_) => true,
    };
    size.set_disabled(!resizable || kernel.height() != kernel.width());
    size.set_value(&kernel.height().to_string());
    set_text(
        "kernel-size-note",
        if resizable { "" } else { t().kernel_size_fixed },
    )?;
    let padding_note = match settings.padding {
        PaddingChoice::Same => t().padding_note_same,
        PaddingChoice::Valid => t().padding_note_valid,
        PaddingChoice::Pixels(_) => "",
    };
    set_text("padding-note", padding_note)
}

/// Shows a kernel's weights as editable cells (as `texts` has them when it holds one per
/// weight: what was typed), rebuilding the grid when its shape changes and leaving the
/// cell being typed in alone.
pub fn kernel_grid(kernel: &Kernel, texts: &[String], keep_invalid: bool) -> PageResult {
    let grid: HtmlElement = by_id("kernel-grid")?;
    let shape = format!("{}x{}", kernel.height(), kernel.width());
    if grid.get_attribute("data-shape").as_deref() != Some(shape.as_str()) {
        clear(&grid);
        grid.set_attribute("data-shape", &shape)?;
        grid.style()
            .set_property("--columns", &kernel.width().to_string())?;
        for m in 0..kernel.height() {
            for n in 0..kernel.width() {
                let cell: HtmlInputElement = document()?.create_element("input")?.dyn_into()?;
                cell.set_type("text");
                cell.set_attribute("inputmode", "decimal")?;
                cell.set_attribute("autocomplete", "off")?;
                cell.set_attribute("spellcheck", "false")?;
                cell.set_attribute("data-row", &m.to_string())?;
                cell.set_attribute("data-column", &n.to_string())?;
                cell.set_attribute("data-testid", &format!("kernel-cell-{m}-{n}"))?;
                cell.set_attribute(
                    "aria-label",
                    &fill(t().weight_aria, &[("row", &(m + 1)), ("column", &(n + 1))]),
                )?;
                grid.append_child(&cell)?;
            }
        }
    }
    let focused = document()?.active_element();
    let cells = grid.children();
    for (index, &weight) in kernel.weights().iter().enumerate() {
        let Some(cell) = cells.item(index as u32) else {
            continue;
        };
        // The cell being typed in, and a cell that cannot be read (it shows what was
        // typed until it is fixed), are left alone.
        if focused.as_ref() == Some(&cell)
            || cell.get_attribute("aria-invalid").is_some() && keep_invalid
        {
            continue;
        }
        let cell: HtmlInputElement = cell.dyn_into()?;
        let typed = texts
            .get(index)
            .filter(|_| texts.len() == kernel.weights().len());
        cell.set_value(&typed.cloned().unwrap_or_else(|| weight_text(weight)));
        cell.remove_attribute("aria-invalid")?;
        let sign = if weight > 0.0 {
            "positive"
        } else if weight < 0.0 {
            "negative"
        } else {
            "zero"
        };
        cell.set_attribute("data-sign", sign)?;
    }
    // Every cell wide enough for the longest weight (`1/256`, `-1/16`).
    let chars = kernel
        .weights()
        .iter()
        .map(|&w| weight_text(w).chars().count())
        .max()
        .unwrap_or(1)
        .max(2);
    grid.style().set_property("--chars", &chars.to_string())?;
    set_text(
        "kernel-sum",
        &fill(t().kernel_sum, &[("sum", &weight_text(kernel.sum()))]),
    )
}

/// Shows the chosen view's panels and hides the others; marks the body with the view,
/// the display mapping and the controls the view does not use (the style sheet hides
/// those).
pub fn view(settings: &Settings) -> PageResult {
    let body = document()?.body().ok_or_else(|| js_error("no body"))?;
    body.set_attribute("data-view", settings.view)?;
    body.set_attribute("data-display", settings.display.name())?;
    crate::shell::embed::modes(settings)?;
    let shown = views::of(settings);
    for view in views::all() {
        if let Some(panel) = document()?.get_element_by_id(&format!("{}-panels", view.name())) {
            if let Ok(panel) = panel.dyn_into::<HtmlElement>() {
                panel.set_hidden(view.name() != shown.name());
            }
        }
    }
    // Controls of settings the view does not read are hidden.
    let form: HtmlFormElement = by_id("controls")?;
    let elements = form.elements();
    for index in 0..elements.length() {
        let Some(control) = elements.item(index) else {
            continue;
        };
        let name = property(&control, "name");
        if name == "view" || !parameters().contains(&name.as_str()) {
            continue;
        }
        let used = (shown.uses().contains(&name.as_str())
            || shown.parameters().contains(&name.as_str())
            || crate::settings::MODES.contains(&name.as_str()))
            && !shown.hides(settings).contains(&name.as_str());
        if let Some(holder) = control.closest(".field, .segmented, .check")? {
            holder.toggle_attribute_with_force("data-unused", !used)?;
        }
    }
    // A group whose every control is unused goes too.
    for group in all::<Element>("#controls .group")? {
        let children = group.children();
        let used = (0..children.length())
            .filter_map(|i| children.item(i))
            .filter(|c| c.tag_name() != "LEGEND")
            .any(|c| !c.has_attribute("data-unused"));
        group.toggle_attribute_with_force("data-unused", !used)?;
    }
    // Panels a view hides for its settings: every view's are shown again first.
    let own = shown.hidden_panels(settings);
    for view in views::all() {
        for (id, _) in view.hidden_panels(settings) {
            let off = own.iter().any(|(i, off)| *i == id && *off);
            if let Some(panel) = document()?.get_element_by_id(id) {
                panel.toggle_attribute_with_force("data-unused", off)?;
            }
        }
    }
    if !shown.uses_image() {
        by_id::<HtmlElement>("input-panel")?.set_hidden(true);
    } else {
        by_id::<HtmlElement>("input-panel")?.set_hidden(shown.name() == "stack");
    }
    if shown.name() == "pool" {
        // Pooling here has no padding: no ring around the input.
        by_id::<HtmlElement>("pad-frame")?.set_hidden(true);
        by_id::<HtmlElement>("input-stage")?
            .style()
            .set_property("margin", "14px")?;
    }
    Ok(())
}

/// The tabs, one per view, in the order of the registry, labelled in the language in
/// use.
pub fn tabs() -> PageResult {
    let tabs: Element = by_id("tabs")?;
    for label in all::<Element>("#tabs label")? {
        tabs.remove_child(&label)?;
    }
    for view in views::all() {
        let label = document()?.create_element("label")?;
        let radio: HtmlInputElement = document()?.create_element("input")?.dyn_into()?;
        radio.set_type("radio");
        radio.set_name("view");
        radio.set_value(view.name());
        label.append_child(&radio)?;
        let text = element("span", "", view.tab(t()))?;
        text.set_attribute("data-view-tab", view.name())?;
        label.append_child(&text)?;
        tabs.append_child(&label)?;
    }
    Ok(())
}

/// What the page says right now (messages, notices, the input's caption), kept as
/// values so that a language switch says it all again.
#[derive(Default)]
struct Shown {
    message: Option<Message>,
    camera: Option<Message>,
    notices: Vec<Message>,
    caption: Option<(InputLabel, usize, usize)>,
}

thread_local! {
    static SHOWN: RefCell<Shown> = RefCell::new(Shown::default());
}

/// The line under the input: what it is and its size (width × height, as the page
/// writes every size of the input).
pub fn input_caption(label: InputLabel, frame: &Frame) -> PageResult {
    SHOWN.with(|s| s.borrow_mut().caption = Some((label, frame.width, frame.height)));
    caption_text()
}

fn caption_text() -> PageResult {
    let Some((label, width, height)) = SHOWN.with(|s| s.borrow().caption.clone()) else {
        return Ok(());
    };
    let text = fill(
        t().input_caption,
        &[
            ("label", &label.text(t())),
            ("width", &width),
            ("height", &height),
        ],
    );
    set_text("input-caption", &text)?;
    // An opened file is one of the picker's choices while it is shown (defect 7).
    let picker: HtmlSelectElement = by_id("image")?;
    let option = picker.query_selector("option[value=upload]")?;
    match (&label, option) {
        (InputLabel::Upload(_), Some(option)) => option.set_text_content(Some(&label.text(t()))),
        (InputLabel::Upload(_), None) => {
            let option = element("option", "", &label.text(t()))?;
            option.set_attribute("value", "upload")?;
            picker.prepend_with_node_1(&option)?;
            picker.set_value("upload");
        }
        (_, Some(option)) => option.remove(),
        (_, None) => {}
    }
    Ok(())
}

fn show_message(id: &str, message: Option<&Message>) -> PageResult {
    let box_: HtmlElement = by_id(id)?;
    box_.set_text_content(message.map(|m| m.text(t())).as_deref());
    box_.set_hidden(message.is_none());
    Ok(())
}

/// Shows an error or explanation of invalid settings (`None` clears it).
pub fn message(message: Option<Message>) -> PageResult {
    show_message("message", message.as_ref())?;
    SHOWN.with(|s| s.borrow_mut().message = message);
    Ok(())
}

/// Notices about the input and the URL (not errors: the demo works).
pub fn notices(lines: &[Message]) -> PageResult {
    SHOWN.with(|s| s.borrow_mut().notices = lines.to_vec());
    notices_text()
}

fn notices_text() -> PageResult {
    let list: HtmlElement = by_id("notices")?;
    clear(&list);
    let lines = SHOWN.with(|s| s.borrow().notices.clone());
    for line in &lines {
        list.append_child(&*element("li", "", &line.text(t()))?)?;
    }
    list.set_hidden(lines.is_empty());
    Ok(())
}

/// The webcam's status line (`None` clears it).
pub fn notice_camera(message: Option<Message>) -> PageResult {
    show_message("camera-status", message.as_ref())?;
    SHOWN.with(|s| s.borrow_mut().camera = message);
    Ok(())
}

/// Puts `lang`'s strings into the page: `<html lang>`, the language switch, every element
/// named by `data-i18n` (its first text) or `data-i18n-attr` (`attribute:key` pairs),
/// and the messages and caption shown. The rest is drawn again by the caller.
pub fn language(lang: Lang) -> PageResult {
    crate::i18n::set(lang);
    let page = document()?;
    if let Some(root) = page.document_element() {
        root.set_attribute("lang", lang.code())?;
    }
    let texts = lang.texts();
    let named = page.query_selector_all("[data-i18n]")?;
    for index in 0..named.length() {
        let Some(element) = named.item(index).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let key = element.get_attribute("data-i18n").unwrap_or_default();
        if let Some(text) = texts.get(&key) {
            set_first_text(&element, text);
        }
    }
    let named = page.query_selector_all("[data-i18n-attr]")?;
    for index in 0..named.length() {
        let Some(element) = named.item(index).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let pairs = element.get_attribute("data-i18n-attr").unwrap_or_default();
        for pair in pairs.split_whitespace() {
            if let Some((attribute, text)) = pair
                .split_once(':')
                .and_then(|(a, key)| Some((a, texts.get(key)?)))
            {
                element.set_attribute(attribute, text)?;
            }
        }
    }
    let switches = page.query_selector_all("input[name=lang]")?;
    for index in 0..switches.length() {
        if let Some(input) = switches
            .item(index)
            .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
        {
            input.set_checked(input.value() == lang.code());
        }
    }
    let (shown, camera) = SHOWN.with(|s| {
        let s = s.borrow();
        (s.message.clone(), s.camera.clone())
    });
    show_message("message", shown.as_ref())?;
    show_message("camera-status", camera.as_ref())?;
    notices_text()?;
    tabs()?;
    // Kernel cells are labelled when the grid is built: build it again.
    by_id::<Element>("kernel-grid")?.remove_attribute("data-shape")?;
    kernel_menu()?;
    help_keys()?;
    caption_text()
}

/// Replaces the first text of `element` that is not blank (keeping the blanks around it,
/// and the element's other children), or gives it `text` if it has none.
fn set_first_text(element: &Element, text: &str) {
    let children = element.child_nodes();
    for index in 0..children.length() {
        let Some(node) = children.item(index) else {
            continue;
        };
        let old = node.text_content().unwrap_or_default();
        if node.node_type() == web_sys::Node::TEXT_NODE && !old.trim().is_empty() {
            let before = &old[..old.len() - old.trim_start().len()];
            let after = &old[old.trim_end().len()..];
            node.set_text_content(Some(&format!("{before}{text}{after}")));
            return;
        }
    }
    element.set_text_content(Some(text));
}

/// Shows the freeze button while the camera runs.
pub fn camera_controls(on: bool, frozen: bool) -> PageResult {
    let button: HtmlElement = by_id("freeze")?;
    button.set_hidden(!on);
    button.set_attribute("aria-pressed", if frozen { "true" } else { "false" })?;
    button.set_text_content(Some(if frozen {
        t().resume_webcam
    } else {
        t().freeze_frame
    }));
    Ok(())
}

/// Positions an overlay element over the input as `rect` (in input pixels).
pub fn place(element: &HtmlElement, rect: Rect, (height, width): (usize, usize)) -> PageResult {
    let style = element.style();
    let percent = |value: i64, of: usize| format!("{:.4}%", value as f64 / of as f64 * 100.0);
    style.set_property("top", &percent(rect.top, height))?;
    style.set_property("left", &percent(rect.left, width))?;
    style.set_property("height", &percent(rect.height(), height))?;
    style.set_property("width", &percent(rect.width(), width))?;
    Ok(())
}

/// Outlines the selected cell's window on the input, marks the cell on the map, and
/// writes out its arithmetic.
pub fn selection(
    settings: &Settings,
    frame: &Frame,
    arithmetic: &CellArithmetic,
    map_id: &str,
    pool: bool,
) -> PageResult {
    let input = (frame.height, frame.width);
    let window: HtmlElement = by_id("window-box")?;
    window.set_hidden(false);
    place(&window, arithmetic.window, input)?;
    // The taps of a dilated kernel, with the gaps between them visible.
    let taps: HtmlElement = by_id("window-taps")?;
    clear(&taps);
    if arithmetic.step > 1 {
        let columns = arithmetic.channels.first().map_or(1, |c| c.columns);
        let rows = arithmetic
            .channels
            .first()
            .map_or(1, |c| c.terms.len() / c.columns.max(1));
        for m in 0..rows {
            for n in 0..columns {
                let tap = element("div", "tap", "")?;
                let top = arithmetic.window.top + (m * arithmetic.step) as i64;
                let left = arithmetic.window.left + (n * arithmetic.step) as i64;
                place(
                    &tap,
                    Rect {
                        top,
                        left,
                        bottom: top + 1,
                        right: left + 1,
                    },
                    input,
                )?;
                taps.append_child(&tap)?;
            }
        }
    }
    let map: HtmlCanvasElement = by_id(&format!("{map_id}-map"))?;
    let marker: HtmlElement = by_id(&format!("{map_id}-cell"))?;
    marker.set_hidden(false);
    let (y, x) = (arithmetic.cell.0 as i64, arithmetic.cell.1 as i64);
    place(
        &marker,
        Rect {
            top: y,
            left: x,
            bottom: y + 1,
            right: x + 1,
        },
        (map.height() as usize, map.width() as usize),
    )?;
    arithmetic_panel(settings, arithmetic, pool)
}

thread_local! {
    /// The channel whose window the magnifier shows (the others show their sums).
    static OPEN_CHANNEL: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// Opens channel `name`'s window in the magnifier (a click on its name).
///
/// # Errors
/// A missing element.
pub fn open_channel(name: &str) -> PageResult {
    let known = ["R", "G", "B", "Gray"].into_iter().find(|c| *c == name);
    let Some(name) = known else {
        return Ok(());
    };
    OPEN_CHANNEL.with(|o| o.set(name));
    for block in all::<Element>("#arithmetic .channel")? {
        let open = block.get_attribute("data-channel").as_deref() == Some(name);
        block.class_list().toggle_with_force("open", open)?;
        if let Some(button) = block.query_selector(".channel-name")? {
            button.set_attribute("aria-expanded", if open { "true" } else { "false" })?;
        }
    }
    Ok(())
}

/// Hides the outline and the arithmetic.
pub fn clear_selection() -> PageResult {
    for id in ["window-box", "feature-cell", "pooled-cell"] {
        by_id::<HtmlElement>(id)?.set_hidden(true);
    }
    set_text("cell-announcement", "")?;
    clear(&by_id::<Element>("window-taps")?);
    let panel: Element = by_id("arithmetic")?;
    clear(&panel);
    panel.append_child(&*element("p", "hint", t().cell_hint)?)?;
    Ok(())
}

fn arithmetic_panel(settings: &Settings, arithmetic: &CellArithmetic, pool: bool) -> PageResult {
    arithmetic_cells(settings, arithmetic, pool)?;
    fit_magnifier()
}

/// Shrinks the open window's cells so that it, its sum and the other channels' lines
/// end on the first screen (the room below the window, on a short screen).
fn fit_magnifier() -> PageResult {
    let Some(table) = all::<HtmlElement>("#arithmetic .channel.open table.patch")?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let Some(block) = table.closest(".channel")? else {
        return Ok(());
    };
    let block: HtmlElement = block.dyn_into()?;
    let rows = block
        .style()
        .get_property_value("--rows")
        .ok()
        .and_then(|r| r.trim().parse::<f64>().ok())
        .unwrap_or(3.0);
    let viewport = crate::dom::window()?
        .inner_height()?
        .as_f64()
        .unwrap_or(800.0);
    let top =
        table.get_bounding_client_rect().top() + crate::dom::window()?.scroll_y().unwrap_or(0.0);
    let others = all::<Element>("#arithmetic .channel:not(.open)")?.len() as f64;
    // The sum's lines, the value drawn, and one line for each other channel.
    let below = 96.0 + 26.0 * others;
    let room = ((viewport - top - below) / rows - 4.0).max(22.0);
    block
        .style()
        .set_property("--room", &format!("{room:.1}px"))
}

fn arithmetic_cells(settings: &Settings, arithmetic: &CellArithmetic, pool: bool) -> PageResult {
    let panel: Element = by_id("arithmetic")?;
    clear(&panel);
    let (y, x) = arithmetic.cell;
    let w = arithmetic.window;
    let heading = fill(
        t().cell_heading,
        &[
            ("y", &y),
            ("x", &x),
            ("top", &w.top),
            ("bottom", &(w.bottom - 1)),
            ("left", &w.left),
            ("right", &(w.right - 1)),
            (
                "every",
                &if arithmetic.step > 1 {
                    fill(t().every_nth, &[("step", &arithmetic.step)])
                } else {
                    String::new()
                },
            ),
        ],
    );
    panel.append_child(&*element("p", "cell-heading", &heading)?)?;
    // One polite sentence for screen readers; the tables are for the eyes.
    let results: Vec<String> = arithmetic
        .channels
        .iter()
        .map(|c| format!("{} = {}", t().channel(c.channel), number(c.result)))
        .collect();
    set_text(
        "cell-announcement",
        &fill(
            t().cell_announcement,
            &[("y", &y), ("x", &x), ("results", &results.join(", "))],
        ),
    )?;
    panel
        .dyn_ref::<HtmlElement>()
        .map(|p| {
            p.style()
                .set_property("--channels", &arithmetic.channels.len().to_string())
        })
        .transpose()?;
    for channel in &arithmetic.channels {
        let block = element("div", "channel", "")?;
        block.set_attribute("data-channel", channel.channel)?;
        block.set_attribute("data-result", &channel.result.to_string())?;
        let table = element("table", "patch", "")?;
        // The window magnified: cells as large as the panel allows, the taps of a
        // dilated kernel spaced apart by the pixels they skip.
        let columns = channel.columns.max(1);
        let cell = match columns {
            0..=3 => 3.9,
            4..=5 => 3.0,
            _ => 2.4,
        };
        // One channel's window is open at a time (its name toggles it); the others
        // keep their sums.
        let open = OPEN_CHANNEL.with(|o| o.get());
        let opened = channel.channel == open
            || (!arithmetic.channels.iter().any(|c| c.channel == open)
                && std::ptr::eq(channel, &arithmetic.channels[0]));
        if opened {
            block.class_list().add_1("open")?;
        }
        block
            .style()
            .set_property("--columns", &columns.to_string())?;
        block.style().set_property(
            "--rows",
            &(channel.terms.len() / columns).max(1).to_string(),
        )?;
        block
            .style()
            .set_property("--cell-max", &format!("{cell}rem"))?;
        table.style().set_property(
            "--gap",
            &format!("{}px", 3 + 8 * arithmetic.step.saturating_sub(1).min(3)),
        )?;
        let name = element(
            "button",
            "channel-name",
            &fill(
                t().channel_caption,
                &[("name", &t().channel(channel.channel))],
            ),
        )?;
        name.set_attribute("type", "button")?;
        name.set_attribute("aria-expanded", if opened { "true" } else { "false" })?;
        name.set_attribute("data-open-channel", channel.channel)?;
        block.append_child(&name)?;
        for row in channel.terms.chunks(channel.columns.max(1)) {
            let tr = document()?.create_element("tr")?;
            for term in row {
                let td = if pool {
                    element("td", "", &number(term.value))?
                } else {
                    // The pixel, its weight, and their product.
                    let td = element("td", "", "")?;
                    td.append_child(&*element("span", "v", &number(term.value))?)?;
                    td.append_child(&*element(
                        "span",
                        "w",
                        &format!("×{}", signed(&weight_text(term.weight))),
                    )?)?;
                    td.append_child(&*element(
                        "span",
                        "p",
                        &format!("={}", number(term.value * term.weight)),
                    )?)?;
                    td
                };
                let shade = term.value.round().clamp(0.0, 255.0) as u8;
                let ink = if shade > 140 { "#000" } else { "#fff" };
                td.style()
                    .set_property("background", &format!("rgb({shade},{shade},{shade})"))?;
                td.style().set_property("color", ink)?;
                if term.padded {
                    td.set_class_name("padded");
                    td.set_title(&fill(
                        t().padded_title,
                        &[("mode", &t().padding_mode(settings.padding_mode))],
                    ));
                }
                if term.chosen {
                    td.set_class_name("chosen");
                }
                tr.append_child(&td)?;
            }
            table.append_child(&tr)?;
        }
        block.append_child(&table)?;
        let sum = if pool {
            let values: Vec<String> = channel.terms.iter().map(|t| number(t.value)).collect();
            match arithmetic.divisor {
                // The mean as what it is: the sum over the divisor, and why that divisor.
                Some(divisor) => {
                    let why = if settings.pooling.divisor.is_some() {
                        t().divisor_given
                    } else if divisor != values.len() {
                        t().divisor_padded
                    } else {
                        ""
                    };
                    let why = fill(why, &[("divisor", &divisor)]);
                    format!(
                        "({}) / {divisor} = {}{}",
                        values.join(" + "),
                        number(channel.result),
                        if why.is_empty() {
                            why
                        } else {
                            format!(" ({why})")
                        }
                    )
                }
                None => format!(
                    "{}({}) = {}",
                    settings.pool.name(),
                    values.join(", "),
                    number(channel.result)
                ),
            }
        } else {
            let products: Vec<String> = channel
                .terms
                .iter()
                .filter(|t| t.weight != 0.0)
                .map(|t| format!("{}·{}", number(t.value), signed(&weight_text(t.weight))))
                .collect();
            let products = if products.is_empty() {
                "0".into()
            } else {
                products.join(" + ")
            };
            format!("{products} = {}", number(channel.result))
        };
        let line = element(
            "p",
            "sum",
            &format!("{}: {sum}", t().channel(channel.channel)),
        )?;
        line.set_attribute("data-testid", &format!("sum-{}", channel.channel))?;
        block.append_child(&line)?;
        block.append_child(&*element("p", "shown", &channel.shown)?)?;
        panel.append_child(&block)?;
    }
    Ok(())
}

/// A figure with one channel of `map` drawn with `mapping`, and a caption.
pub fn map_figure(
    map: &Tensor,
    channel: usize,
    mapping: DisplayMapping,
    caption: &str,
    testid: &str,
    rgba: &mut Vec<u8>,
) -> PageResult<HtmlElement> {
    let plane = map.plane(0, channel).unwrap_or_default().to_vec();
    let one = Tensor::new(1, map.height(), map.width(), plane).map_err(crate::dom::core_error)?;
    crate::pipeline::draw(&one, mapping, rgba).map_err(crate::dom::core_error)?;
    figure(map, rgba, caption, testid)
}

/// A figure holding a canvas of `map`'s size with `rgba` on it, and a caption.
pub fn figure(map: &Tensor, rgba: &[u8], caption: &str, testid: &str) -> PageResult<HtmlElement> {
    let figure = element("figure", "", "")?;
    let canvas: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
    canvas.set_attribute("data-testid", testid)?;
    canvas.set_attribute("aria-label", caption)?;
    put_rgba(&canvas, map.width() as u32, map.height() as u32, rgba)?;
    figure.append_child(&canvas)?;
    figure.append_child(&*element("figcaption", "", caption)?)?;
    Ok(figure)
}

/// Fills the shortcut list from the one table the key handler reads, and the keys that
/// open the views.
pub fn help_keys() -> PageResult {
    let body = by_id::<Element>("help-keys")?
        .query_selector("tbody")?
        .ok_or_else(|| js_error("the shortcut table has no body"))?;
    clear(&body);
    let row = |key: &str, what: &str| -> PageResult {
        let tr = element("tr", "", "")?;
        let cell = element("td", "", "")?;
        let name = match key {
            " " => t().key_space,
            "," => t().key_comma,
            other => other,
        };
        cell.append_child(&*element("kbd", "", name)?)?;
        tr.append_child(&cell)?;
        tr.append_child(&*element("td", "", what)?)?;
        body.append_child(&tr)?;
        Ok(())
    };
    for (key, action, what) in crate::shortcuts::SHORTCUTS {
        row(key, what(t()))?;
        // The keys of the views follow the settings' keys.
        if action == crate::shortcuts::Action::Channel {
            for (key, view) in crate::shortcuts::VIEW_KEYS.iter().zip(views::all()) {
                row(key, view.tab(t()))?;
            }
        }
    }
    Ok(())
}

/// Whether the shortcut list is open.
pub fn help_shown() -> PageResult<bool> {
    Ok(!by_id::<HtmlElement>("help")?.hidden())
}

/// A key pressed while the shortcut list is open: Esc and `?` close it, Tab and
/// Shift+Tab cycle through its buttons (the focus stays inside the dialog).
pub fn help_key(event: &web_sys::KeyboardEvent) -> PageResult {
    match event.key().as_str() {
        "Escape" | "?" => {
            event.prevent_default();
            toggle_help(Some(false)).map(|_| ())
        }
        "Tab" => {
            event.prevent_default();
            let buttons = all::<HtmlElement>("#help button")?;
            let active = document()?.active_element();
            let at = buttons
                .iter()
                .position(|b| active.as_ref() == Some(b.as_ref()))
                .unwrap_or(0);
            let count = buttons.len().max(1);
            let next = if event.shift_key() {
                (at + count - 1) % count
            } else {
                (at + 1) % count
            };
            match buttons.get(next) {
                Some(button) => button.focus(),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// Shows or hides the shortcut list; returns whether it is now shown. Opening it moves
/// the focus into it, closing it gives the focus back to where it was.
pub fn toggle_help(show: Option<bool>) -> PageResult<bool> {
    let help: HtmlElement = by_id("help")?;
    let shown = show.unwrap_or(help.hidden());
    if shown != help.hidden() {
        return Ok(shown);
    }
    help.set_hidden(!shown);
    if shown {
        if let Some(before) = document()?.active_element() {
            before.set_attribute("data-focus-before-help", "")?;
        }
        by_id::<HtmlElement>("help-close")?.focus()?;
    } else if let Some(before) = all::<HtmlElement>("[data-focus-before-help]")?.first() {
        before.remove_attribute("data-focus-before-help")?;
        before.focus()?;
    }
    Ok(shown)
}
