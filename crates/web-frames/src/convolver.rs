//! One convolution (or pooling) of RGBA frames, set up once and run on frame after frame:
//! the page's live path (`shell::maps` in convlens-web, through `from_query`) and the
//! benchmark (`bench/`) drive it; anyone can, from JavaScript:
//!
//! ```js
//! const conv = new Convolver('edges', 1, 1, 0, 'zeros', 'all', 'clamp');
//! const out = new Uint8Array(4 * conv.output_width(w, h) * conv.output_height(w, h));
//! conv.run(rgba, w, h, out); // out now holds the feature map as RGBA
//! ```
//!
//! Names are those of the page's URL (see `convlens_web::settings`), parsed by the same
//! code.

use convlens_core::frame::{FrameConv, FramePool};
use convlens_core::geometry::PaddingMode;
use convlens_core::{
    Channels, ConvParams, DisplayMapping, Kernel, Padding, PoolFunction, PoolParams, Preset,
    Result as CoreResult, Tensor,
};
use wasm_bindgen::prelude::*;

/// One convolution or pooling of frames, with its buffers kept between frames.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Convolver {
    operation: Operation,
    /// The channels the map is computed on.
    channels: Channels,
    /// The feature map of the last `run_map` (or `run`), in 0..255 units.
    map: Tensor,
    /// The RGBA output, reused from frame to frame.
    rgba: Vec<u8>,
}

#[derive(Debug)]
enum Operation {
    Conv(FrameConv),
    Pool(FramePool),
}

/// A core failure as a JavaScript `Error`, in English (the core's own text).
fn js(error: convlens_core::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// The channels by the URL's name (`all` or `rgb`, `r`, `g`, `b`, `gray`).
fn channels(name: &str) -> Result<Channels, JsError> {
    match name {
        "rgb" => Ok(Channels::All),
        _ => Channels::from_name(name).map_err(js),
    }
}

/// Stride, dilation and padding (`same`, `valid` or pixels on every side) as the page's.
fn conv_params(
    stride: u32,
    dilation: u32,
    padding: &str,
    padding_mode: &str,
    channels: Channels,
) -> Result<ConvParams, JsError> {
    let padding = match padding.trim() {
        "same" => Padding::Same,
        "valid" => Padding::Valid,
        pixels => Padding::uniform(pixels.parse().map_err(|_| {
            JsError::new(&format!(
                "padding {pixels:?} is not a number of pixels, 'same' or 'valid'"
            ))
        })?),
    };
    Ok(ConvParams {
        stride: (size(stride), size(stride)),
        padding,
        padding_mode: PaddingMode::from_name(padding_mode).map_err(js)?,
        dilation: (size(dilation), size(dilation)),
        groups: channels.count(),
    })
}

fn size(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// The output side as JavaScript gets it (sides are far below `u32::MAX`).
fn side(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Convolver {
    fn with(operation: Operation, channels: Channels) -> Result<Convolver, JsError> {
        Ok(Convolver {
            operation,
            channels,
            map: Tensor::new(1, 1, 1, vec![0.0]).map_err(js)?,
            rgba: Vec::new(),
        })
    }

    fn output_size(&self, width: u32, height: u32) -> CoreResult<(usize, usize)> {
        let (height, width) = (size(height), size(width));
        match &self.operation {
            Operation::Conv(conv) => conv.output_size(height, width),
            Operation::Pool(pool) => pool.output_size(height, width),
        }
    }
}

#[wasm_bindgen]
impl Convolver {
    /// A depthwise convolution of the chosen channels, drawn with `display`.
    ///
    /// `kernel` is a preset's URL name (`edges`, `sobel-left`, `gaussian-5`, ...) or
    /// weights (`"1,0,-1;2,0,-2;1,0,-1"`, fractions allowed); `padding` is pixels on
    /// every side; `padding_mode` is `zeros`, `reflect`, `replicate` or `circular`;
    /// `channels` is `all` (or `rgb`), `r`, `g`, `b` or `gray`; `display` is `clamp`,
    /// `abs`, `normalize` or `diverging`.
    ///
    /// # Errors
    /// Any value the page would reject.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kernel: &str,
        stride: u32,
        dilation: u32,
        padding: u32,
        padding_mode: &str,
        channels: &str,
        display: &str,
    ) -> Result<Convolver, JsError> {
        // Presets are named with letters; weights start with a number or a sign.
        let kernel = kernel.trim();
        let kernel = if kernel.starts_with(|c: char| c.is_ascii_alphabetic()) {
            Preset::from_slug(kernel).map_err(js)?.kernel()
        } else {
            Kernel::parse(kernel).map_err(js)?
        };
        let padding = padding.to_string();
        Convolver::conv(
            kernel.weights(),
            side(kernel.height()),
            side(kernel.width()),
            stride,
            dilation,
            &padding,
            padding_mode,
            channels,
            display,
        )
    }

    /// The page's convolution: the kernel's `weights` row by row (`height x width`),
    /// `padding` as `same`, `valid` or pixels on every side; the other names as
    /// [`Convolver::new`]'s.
    ///
    /// # Errors
    /// Settings no engine can plan.
    #[allow(clippy::too_many_arguments)]
    pub fn conv(
        weights: &[f32],
        height: u32,
        width: u32,
        stride: u32,
        dilation: u32,
        padding: &str,
        padding_mode: &str,
        channels: &str,
        display: &str,
    ) -> Result<Convolver, JsError> {
        let kernel = Kernel::new(size(height), size(width), weights.to_vec()).map_err(js)?;
        let channels = self::channels(channels)?;
        let params = conv_params(stride, dilation, padding, padding_mode, channels)?;
        let display = DisplayMapping::from_name(display).map_err(js)?;
        let conv = FrameConv::new(&kernel, &params, channels, display).map_err(js)?;
        Convolver::with(Operation::Conv(conv), channels)
    }

    /// Pooling of the chosen channels: `function` is `max`, `mean` or `min`, the window
    /// `size x size`, `stride` 0 for the window size (PyTorch's default).
    ///
    /// # Errors
    /// Any value the page would reject.
    pub fn pool(
        function: &str,
        size: u32,
        stride: u32,
        channels: &str,
    ) -> Result<Convolver, JsError> {
        let params = PoolParams {
            stride: (stride != 0).then(|| (self::size(stride), self::size(stride))),
            ..PoolParams::square(self::size(size))
        };
        let channels = self::channels(channels)?;
        let function = PoolFunction::from_name(function).map_err(js)?;
        let pool = FramePool::new(function, &params, channels).map_err(js)?;
        Convolver::with(Operation::Pool(pool), channels)
    }

    /// The output's width for a `width x height` frame.
    ///
    /// # Errors
    /// A frame the operation cannot apply to (e.g. smaller than the kernel).
    pub fn output_width(&self, width: u32, height: u32) -> Result<u32, JsError> {
        Ok(side(self.output_size(width, height).map_err(js)?.1))
    }

    /// The output's height for a `width x height` frame.
    ///
    /// # Errors
    /// As [`Convolver::output_width`].
    pub fn output_height(&self, width: u32, height: u32) -> Result<u32, JsError> {
        Ok(side(self.output_size(width, height).map_err(js)?.0))
    }

    /// RGBA bytes in, RGBA bytes out: what the page does with each frame. `out` must
    /// hold `4 * output_width * output_height` bytes; it is written once, straight from
    /// the module's memory (a `&mut [u8]` would also be copied in and back).
    ///
    /// # Errors
    /// A buffer of the wrong length, or a frame the operation cannot apply to.
    pub fn run(
        &mut self,
        rgba: &[u8],
        width: u32,
        height: u32,
        out: &js_sys::Uint8Array,
    ) -> Result<(), JsError> {
        let (width, height) = (size(width), size(height));
        match &mut self.operation {
            Operation::Conv(conv) => conv.run(rgba, width, height, &mut self.rgba).map_err(js)?,
            Operation::Pool(pool) => pool.run(rgba, width, height, &mut self.rgba).map_err(js)?,
        };
        if out.length() as usize != self.rgba.len() {
            return Err(JsError::new(&format!(
                "the output buffer holds {} bytes but the output frame is {} bytes",
                out.length(),
                self.rgba.len()
            )));
        }
        out.copy_from(&self.rgba);
        Ok(())
    }

    /// The convolution (or pooling) alone: the feature map is computed into the handle's
    /// own storage and not converted to RGBA.
    ///
    /// # Errors
    /// As [`Convolver::run`].
    pub fn run_map(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<(), JsError> {
        let (width, height) = (size(width), size(height));
        match &mut self.operation {
            Operation::Conv(conv) => conv
                .run_map(rgba, width, height, &mut self.map)
                .map_err(js)?,
            Operation::Pool(pool) => pool
                .run_map(rgba, width, height, &mut self.map)
                .map_err(js)?,
        }
        Ok(())
    }

    /// The sum of the last feature map's values (from `run_map`), so that a caller can
    /// check the map without copying it out.
    pub fn map_sum(&self) -> f64 {
        self.map.data().iter().map(|&v| f64::from(v)).sum()
    }

    /// The last feature map's shape (from `run_map`): channels, height, width.
    pub fn map_shape(&self) -> Vec<u32> {
        let shape = self.map.shape();
        vec![side(shape.channels), side(shape.height), side(shape.width)]
    }

    /// The last feature map's values (from `run_map`), channel by channel, row by row.
    pub fn map(&self) -> Vec<f32> {
        self.map.data().to_vec()
    }

    /// The name of the algorithm that computes the map.
    pub fn path(&self) -> String {
        match &self.operation {
            Operation::Conv(conv) => conv.path(),
            Operation::Pool(_) => "pooling",
        }
        .to_string()
    }

    /// How many channels the map has (3 for `all`, else 1).
    pub fn channels(&self) -> u32 {
        side(self.channels.count())
    }
}
