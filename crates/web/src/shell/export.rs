//! Downloads for slides: the input, the kernel (a grid of numbers), the feature map at
//! its own pixel size, the whole panel (input | kernel | map) as PNG, and the
//! step-by-step animation as an animated GIF.
//!
//! PNGs come from canvases (the page's own, or offscreen ones drawn here); the kernel
//! and the GIF's frames are drawn by [`crate::figure`] and the GIF is encoded by
//! [`crate::gif`], all in Rust.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Event, EventTarget, HtmlCanvasElement};

use crate::dom::{by_id, context_2d, document, js_error, put_rgba, window, PageResult};
use crate::figure::{self, Picture, PALETTE};
use crate::message::Message;
use crate::settings::Settings;
use crate::shell::state::{Change, Shell};
use crate::views::steps::{steps_facts, StepOperation};

/// What a download button does with the current settings.
type Action = fn(&Settings) -> PageResult;

/// Wires the download buttons.
pub fn wire(shell: &Shell) -> PageResult {
    let buttons: [(&str, Action); 5] = [
        ("export-input", |_| {
            download_canvas(&by_id("input-frame")?, "convlens-input.png")
        }),
        ("export-kernel", |settings| {
            download_canvas(
                &picture_canvas(&kernel_picture(settings))?,
                "convlens-kernel.png",
            )
        }),
        ("export-map", |settings| {
            let (id, name) = map_canvas(settings);
            download_canvas(&by_id(id)?, &format!("convlens-{name}.png"))
        }),
        ("export-panel", |settings| {
            download_canvas(&panel(settings)?, "convlens-panel.png")
        }),
        ("export-gif", download_gif),
    ];
    for (id, action) in buttons {
        shell.on(
            &by_id::<EventTarget>(id)?,
            "click",
            move |shell, _: Event| {
                let settings = shell.state.borrow().settings.clone();
                action(&settings)?;
                Ok(Change::None)
            },
        )?;
    }
    Ok(())
}

/// The canvas holding the current view's map, and its file name.
fn map_canvas(settings: &Settings) -> (&'static str, &'static str) {
    let id = crate::views::of(settings)
        .page()
        .map_canvas()
        .unwrap_or("feature-map");
    (id, id)
}

/// The kernel as a grid with its weights written as the page writes them.
fn kernel_picture(settings: &Settings) -> Picture {
    let kernel = settings.kernel.kernel();
    let labels: Vec<String> = kernel
        .weights()
        .iter()
        .map(|&w| crate::shell::render::weight_text(w))
        .collect();
    figure::kernel(
        kernel.height(),
        kernel.width(),
        kernel.weights(),
        &labels,
        crate::shell::embed::line_width(settings),
    )
}

/// A detached canvas of the given size and its 2D context.
fn offscreen(width: u32, height: u32) -> PageResult<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas: HtmlCanvasElement = document()?.create_element("canvas")?.dyn_into()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = context_2d(&canvas)?;
    Ok((canvas, context))
}

/// A detached canvas with `picture` on it, pixel for pixel.
fn picture_canvas(picture: &Picture) -> PageResult<HtmlCanvasElement> {
    let (canvas, _) = offscreen(picture.width as u32, picture.height as u32)?;
    put_rgba(
        &canvas,
        picture.width as u32,
        picture.height as u32,
        &picture.rgba(),
    )?;
    Ok(canvas)
}

/// Input | kernel | map side by side on white: the input at its size, the kernel grid
/// centred beside it (convolution only), the map scaled to the input's height with
/// square pixels (no smoothing).
fn panel(settings: &Settings) -> PageResult<HtmlCanvasElement> {
    let input: HtmlCanvasElement = by_id("input-frame")?;
    let map: HtmlCanvasElement = by_id(map_canvas(settings).0)?;
    let kernel = (settings.view == "conv")
        .then(|| picture_canvas(&kernel_picture(settings)))
        .transpose()?;
    // Room between the parts for the operator written in it: input ∗ kernel = map,
    // or input → map for pooling.
    let gap = PANEL_GAP;
    let height = f64::from(input.height());
    let scale = height / f64::from(map.height().max(1));
    let map_width = (f64::from(map.width()) * scale).round();
    let kernel_size = kernel.as_ref().map_or((0.0, 0.0), |k| {
        (f64::from(k.width()), f64::from(k.height()))
    });
    let width = f64::from(input.width())
        + gap
        + if kernel.is_some() {
            kernel_size.0 + gap
        } else {
            0.0
        }
        + map_width;
    let total_height = height.max(kernel_size.1);
    // Every part centred on one line.
    let middle = |h: f64| ((total_height - h) / 2.0).floor();
    let (canvas, context) = offscreen(width as u32, total_height as u32)?;
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, width, total_height);
    context.set_image_smoothing_enabled(false);
    context.draw_image_with_html_canvas_element(&input, 0.0, middle(height))?;
    let mut left = f64::from(input.width());
    let operator = |symbol: &str, at: f64| -> PageResult {
        context.set_fill_style_str("#1d232b");
        context.set_font(&format!("bold {}px sans-serif", (gap * 0.6).round()));
        context.set_text_align("center");
        context.set_text_baseline("middle");
        context.fill_text(symbol, at + gap / 2.0, total_height / 2.0)
    };
    if let Some(kernel) = &kernel {
        operator("∗", left)?;
        left += gap;
        context.draw_image_with_html_canvas_element(kernel, left, middle(kernel_size.1))?;
        left += kernel_size.0;
        operator("=", left)?;
    } else {
        operator("→", left)?;
    }
    left += gap;
    context.draw_image_with_html_canvas_element_and_dw_and_dh(
        &map,
        left,
        middle(height),
        map_width,
        height,
    )?;
    Ok(canvas)
}

/// The room between the parts of the whole-panel figure, where their operator stands.
const PANEL_GAP: f64 = 48.0;

/// Saves a canvas as a PNG file.
fn download_canvas(canvas: &HtmlCanvasElement, name: &str) -> PageResult {
    download(&canvas.to_data_url()?, name)
}

/// Starts a download of `url` named `name` through a temporary link.
fn download(url: &str, name: &str) -> PageResult {
    let link: web_sys::HtmlAnchorElement = document()?.create_element("a")?.dyn_into()?;
    link.set_href(url);
    link.set_download(name);
    let body = document()?.body().ok_or_else(|| js_error("no body"))?;
    body.append_child(&link)?;
    link.click();
    body.remove_child(&link)?;
    Ok(())
}

/// Every window position of the step-by-step view, drawn and encoded as a looping GIF,
/// each frame shown as long as the chosen play speed.
fn download_gif(settings: &Settings) -> PageResult {
    let positions = match steps_facts(settings) {
        Ok(facts) => facts.positions,
        Err(error) => return crate::shell::render::message(Some(Message::Error(error))),
    };
    let pool = settings.steps.op != StepOperation::Conv;
    let line = crate::shell::embed::line_width(settings);
    let delay_ms = by_id::<web_sys::HtmlSelectElement>("steps-speed")?
        .value()
        .parse()
        .unwrap_or(1000);
    let mut encoder: Option<crate::gif::Encoder> = None;
    for step in 0..positions {
        // Each position drawn from its own copy of the settings: the page stays as it is.
        let mut at = settings.clone();
        at.steps.step = step;
        let facts = match steps_facts(&at) {
            Ok(facts) => facts,
            Err(error) => return crate::shell::render::message(Some(Message::Error(error))),
        };
        let picture = figure::steps(&facts, pool, line);
        if encoder.is_none() {
            encoder = Some(
                crate::gif::Encoder::new(picture.width, picture.height, &PALETTE, delay_ms)
                    .map_err(js_error)?,
            );
        }
        if let Some(encoder) = encoder.as_mut() {
            encoder.frame(&picture.pixels).map_err(js_error)?;
        }
    }
    let Some(encoder) = encoder else {
        return crate::shell::render::message(Some(Message::NoPositions));
    };
    let bytes = encoder.finish().map_err(js_error)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/gif");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    download(&url, "convlens-steps.gif")?;
    // The download has its own copy by then; free the blob a little later.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}
