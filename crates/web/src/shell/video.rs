//! Webcam frames without a canvas round trip: WebCodecs' `VideoFrame.copyTo` converts
//! the camera's frame straight into RGBA bytes, several times faster than drawing the
//! video on a canvas and reading it back with `getImageData` (which also undoes the
//! canvas's premultiplied alpha). Where a browser lacks `VideoFrame` or cannot convert
//! to RGBA, the page keeps the canvas path.
//!
//! Called through `Reflect` rather than web-sys's bindings, which are still behind
//! `web_sys_unstable_apis`.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlVideoElement, ImageData};

use crate::dom::{window, PageResult};

/// One frame size's buffers, kept while the size stays: the bytes `copyTo` writes, and an
/// `ImageData` over the same bytes that draws them on the input canvas.
pub struct VideoFrames {
    /// Width and height in pixels.
    pub size: (u32, u32),
    bytes: Uint8Array,
    image: ImageData,
    options: Object,
}

/// A frame being copied: close it once the copy settles.
pub struct Copying {
    frame: JsValue,
    /// Resolves when the bytes are in, rejects when this browser cannot convert.
    pub done: Promise,
}

impl Copying {
    /// Releases the camera frame (frames are a scarce resource of the capture pipeline).
    pub fn close(&self) {
        close(&self.frame);
    }
}

/// Closes a `VideoFrame`.
fn close(frame: &JsValue) {
    if let Ok(close) = Reflect::get(frame, &"close".into()) {
        if let Some(close) = close.dyn_ref::<Function>() {
            let _ = close.call0(frame);
        }
    }
}

/// The browser's `VideoFrame` constructor, if it has one.
fn constructor() -> Option<Function> {
    let window = window().ok()?;
    Reflect::get(&window, &"VideoFrame".into())
        .ok()?
        .dyn_into()
        .ok()
}

impl VideoFrames {
    /// Whether this browser has `VideoFrame` at all.
    pub fn supported() -> bool {
        constructor().is_some()
    }

    /// Buffers for `width x height` frames.
    pub fn new(width: u32, height: u32) -> PageResult<Self> {
        let bytes = Uint8Array::new_with_length(width * height * 4);
        let clamped = Uint8ClampedArray::new(&bytes.buffer());
        let image = ImageData::new_with_js_u8_clamped_array_and_sh(&clamped, width, height)?;
        let options = Object::new();
        Reflect::set(&options, &"format".into(), &"RGBA".into())?;
        Ok(VideoFrames {
            size: (width, height),
            bytes,
            image,
            options,
        })
    }

    /// Starts copying the video's current frame as RGBA into the buffer. `None` when the
    /// video's frame is not the buffers' size (the caller then uses the canvas path).
    pub fn copy(&self, video: &HtmlVideoElement) -> PageResult<Option<Copying>> {
        let constructor = constructor().ok_or_else(|| JsValue::from("no VideoFrame"))?;
        let frame = Reflect::construct(&constructor, &js_sys::Array::of1(video))?;
        let read = |name: &str| {
            Reflect::get(&frame, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0)
        };
        let (width, height) = self.size;
        if read("displayWidth") != f64::from(width) || read("displayHeight") != f64::from(height) {
            close(&frame);
            return Ok(None);
        }
        let copy_to: Function = Reflect::get(&frame, &"copyTo".into())?.dyn_into()?;
        let done = copy_to
            .call2(&frame, &self.bytes, &self.options)?
            .dyn_into()?;
        Ok(Some(Copying { frame, done }))
    }

    /// Copies the frame's bytes into `out` (one copy into the module's memory).
    pub fn read_into(&self, out: &mut Vec<u8>) {
        out.resize(self.bytes.length() as usize, 0);
        self.bytes.copy_to(out);
    }

    /// The frame's bytes as an `ImageData`, to draw on the input canvas.
    pub fn image(&self) -> &ImageData {
        &self.image
    }
}

impl std::fmt::Debug for VideoFrames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoFrames").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Copying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copying").finish_non_exhaustive()
    }
}
