//! Sizing the pictures for the screen: the input and its map as large as the first screen
//! allows, the map at its true scale relative to the input (a stride-2 map half as wide)
//! unless "fit" enlarges it to the input's box; enlarged pictures stay pixelated, shrunk
//! ones are resampled smoothly (the browser's high-quality filter into a copy at the
//! screen's resolution: no dropped one-pixel lines, no moiré).

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

use crate::dom::{by_id, context_2d, document, window, PageResult};

/// The room the shell keeps around a picture for the padding ring and the outline.
const RING: f64 = 14.0;

/// What an image view asks of the layout.
#[derive(Debug, Clone, Copy)]
pub struct Pictures<'a> {
    /// The map canvas's id.
    pub map: &'a str,
    /// Padding around the input, in input pixels: top, right, bottom, left.
    pub pads: [usize; 4],
    /// Whether the map is enlarged to the input's box ("fit") instead of drawn at its
    /// true scale.
    pub fit: bool,
    /// Embed mode, which fits the pictures to its frame itself.
    pub embed: bool,
    /// Live webcam video: the browser scales its frames as they come (a smooth copy of
    /// every frame would cost the frame rate); stills and frozen frames get the copy.
    pub video: bool,
}

/// Sizes the input and the map of an image view to the first screen.
///
/// # Errors
/// A missing element.
pub fn image_view(pictures: Pictures<'_>) -> PageResult {
    let input: HtmlCanvasElement = by_id("input-frame")?;
    let map: HtmlCanvasElement = by_id(pictures.map)?;
    // Embed mode fits its frame itself (`shell::embed`).
    if pictures.embed {
        for canvas in [&input, &map] {
            canvas.style().remove_property("width")?;
            canvas.style().remove_property("height")?;
            canvas.set_attribute("data-shown", "pixelated")?;
            refresh(canvas)?;
        }
        return Ok(());
    }
    let row: HtmlElement = by_id("stage")?;
    let (in_w, in_h) = (f64::from(input.width()), f64::from(input.height()));
    let (out_w, out_h) = (f64::from(map.width()), f64::from(map.height()));
    if in_w < 2.0 || out_w < 1.0 {
        return Ok(());
    }
    let [top, right, bottom, left] = pictures.pads.map(|p| p as f64);
    let viewport_h = window()?.inner_height()?.as_f64().unwrap_or(800.0);
    let viewport_w = window()?.inner_width()?.as_f64().unwrap_or(1200.0);
    let row_top = row.get_bounding_client_rect().top() + window()?.scroll_y().unwrap_or(0.0);
    let input_panel: HtmlElement = by_id("input-panel")?;
    let map_panel = panel_of(&map)?;
    // What the panels hold besides their pictures (headings, captions, paddings).
    let chrome_h = |panel: &HtmlElement, canvas: &HtmlCanvasElement| {
        f64::from(panel.offset_height()) - f64::from(canvas.offset_height().max(0)) - 2.0 * RING
    };
    let chrome = chrome_h(&input_panel, &input)
        .max(chrome_h(&map_panel, &map))
        .max(40.0);
    // The row's other items (the kernel, the magnifier) keep their widths; the two
    // picture panels keep what surrounds their pictures (paddings, the ring).
    let gap = computed_px(&row, "column-gap").unwrap_or(12.0);
    let children = row.children();
    let mut others: f64 = 0.0;
    let mut items: f64 = 2.0;
    for index in 0..children.length() {
        let Some(child) = children
            .item(index)
            .and_then(|c| c.dyn_into::<HtmlElement>().ok())
        else {
            continue;
        };
        if child == input_panel || child.contains(Some(&map_panel)) || child.offset_width() == 0 {
            continue;
        }
        items += 1.0;
        others += f64::from(child.offset_width());
    }
    let chrome_w = |panel: &HtmlElement, canvas: &HtmlCanvasElement| {
        (f64::from(panel.offset_width()) - f64::from(canvas.offset_width().max(0))).max(2.0 * RING)
    };
    let row_w = f64::from(row.client_width());
    let narrow = viewport_w < 760.0;
    let room_w = if narrow {
        // One picture per line on a phone.
        row_w - chrome_w(&input_panel, &input)
    } else {
        row_w
            - others
            - gap * (items - 1.0)
            - chrome_w(&input_panel, &input)
            - chrome_w(&map_panel, &map)
            - 2.0
    };
    let room_h = (viewport_h - row_top - chrome - 2.0 * RING - 8.0).max(120.0);
    let padded_w = in_w + left + right;
    let padded_h = in_h + top + bottom;
    let widths = if narrow {
        padded_w.max(out_w)
    } else if pictures.fit {
        2.0 * padded_w
    } else {
        padded_w + out_w
    };
    let scale = (room_w / widths).min(room_h / padded_h).max(0.05);
    let show = if pictures.video { live } else { place };
    show(&input, in_w * scale, in_h * scale)?;
    let map_scale = if pictures.fit {
        (in_w * scale / out_w).min(in_h * scale / out_h)
    } else {
        scale
    };
    show(&map, out_w * map_scale, out_h * map_scale)?;
    let stage: HtmlElement = by_id("input-stage")?;
    stage.set_attribute("data-scale", &format!("{scale:.4}"))?;
    stage
        .style()
        .set_property("--scale", &format!("{scale:.4}"))?;
    let margin = |pad: f64| format!("{:.2}px", RING + pad * scale);
    let style = stage.style();
    style.set_property("margin-top", &margin(top))?;
    style.set_property("margin-right", &margin(right))?;
    style.set_property("margin-bottom", &margin(bottom))?;
    style.set_property("margin-left", &margin(left))?;
    map.set_attribute("data-scale", &format!("{map_scale:.4}"))?;
    Ok(())
}

/// A length in CSS pixels of `element`'s computed `property`.
fn computed_px(element: &HtmlElement, property: &str) -> Option<f64> {
    window()
        .ok()?
        .get_computed_style(element)
        .ok()??
        .get_property_value(property)
        .ok()?
        .trim_end_matches("px")
        .parse()
        .ok()
}

/// The panel (`.panel`) holding `element`.
fn panel_of(element: &HtmlCanvasElement) -> PageResult<HtmlElement> {
    Ok(element
        .closest(".panel")?
        .and_then(|p| p.dyn_into::<HtmlElement>().ok())
        .unwrap_or_else(|| element.clone().unchecked_into()))
}

/// Shows `canvas` (one pixel per cell) at `width x height` CSS pixels: pixelated when
/// enlarged, through a smooth copy when shrunk.
///
/// # Errors
/// A missing element.
pub fn place(canvas: &HtmlCanvasElement, width: f64, height: f64) -> PageResult {
    let (width, height) = (width.round().max(1.0), height.round().max(1.0));
    let style = canvas.style();
    style.set_property("width", &format!("{width}px"))?;
    style.set_property("height", &format!("{height}px"))?;
    let shrunk = width < f64::from(canvas.width()) - 0.5;
    canvas.set_attribute("data-shown", if shrunk { "smooth" } else { "pixelated" })?;
    refresh(canvas)
}

/// Shows a live video `canvas` at `width x height` CSS pixels, scaled by the browser
/// (smoothly when shrunk, pixelated when enlarged), without a copy.
///
/// # Errors
/// A missing element.
pub fn live(canvas: &HtmlCanvasElement, width: f64, height: f64) -> PageResult {
    let (width, height) = (width.round().max(1.0), height.round().max(1.0));
    let style = canvas.style();
    style.set_property("width", &format!("{width}px"))?;
    style.set_property("height", &format!("{height}px"))?;
    let shrunk = width < f64::from(canvas.width()) - 0.5;
    canvas.set_attribute("data-shown", if shrunk { "live" } else { "pixelated" })?;
    smooth_copy(canvas, false).map(|_| ())
}

/// Redraws the smooth copy of `canvas` after its pixels changed (a live frame), if it is
/// shown shrunk.
///
/// # Errors
/// A missing element or context.
pub fn refresh(canvas: &HtmlCanvasElement) -> PageResult {
    let shrunk = canvas.get_attribute("data-shown").as_deref() == Some("smooth");
    let copy = smooth_copy(canvas, shrunk)?;
    let Some(copy) = copy else {
        return Ok(());
    };
    let ratio = window()?.device_pixel_ratio().max(1.0);
    let width = f64::from(canvas.client_width().max(1));
    let height = f64::from(canvas.client_height().max(1));
    let (w, h) = (
        (width * ratio).round() as u32,
        (height * ratio).round() as u32,
    );
    if copy.width() != w || copy.height() != h {
        copy.set_width(w);
        copy.set_height(h);
    }
    let style = copy.style();
    style.set_property("width", &format!("{width}px"))?;
    style.set_property("height", &format!("{height}px"))?;
    let context = context_2d(&copy)?;
    let source = halved(canvas, w, h)?;
    smooth(&context)?;
    context.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    context.draw_image_with_html_canvas_element_and_dw_and_dh(
        &source,
        0.0,
        0.0,
        f64::from(w),
        f64::from(h),
    )
}

/// Turns on the browser's best smoothing for drawing into `context`.
fn smooth(context: &CanvasRenderingContext2d) -> PageResult {
    context.set_image_smoothing_enabled(true);
    js_sys::Reflect::set(context, &"imageSmoothingQuality".into(), &"high".into())?;
    Ok(())
}

/// `canvas` halved (each step the browser's smoothing at exactly one half, which averages
/// 2x2 blocks) until it is less than twice `width x height`: no one-step downscale drops
/// lines or aliases, in any browser (Firefox's "high" quality alone still shows moiré).
fn halved(canvas: &HtmlCanvasElement, width: u32, height: u32) -> PageResult<HtmlCanvasElement> {
    let mut source = canvas.clone();
    while source.width() / 2 >= width.max(1) && source.height() / 2 >= height.max(1) {
        let (w, h) = (source.width() / 2, source.height() / 2);
        let half: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
        half.set_width(w);
        half.set_height(h);
        let context = context_2d(&half)?;
        smooth(&context)?;
        context.draw_image_with_html_canvas_element_and_dw_and_dh(
            &source,
            0.0,
            0.0,
            f64::from(w),
            f64::from(h),
        )?;
        source = half;
    }
    Ok(source)
}

/// The smooth copy beside `canvas` (made the first time), shown only when `shrunk`.
fn smooth_copy(canvas: &HtmlCanvasElement, shrunk: bool) -> PageResult<Option<HtmlCanvasElement>> {
    let parent = canvas.parent_element();
    let existing = match &parent {
        Some(parent) => parent.query_selector(":scope > canvas.smooth")?,
        None => None,
    };
    let copy = match (existing, shrunk, parent) {
        (Some(copy), _, _) => copy.dyn_into::<HtmlCanvasElement>()?,
        (None, false, _) | (None, true, None) => return Ok(None),
        (None, true, Some(parent)) => {
            let copy: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
            copy.set_class_name("smooth");
            copy.set_attribute("aria-hidden", "true")?;
            parent.insert_before(&copy, Some(canvas))?;
            copy
        }
    };
    copy.set_hidden(!shrunk);
    Ok(shrunk.then_some(copy))
}
