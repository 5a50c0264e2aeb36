//! From RGBA frames (canvas, video) to tensors and back.
//!
//! Frames are row-major RGBA, 4 bytes a pixel, as `ImageData` holds them. Tensors keep
//! the 0..255 scale, so a convolution's output is in the same units as its input and
//! `display = clamp` shows `clamp(round(v), 0, 255)`.

use crate::error::{Error, Result};
use crate::tensor::{Shape, Tensor};

/// Which planes of a colour frame become the tensor's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Channels {
    /// Red, green and blue: three channels.
    #[default]
    All,
    /// Red alone.
    Red,
    /// Green alone.
    Green,
    /// Blue alone.
    Blue,
    /// Luminance, `0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601): one channel.
    Gray,
}

impl Channels {
    /// Every choice, in the order the demo lists them.
    pub const ALL: [Channels; 5] = [
        Channels::All,
        Channels::Red,
        Channels::Green,
        Channels::Blue,
        Channels::Gray,
    ];

    /// The URL name (`all`, `r`, `g`, `b`, `gray`).
    pub fn name(self) -> &'static str {
        match self {
            Channels::All => "all",
            Channels::Red => "r",
            Channels::Green => "g",
            Channels::Blue => "b",
            Channels::Gray => "gray",
        }
    }

    /// The choice with this URL name.
    ///
    /// # Errors
    /// An unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        // `rgb` is another name for all three.
        let name = if name == "rgb" {
            Channels::All.name()
        } else {
            name
        };
        Channels::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| Error::Unknown {
                what: crate::error::Named::Channel,
                name: crate::error::shorten(name),
            })
    }

    /// How many tensor channels the choice gives.
    pub fn count(self) -> usize {
        if self == Channels::All {
            3
        } else {
            1
        }
    }
}

/// How signed, unbounded feature-map values become 0..255 display intensities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DisplayMapping {
    /// `clamp(round(v), 0, 255)`: negatives go black, overflow white.
    #[default]
    Clamp,
    /// `clamp(round(|v|), 0, 255)`: strong responses of either sign go bright.
    Absolute,
    /// `(v - min) / (max - min)` stretched to 0..255 over the whole map (mid-gray if
    /// the map is constant).
    Normalize,
    /// Zero in the middle, scaled by the largest `|v|`. One channel: a blue-white-red
    /// colour map (safe for red-green colour blindness). Three channels: each channel
    /// around mid-gray 128.
    Diverging,
}

impl DisplayMapping {
    /// Every mapping, in the order the demo lists them.
    pub const ALL: [DisplayMapping; 4] = [
        DisplayMapping::Clamp,
        DisplayMapping::Absolute,
        DisplayMapping::Normalize,
        DisplayMapping::Diverging,
    ];

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            DisplayMapping::Clamp => "clamp",
            DisplayMapping::Absolute => "abs",
            DisplayMapping::Normalize => "normalize",
            DisplayMapping::Diverging => "diverging",
        }
    }

    /// The mapping with this URL name.
    ///
    /// # Errors
    /// An unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        DisplayMapping::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::Unknown {
                what: crate::error::Named::Display,
                name: crate::error::shorten(name),
            })
    }
}

/// The diverging colour map at `t` in `-1..=1`: blue for negative, white at 0, red for
/// positive (the end colours of ColorBrewer's RdBu). Values outside are clamped.
pub fn diverging_colour(t: f32) -> [u8; 3] {
    const NEGATIVE: [f32; 3] = [33.0, 102.0, 172.0];
    const ZERO: [f32; 3] = [247.0, 247.0, 247.0];
    const POSITIVE: [f32; 3] = [178.0, 24.0, 43.0];
    let t = if t.is_nan() { 0.0 } else { t.clamp(-1.0, 1.0) };
    let end = if t < 0.0 { NEGATIVE } else { POSITIVE };
    let a = t.abs();
    [0, 1, 2].map(|i| (ZERO[i] + (end[i] - ZERO[i]) * a).round() as u8)
}

/// Reads a `width x height` RGBA frame into a tensor of the chosen channels (alpha is
/// ignored), values 0..255.
///
/// # Errors
/// A zero or too large size, or a buffer that is not `4 * width * height` bytes.
pub fn rgba_to_tensor(
    rgba: &[u8],
    width: usize,
    height: usize,
    channels: Channels,
) -> Result<Tensor> {
    let shape = frame_shape(rgba, width, height, channels)?;
    let pixels = rgba.chunks_exact(4);
    let data: Vec<f32> = match channels {
        Channels::All => {
            let plane = shape.plane_len();
            let mut data = vec![0.0; 3 * plane];
            for (i, p) in pixels.enumerate() {
                data[i] = f32::from(p[0]);
                data[plane + i] = f32::from(p[1]);
                data[2 * plane + i] = f32::from(p[2]);
            }
            data
        }
        Channels::Red => pixels.map(|p| f32::from(p[0])).collect(),
        Channels::Green => pixels.map(|p| f32::from(p[1])).collect(),
        Channels::Blue => pixels.map(|p| f32::from(p[2])).collect(),
        Channels::Gray => pixels.map(luminance).collect(),
    };
    Tensor::new(channels.count(), height, width, data)
}

/// For each of `to` output cells along an axis of `from` input cells, the input cells it
/// covers and their share of its area (summing to 1): area averaging, separable, as
/// [`crate::detect::resize_area`] and the command line's resampling use it.
pub fn area_weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let ratio = from as f64 / to as f64;
    (0..to)
        .map(|i| {
            let (start, end) = (i as f64 * ratio, (i + 1) as f64 * ratio);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from);
            (first..last)
                .map(|j| {
                    let covered = end.min(j as f64 + 1.0) - start.max(j as f64);
                    (j, (covered / ratio) as f32)
                })
                .filter(|&(_, w)| w > 0.0)
                .collect()
        })
        .collect()
}

/// The shape of the tensor a `width x height` frame gives, checking the buffer's length.
pub(crate) fn frame_shape(
    rgba: &[u8],
    width: usize,
    height: usize,
    channels: Channels,
) -> Result<Shape> {
    let shape = Shape::new(1, channels.count(), height, width)?;
    if Some(rgba.len()) != width.checked_mul(height).and_then(|n| n.checked_mul(4)) {
        return Err(Error::DataLength {
            what: "RGBA frame (4 bytes per pixel)",
            expected: width.saturating_mul(height).saturating_mul(4),
            actual: rgba.len(),
        });
    }
    Ok(shape)
}

/// The luminance of one RGBA pixel, `0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601), in
/// the `f32` operations every path uses, so they agree to the bit.
#[inline]
pub(crate) fn luminance(pixel: &[u8]) -> f32 {
    0.299 * f32::from(pixel[0]) + 0.587 * f32::from(pixel[1]) + 0.114 * f32::from(pixel[2])
}

/// Writes the first image of a one- or three-channel tensor as an opaque RGBA frame into
/// `out` (resized to fit; its capacity is reused). One channel is drawn in gray (or the
/// diverging colour map), three as red, green and blue.
///
/// # Errors
/// A batch other than 1 or a channel count other than 1 or 3.
pub fn tensor_to_rgba(tensor: &Tensor, mapping: DisplayMapping, out: &mut Vec<u8>) -> Result<()> {
    let shape = tensor.shape();
    if shape.batch != 1 || !(shape.channels == 1 || shape.channels == 3) {
        return Err(Error::NotDrawable {
            batch: shape.batch,
            channels: shape.channels,
        });
    }
    let plane = shape.plane_len();
    let data = tensor.data();
    let (low, high) = tensor.min_max();
    let largest = low.abs().max(high.abs());
    let to_byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    let map = |v: f32| -> u8 {
        match mapping {
            DisplayMapping::Clamp => to_byte(v),
            DisplayMapping::Absolute => to_byte(v.abs()),
            DisplayMapping::Normalize if high > low => to_byte((v - low) / (high - low) * 255.0),
            DisplayMapping::Normalize => 128,
            DisplayMapping::Diverging if largest > 0.0 => to_byte(128.0 + 127.0 * v / largest),
            DisplayMapping::Diverging => 128,
        }
    };
    out.clear();
    out.resize(plane * 4, 255);
    for (i, pixel) in out.chunks_exact_mut(4).enumerate() {
        let rgb = if shape.channels == 3 {
            [map(data[i]), map(data[plane + i]), map(data[2 * plane + i])]
        } else if mapping == DisplayMapping::Diverging {
            diverging_colour(if largest > 0.0 {
                data[i] / largest
            } else {
                0.0
            })
        } else {
            [map(data[i]); 3]
        };
        pixel[..3].copy_from_slice(&rgb);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: [u8; 8] = [10, 20, 30, 255, 200, 100, 0, 7];

    #[test]
    fn frames_become_planes() {
        let all = rgba_to_tensor(&FRAME, 2, 1, Channels::All).unwrap();
        assert_eq!(all.data(), &[10.0, 200.0, 20.0, 100.0, 30.0, 0.0]);
        assert_eq!(
            rgba_to_tensor(&FRAME, 2, 1, Channels::Green)
                .unwrap()
                .data(),
            &[20.0, 100.0]
        );
        let gray = rgba_to_tensor(&FRAME, 2, 1, Channels::Gray).unwrap();
        assert!((gray.data()[1] - (0.299 * 200.0 + 0.587 * 100.0)).abs() < 1e-4);
        assert!(rgba_to_tensor(&FRAME, 3, 1, Channels::All).is_err());
        assert!(rgba_to_tensor(&[], 0, 0, Channels::All).is_err());
        assert!(rgba_to_tensor(&FRAME, usize::MAX, 2, Channels::All).is_err());
    }

    #[test]
    fn display_mappings() {
        let t = Tensor::new(1, 1, 4, vec![-300.0, -10.4, 127.5, 300.0]).unwrap();
        let draw = |mapping| {
            let mut out = Vec::new();
            tensor_to_rgba(&t, mapping, &mut out).unwrap();
            out.chunks(4).map(|p| p[0]).collect::<Vec<u8>>()
        };
        assert_eq!(draw(DisplayMapping::Clamp), [0, 0, 128, 255]);
        assert_eq!(draw(DisplayMapping::Absolute), [255, 10, 128, 255]);
        assert_eq!(draw(DisplayMapping::Normalize), [0, 123, 182, 255]);
        let mut out = Vec::new();
        tensor_to_rgba(&t, DisplayMapping::Diverging, &mut out).unwrap();
        assert_eq!(&out[..4], &[33, 102, 172, 255]);
        assert_eq!(&out[12..], &[178, 24, 43, 255]);
        assert_eq!(diverging_colour(0.0), [247, 247, 247]);
        assert_eq!(diverging_colour(f32::NAN), [247, 247, 247]);
    }

    #[test]
    fn colour_round_trip_and_bad_shapes() {
        let t = rgba_to_tensor(&FRAME, 2, 1, Channels::All).unwrap();
        let mut out = Vec::new();
        tensor_to_rgba(&t, DisplayMapping::Clamp, &mut out).unwrap();
        assert_eq!(out, [10, 20, 30, 255, 200, 100, 0, 255]);
        let two = Tensor::new(2, 1, 1, vec![0.0, 0.0]).unwrap();
        assert!(tensor_to_rgba(&two, DisplayMapping::Clamp, &mut out).is_err());
    }
}
