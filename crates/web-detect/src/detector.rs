//! The handles JavaScript holds: `Detector` (MTCNN) and `Matcher` (template matching).

use convlens_core::detect::{self, Detection, Mtcnn, Template};
use convlens_core::image::rgba_to_tensor;
use convlens_core::{Channels, Tensor};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A core failure as a JavaScript `Error`, in English (the core's own text).
fn js(error: convlens_core::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// MTCNN's two stages with their weights, and the last detection.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Detector {
    net: Mtcnn,
    last: Option<Detection>,
}

#[wasm_bindgen]
impl Detector {
    /// Reads the networks from the bytes of a weights file.
    ///
    /// # Errors
    /// A file that is not the detector's weights, or is damaged.
    #[wasm_bindgen(constructor)]
    pub fn new(weights: &[u8]) -> Result<Detector, JsError> {
        Ok(Detector {
            net: Mtcnn::decode(weights).map_err(js)?,
            last: None,
        })
    }

    /// Fetches the weights file at `url` (the page's own `data/mtcnn.bin`) and reads it.
    ///
    /// # Errors
    /// A failed request, or as [`Detector::new`].
    pub async fn load(url: String) -> Result<Detector, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
            .await?
            .dyn_into()?;
        if !response.ok() {
            return Err(JsError::new(&format!("{url}: HTTP {}", response.status())).into());
        }
        let bytes = JsFuture::from(response.array_buffer()?).await?;
        Detector::new(&Uint8Array::new(&bytes).to_vec()).map_err(Into::into)
    }

    /// Finds the faces in a `width x height` RGBA frame: five numbers a face (x, y,
    /// width, height, score), by decreasing score. See `convlens_web_detect::settings`.
    ///
    /// # Errors
    /// A setting out of range, or a buffer that is not `4 · width · height` bytes.
    pub fn detect(
        &mut self,
        rgba: &[u8],
        width: u32,
        height: u32,
        min_face: f32,
        threshold: f32,
        rnet: bool,
    ) -> Result<Vec<f32>, JsError> {
        let rgb =
            rgba_to_tensor(rgba, width as usize, height as usize, Channels::All).map_err(js)?;
        let settings = crate::settings(min_face, threshold, rnet);
        let detection = self.net.detect(&rgb, &settings).map_err(js)?;
        let boxes = crate::boxes(&detection);
        self.last = Some(detection);
        Ok(boxes)
    }

    /// P-Net's proposals in the last detection.
    pub fn proposals(&self) -> u32 {
        self.last.as_ref().map_or(0, |d| d.proposals.len() as u32)
    }

    /// The levels of the last detection's pyramid.
    pub fn levels(&self) -> u32 {
        self.last.as_ref().map_or(0, |d| d.levels.len() as u32)
    }

    /// Writes the last detected frame (`rgba`, its `width x height`) with its heat map
    /// and boxes into `out` (`4 · width · height` bytes).
    ///
    /// # Errors
    /// No detection yet, or a frame of another size.
    pub fn draw(
        &self,
        rgba: &[u8],
        width: u32,
        height: u32,
        out: &mut [u8],
    ) -> Result<(), JsError> {
        let detection = self
            .last
            .as_ref()
            .ok_or_else(|| JsError::new("nothing detected yet"))?;
        if out.len() != rgba.len() {
            return Err(JsError::new("the output is not the frame's size"));
        }
        out.copy_from_slice(rgba);
        detect::draw(out, width as usize, height as usize, detection, true).map_err(js)
    }
}

/// A patch of a frame as the kernel: plain correlation and normalised cross-correlation.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Matcher {
    template: Template,
    channels: Channels,
}

#[wasm_bindgen]
impl Matcher {
    /// The `w x h` patch at `(x, y)` of a `width x height` RGBA frame, on `channels`
    /// (`all` or `gray`, ...).
    ///
    /// # Errors
    /// A patch outside the frame or over 64x64, an unknown channel name.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // a frame, its size and a rectangle
    pub fn new(
        rgba: &[u8],
        width: u32,
        height: u32,
        x: u32,
        y: u32,
        w: u32,
        h: u32,
        channels: &str,
    ) -> Result<Matcher, JsError> {
        let channels = Channels::from_name(channels).map_err(js)?;
        let frame = rgba_to_tensor(rgba, width as usize, height as usize, channels).map_err(js)?;
        let patch =
            detect::cut(&frame, x as usize, y as usize, w as usize, h as usize).map_err(js)?;
        Ok(Matcher {
            template: Template::new(patch).map_err(js)?,
            channels,
        })
    }

    /// Both maps of a frame, one after the other (plain correlation, then NCC), each
    /// `(height − h + 1) x (width − w + 1)`.
    ///
    /// # Errors
    /// A frame smaller than the patch.
    pub fn run(&self, rgba: &[u8], width: u32, height: u32) -> Result<Vec<f32>, JsError> {
        let frame: Tensor =
            rgba_to_tensor(rgba, width as usize, height as usize, self.channels).map_err(js)?;
        let m = self.template.matches(&frame).map_err(js)?;
        let mut out = m.correlation.into_data();
        out.extend_from_slice(m.ncc.data());
        Ok(out)
    }
}
