//! Writes the state into the page: control values, the kernel grid, numbers, messages,
//! the receptive-field outline and the cell arithmetic. Text always goes in as text,
//! never as markup.

use std::cell::RefCell;

use convlens_core::image::diverging_colour;
use convlens_core::{DisplayMapping, Kernel, Preset, Rect, Tensor};
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlCanvasElement, HtmlElement, HtmlFormElement, HtmlInputElement, HtmlSelectElement,
};

use crate::dom::{
    by_id, clear, document, element, js_error, property, put_rgba, set_text, PageResult,
};
use crate::i18n::{fill, t, Lang};
use crate::message::{InputLabel, Message};
use crate::pipeline::{
    architecture_rows, draw_channel, number, CellArithmetic, ChannelsFacts, ConvFacts, Frame,
    OneDFacts, PoolFacts, StackFacts, StepsFacts,
};
use crate::settings::{KernelChoice, PaddingChoice, Settings, View, PARAMETERS};

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
        if !PARAMETERS.contains(&name.as_str()) {
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

/// Shows a kernel's weights as editable cells, rebuilding the grid when its shape changes
/// and leaving the cell being typed in alone.
pub fn kernel_grid(kernel: &Kernel, _keep_focus: bool) -> PageResult {
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
        if focused.as_ref() == Some(&cell) {
            continue;
        }
        let cell: HtmlInputElement = cell.dyn_into()?;
        cell.set_value(&weight_text(weight));
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
    set_text(
        "kernel-sum",
        &fill(t().kernel_sum, &[("sum", &weight_text(kernel.sum()))]),
    )
}

/// A weight as the grid shows it: whole numbers plainly, simple fractions as `a/b`
/// (`1/16`, `1/9`), others with up to four decimals.
pub fn weight_text(weight: f32) -> String {
    if weight == weight.round() {
        return number(weight);
    }
    let nice = (2..=64u32).chain([128, 256, 512, 1024, 2048, 4096]);
    for denominator in nice {
        let numerator = f64::from(weight) * f64::from(denominator);
        if (numerator - numerator.round()).abs() < 1e-4 {
            return format!("{}/{denominator}", numerator.round() as i64);
        }
    }
    let text = format!("{weight:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A negative factor in parentheses with a real minus sign: `(−1)`.
fn signed(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(magnitude) => format!("(−{magnitude})"),
        None => text.to_string(),
    }
}

/// Shows the chosen view and hides the other.
pub fn view(settings: &Settings) -> PageResult {
    let body = document()?.body().ok_or_else(|| js_error("no body"))?;
    body.set_attribute("data-view", settings.view.name())?;
    body.set_attribute("data-display", settings.display.name())?;
    crate::embed::modes(settings)?;
    for view in View::ALL {
        let panel: HtmlElement = by_id(&format!("{}-panels", view.name()))?;
        panel.set_hidden(view != settings.view);
    }
    if settings.view == View::Pool {
        // Pooling here has no padding: no ring around the input.
        by_id::<HtmlElement>("pad-frame")?.set_hidden(true);
        by_id::<HtmlElement>("input-stage")?
            .style()
            .set_property("margin", "14px")?;
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
    set_text("input-caption", &text)
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
    // The architecture table is filled once per language.
    clear(
        &by_id::<Element>("architectures")?
            .query_selector("tbody")?
            .ok_or_else(|| js_error("the architecture table has no body"))?,
    );
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

/// The convolution's numbers, and the padded border around the input.
pub fn conv_facts(facts: &ConvFacts, input: (usize, usize)) -> PageResult {
    set_text(
        "output-size",
        &format!("{} × {}", facts.output.0, facts.output.1),
    )?;
    set_text("formula-h", &facts.height_formula)?;
    set_text("formula-w", &facts.width_formula)?;
    set_text("parameters", &facts.parameters)?;
    set_text("flops", &facts.flops)?;
    set_text("receptive-field", &facts.receptive_field)?;
    set_text("pytorch", &facts.pytorch)?;
    let pads = facts.pads;
    let frame: HtmlElement = by_id("pad-frame")?;
    let any = pads.top + pads.bottom + pads.left + pads.right > 0;
    frame.set_hidden(!any);
    // Room around the input for the padding ring: margins in % of the panel's width are
    // exactly `pad` image pixels when the canvas spans the rest.
    let padded_width = (input.1 + pads.left + pads.right) as f64;
    let margin = |pad: usize| format!("calc(14px + {:.4}%)", pad as f64 / padded_width * 100.0);
    let stage = by_id::<HtmlElement>("input-stage")?.style();
    stage.set_property("margin-top", &margin(pads.top))?;
    stage.set_property("margin-bottom", &margin(pads.bottom))?;
    stage.set_property("margin-left", &margin(pads.left))?;
    stage.set_property("margin-right", &margin(pads.right))?;
    if any {
        let outer = Rect {
            top: -(pads.top as i64),
            left: -(pads.left as i64),
            bottom: (input.0 + pads.bottom) as i64,
            right: (input.1 + pads.right) as i64,
        };
        place(&frame, outer, input)?;
        // Hatch only the ring of padding (four strips), not the image inside it.
        let (h, w) = (outer.height() as f64, outer.width() as f64);
        let percent = |value: usize, of: f64| format!("{:.4}%", value as f64 / of * 100.0);
        for (id, property, value) in [
            ("pad-top", "height", percent(pads.top, h)),
            ("pad-bottom", "height", percent(pads.bottom, h)),
            ("pad-left", "width", percent(pads.left, w)),
            ("pad-right", "width", percent(pads.right, w)),
        ] {
            by_id::<HtmlElement>(id)?
                .style()
                .set_property(property, &value)?;
        }
    }
    Ok(())
}

/// The pooling's numbers.
pub fn pool_facts(facts: &PoolFacts) -> PageResult {
    set_text(
        "pool-output-size",
        &format!("{} × {}", facts.output.0, facts.output.1),
    )?;
    set_text("pool-formula-h", &facts.height_formula)?;
    set_text("pool-formula-w", &facts.width_formula)?;
    set_text("pool-pytorch", &facts.pytorch)
}

/// The colour scale under the feature map, with the map's value range.
pub fn legend(settings: &Settings, map: &Tensor) -> PageResult {
    let (low, high) = map.min_max();
    let diverging = settings.display == DisplayMapping::Diverging;
    let bar: HtmlCanvasElement = by_id("legend-bar")?;
    bar.set_hidden(!diverging || map.channels() != 1);
    let largest = low.abs().max(high.abs());
    let how = match settings.display {
        DisplayMapping::Clamp => t().legend_clamp.to_string(),
        DisplayMapping::Absolute => t().legend_abs.to_string(),
        DisplayMapping::Normalize => fill(
            t().legend_normalize,
            &[("low", &number(low)), ("high", &number(high))],
        ),
        DisplayMapping::Diverging if map.channels() == 1 => {
            fill(t().legend_diverging, &[("largest", &number(largest))])
        }
        DisplayMapping::Diverging => fill(
            t().legend_diverging_channels,
            &[("largest", &number(largest))],
        ),
    };
    set_text(
        "legend-text",
        &fill(
            t().legend_values,
            &[
                ("low", &number(low)),
                ("high", &number(high)),
                ("how", &how),
            ],
        ),
    )?;
    if diverging {
        let width = 256u32;
        let rgba: Vec<u8> = (0..width)
            .flat_map(|i| {
                let t = i as f32 / (width - 1) as f32 * 2.0 - 1.0;
                let [r, g, b] = diverging_colour(t);
                [r, g, b, 255]
            })
            .collect();
        put_rgba(&bar, width, 1, &rgba)?;
    }
    Ok(())
}

/// Positions an overlay element over the input as `rect` (in input pixels).
fn place(element: &HtmlElement, rect: Rect, (height, width): (usize, usize)) -> PageResult {
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
pub fn selection(settings: &Settings, frame: &Frame, arithmetic: &CellArithmetic) -> PageResult {
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
    let map_id = if settings.view == View::Conv {
        "feature"
    } else {
        "pooled"
    };
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
    arithmetic_panel(settings, arithmetic)
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

fn arithmetic_panel(settings: &Settings, arithmetic: &CellArithmetic) -> PageResult {
    let panel: Element = by_id("arithmetic")?;
    clear(&panel);
    let (y, x) = arithmetic.cell;
    let w = arithmetic.window;
    let pool = settings.view == View::Pool;
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
    for channel in &arithmetic.channels {
        let block = element("div", "channel", "")?;
        block.set_attribute("data-channel", channel.channel)?;
        block.set_attribute("data-result", &channel.result.to_string())?;
        let table = element("table", "patch", "")?;
        let caption = element(
            "caption",
            "",
            &fill(
                t().channel_caption,
                &[("name", &t().channel(channel.channel))],
            ),
        )?;
        table.append_child(&caption)?;
        for row in channel.terms.chunks(channel.columns.max(1)) {
            let tr = document()?.create_element("tr")?;
            for term in row {
                let text = if pool {
                    number(term.value)
                } else {
                    format!(
                        "{}×{}",
                        number(term.value),
                        signed(&weight_text(term.weight))
                    )
                };
                let td = element("td", "", &text)?;
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
            format!(
                "{}({}) = {}",
                settings.pool.name(),
                values.join(", "),
                number(channel.result)
            )
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

/// The stack view's table, totals, note and the lecture's architecture table. Rows of
/// layers that did not run (beyond the demo's budget, or flat) are marked.
pub fn stack(facts: &StackFacts, ran: usize, selected: usize, channels: usize) -> PageResult {
    let (_, height, width) = facts.architecture.input;
    let colour = if channels == 1 {
        t().stack_gray
    } else {
        t().stack_rgb
    };
    set_text("stack-input-size", &format!("{height} × {width}, {colour}"))?;
    set_text("stack-note", &facts.note)?;
    set_text("stack-total-parameters", &facts.total_parameters)?;
    set_text("stack-total-flops", &facts.total_multiply_adds)?;
    let body = by_id::<Element>("stack-table")?
        .query_selector("tbody")?
        .ok_or_else(|| js_error("the stack table has no body"))?;
    clear(&body);
    for (index, row) in facts.rows.iter().enumerate() {
        let tr = element("tr", if index < ran { "" } else { "not-run" }, "")?;
        tr.set_attribute("data-layer", &index.to_string())?;
        tr.set_attribute("tabindex", "0")?;
        if index == selected {
            tr.set_attribute("aria-current", "true")?;
        }
        let cells = [
            (index + 1).to_string(),
            row.pytorch.clone(),
            row.output.clone(),
            row.parameters.clone(),
            row.multiply_adds.clone(),
            row.receptive_field.clone(),
            row.jump.clone(),
        ];
        for (column, text) in cells.iter().enumerate() {
            let td = element("td", "", text)?;
            if column == 1 {
                td.set_class_name("code");
            }
            tr.append_child(&td)?;
        }
        body.append_child(&tr)?;
    }
    let table = by_id::<Element>("architectures")?
        .query_selector("tbody")?
        .ok_or_else(|| js_error("the architecture table has no body"))?;
    if table.child_element_count() == 0 {
        for cells in architecture_rows() {
            let tr = element("tr", "", "")?;
            for text in cells {
                tr.append_child(&*element("td", "", &text)?)?;
            }
            table.append_child(&tr)?;
        }
    }
    Ok(())
}

/// The chosen layer's feature maps (up to 16 channels), each on its own gray scale.
pub fn stack_maps(
    facts: &StackFacts,
    output: Option<&Tensor>,
    layer: usize,
    rgba: &mut Vec<u8>,
) -> PageResult {
    let grid: Element = by_id("stack-maps")?;
    clear(&grid);
    by_id::<HtmlElement>("stack-window")?.set_hidden(true);
    let Some(report) = facts.reports.get(layer) else {
        return Ok(());
    };
    // The words, then the layer as code.
    let title: Element = by_id("stack-maps-title")?;
    title.set_text_content(Some(&fill(t().maps_title, &[("layer", &(layer + 1))])));
    title.append_child(&*element(
        "code",
        "",
        &report.layer.pytorch(report.input.0),
    )?)?;
    let Some(output) = output else {
        let why = if report.output.1 == 1 && report.output.2 == 1 {
            fill(t().maps_vector, &[("n", &report.output.0)])
        } else {
            fill(
                t().maps_not_run,
                &[(
                    "budget",
                    &crate::pipeline::group_digits(crate::pipeline::STACK_BUDGET),
                )],
            )
        };
        return set_text("stack-maps-note", &why);
    };
    let shown = output.channels().min(16);
    set_text(
        "stack-maps-note",
        &fill(
            t().maps_note,
            &[
                ("shown", &shown),
                ("total", &output.channels()),
                ("height", &output.height()),
                ("width", &output.width()),
            ],
        ),
    )?;
    for channel in 0..shown {
        draw_channel(output, channel, rgba).map_err(js_error)?;
        let label = fill(t().map_channel, &[("n", &(channel + 1))]);
        let testid = format!("stack-map-{channel}");
        grid.append_child(&*figure(output, rgba, &label, &testid)?)?;
    }
    Ok(())
}

/// Outlines, on the network's input, what cell `cell` of layer `layer` sees.
pub fn stack_window(facts: &StackFacts, layer: usize, cell: (usize, usize)) -> PageResult {
    let window: HtmlElement = by_id("stack-window")?;
    let field = facts.reports.get(layer).and_then(|r| r.receptive_field);
    let rect = field.and_then(|f| f.rect(cell));
    let (_, height, width) = facts.architecture.input;
    match rect {
        Some(rect) => {
            window.set_hidden(false);
            place(&window, rect, (height, width))?;
            set_text(
                "stack-note",
                &fill(
                    t().stack_window,
                    &[
                        ("layer", &(layer + 1)),
                        ("y", &cell.0),
                        ("x", &cell.1),
                        ("top", &rect.top),
                        ("bottom", &(rect.bottom - 1)),
                        ("left", &rect.left),
                        ("right", &(rect.right - 1)),
                        ("height", &rect.height()),
                        ("width", &rect.width()),
                    ],
                ),
            )
        }
        None => {
            window.set_hidden(true);
            Ok(())
        }
    }
}

/// The step-by-step view at its current position: the grid with the window's taps (and
/// their weights) marked and the padding hatched, the output filled in up to this
/// position, the products and their sum, and the formulas.
pub fn steps(settings: &Settings, facts: &StepsFacts) -> PageResult {
    let input = &facts.input;
    let (height, width) = (input.height(), input.width());
    let pads = facts.pads;
    let arithmetic = &facts.arithmetic;
    let channel = arithmetic.channels.first();
    // Where each tap of the window falls, and with which weight.
    let mut taps = std::collections::HashMap::new();
    if let Some(channel) = channel {
        let columns = channel.columns.max(1);
        for (index, term) in channel.terms.iter().enumerate() {
            let (m, n) = ((index / columns) as i64, (index % columns) as i64);
            let step = arithmetic.step as i64;
            taps.insert(
                (
                    arithmetic.window.top + m * step,
                    arithmetic.window.left + n * step,
                ),
                *term,
            );
        }
    }
    let pool = settings.op != crate::settings::StepOperation::Conv;
    let grid: Element = by_id("steps-input")?;
    clear(&grid);
    let table = element("table", "", "")?;
    for y in -(pads.top as i64)..(height + pads.bottom) as i64 {
        let tr = element("tr", "", "")?;
        for x in -(pads.left as i64)..(width + pads.right) as i64 {
            let inside = y >= 0 && x >= 0 && (y as usize) < height && (x as usize) < width;
            let td = element("td", if inside { "" } else { "pad" }, "")?;
            if inside {
                let cell: HtmlInputElement = document()?.create_element("input")?.dyn_into()?;
                cell.set_type("text");
                cell.set_attribute("inputmode", "decimal")?;
                cell.set_attribute("data-y", &y.to_string())?;
                cell.set_attribute("data-x", &x.to_string())?;
                cell.set_attribute(
                    "aria-label",
                    &fill(
                        t().grid_cell_aria,
                        &[("row", &(y + 1)), ("column", &(x + 1))],
                    ),
                )?;
                cell.set_value(&number(
                    input.get(0, 0, y as usize, x as usize).unwrap_or(0.0),
                ));
                td.append_child(&cell)?;
            } else {
                let source = |i: i64, n: usize| settings.padding_mode.source(i as isize, n);
                let value = match (source(y, height), source(x, width)) {
                    (Some(r), Some(c)) => input.get(0, 0, r, c).unwrap_or(0.0),
                    _ => 0.0,
                };
                td.set_text_content(Some(&number(value)));
                td.set_title(&fill(
                    t().padded_title,
                    &[("mode", &t().padding_mode(settings.padding_mode))],
                ));
            }
            if let Some(term) = taps.get(&(y, x)) {
                td.class_list().add_1("tap")?;
                if term.chosen {
                    td.class_list().add_1("chosen")?;
                }
                if !pool {
                    td.append_child(&*element(
                        "sub",
                        "",
                        &format!("×{}", weight_text(term.weight)),
                    )?)?;
                }
            }
            tr.append_child(&td)?;
        }
        table.append_child(&tr)?;
    }
    grid.append_child(&table)?;
    set_text("steps-input-size", &format!("{height} × {width}"))?;
    by_id::<HtmlSelectElement>("grid-size")?.set_value(&height.to_string());

    let output = &facts.output;
    let out: Element = by_id("steps-output")?;
    clear(&out);
    let table = element("table", "", "")?;
    for y in 0..output.height() {
        let tr = element("tr", "", "")?;
        for x in 0..output.width() {
            let index = y * output.width() + x;
            let (class, text) = match index.cmp(&facts.step) {
                std::cmp::Ordering::Less => ("", number(output.get(0, 0, y, x).unwrap_or(0.0))),
                std::cmp::Ordering::Equal => {
                    ("current", number(output.get(0, 0, y, x).unwrap_or(0.0)))
                }
                std::cmp::Ordering::Greater => ("future", "·".to_string()),
            };
            tr.append_child(&*element("td", class, &text)?)?;
        }
        table.append_child(&tr)?;
    }
    out.append_child(&table)?;
    set_text(
        "steps-output-size",
        &format!("{} × {}", output.height(), output.width()),
    )?;

    let (y, x) = arithmetic.cell;
    set_text(
        "steps-position",
        &fill(
            t().steps_position,
            &[
                ("step", &(facts.step + 1)),
                ("positions", &facts.positions),
                ("y", &y),
                ("x", &x),
            ],
        ),
    )?;
    let sum = channel.map_or_else(String::new, |channel| {
        let result = number(channel.result);
        if pool {
            let values: Vec<String> = channel.terms.iter().map(|t| number(t.value)).collect();
            format!("{}({}) = {result}", settings.op.name(), values.join(", "))
        } else {
            let products: Vec<String> = channel
                .terms
                .iter()
                .map(|t| format!("{}·{}", number(t.value), signed(&weight_text(t.weight))))
                .collect();
            format!("{} = {result}", products.join(" + "))
        }
    });
    set_text("steps-sum", &sum)?;
    set_text("steps-formula-h", &facts.formulas[0])?;
    set_text("steps-formula-w", &facts.formulas[1])?;
    let scrubber: HtmlInputElement = by_id("steps-scrubber")?;
    scrubber.set_max(&facts.positions.to_string());
    scrubber.set_value(&(facts.step + 1).to_string());
    Ok(())
}

/// The play button's face.
pub fn steps_playing(playing: bool) -> PageResult {
    let button: HtmlElement = by_id("steps-play")?;
    button.set_attribute("aria-pressed", if playing { "true" } else { "false" })?;
    button.set_text_content(Some(if playing { t().pause } else { t().play }));
    Ok(())
}

/// The 1D view: the padded sequence, the outputs, the selected output's sum, and the
/// weight matrix of the equivalent fully connected layer.
pub fn one_d(settings: &Settings, facts: &OneDFacts, selected: usize) -> PageResult {
    let (x, w) = (&settings.sequence, &settings.taps);
    let (s, d) = (settings.stride, settings.dilation);
    let selected = selected.min(facts.output.len().saturating_sub(1));
    let start = (selected * s) as i64 - facts.padding.0 as i64;
    let tap_of = |j: i64| (0..w.len()).find(|&k| start + (k * d) as i64 == j);
    let rows: Element = by_id("oned-rows")?;
    clear(&rows);
    let table = element("table", "", "")?;
    // x, with the padding drawn.
    let tr = element("tr", "", "")?;
    tr.append_child(&*element("th", "", "x")?)?;
    for j in -(facts.padding.0 as i64)..(x.len() + facts.padding.1) as i64 {
        let inside = j >= 0 && (j as usize) < x.len();
        let value = if inside { x[j as usize] } else { 0.0 };
        let td = element("td", if inside { "" } else { "pad" }, &number(value))?;
        if let Some(k) = tap_of(j) {
            td.class_list().add_1("tap")?;
            td.append_child(&*element("sub", "", &format!("×w{}", k + 1))?)?;
        }
        tr.append_child(&td)?;
    }
    table.append_child(&tr)?;
    // z, one focusable cell per output.
    let tr = element("tr", "", "")?;
    tr.append_child(&*element("th", "", "z")?)?;
    for (i, value) in facts.output.iter().enumerate() {
        let td = element(
            "td",
            if i == selected { "z current" } else { "z" },
            &number(*value),
        )?;
        td.set_attribute("data-z", &i.to_string())?;
        td.set_attribute("tabindex", "0")?;
        td.set_attribute("aria-label", &format!("z{}: {}", i + 1, number(*value)))?;
        tr.append_child(&td)?;
    }
    table.append_child(&tr)?;
    rows.append_child(&table)?;
    set_text(
        "oned-size",
        &fill(
            t().oned_size,
            &[
                ("inputs", &x.len()),
                ("taps", &w.len()),
                ("outputs", &facts.output.len()),
            ],
        ),
    )?;
    // The sum for the selected output, symbol by symbol and then with numbers.
    let mut symbols = Vec::new();
    let mut numbers = Vec::new();
    for (k, &weight) in w.iter().enumerate() {
        let j = start + (k * d) as i64;
        let value = if j >= 0 && (j as usize) < x.len() {
            x[j as usize]
        } else {
            0.0
        };
        symbols.push(format!("w{}·x{}", k + 1, j + 1));
        numbers.push(format!(
            "{}·{}",
            signed(&weight_text(weight)),
            number(value)
        ));
    }
    let z = facts.output.get(selected).copied().unwrap_or(0.0);
    set_text(
        "oned-sum",
        &format!(
            "z{} = {} = {} = {}",
            selected + 1,
            symbols.join(" + "),
            numbers.join(" + "),
            number(z)
        ),
    )?;
    set_text("oned-formula", &facts.formula)?;
    set_text("oned-parameters", &facts.parameters)?;
    // The matrix: rows are outputs, columns inputs; each weight keeps its colour.
    let matrix: Element = by_id("oned-matrix")?;
    clear(&matrix);
    let table = element("table", "", "")?;
    let header = element("tr", "", "")?;
    header.append_child(&*element("th", "", "")?)?;
    for j in 0..x.len() {
        header.append_child(&*element("th", "", &format!("x{}", j + 1))?)?;
    }
    table.append_child(&header)?;
    for (i, row) in facts.matrix.iter().enumerate() {
        let tr = element("tr", if i == selected { "selected" } else { "" }, "")?;
        tr.append_child(&*element("th", "", &format!("z{}", i + 1))?)?;
        for entry in row {
            let td = match entry {
                Some(k) => element("td", &format!("w{k}"), &format!("w{}", k + 1))?,
                None => element("td", "zero", "0")?,
            };
            tr.append_child(&td)?;
        }
        table.append_child(&tr)?;
    }
    matrix.append_child(&table)?;
    Ok(())
}

/// The channels view: for each output channel, its three per-channel parts, their sum,
/// and the layer's numbers.
pub fn channels(settings: &Settings, facts: &ChannelsFacts, rgba: &mut Vec<u8>) -> PageResult {
    let grid: Element = by_id("channels-grid")?;
    clear(&grid);
    let kernel = if settings.spatial {
        fill(
            t().channels_kernel,
            &[("height", &facts.kernel.0), ("width", &facts.kernel.1)],
        )
    } else {
        "1×1".to_string()
    };
    for (o, parts) in facts.parts.iter().enumerate() {
        let row = element("div", "mix-row", "")?;
        for (c, (part, name)) in parts.iter().zip(["R", "G", "B"]).enumerate() {
            let weight = settings.mix[o][c];
            let caption = format!("{} · {name} ({kernel})", weight_text(weight));
            row.append_child(&*map_figure(
                part,
                0,
                settings.display,
                &caption,
                &format!("channels-part-{o}-{c}"),
                rgba,
            )?)?;
            let op = match (c, settings.bias != 0.0) {
                (0 | 1, _) => "+".to_string(),
                (_, true) => format!("+ {} =", number(settings.bias)),
                (_, false) => "=".to_string(),
            };
            row.append_child(&*element("span", "op", &op)?)?;
        }
        let caption = fill(t().output_channel, &[("n", &(o + 1))]);
        row.append_child(&*map_figure(
            &facts.output,
            o,
            settings.display,
            &caption,
            &format!("channels-out-{o}"),
            rgba,
        )?)?;
        grid.append_child(&row)?;
    }
    set_text("channels-parameters", &facts.parameters)?;
    set_text("channels-flops", &facts.flops)?;
    set_text("channels-pytorch", &facts.pytorch)
}

/// A figure with one channel of `map` drawn with `mapping`, and a caption.
fn map_figure(
    map: &Tensor,
    channel: usize,
    mapping: DisplayMapping,
    caption: &str,
    testid: &str,
    rgba: &mut Vec<u8>,
) -> PageResult<HtmlElement> {
    let plane = map.plane(0, channel).unwrap_or_default().to_vec();
    let one = Tensor::new(1, map.height(), map.width(), plane).map_err(js_error)?;
    crate::pipeline::draw(&one, mapping, rgba).map_err(js_error)?;
    figure(map, rgba, caption, testid)
}

/// A figure holding a canvas of `map`'s size with `rgba` on it, and a caption.
fn figure(map: &Tensor, rgba: &[u8], caption: &str, testid: &str) -> PageResult<HtmlElement> {
    let figure = element("figure", "", "")?;
    let canvas: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
    canvas.set_attribute("data-testid", testid)?;
    canvas.set_attribute("aria-label", caption)?;
    put_rgba(&canvas, map.width() as u32, map.height() as u32, rgba)?;
    figure.append_child(&canvas)?;
    figure.append_child(&*element("figcaption", "", caption)?)?;
    Ok(figure)
}

/// Fills the shortcut list from the one table the key handler reads.
pub fn help_keys() -> PageResult {
    let body = by_id::<Element>("help-keys")?
        .query_selector("tbody")?
        .ok_or_else(|| js_error("the shortcut table has no body"))?;
    clear(&body);
    for (key, _, what) in crate::shortcuts::SHORTCUTS {
        let what = what(t());
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
    }
    Ok(())
}

/// Shows or hides the shortcut list; returns whether it is now shown.
pub fn toggle_help(show: Option<bool>) -> PageResult<bool> {
    let help: HtmlElement = by_id("help")?;
    let shown = show.unwrap_or(help.hidden());
    help.set_hidden(!shown);
    if shown {
        by_id::<HtmlElement>("help-close")?.focus()?;
    }
    Ok(shown)
}
