//! Small helpers over web-sys: finding elements, making them, listening to them, and
//! turning any failure into a JavaScript error instead of a panic.

use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, Document, Element, EventTarget, HtmlCanvasElement, HtmlElement,
    ImageData, PointerEvent, Window,
};

/// Any failure on the page, as text.
pub type PageResult<T = ()> = Result<T, JsValue>;

/// Turns any displayable error into a JavaScript `Error` (the page shows its message).
pub fn js_error(error: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&error.to_string()).into()
}

/// A core failure as a JavaScript `Error`, in the page's language (not the core's
/// English `Display`, which the page's module then leaves out).
pub fn core_error(error: convlens_core::Error) -> JsValue {
    js_sys::Error::new(&crate::i18n::t().error(&error)).into()
}

/// The window.
pub fn window() -> PageResult<Window> {
    web_sys::window().ok_or_else(|| js_error(crate::i18n::t().msg_no_window))
}

/// The document.
pub fn document() -> PageResult<Document> {
    window()?.document().ok_or_else(|| js_error("no document"))
}

/// The element with this id, as type `T`.
pub fn by_id<T: JsCast>(id: &str) -> PageResult<T> {
    document()?
        .get_element_by_id(id)
        .ok_or_else(|| js_error(format!("the page has no element #{id}")))?
        .dyn_into::<T>()
        .map_err(|_| js_error(format!("#{id} is not the expected kind of element")))
}

/// A new element with a class and text (text is never parsed as markup).
pub fn element(tag: &str, class: &str, text: &str) -> PageResult<HtmlElement> {
    let element = document()?.create_element(tag)?.dyn_into::<HtmlElement>()?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    Ok(element)
}

/// Sets the text of the element with this id.
pub fn set_text(id: &str, text: &str) -> PageResult {
    by_id::<Element>(id)?.set_text_content(Some(text));
    Ok(())
}

/// Puts an RGBA buffer of `width x height` pixels on `canvas`, one canvas pixel per
/// value (the canvas is resized when it differs; CSS scales it).
///
/// No copy is made here: the `ImageData` views the module's memory for this one call,
/// and the browser copies the pixels into the canvas.
pub fn put_rgba(canvas: &HtmlCanvasElement, width: u32, height: u32, rgba: &[u8]) -> PageResult {
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)?;
    sized_context(canvas, width, height)?.put_image_data(&image, 0.0, 0.0)
}

/// Puts `image` on `canvas`, resized to the picture first when it differs (no copy of
/// the pixels on this side).
///
/// # Errors
/// A canvas without a 2D context.
pub fn put_image(canvas: &HtmlCanvasElement, image: &ImageData) -> PageResult {
    sized_context(canvas, image.width(), image.height())?.put_image_data(image, 0.0, 0.0)
}

/// The 2D context of `canvas`, resized to `width x height` first when it differs.
fn sized_context(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
) -> PageResult<CanvasRenderingContext2d> {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    context_2d(canvas)
}

/// The pixels of `image` as the browser holds them (no copy).
pub fn pixels(image: &ImageData) -> PageResult<js_sys::Uint8ClampedArray> {
    js_sys::Reflect::get(image, &"data".into())?.dyn_into()
}

/// Milliseconds from `performance.now()` (0 where the browser has no clock).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

/// The 2D drawing context of `canvas`.
pub fn context_2d(canvas: &HtmlCanvasElement) -> PageResult<CanvasRenderingContext2d> {
    Ok(canvas
        .get_context("2d")?
        .ok_or_else(|| js_error(crate::i18n::t().msg_no_canvas))?
        .dyn_into::<CanvasRenderingContext2d>()?)
}

/// Every element matching the CSS `selector` that is a `T`, in document order.
pub fn all<T: JsCast>(selector: &str) -> PageResult<Vec<T>> {
    let found = document()?.query_selector_all(selector)?;
    Ok((0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<T>().ok())
        .collect())
}

/// Removes every child of `parent`.
pub fn clear(parent: &Element) {
    while let Some(child) = parent.first_child() {
        let _ = parent.remove_child(&child);
    }
}

/// Listens to `event` on `target` for the life of the page.
pub fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
    target: &EventTarget,
    event: &str,
    handler: impl FnMut(E) + 'static,
) -> PageResult {
    let closure = Closure::<dyn FnMut(E)>::new(handler);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    // The listener lives as long as the page, so its closure does too.
    closure.forget();
    Ok(())
}

/// A property of a JavaScript object as a string ("" if absent).
pub fn property(object: &JsValue, name: &str) -> String {
    js_sys::Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The `value` of the element an event happened on ("" if there is none).
pub fn event_value(event: &web_sys::Event) -> String {
    event
        .target()
        .map(|target| property(&target, "value"))
        .unwrap_or_default()
}

/// The message of a JavaScript error or rejection value, for people.
pub fn describe(error: &JsValue) -> String {
    if let Some(text) = error.as_string() {
        return text;
    }
    let name = property(error, "name");
    let message = property(error, "message");
    match (name.is_empty(), message.is_empty()) {
        (true, true) => crate::i18n::t().word_unknown_error.into(),
        (true, false) => message,
        (false, true) => name,
        (false, false) => format!("{name}: {message}"),
    }
}

/// The map cell `(row, column)` under the pointer on a canvas drawn one pixel per cell
/// (and scaled by CSS), or `None` outside it.
pub fn cell_under(event: &PointerEvent, canvas: &HtmlCanvasElement) -> Option<(usize, usize)> {
    let along = |offset: i32, shown: i32, cells: u32| {
        let cell = (f64::from(offset) / f64::from(shown.max(1)) * f64::from(cells)).floor();
        (cell >= 0.0 && cell < f64::from(cells)).then_some(cell as usize)
    };
    Some((
        along(event.offset_y(), canvas.client_height(), canvas.height())?,
        along(event.offset_x(), canvas.client_width(), canvas.width())?,
    ))
}

/// The number in an element's `data-` attribute (0 if absent: the page writes them all).
pub fn index_of(element: &Element, attribute: &str) -> usize {
    element
        .get_attribute(attribute)
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}
