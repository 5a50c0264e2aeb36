//! Whole video frames at video rate: RGBA bytes in, RGBA bytes (or the feature map) out.
//!
//! [`FrameConv`] computes what the page's step-by-step path computes,
//! [`rgba_to_tensor`](crate::image::rgba_to_tensor) → [`depthwise_conv2d`](crate::depthwise_conv2d)
//! → [`tensor_to_rgba`](crate::image::tensor_to_rgba), and [`FramePool`] the same with
//! [`pool2d`](crate::pool2d), without building the intermediate tensors and with the
//! arithmetic chosen once per kernel, when the plan is made:
//!
//! - **integer** (`"integer 3x3"`, `"integer"`): on 8-bit channels (all but Gray), a kernel
//!   that is `scale` times small integers is summed in 16- or 32-bit integers. Edges, the
//!   Sobels, Sharpen and Identity have `scale = 1`; Blur and the Gaussians are integers
//!   over a power of two. With a power-of-two scale every partial sum of the `f32`
//!   reference is exact, so the integer sum *is* the reference's value and the bytes are
//!   identical. A kernel whose nonzero weights share one magnitude (the box blurs'
//!   `1/9`) is summed the same way and scaled once at the end. Sums that are never
//!   negative (no negative weights) may use all 16 bits (`u16`), which fits the 5x5
//!   Gaussian and boxes up to 15x15. A 1x1 kernel of weight 1 copies the padded input.
//! - **separable**: a rank-one kernel (a column times a row) larger than 3x3, such as the
//!   Gaussians, is applied as a vertical then a horizontal pass: `K_h + K_w` taps per
//!   pixel instead of `K_h K_w`, in integers when its factors are integers.
//! - **box**: a window mean (all weights equal) at stride and dilation 1 keeps running
//!   sums: per column (each output row adds one input row and drops one) and along the
//!   row (each pixel adds one column sum and drops one), the same cost for any size.
//! - **general**: any other kernel, every nonzero tap in `f32`, summed in the order of
//!   [`crate::conv`], so the values equal `depthwise_conv2d`'s to the bit.
//!
//! Paths that change the order of `f32` additions (separable and box with a scale that is
//! not a power of two, and float kernels) may differ from the reference in the last bits of
//! a value, which moves a byte by at most 1 where a value lies on a rounding boundary.
//!
//! How it runs: the padded input rows a kernel needs are built one at a time in a small
//! ring (padding and channel selection done there; bytes for the integer paths, `f32`
//! for the others), and each output row is one pass over contiguous slices of those
//! rows, a loop the compiler vectorises (SIMD on `wasm32` with `simd128`). With
//! `simd128`, an integer kernel of up to 9 taps on all channels drawn with `clamp` or
//! `abs` goes from the byte rows to the output's bytes in one hand-written pass (16
//! bytes a step: widen, multiply, add, shift, saturate to bytes). "All channels" keeps
//! the frame's RGBA interleaving: the four lanes of a pixel are summed side by side
//! (alpha too, a quarter of the work, which costs less than splitting and joining
//! planes) and alpha is written as 255 at the end. A stride along the width is handled by storing each padded row as
//! its `stride` phases (padded columns `0, s, 2s, ...`,
//! then `1, 1 + s, ...`), so a tap still reads a contiguous run.

use std::ops::{Add, Mul, Sub};

use crate::conv::ConvParams;
use crate::error::{positive, Result};
use crate::geometry::{PaddingMode, Pads};
use crate::image::{diverging_colour, frame_shape, luminance, Channels, DisplayMapping};
use crate::kernel::Kernel;
use crate::pool::{PoolFunction, PoolParams};
use crate::tensor::{Shape, Tensor};

/// 2^23: adding it to a value in `0..=255` leaves that value rounded to an integer (ties
/// to even) in the low bits of the sum's mantissa.
const MANTISSA_SHIFT: f32 = 8_388_608.0;

/// `clamp(round(v), 0, 255)` exactly as [`crate::image::tensor_to_rgba`] computes it
/// (rounding half away from zero; NaN gives 0), with only operations that vectorise on
/// every target (no float-to-integer conversion). Clamping first gives the same byte
/// because rounding is monotone and keeps 0 and 255. Then `v + 2^23` rounds `v` to the
/// nearest integer, ties to even; a tie that went down (`v - r == 0.5`) goes up instead.
#[inline(always)]
fn round_byte(v: f32) -> u8 {
    let v = if v > 0.0 { v } else { 0.0 };
    let v = if v < 255.0 { v } else { 255.0 };
    let shifted = v + MANTISSA_SHIFT;
    let nearest = shifted - MANTISSA_SHIFT;
    let tie_down = u32::from(v - nearest == 0.5);
    (shifted.to_bits() + tie_down) as u8
}

/// The number types a path stores or sums in: `u8` (the padded input rows of the
/// integer paths), `u16` (sums of kernels without negative weights), `i16`, `i32` or
/// `f32`.
trait Value:
    Copy
    + Default
    + PartialOrd
    + std::fmt::Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
{
    /// True for `i16` and `i32`.
    const INTEGER: bool;
    /// A channel byte.
    fn from_byte(byte: u8) -> Self;
    /// A luminance (only the `f32` paths read gray frames).
    fn from_gray(value: f32) -> Self;
    /// A weight; the plan only gives integer types integer weights that fit.
    fn from_weight(weight: f32) -> Self;
    /// The value as `f32` (exact for the integers the plans allow, below 2^24).
    fn to_f32(self) -> f32;
    /// `clamp(round(self / 2^shift), 0, 255)` (of `|self|` when `absolute`), where `half`
    /// is `2^shift / 2`: rounding half away from zero in the type's own lanes (integers
    /// only; the plans keep `|self| + half` within the type).
    fn shifted_byte(self, half: Self, shift: u32, absolute: bool) -> u8;
    /// The values as bytes, if they are bytes (the integer paths' input rows).
    fn bytes(values: &[Self]) -> Option<&[u8]> {
        let _ = values;
        None
    }
    /// Writes one RGBA output row straight from `n` (at most 9) weighted byte rows,
    /// summed in this type: `clamp(round(|sum| / 2^shift))`, alpha 255; false where this
    /// type has no such loop (then the row is summed, then converted).
    fn taps_to_bytes(
        inputs: &[&[u8]; 9],
        weights: &[f32; 9],
        n: usize,
        shift: u32,
        absolute: bool,
        out: &mut [u8],
    ) -> bool {
        let _ = (inputs, weights, n, shift, absolute, out);
        false
    }
}

macro_rules! integer_value {
    ($($t:ty: $abs:expr, {$($extra:item)*});*) => {$(
        impl Value for $t {
            const INTEGER: bool = true;
            #[inline(always)]
            fn from_byte(byte: u8) -> Self {
                Self::from(byte)
            }
            #[inline(always)]
            fn from_gray(value: f32) -> Self {
                value as Self
            }
            #[inline(always)]
            fn from_weight(weight: f32) -> Self {
                weight as Self
            }
            #[inline(always)]
            fn to_f32(self) -> f32 {
                self as f32
            }
            #[inline(always)]
            fn shifted_byte(self, half: Self, shift: u32, absolute: bool) -> u8 {
                let value = if absolute { $abs(self) } else { self };
                ((value + half) >> shift).clamp(0, 255) as u8
            }
            $($extra)*
        }
    )*};
}
integer_value!(
    u8: |v| v, {
        fn bytes(values: &[u8]) -> Option<&[u8]> {
            Some(values)
        }
    };
    u16: |v| v, {};
    i16: i16::abs, {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        fn taps_to_bytes(
            inputs: &[&[u8]; 9],
            weights: &[f32; 9],
            n: usize,
            shift: u32,
            absolute: bool,
            out: &mut [u8],
        ) -> bool {
            let weights = weights.map(|w| w as i16);
            let done = match inputs.first().filter(|_| n > 0) {
                Some(&first) => {
                    // 3, 6 or 9 taps (exact in any order), the missing ones of weight 0.
                    let mut inputs = *inputs;
                    inputs[n..].fill(first);
                    simd::taps_to_bytes(&inputs, &weights, n, shift, absolute, out)
                }
                None => 0,
            };
            let half = ((1u32 << shift) >> 1) as i16;
            for (x, o) in out.iter_mut().enumerate().skip(done) {
                let sum = (0..n).fold(0i16, |sum, t| sum + weights[t] * i16::from(inputs[t][x]));
                *o = if x % 4 == 3 { 255 } else { sum.shifted_byte(half, shift, absolute) };
            }
            true
        }
    };
    i32: i32::abs, {}
);

impl Value for f32 {
    const INTEGER: bool = false;
    #[inline(always)]
    fn from_byte(byte: u8) -> Self {
        f32::from(byte)
    }
    #[inline(always)]
    fn from_gray(value: f32) -> Self {
        value
    }
    #[inline(always)]
    fn from_weight(weight: f32) -> Self {
        weight
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn shifted_byte(self, _half: Self, shift: u32, absolute: bool) -> u8 {
        let value = self / (1u32 << shift) as f32;
        round_byte(if absolute { value.abs() } else { value })
    }
}

/// One nonzero weight of a kernel (or of one of its factors) and where it sits.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tap {
    row: usize,
    column: usize,
    weight: f32,
}

/// How a kernel is applied.
#[derive(Debug, Clone, PartialEq)]
enum Method {
    /// Every nonzero tap, in row-major order.
    Direct(Vec<Tap>),
    /// A column factor (taps with `column = 0`) then a row factor (`row = 0`).
    Separable { column: Vec<Tap>, row: Vec<Tap> },
    /// A window sum with running column sums (stride and dilation 1 only).
    Box,
}

/// Which number types carry the sums: the input rows and vertical sums, then the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbers {
    I16,
    I16I32,
    I32,
    /// All sums non-negative and below 2^16 (kernels without negative weights).
    U16,
    F32,
}

/// A kernel as `scale` times integers.
#[derive(Debug, Clone, PartialEq)]
struct IntegerForm {
    integers: Vec<i64>,
    scale: f32,
    /// `Some(n)` when `scale` is `2^-n`: the sums are then exact.
    shift: Option<u32>,
}

/// The largest `|sum|` an integer path may reach: below 2^24, every partial sum of the
/// `f32` reference is an exact integer multiple of the scale, and fits `i32` easily.
const EXACT_LIMIT: i64 = 1 << 24;

/// The largest sum a 16-bit path may reach.
const I16_LIMIT: i64 = i16::MAX as i64;

/// The largest sum an unsigned 16-bit path may reach.
const U16_LIMIT: i64 = u16::MAX as i64;

/// Writes a kernel as `scale` times integers whose sums over 8-bit input stay exact: with
/// a power-of-two scale (the smallest that works), or with the one magnitude all nonzero
/// weights share.
fn integer_form(weights: &[f32]) -> Option<IntegerForm> {
    let within =
        |integers: &[i64]| integers.iter().map(|a| a.abs()).sum::<i64>() * 255 < EXACT_LIMIT;
    for shift in 0..=24 {
        let factor = (1u32 << shift) as f32;
        if weights.iter().all(|w| (w * factor).fract() == 0.0) {
            let integers: Vec<i64> = weights.iter().map(|w| (w * factor) as i64).collect();
            return within(&integers).then_some(IntegerForm {
                integers,
                scale: 1.0 / factor,
                shift: Some(shift),
            });
        }
    }
    let magnitude = weights.iter().map(|w| w.abs()).find(|&w| w > 0.0)?;
    let integers: Option<Vec<i64>> = weights
        .iter()
        .map(|&w| {
            if w == magnitude {
                Some(1)
            } else if w == -magnitude {
                Some(-1)
            } else {
                (w == 0.0).then_some(0)
            }
        })
        .collect();
    let integers = integers?;
    within(&integers).then_some(IntegerForm {
        integers,
        scale: magnitude,
        shift: None,
    })
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// Integer factors `column`, `row` with `integers[m][k] = column[m] * row[k]`, if any.
fn integer_factors(integers: &[i64], width: usize) -> Option<(Vec<i64>, Vec<i64>)> {
    let pivot = integers.iter().position(|&a| a != 0)?;
    let first = &integers[pivot / width * width..][..width];
    let divisor = first.iter().fold(0, |g, &a| gcd(g, a));
    // The row divided by its gcd: then every other row's multiple of it is an integer.
    let row: Vec<i64> = first.iter().map(|a| a / divisor).collect();
    let k = pivot % width;
    let column: Vec<i64> = integers
        .chunks_exact(width)
        .map(|r| r[k] / row[k])
        .collect();
    let exact = integers
        .chunks_exact(width)
        .zip(&column)
        .all(|(r, c)| r.iter().zip(&row).all(|(&a, &b)| a == c * b));
    exact.then_some((column, row))
}

/// `f32` factors of a rank-one kernel, found in `f64` and accepted when they rebuild
/// every weight to within a millionth of the largest.
fn float_factors(weights: &[f32], width: usize) -> Option<(Vec<f32>, Vec<f32>)> {
    let (pivot, largest) =
        weights
            .iter()
            .map(|w| f64::from(w.abs()))
            .enumerate()
            .fold(
                (0, 0.0),
                |best, (i, w)| if w > best.1 { (i, w) } else { best },
            );
    if largest == 0.0 {
        return None;
    }
    let row: Vec<f64> = weights[pivot / width * width..][..width]
        .iter()
        .map(|&w| f64::from(w))
        .collect();
    let k = pivot % width;
    let column: Vec<f64> = weights
        .chunks_exact(width)
        .map(|r| f64::from(r[k]) / row[k])
        .collect();
    let close = weights.chunks_exact(width).zip(&column).all(|(r, c)| {
        r.iter()
            .zip(&row)
            .all(|(&w, b)| (f64::from(w) - c * b).abs() <= 1e-6 * largest)
    });
    close.then(|| {
        (
            column.iter().map(|&c| c as f32).collect(),
            row.iter().map(|&r| r as f32).collect(),
        )
    })
}

/// The nonzero entries of a factor as taps along `rows` (a column) or along columns.
fn factor_taps<T: Copy + Into<f64>>(factor: &[T], rows: bool) -> Vec<Tap> {
    factor
        .iter()
        .enumerate()
        .filter(|(_, &w)| w.into() != 0.0)
        .map(|(i, &w)| Tap {
            row: if rows { i } else { 0 },
            column: if rows { 0 } else { i },
            weight: w.into() as f32,
        })
        .collect()
}

/// The chosen path of a kernel.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    method: Method,
    numbers: Numbers,
    scale: f32,
    shift: Option<u32>,
    name: &'static str,
}

impl Choice {
    /// True for a 1x1 kernel of weight 1 on 8-bit channels: the output is the padded,
    /// strided input itself, copied rather than summed.
    fn is_identity(&self) -> bool {
        let unit = Tap {
            row: 0,
            column: 0,
            weight: 1.0,
        };
        matches!(&self.method, Method::Direct(taps) if taps[..] == [unit]) && self.shift == Some(0)
    }
}

/// The number types for vertical sums up to `vertical` and output sums up to `total`,
/// with room for the rounding half of a power-of-two `shift`; sums that are never
/// negative (`nonnegative` weights) may use all 16 bits.
fn numbers_for(vertical: i64, total: i64, shift: Option<u32>, nonnegative: bool) -> Numbers {
    let half = shift.map_or(0, |n| (1i64 << n) >> 1);
    match (vertical <= I16_LIMIT, total + half <= I16_LIMIT) {
        (true, true) => Numbers::I16,
        _ if nonnegative && total + half <= U16_LIMIT => Numbers::U16,
        (true, false) => Numbers::I16I32,
        _ => Numbers::I32,
    }
}

/// Classifies the kernel and picks the fastest exact path (see the module docs).
fn choose(kernel: &Kernel, params: &ConvParams, byte_input: bool) -> Choice {
    let (height, width) = (kernel.height(), kernel.width());
    let weights = kernel.weights();
    let taps: Vec<Tap> = weights
        .iter()
        .enumerate()
        .filter(|(_, &w)| w != 0.0)
        .map(|(i, &weight)| Tap {
            row: i / width,
            column: i % width,
            weight,
        })
        .collect();
    let large = taps.len() > 9;
    let unit_steps = params.stride == (1, 1) && params.dilation == (1, 1);
    if let Some(form) = integer_form(weights).filter(|_| byte_input) {
        let total = form.integers.iter().map(|a| a.abs()).sum::<i64>() * 255;
        let integer = |method, numbers, name| Choice {
            method,
            numbers,
            scale: form.scale,
            shift: form.shift,
            name,
        };
        let nonnegative = form.integers.iter().all(|&a| a >= 0);
        if large && unit_steps && form.integers.iter().all(|&a| a == 1) {
            return integer(Method::Box, numbers_for(0, total, form.shift, true), "box");
        }
        if large {
            if let Some((column, row)) = integer_factors(&form.integers, width) {
                let vertical = column.iter().map(|a| a.abs()).sum::<i64>() * 255;
                let column =
                    factor_taps(&column.iter().map(|&a| a as f64).collect::<Vec<_>>(), true);
                let row = factor_taps(&row.iter().map(|&a| a as f64).collect::<Vec<_>>(), false);
                if column.len() + row.len() < taps.len() {
                    return integer(
                        Method::Separable { column, row },
                        numbers_for(vertical, total, form.shift, nonnegative),
                        "separable",
                    );
                }
            }
        }
        let integers = taps
            .iter()
            .map(|t| Tap {
                weight: form.integers[t.row * width + t.column] as f32,
                ..*t
            })
            .collect();
        let name = if (height, width) == (3, 3) {
            "integer 3x3"
        } else {
            "integer"
        };
        return integer(
            Method::Direct(integers),
            numbers_for(total, total, form.shift, nonnegative),
            name,
        );
    }
    if large {
        if let Some((column, row)) = float_factors(weights, width) {
            let (column, row) = (factor_taps(&column, true), factor_taps(&row, false));
            if column.len() + row.len() < taps.len() {
                return Choice {
                    method: Method::Separable { column, row },
                    numbers: Numbers::F32,
                    scale: 1.0,
                    shift: None,
                    name: "separable",
                };
            }
        }
    }
    Choice {
        method: Method::Direct(taps),
        numbers: Numbers::F32,
        scale: 1.0,
        shift: None,
        name: "general",
    }
}

/// A run of padded row positions filled alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    /// `count` padding zeros from position `at`.
    Zero { at: usize, count: usize },
    /// Input columns `column, column + stride, ...` into positions `at..at + count`.
    Copy {
        at: usize,
        column: usize,
        count: usize,
    },
}

/// Where each padded column goes in a stored row, for one input size.
#[derive(Debug, Clone, Default, PartialEq)]
struct Layout {
    /// The input `(height, width)` it was made for.
    input: (usize, usize),
    /// The output `(height, width)`.
    output: (usize, usize),
    padded_width: usize,
    /// Where phase `p` (padded columns `p, p + stride, ...`) starts in a stored row.
    phase_start: Vec<usize>,
    segments: Vec<Segment>,
}

impl Layout {
    fn prepare(
        &mut self,
        input: (usize, usize),
        output: (usize, usize),
        pads: Pads,
        mode: PaddingMode,
        stride: usize,
    ) {
        if self.input == input && self.output == output && !self.phase_start.is_empty() {
            return;
        }
        let width = input.1;
        let padded_width = width + pads.left + pads.right;
        self.input = input;
        self.output = output;
        self.padded_width = padded_width;
        self.phase_start.clear();
        self.segments.clear();
        let mut at = 0;
        for phase in 0..stride.min(padded_width) {
            self.phase_start.push(at);
            for px in (phase..padded_width).step_by(stride) {
                let source = mode.source(px as isize - pads.left as isize, width);
                self.push(at, source, stride);
                at += 1;
            }
        }
    }

    fn push(&mut self, at: usize, source: Option<usize>, stride: usize) {
        match (self.segments.last_mut(), source) {
            (Some(Segment::Zero { count, .. }), None) => *count += 1,
            (
                Some(Segment::Copy {
                    column, count: n, ..
                }),
                Some(c),
            ) if n
                .checked_mul(stride)
                .and_then(|step| step.checked_add(*column))
                == Some(c) =>
            {
                *n += 1
            }
            (_, None) => self.segments.push(Segment::Zero { at, count: 1 }),
            (_, Some(column)) => self.segments.push(Segment::Copy {
                at,
                column,
                count: 1,
            }),
        }
    }

    /// The position in a stored row of padded column `offset` (of output column 0).
    fn start(&self, offset: usize, stride: usize) -> usize {
        self.phase_start[offset % stride] + offset / stride
    }
}

/// The frame being read, and how its rows are padded.
#[derive(Debug, Clone, Copy)]
struct Source<'a> {
    rgba: &'a [u8],
    width: usize,
    height: usize,
    channels: Channels,
    /// 4 for all channels (the RGBA bytes, alpha computed and ignored), else 1.
    lanes: usize,
    top: usize,
    mode: PaddingMode,
    stride: usize,
}

impl Source<'_> {
    /// Builds padded row `py` (in the layout's phase order) into `row`.
    fn fill_row<V: Value>(&self, layout: &Layout, py: usize, row: &mut [V], bytes: &mut Vec<u8>) {
        let Some(y) = self
            .mode
            .source(py as isize - self.top as isize, self.height)
        else {
            row.fill(V::default());
            return;
        };
        let line = &self.rgba[y * self.width * 4..][..self.width * 4];
        if self.lanes == 4 && self.stride > 1 {
            // Gather whole pixels (4-byte moves) into phase order, then convert the
            // bytes in one contiguous, vectorised pass.
            bytes.resize(row.len(), 0);
            for segment in &layout.segments {
                match *segment {
                    Segment::Zero { at, count } => bytes[at * 4..][..count * 4].fill(0),
                    Segment::Copy { at, column, count } => gather_pixels(
                        &line[column * 4..],
                        self.stride,
                        &mut bytes[at * 4..][..count * 4],
                    ),
                }
            }
            for (o, &b) in row.iter_mut().zip(bytes.iter()) {
                *o = V::from_byte(b);
            }
            return;
        }
        let lanes = self.lanes;
        for segment in &layout.segments {
            match *segment {
                Segment::Zero { at, count } => {
                    row[at * lanes..][..count * lanes].fill(V::default());
                }
                Segment::Copy { at, column, count } => {
                    let pixels = &line[column * 4..];
                    self.convert(pixels, &mut row[at * lanes..][..count * lanes]);
                }
            }
        }
    }

    /// Converts every `stride`-th pixel of `pixels` into `out`, until `out` is full.
    fn convert<V: Value>(&self, pixels: &[u8], out: &mut [V]) {
        let lane = match self.channels {
            // (With a stride, `fill_row` gathers the pixels first.)
            Channels::All => {
                for (o, &b) in out.iter_mut().zip(pixels) {
                    *o = V::from_byte(b);
                }
                return;
            }
            Channels::Gray => {
                let picked = pixels.chunks_exact(4).step_by(self.stride);
                for (o, p) in out.iter_mut().zip(picked) {
                    *o = V::from_gray(luminance(p));
                }
                return;
            }
            Channels::Red => 0,
            Channels::Green => 1,
            Channels::Blue => 2,
        };
        if self.stride == 1 {
            for (o, p) in out.iter_mut().zip(pixels.chunks_exact(4)) {
                *o = V::from_byte(p[lane]);
            }
        } else {
            let picked = pixels.chunks_exact(4).step_by(self.stride);
            for (o, p) in out.iter_mut().zip(picked) {
                *o = V::from_byte(p[lane]);
            }
        }
    }
}

/// Copies every `stride`-th pixel of `pixels` into `out` until it is full.
fn gather_pixels(pixels: &[u8], stride: usize, out: &mut [u8]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (pixels, out) = simd::gather_pixels(pixels, stride, out);
    for (o, p) in out
        .chunks_exact_mut(4)
        .zip(pixels.chunks(stride.saturating_mul(4)))
    {
        o.copy_from_slice(&p[..4]);
    }
}

/// `acc += sum over taps of weight * input`, the taps taken in order so that `f32` sums
/// keep the reference's order.
#[inline(always)]
fn fused<I: Value, H: Value + From<I>, const N: usize>(
    inputs: &[&[I]; 9],
    weights: &[H; 9],
    acc: &mut [H],
) {
    let n = acc.len();
    let rows: [&[I]; N] = std::array::from_fn(|t| &inputs[t][..n]);
    let w: [H; N] = std::array::from_fn(|t| weights[t]);
    for (x, a) in acc.iter_mut().enumerate() {
        let mut sum = *a;
        for t in 0..N {
            sum = sum + w[t] * H::from(rows[t][x]);
        }
        *a = sum;
    }
}

/// [`fused`] for `n` taps (1 to 9). Kept out of line: one copy per number type serves
/// every caller, which keeps the module small. Integer sums are exact in any order, so
/// they take 3, 5, 7 or 9 taps (the Gaussians' and the 3x3 kernels' counts), the missing
/// ones of weight 0: four loops, not nine.
#[inline(never)]
fn fused_taps<I: Value, H: Value + From<I>>(
    n: usize,
    inputs: &[&[I]; 9],
    weights: &[H; 9],
    acc: &mut [H],
) {
    if H::INTEGER {
        let mut inputs = *inputs;
        let first = inputs[0];
        inputs[n.min(9)..].fill(first);
        return match n {
            0..=3 => fused::<I, H, 3>(&inputs, weights, acc),
            4..=5 => fused::<I, H, 5>(&inputs, weights, acc),
            6..=7 => fused::<I, H, 7>(&inputs, weights, acc),
            _ => fused::<I, H, 9>(&inputs, weights, acc),
        };
    }
    match n {
        1 => fused::<I, H, 1>(inputs, weights, acc),
        2 => fused::<I, H, 2>(inputs, weights, acc),
        3 => fused::<I, H, 3>(inputs, weights, acc),
        4 => fused::<I, H, 4>(inputs, weights, acc),
        5 => fused::<I, H, 5>(inputs, weights, acc),
        6 => fused::<I, H, 6>(inputs, weights, acc),
        7 => fused::<I, H, 7>(inputs, weights, acc),
        8 => fused::<I, H, 8>(inputs, weights, acc),
        _ => fused::<I, H, 9>(inputs, weights, acc),
    }
}

/// Sums `count` weighted input rows into `acc`, nine taps per pass; `tap(i)` gives the
/// `i`-th input row (at least `acc.len()` long) and weight.
fn accumulate<'a, I: Value + 'a, H: Value + From<I>>(
    count: usize,
    tap: impl Fn(usize) -> (&'a [I], f32),
    acc: &mut [H],
) {
    if count == 0 {
        acc.fill(H::default());
    }
    for start in (0..count).step_by(9) {
        let n = (count - start).min(9);
        let mut inputs: [&[I]; 9] = [&[]; 9];
        let mut weights = [H::default(); 9];
        for i in 0..n {
            let (input, weight) = tap(start + i);
            inputs[i] = input;
            weights[i] = H::from_weight(weight);
        }
        if start == 0 {
            // 0 + x is x exactly: starting from zeros sums as the reference does.
            acc.fill(H::default());
        }
        fused_taps(n, &inputs, &weights, acc);
    }
}

/// A ring (or, for very sparse dilated kernels, one slot per kernel row) of padded input
/// rows in `R` (bytes for the integer paths), plus the rows a pass writes: vertical sums
/// in `C`, output sums in `H`.
#[derive(Debug, Clone, Default)]
struct Rows<R, C, H> {
    ring: Vec<R>,
    /// The padded row each slot holds (`usize::MAX`: none).
    held: Vec<usize>,
    /// Vertical sums (separable) or running column sums (box), one padded row.
    columns: Vec<C>,
    /// One output row.
    acc: Vec<H>,
    /// One padded row of RGBA bytes in phase order (strided rows of all channels).
    bytes: Vec<u8>,
}

/// The largest ring, in values, kept before falling back to one slot per kernel row.
const RING_LIMIT: usize = 1 << 22;

/// The plan of a [`FrameConv`], without its buffers.
#[derive(Debug, Clone, PartialEq)]
struct ConvPlan {
    kernel: (usize, usize),
    params: ConvParams,
    pads: Pads,
    channels: Channels,
    mapping: DisplayMapping,
    choice: Choice,
}

impl<R: Value, C: Value + From<R>, H: Value + From<R> + From<C>> Rows<R, C, H> {
    /// Runs the plan over the frame, handing each output row (`lanes` values a pixel)
    /// to `sink`.
    fn convolve(
        &mut self,
        plan: &ConvPlan,
        layout: &Layout,
        source: &Source<'_>,
        mut sink: impl FnMut(usize, Output<'_, R, H>) -> bool,
    ) {
        let Rows {
            ring,
            held,
            columns,
            acc,
            bytes,
        } = self;
        let lanes = source.lanes;
        let (out_h, out_w) = layout.output;
        let row_len = layout.padded_width * lanes;
        let out_len = out_w * lanes;
        let (stride_y, stride_x) = plan.params.stride;
        let (dilation_y, dilation_x) = plan.params.dilation;
        let kernel_h = plan.kernel.0;
        let is_box = plan.choice.method == Method::Box;
        let span = (kernel_h - 1) * dilation_y + 1 + usize::from(is_box);
        let in_ring = span <= kernel_h + 1 || span * row_len <= RING_LIMIT;
        let slots = if in_ring { span } else { kernel_h };
        let slot = |py: usize, m: usize| if in_ring { py % slots } else { m };
        ring.resize(slots * row_len, R::default());
        held.clear();
        held.resize(slots, usize::MAX);
        acc.resize(out_len, H::default());
        let mut ensure = |ring: &mut Vec<R>, py: usize, m: usize| {
            let s = slot(py, m);
            if held[s] != py {
                source.fill_row(layout, py, &mut ring[s * row_len..][..row_len], bytes);
                held[s] = py;
            }
        };
        for y in 0..out_h {
            match &plan.choice.method {
                Method::Direct(taps) => {
                    for t in taps {
                        ensure(ring, y * stride_y + t.row * dilation_y, t.row);
                    }
                    let ring = &ring[..];
                    let tap = |i: usize| {
                        let t = taps[i];
                        let py = y * stride_y + t.row * dilation_y;
                        let at = layout.start(t.column * dilation_x, stride_x) * lanes;
                        (&ring[slot(py, t.row) * row_len + at..][..out_len], t.weight)
                    };
                    if taps.len() <= 9 {
                        let mut inputs: [&[R]; 9] = [&[]; 9];
                        let mut weights = [0.0; 9];
                        for (i, (input, weight)) in inputs
                            .iter_mut()
                            .zip(&mut weights)
                            .enumerate()
                            .take(taps.len())
                        {
                            (*input, *weight) = tap(i);
                        }
                        if sink(y, Output::Taps(&inputs, &weights, taps.len())) {
                            continue;
                        }
                    }
                    accumulate(taps.len(), tap, acc);
                }
                Method::Separable { column, row } => {
                    for t in column {
                        ensure(ring, y * stride_y + t.row * dilation_y, t.row);
                    }
                    columns.resize(row_len, C::default());
                    let ring = &ring[..];
                    accumulate(
                        column.len(),
                        |i| {
                            let t = column[i];
                            let py = y * stride_y + t.row * dilation_y;
                            (&ring[slot(py, t.row) * row_len..][..row_len], t.weight)
                        },
                        columns,
                    );
                    let columns = &columns[..];
                    accumulate(
                        row.len(),
                        |i| {
                            let t = row[i];
                            let at = layout.start(t.column * dilation_x, stride_x) * lanes;
                            (&columns[at..][..out_len], t.weight)
                        },
                        acc,
                    );
                }
                Method::Box => {
                    columns.resize(row_len, C::default());
                    if y == 0 {
                        for m in 0..kernel_h {
                            ensure(ring, m, m);
                        }
                        let ring = &ring[..];
                        accumulate(
                            kernel_h,
                            |m| (&ring[slot(m, m) * row_len..][..row_len], 1.0),
                            columns,
                        );
                    } else {
                        let (old, new) = (y - 1, y + kernel_h - 1);
                        ensure(ring, old, 0);
                        ensure(ring, new, 0);
                        let old = &ring[slot(old, 0) * row_len..][..row_len];
                        let new = &ring[slot(new, 0) * row_len..][..row_len];
                        for ((c, &n), &o) in columns.iter_mut().zip(new).zip(old) {
                            *c = *c + C::from(n) - C::from(o);
                        }
                    }
                    match lanes {
                        4 => running_sums::<C, H, 4>(columns, plan.kernel.1, acc),
                        _ => running_sums::<C, H, 1>(columns, plan.kernel.1, acc),
                    }
                }
            }
            sink(y, Output::Sums(acc));
        }
    }
}

/// What [`Rows::convolve`] hands its sink for an output row.
enum Output<'a, R, H> {
    /// The row's sums, `lanes` values a pixel.
    Sums(&'a [H]),
    /// Before summing a direct kernel of at most 9 taps: each tap's input row (from its
    /// column offset) and weight, and how many taps. A sink that writes the row from
    /// these gives true; with false, the row is summed and handed over again as sums.
    Taps(&'a [&'a [R]; 9], &'a [f32; 9], usize),
}

/// Window sums of `width` consecutive pixels (`L` values each) of `columns` into `acc`,
/// by a running sum: each pixel adds one column and drops one, whatever the width. The
/// sums are of integers, so they equal the window sums exactly.
fn running_sums<C: Value, H: Value + From<C>, const L: usize>(
    columns: &[C],
    width: usize,
    acc: &mut [H],
) {
    let mut sum = [H::default(); L];
    for pixel in columns.chunks_exact(L).take(width) {
        for (s, &c) in sum.iter_mut().zip(pixel) {
            *s = *s + H::from(c);
        }
    }
    let Some((first, rest)) = acc.split_first_chunk_mut::<L>() else {
        return;
    };
    *first = sum;
    let dropped = columns.chunks_exact(L);
    let added = columns[width * L..].chunks_exact(L);
    for ((a, old), new) in rest.chunks_exact_mut(L).zip(dropped).zip(added) {
        for l in 0..L {
            // Dropping first keeps the sum within the window's range (no overflow).
            sum[l] = sum[l] - H::from(old[l]) + H::from(new[l]);
            a[l] = sum[l];
        }
    }
}

/// A sink for [`Rows::convolve`] that takes every row as sums.
fn sums<R, H>(mut sink: impl FnMut(usize, &[H])) -> impl FnMut(usize, Output<'_, R, H>) -> bool {
    move |y, row| match row {
        Output::Sums(acc) => {
            sink(y, acc);
            true
        }
        Output::Taps(..) => false,
    }
}

/// Sets alpha to 255 in a row of RGBA pixels (a flat loop, vector code).
fn opaque(out: &mut [u8]) {
    let mut pixels = out.chunks_exact_mut(16);
    for o in &mut pixels {
        for (o, alpha) in o.iter_mut().zip(ALPHA) {
            *o |= alpha;
        }
    }
    for o in pixels.into_remainder().chunks_exact_mut(4) {
        o[3] = 255;
    }
}

/// Alpha 255 in every fourth byte of four RGBA pixels.
const ALPHA: [u8; 16] = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];

/// Writes one output row of pixels with alpha 255, each value through `byte`: four values
/// a pixel (RGBA, the fourth ignored), three (RGB) or one (drawn as gray). The four- and
/// one-value forms are flat loops the compiler turns into vector code.
#[inline(always)]
fn write_row<H: Value>(acc: &[H], lanes: usize, out: &mut [u8], byte: impl Fn(H) -> u8) {
    match lanes {
        4 => {
            for (o, &a) in out.iter_mut().zip(acc) {
                *o = byte(a);
            }
            opaque(out);
        }
        3 => {
            for (o, a) in out.chunks_exact_mut(4).zip(acc.chunks_exact(3)) {
                o.copy_from_slice(&[byte(a[0]), byte(a[1]), byte(a[2]), 255]);
            }
        }
        _ => {
            for (o, &a) in out.chunks_exact_mut(4).zip(acc) {
                let gray = (u32::from(byte(a)) * 0x0001_0101) | 0xff00_0000;
                o.copy_from_slice(&gray.to_le_bytes());
            }
        }
    }
}

/// Widens `range` to the smallest and largest value of an output row, leaving out the
/// alpha lane of four-value pixels.
fn row_range<H: Value>(acc: &[H], lanes: usize, range: &mut Option<(H, H)>) {
    for (i, &a) in acc.iter().enumerate() {
        if lanes == 4 && i % 4 == 3 {
            continue;
        }
        *range = Some(match *range {
            None => (a, a),
            Some((low, high)) => (
                if a < low { a } else { low },
                if a > high { a } else { high },
            ),
        });
    }
}

/// The scratch of one number type: the rows, and the whole map for the mappings that
/// need its range first.
#[derive(Debug, Clone, Default)]
struct Work<R, C, H> {
    rows: Rows<R, C, H>,
    /// One padded input row of bytes (the identity's copy).
    line: Vec<u8>,
    /// The whole map, for the mappings that need its range first.
    stored: Vec<f32>,
}

impl<R: Value, C: Value + From<R>, H: Value + From<R> + From<C>> Work<R, C, H> {
    fn draw(&mut self, plan: &ConvPlan, layout: &Layout, source: &Source<'_>, out: &mut [u8]) {
        let lanes = source.lanes;
        let (out_h, out_w) = layout.output;
        let row_bytes = out_w * 4;
        let Choice { scale, shift, .. } = plan.choice;
        let Work { rows, stored, line } = self;
        let mapping = plan.mapping;
        let clamped = matches!(mapping, DisplayMapping::Clamp | DisplayMapping::Absolute);
        if clamped && plan.choice.is_identity() && plan.kernel == (1, 1) {
            // Bytes in, the same bytes out (absolute values of bytes are themselves):
            // straight into the output row where it is the padded row (all channels at
            // stride 1), else through one padded row.
            let row_len = layout.padded_width * lanes;
            line.resize(row_len, 0);
            for (y, out) in out.chunks_exact_mut(row_bytes).enumerate() {
                let py = y * plan.params.stride.0;
                if lanes == 4 && row_len == row_bytes {
                    source.fill_row(layout, py, out, &mut rows.bytes);
                    opaque(out);
                } else {
                    source.fill_row(layout, py, line, &mut rows.bytes);
                    write_row(&line[..out_w * lanes], lanes, out, |v| v);
                }
            }
            return;
        }
        if clamped {
            let absolute = mapping == DisplayMapping::Absolute;
            rows.convolve(plan, layout, source, |y, row| {
                let out = &mut out[y * row_bytes..][..row_bytes];
                let acc = match row {
                    Output::Sums(acc) => acc,
                    // Integer kernels on all channels may go from the byte rows straight
                    // to the output's bytes, in one pass.
                    Output::Taps(inputs, weights, n) => {
                        let (Some(shift), 4) = (shift, lanes) else {
                            return false;
                        };
                        let mut bytes: [&[u8]; 9] = [&[]; 9];
                        for (b, input) in bytes.iter_mut().zip(inputs).take(n) {
                            match R::bytes(input) {
                                Some(input) => *b = input,
                                None => return false,
                            }
                        }
                        return H::taps_to_bytes(&bytes, weights, n, shift, absolute, out);
                    }
                };
                match (shift.filter(|_| H::INTEGER), absolute) {
                    (Some(n), false) => {
                        let half = H::from_weight(((1u32 << n) >> 1) as f32);
                        write_row(acc, lanes, out, |a| a.shifted_byte(half, n, false))
                    }
                    (Some(n), true) => {
                        let half = H::from_weight(((1u32 << n) >> 1) as f32);
                        write_row(acc, lanes, out, |a| a.shifted_byte(half, n, true))
                    }
                    (None, false) => write_row(acc, lanes, out, |a| round_byte(a.to_f32() * scale)),
                    (None, true) => {
                        write_row(acc, lanes, out, |a| round_byte((a.to_f32() * scale).abs()))
                    }
                }
                true
            });
            return;
        }
        let row_len = out_w * lanes;
        stored.resize(out_h * row_len, 0.0);
        let mut range = None;
        rows.convolve(
            plan,
            layout,
            source,
            sums(|y, acc: &[H]| {
                let row = &mut stored[y * row_len..][..row_len];
                for (v, &a) in row.iter_mut().zip(acc) {
                    *v = a.to_f32() * scale;
                }
                row_range(row, lanes, &mut range);
            }),
        );
        draw_ranged(stored, range, (lanes, out_w), mapping, out);
    }

    fn values(&mut self, plan: &ConvPlan, layout: &Layout, source: &Source<'_>, map: &mut [f32]) {
        let lanes = source.lanes;
        let scale = plan.choice.scale;
        let output = layout.output;
        self.rows.convolve(
            plan,
            layout,
            source,
            sums(|y, acc| {
                write_planes(acc, lanes, lanes.min(3), y, output, map, |a: H| {
                    a.to_f32() * scale
                });
            }),
        );
    }
}

/// Draws a whole map of `f32` values (`lanes` a pixel, `width` pixels a row) whose range
/// is `range` with `normalize` or `diverging`: one copy of this code for every number
/// type (the values are the sums times the plan's scale, exact for integer sums, and the
/// range of the scaled values is the scaled range).
fn draw_ranged(
    stored: &[f32],
    range: Option<(f32, f32)>,
    (lanes, width): (usize, usize),
    mapping: DisplayMapping,
    out: &mut [u8],
) {
    let (low, high) = range.unwrap_or((0.0, 0.0));
    let rows = stored
        .chunks_exact(width * lanes)
        .zip(out.chunks_exact_mut(width * 4));
    if mapping == DisplayMapping::Normalize {
        for (values, out) in rows {
            if high > low {
                write_row(values, lanes, out, |v| {
                    round_byte((v - low) / (high - low) * 255.0)
                });
            } else {
                write_row(values, lanes, out, |_| 128);
            }
        }
        return;
    }
    let largest = low.abs().max(high.abs());
    for (values, out) in rows {
        if lanes == 1 {
            for (o, &v) in out.chunks_exact_mut(4).zip(values) {
                let t = if largest > 0.0 { v / largest } else { 0.0 };
                let [r, g, b] = diverging_colour(t);
                o.copy_from_slice(&[r, g, b, 255]);
            }
        } else if largest > 0.0 {
            write_row(values, lanes, out, |v| {
                round_byte(128.0 + 127.0 * v / largest)
            });
        } else {
            write_row(values, lanes, out, |_| 128);
        }
    }
}

/// Resizes `map` to `channels x height x width` (keeping its storage when the shape is
/// already that) and gives its values to fill.
fn map_storage(
    map: &mut Tensor,
    channels: Channels,
    (height, width): (usize, usize),
) -> Result<&mut [f32]> {
    let shape = Shape::new(1, channels.count(), height, width)?;
    if map.shape() != shape {
        *map = Tensor::filled(shape, 0.0);
    }
    Ok(map.data_mut())
}

/// Writes output row `y` of `planes` channels, stored `lanes` values a pixel in `row`,
/// into the planes of a `height x width` map, each value through `value`.
fn write_planes<T: Copy>(
    row: &[T],
    lanes: usize,
    planes: usize,
    y: usize,
    (height, width): (usize, usize),
    map: &mut [f32],
    value: impl Fn(T) -> f32,
) {
    for c in 0..planes {
        let out = &mut map[(c * height + y) * width..][..width];
        for (m, &v) in out.iter_mut().zip(row[c..].iter().step_by(lanes)) {
            *m = value(v);
        }
    }
}

/// The buffers of the path's number types.
#[derive(Debug, Clone)]
enum Engine {
    I16(Work<u8, i16, i16>),
    I16I32(Work<u8, i16, i32>),
    I32(Work<u8, i32, i32>),
    U16(Work<u8, u16, u16>),
    F32(Work<f32, f32, f32>),
}

/// Runs `$body` with `$work` bound to the engine's buffers, whatever their types.
macro_rules! with_work {
    ($engine:expr, $work:ident => $body:expr) => {
        match $engine {
            Engine::I16($work) => $body,
            Engine::I16I32($work) => $body,
            Engine::I32($work) => $body,
            Engine::U16($work) => $body,
            Engine::F32($work) => $body,
        }
    };
}

/// A depthwise convolution of whole RGBA frames, planned once for a kernel and its
/// settings; its buffers are kept from frame to frame.
///
/// It computes exactly what the page's step-by-step path computes (see the [module
/// docs](self)): the same output size, the same errors, and the same bytes (for float
/// kernels on the paths that reorder sums, within 1 of each byte).
#[derive(Debug, Clone)]
pub struct FrameConv {
    plan: ConvPlan,
    layout: Layout,
    engine: Engine,
}

impl FrameConv {
    /// Plans the kernel: classifies it (integer-valued, including integers over a power
    /// of two like Blur; separable rank-one; box; general) and picks the fastest exact
    /// path. `params.groups` is ignored (the convolution is depthwise).
    ///
    /// # Errors
    /// A zero stride or dilation, or `same` padding with a stride other than 1.
    pub fn new(
        kernel: &Kernel,
        params: &ConvParams,
        channels: Channels,
        mapping: DisplayMapping,
    ) -> Result<Self> {
        let size = (kernel.height(), kernel.width());
        for value in [params.stride.0, params.stride.1] {
            positive(value, "stride")?;
        }
        for value in [params.dilation.0, params.dilation.1] {
            positive(value, "dilation")?;
        }
        let pads = params
            .padding
            .resolve(size, params.stride, params.dilation)?;
        let params = ConvParams {
            groups: channels.count(),
            ..*params
        };
        let choice = choose(kernel, &params, channels != Channels::Gray);
        let engine = match choice.numbers {
            Numbers::I16 => Engine::I16(Work::default()),
            Numbers::I16I32 => Engine::I16I32(Work::default()),
            Numbers::I32 => Engine::I32(Work::default()),
            Numbers::U16 => Engine::U16(Work::default()),
            Numbers::F32 => Engine::F32(Work::default()),
        };
        Ok(FrameConv {
            plan: ConvPlan {
                kernel: size,
                params,
                pads,
                channels,
                mapping,
                choice,
            },
            layout: Layout::default(),
            engine,
        })
    }

    /// The output `(height, width)` for a `height x width` frame.
    ///
    /// # Errors
    /// As [`depthwise_conv2d`](crate::depthwise_conv2d): a zero or too large size,
    /// padding too large for its mode, an empty or too large output.
    pub fn output_size(&self, height: usize, width: usize) -> Result<(usize, usize)> {
        let channels = self.plan.channels.count();
        let input = Shape::new(1, channels, height, width)?;
        let weight = Shape::new(channels, 1, self.plan.kernel.0, self.plan.kernel.1)?;
        let checked = self.plan.params.plan(input, weight)?;
        Ok((checked.output.height, checked.output.width))
    }

    /// Which path was chosen: `"integer 3x3"`, `"integer"`, `"separable"`, `"box"` or
    /// `"general"`.
    pub fn path(&self) -> &'static str {
        self.plan.choice.name
    }

    /// Checks the frame and its size, and readies the layout; gives the output size.
    fn prepare<'a>(
        &mut self,
        rgba: &'a [u8],
        width: usize,
        height: usize,
    ) -> Result<((usize, usize), Source<'a>)> {
        frame_shape(rgba, width, height, self.plan.channels)?;
        let output = self.output_size(height, width)?;
        let plan = &self.plan;
        let stride = plan.params.stride.1;
        self.layout.prepare(
            (height, width),
            output,
            plan.pads,
            plan.params.padding_mode,
            stride,
        );
        let source = Source {
            rgba,
            width,
            height,
            channels: plan.channels,
            lanes: if plan.channels == Channels::All { 4 } else { 1 },
            top: plan.pads.top,
            mode: plan.params.padding_mode,
            stride,
        };
        Ok((output, source))
    }

    /// Convolves a `width x height` RGBA frame and draws the map, with the plan's
    /// display mapping, into `out` as RGBA (alpha 255), resized to the output size; no
    /// allocation after the first frame of a size. Gives the output `(height, width)`.
    ///
    /// # Errors
    /// `rgba` not `width * height * 4` bytes, or any error of [`FrameConv::output_size`].
    pub fn run(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        out: &mut Vec<u8>,
    ) -> Result<(usize, usize)> {
        let ((out_h, out_w), source) = self.prepare(rgba, width, height)?;
        out.resize(out_h * out_w * 4, 255);
        let (plan, layout) = (&self.plan, &self.layout);
        with_work!(&mut self.engine, work => work.draw(plan, layout, &source, out));
        Ok((out_h, out_w))
    }

    /// The same convolution, writing the feature map itself (`channels x height x width`
    /// values, one image) into `map`, whose storage is reused when its shape matches.
    ///
    /// # Errors
    /// As [`FrameConv::run`].
    pub fn run_map(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        map: &mut Tensor,
    ) -> Result<()> {
        let (output, source) = self.prepare(rgba, width, height)?;
        let data = map_storage(map, self.plan.channels, output)?;
        let (plan, layout) = (&self.plan, &self.layout);
        with_work!(&mut self.engine, work => work.values(plan, layout, &source, data));
        Ok(())
    }
}

/// Pooling of whole RGBA frames, as the page's path (`rgba_to_tensor` → `pool2d` →
/// `tensor_to_rgba` with [`DisplayMapping::Clamp`]) computes it, to the byte.
///
/// The lecture's 2x2 windows at stride 2 on 8-bit channels work on the RGBA bytes
/// directly; every other setting takes each window tap by tap.
#[derive(Debug, Clone)]
pub struct FramePool {
    function: PoolFunction,
    params: PoolParams,
    channels: Channels,
    /// The luminance plane, for gray frames.
    gray: Vec<f32>,
    /// One row of pooled values, 4 lanes a pixel.
    row: Vec<f32>,
    /// One row of pooled RGBA bytes (the lecture's windows, for the map).
    bytes: Vec<u8>,
}

impl FramePool {
    /// A pooling of frames.
    ///
    /// # Errors
    /// Settings no input could satisfy: a zero window, stride or dilation, padding over
    /// half the window, or dilation with the mean.
    pub fn new(function: PoolFunction, params: &PoolParams, channels: Channels) -> Result<Self> {
        let pool = FramePool {
            function,
            params: *params,
            channels,
            gray: Vec::new(),
            row: Vec::new(),
            bytes: Vec::new(),
        };
        // Any error that does not depend on the frame's size shows on a frame that is
        // surely large enough.
        let (kh, kw) = params.kernel;
        let (dh, dw) = params.dilation;
        let side = |k: usize, d: usize| k.saturating_sub(1).saturating_mul(d).saturating_add(1);
        if let Err(error) = params.output_size(function, side(kh, dh), side(kw, dw)) {
            if !matches!(
                error,
                crate::Error::TensorTooLarge { .. } | crate::Error::Overflow { .. }
            ) {
                return Err(error);
            }
        }
        Ok(pool)
    }

    /// The output `(height, width)` for a `height x width` frame.
    ///
    /// # Errors
    /// As [`pool2d`](crate::pool2d).
    pub fn output_size(&self, height: usize, width: usize) -> Result<(usize, usize)> {
        let channels = self.channels.count();
        Shape::new(1, channels, height, width)?;
        let (out_h, out_w) = self.params.output_size(self.function, height, width)?;
        Shape::new(1, channels, out_h, out_w)?;
        Ok((out_h, out_w))
    }

    /// Pools a `width x height` RGBA frame into `out` as RGBA (values clamped, alpha
    /// 255), resized to the output size. Gives the output `(height, width)`.
    ///
    /// # Errors
    /// `rgba` not `width * height * 4` bytes, or any error of [`FramePool::output_size`].
    pub fn run(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        out: &mut Vec<u8>,
    ) -> Result<(usize, usize)> {
        let (out_h, out_w) = self.check(rgba, width, height)?;
        out.resize(out_h * out_w * 4, 255);
        let row_bytes = out_w * 4;
        if self.lecture_window((height, width), (out_h, out_w)) {
            let lane = (self.channels != Channels::All).then(|| lane_of(self.channels));
            for (y, out) in out.chunks_exact_mut(row_bytes).enumerate() {
                let line = |r: usize| &rgba[r * width * 4..][..out_w * 8];
                let (top, bottom) = (line(2 * y), line(2 * y + 1));
                pool_2x2_row(self.function, top, bottom, lane, out);
            }
            return Ok((out_h, out_w));
        }
        let lanes = self.lanes();
        self.pool(rgba, width, height, (out_h, out_w), |y, values| {
            write_row(
                values,
                lanes,
                &mut out[y * row_bytes..][..row_bytes],
                round_byte,
            );
        });
        Ok((out_h, out_w))
    }

    /// The same pooling, writing the pooled map (`channels x height x width` values) into
    /// `map`, whose storage is reused when its shape matches.
    ///
    /// # Errors
    /// As [`FramePool::run`].
    pub fn run_map(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        map: &mut Tensor,
    ) -> Result<()> {
        let output = self.check(rgba, width, height)?;
        let data = map_storage(map, self.channels, output)?;
        // LP pooling's map is not bytes: it takes the general path's exact values.
        let lp = matches!(self.function, PoolFunction::Lp(_));
        if !lp && self.lecture_window((height, width), output) {
            self.lecture_map(rgba, width, output, data);
            return Ok(());
        }
        let lanes = self.lanes();
        self.pool(rgba, width, height, output, |y, values| {
            write_planes(values, lanes, lanes, y, output, data, |v| v);
        });
        Ok(())
    }

    /// The map of the lecture's 2x2 windows straight from the bytes, plane by plane: the
    /// pooled bytes for max and min (exact), and `sum / 4` for the mean (a sum of four
    /// bytes is exact in `f32`, as is a quarter of it: the reference's value to the bit).
    fn lecture_map(
        &mut self,
        rgba: &[u8],
        width: usize,
        (out_h, out_w): (usize, usize),
        map: &mut [f32],
    ) {
        let first = lane_of(self.channels);
        let planes = self.lanes();
        self.bytes.resize(out_w * 4, 0);
        for y in 0..out_h {
            let line = |r: usize| &rgba[r * width * 4..][..out_w * 8];
            let (top, bottom) = (line(2 * y), line(2 * y + 1));
            // Output row y of each plane.
            let mut rows: [&mut [f32]; 3] = [&mut [], &mut [], &mut []];
            for (c, plane) in map.chunks_exact_mut(out_h * out_w).take(planes).enumerate() {
                rows[c] = &mut plane[y * out_w..][..out_w];
            }
            let [r, g, b] = rows;
            if self.function == PoolFunction::Mean {
                let windows = top.chunks_exact(8).zip(bottom.chunks_exact(8));
                let mean = |a: &[u8], b: &[u8], l: usize| {
                    let sum = u16::from(a[l])
                        + u16::from(a[l + 4])
                        + u16::from(b[l])
                        + u16::from(b[l + 4]);
                    f32::from(sum) * 0.25
                };
                if planes == 3 {
                    for (x, (t, u)) in windows.enumerate() {
                        (r[x], g[x], b[x]) = (mean(t, u, 0), mean(t, u, 1), mean(t, u, 2));
                    }
                } else {
                    for (o, (t, u)) in r.iter_mut().zip(windows) {
                        *o = mean(t, u, first);
                    }
                }
            } else {
                pool_2x2_row(self.function, top, bottom, None, &mut self.bytes);
                let pixels = self.bytes.chunks_exact(4);
                if planes == 3 {
                    for (x, p) in pixels.enumerate() {
                        (r[x], g[x], b[x]) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
                    }
                } else {
                    for (o, p) in r.iter_mut().zip(pixels) {
                        *o = f32::from(p[first]);
                    }
                }
            }
        }
    }

    fn check(&self, rgba: &[u8], width: usize, height: usize) -> Result<(usize, usize)> {
        frame_shape(rgba, width, height, self.channels)?;
        self.output_size(height, width)
    }

    /// Values a pooled pixel: 3 (red, green, blue) for all channels, else 1.
    fn lanes(&self) -> usize {
        self.channels.count()
    }

    /// True for the lecture's 2x2 windows at stride 2 over whole pixels of 8-bit
    /// channels, which work on the RGBA bytes directly.
    fn lecture_window(&self, input: (usize, usize), output: (usize, usize)) -> bool {
        let p = &self.params;
        p.kernel == (2, 2)
            && p.stride() == (2, 2)
            && p.padding == Pads::default()
            && p.dilation == (1, 1)
            && p.divisor_override.is_none()
            && output == (input.0 / 2, input.1 / 2)
            && self.channels != Channels::Gray
    }

    /// Pools the frame, handing each output row to `sink`, [`FramePool::lanes`] values
    /// a pixel.
    fn pool(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
        (out_h, out_w): (usize, usize),
        mut sink: impl FnMut(usize, &[f32]),
    ) {
        let lanes = self.lanes();
        let first = lane_of(self.channels);
        self.row.resize(out_w * lanes, 0.0);
        let gray = self.channels == Channels::Gray;
        if gray {
            self.gray.clear();
            self.gray.extend(rgba.chunks_exact(4).map(luminance));
        }
        let (plane, row, p) = (&self.gray, &mut self.row, &self.params);
        let value = |r: usize, c: usize, lane: usize| {
            if gray {
                plane[r * width + c]
            } else {
                f32::from(rgba[(r * width + c) * 4 + lane])
            }
        };
        for y in 0..out_h {
            for (x, o) in row.chunks_exact_mut(lanes).enumerate() {
                for (l, o) in (first..).zip(o) {
                    *o = crate::reference::pool_value(
                        self.function,
                        p,
                        (height, width),
                        (y, x),
                        |r, c| value(r, c, l),
                    );
                }
            }
            sink(y, row);
        }
    }
}

/// The first RGBA byte a channel choice reads (red for all channels and gray).
fn lane_of(channels: Channels) -> usize {
    match channels {
        Channels::Green => 1,
        Channels::Blue => 2,
        _ => 0,
    }
}

/// One row of 2x2, stride-2 pooling of RGBA bytes straight to RGBA bytes: `top` and
/// `bottom` are two input rows (8 bytes per output pixel). All channels, or one channel
/// `lane` drawn in gray. With `simd128`, four output pixels at a time in vector code.
fn pool_2x2_row(
    function: PoolFunction,
    top: &[u8],
    bottom: &[u8],
    lane: Option<usize>,
    out: &mut [u8],
) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (top, bottom, out) = simd::pool_2x2_row(function, top, bottom, lane, out);
    match function {
        PoolFunction::Max => {
            pool_2x2_bytes(top, bottom, lane, out, |a, b, c, d| a.max(b).max(c.max(d)))
        }
        PoolFunction::Min => {
            pool_2x2_bytes(top, bottom, lane, out, |a, b, c, d| a.min(b).min(c.min(d)))
        }
        // The mean of four bytes, rounded half up (never negative): exactly
        // `round(sum / 4.0)`.
        PoolFunction::Mean => pool_2x2_bytes(top, bottom, lane, out, |a, b, c, d| {
            let sum = u16::from(a) + u16::from(b) + u16::from(c) + u16::from(d);
            ((sum + 2) >> 2) as u8
        }),
        // As `pool2d` computes it: the sum of powers in row-major order, then the root.
        PoolFunction::Lp(p) => pool_2x2_bytes(top, bottom, lane, out, |a, b, c, d| {
            let sum: f32 = [a, b, c, d]
                .iter()
                .map(|&v| f32::from(v).powf(p.value()))
                .sum();
            round_byte(crate::pool::lp_root(sum, 4, 4, p))
        }),
    }
}

/// WebAssembly SIMD versions of the loops the compiler does not vectorise by itself.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::{
        i16x8_abs, i16x8_add, i16x8_mul, i16x8_shr, i16x8_splat, i8x16_shuffle, u16x8_add,
        u16x8_extend_high_u8x16, u16x8_extend_low_u8x16, u16x8_shr, u16x8_splat,
        u64x2_extract_lane, u8x16, u8x16_max, u8x16_min, u8x16_narrow_i16x8, v128, v128_or,
    };

    use crate::pool::PoolFunction;

    /// The first 16 bytes of `bytes` (one vector load once compiled).
    #[inline(always)]
    fn load(bytes: &[u8]) -> v128 {
        let b = &bytes[..16];
        u8x16(
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        )
    }

    /// Writes `v` into the first 16 bytes of `out`.
    #[inline(always)]
    fn store(v: v128, out: &mut [u8]) {
        out[..8].copy_from_slice(&u64x2_extract_lane::<0>(v).to_le_bytes());
        out[8..16].copy_from_slice(&u64x2_extract_lane::<1>(v).to_le_bytes());
    }

    /// Pixels 0, 2, 4, 6 and 1, 3, 5, 7 of eight pixels in two vectors.
    #[inline(always)]
    fn even_odd(a: v128, b: v128) -> (v128, v128) {
        (
            i8x16_shuffle::<0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27>(a, b),
            i8x16_shuffle::<4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31>(a, b),
        )
    }

    /// Four pooled pixels from 8 pixels of each of two rows.
    #[inline(always)]
    fn window(function: PoolFunction, top: &[u8], bottom: &[u8]) -> v128 {
        let (t0, t1, b0, b1) = (
            load(top),
            load(&top[16..]),
            load(bottom),
            load(&bottom[16..]),
        );
        match function {
            PoolFunction::Max => {
                let (even, odd) = even_odd(u8x16_max(t0, b0), u8x16_max(t1, b1));
                u8x16_max(even, odd)
            }
            PoolFunction::Min => {
                let (even, odd) = even_odd(u8x16_min(t0, b0), u8x16_min(t1, b1));
                u8x16_min(even, odd)
            }
            // The mean (LP pooling never comes here: see pool_2x2_row).
            _ => {
                // Column sums in 16 bits: two pixels a vector.
                let sums = |t: v128, b: v128| {
                    (
                        u16x8_add(u16x8_extend_low_u8x16(t), u16x8_extend_low_u8x16(b)),
                        u16x8_add(u16x8_extend_high_u8x16(t), u16x8_extend_high_u8x16(b)),
                    )
                };
                let (s0, s1) = sums(t0, b0);
                let (s2, s3) = sums(t1, b1);
                // Add each window's two columns, then (sum + 2) >> 2.
                let mean = |a: v128, b: v128| {
                    let left =
                        i8x16_shuffle::<0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23>(
                            a, b,
                        );
                    let right = i8x16_shuffle::<
                        8,
                        9,
                        10,
                        11,
                        12,
                        13,
                        14,
                        15,
                        24,
                        25,
                        26,
                        27,
                        28,
                        29,
                        30,
                        31,
                    >(a, b);
                    u16x8_shr(u16x8_add(u16x8_add(left, right), u16x8_splat(2)), 2)
                };
                u8x16_narrow_i16x8(mean(s0, s1), mean(s2, s3))
            }
        }
    }

    /// As many whole groups of 16 output bytes (four pixels) as `out` holds of
    /// `sum over n taps of weights[t] * inputs[t][x]` (taken 3, 6 or 9 at a time: all
    /// nine inputs must be rows, the weights past `n` zero) in 16-bit lanes (the plan keeps
    /// the sums within them), `|sum|` when `absolute`, then `(sum + half) >> shift`
    /// clamped to a byte, alpha 255. Gives how many bytes it wrote.
    pub(super) fn taps_to_bytes(
        inputs: &[&[u8]; 9],
        weights: &[i16; 9],
        n: usize,
        shift: u32,
        absolute: bool,
        out: &mut [u8],
    ) -> usize {
        match n {
            1..=3 => taps::<3>(inputs, weights, shift, absolute, out),
            4..=6 => taps::<6>(inputs, weights, shift, absolute, out),
            7..=9 => taps::<9>(inputs, weights, shift, absolute, out),
            _ => 0,
        }
    }

    /// [`taps_to_bytes`] for `N` taps.
    #[inline(always)]
    fn taps<const N: usize>(
        inputs: &[&[u8]; 9],
        weights: &[i16; 9],
        shift: u32,
        absolute: bool,
        out: &mut [u8],
    ) -> usize {
        let len = out.len() / 16 * 16;
        let rows: [&[u8]; N] = core::array::from_fn(|t| &inputs[t][..len]);
        let w: [v128; N] = core::array::from_fn(|t| i16x8_splat(weights[t]));
        let half = i16x8_splat(((1u32 << shift) >> 1) as i16);
        let alpha = u8x16(0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255);
        for (at, o) in (0..len).step_by(16).zip(out.chunks_exact_mut(16)) {
            let (mut low, mut high) = (i16x8_splat(0), i16x8_splat(0));
            for t in 0..N {
                let v = load(&rows[t][at..]);
                low = i16x8_add(low, i16x8_mul(u16x8_extend_low_u8x16(v), w[t]));
                high = i16x8_add(high, i16x8_mul(u16x8_extend_high_u8x16(v), w[t]));
            }
            if absolute {
                (low, high) = (i16x8_abs(low), i16x8_abs(high));
            }
            let low = i16x8_shr(i16x8_add(low, half), shift);
            let high = i16x8_shr(i16x8_add(high, half), shift);
            store(v128_or(u8x16_narrow_i16x8(low, high), alpha), o);
        }
        len
    }

    /// At stride 2, gathers as many whole groups of four pixels as fit (8 input pixels a
    /// group); gives back what is left for the scalar loop.
    pub(super) fn gather_pixels<'a>(
        pixels: &'a [u8],
        stride: usize,
        out: &'a mut [u8],
    ) -> (&'a [u8], &'a mut [u8]) {
        if stride != 2 {
            return (pixels, out);
        }
        let groups = (out.len() / 16).min(pixels.len() / 32);
        let (done, rest) = out.split_at_mut(groups * 16);
        for (o, p) in done.chunks_exact_mut(16).zip(pixels.chunks_exact(32)) {
            store(even_odd(load(p), load(&p[16..])).0, o);
        }
        (&pixels[groups * 32..], rest)
    }

    /// Pools as many whole groups of four output pixels as the row holds; gives back
    /// what is left for the scalar loop.
    pub(super) fn pool_2x2_row<'a>(
        function: PoolFunction,
        top: &'a [u8],
        bottom: &'a [u8],
        lane: Option<usize>,
        out: &'a mut [u8],
    ) -> (&'a [u8], &'a [u8], &'a mut [u8]) {
        if let PoolFunction::Lp(_) = function {
            // Powers and roots are not byte arithmetic: all of it to the scalar loop.
            return (top, bottom, out);
        }
        let groups = out.len() / 16;
        let alpha = u8x16(0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255);
        let (done, rest) = out.split_at_mut(groups * 16);
        let rows = top.chunks_exact(32).zip(bottom.chunks_exact(32));
        for (o, (t, b)) in done.chunks_exact_mut(16).zip(rows) {
            let v = window(function, t, b);
            let v = match lane {
                None => v,
                Some(0) => {
                    i8x16_shuffle::<0, 0, 0, 3, 4, 4, 4, 7, 8, 8, 8, 11, 12, 12, 12, 15>(v, v)
                }
                Some(1) => {
                    i8x16_shuffle::<1, 1, 1, 3, 5, 5, 5, 7, 9, 9, 9, 11, 13, 13, 13, 15>(v, v)
                }
                Some(_) => {
                    i8x16_shuffle::<2, 2, 2, 3, 6, 6, 6, 7, 10, 10, 10, 11, 14, 14, 14, 15>(v, v)
                }
            };
            store(v128_or(v, alpha), o);
        }
        (&top[groups * 32..], &bottom[groups * 32..], rest)
    }
}

/// One row of 2x2, stride-2 pooling of RGBA bytes straight to RGBA bytes: `top` and
/// `bottom` are two input rows (8 bytes per output pixel), `window` pools one channel's
/// four bytes. All channels, or one channel `lane` drawn in gray.
#[inline(always)]
fn pool_2x2_bytes(
    top: &[u8],
    bottom: &[u8],
    lane: Option<usize>,
    out: &mut [u8],
    window: impl Fn(u8, u8, u8, u8) -> u8,
) {
    let pixels = top.chunks_exact(8).zip(bottom.chunks_exact(8));
    match lane {
        None => {
            for (o, (a, b)) in out.chunks_exact_mut(4).zip(pixels) {
                for l in 0..4 {
                    o[l] = window(a[l], a[l + 4], b[l], b[l + 4]);
                }
                o[3] = 255;
            }
        }
        Some(l) => {
            for (o, (a, b)) in out.chunks_exact_mut(4).zip(pixels) {
                let v = window(a[l], a[l + 4], b[l], b[l + 4]);
                o.copy_from_slice(&[v, v, v, 255]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_byte_is_round_then_clamp() {
        let reference = |v: f32| v.round().clamp(0.0, 255.0) as u8;
        let mut state = 0x9e37_79b9u32;
        for _ in 0..2_000_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let v = f32::from_bits(state);
            assert_eq!(round_byte(v), reference(v), "{v:e}");
        }
        for base in 0..=256 {
            let mut v = base as f32 + 0.5;
            for _ in 0..8 {
                for w in [v, -v, v - 1.0] {
                    assert_eq!(round_byte(w), reference(w), "{w}");
                }
                v = f32::from_bits(v.to_bits() - 1);
            }
        }
        for v in [
            f32::from_bits(0x3eff_ffff),
            0.5,
            -0.5,
            254.5,
            255.49998,
            1e30,
            -1e30,
            f32::NAN,
        ] {
            assert_eq!(round_byte(v), reference(v), "{v}");
        }
    }

    /// Every `f32` from -1 to 256 (about two billion values): a few seconds in release,
    /// `cargo test --release -p convlens-core --lib -- --ignored round_byte`.
    #[test]
    #[ignore]
    fn round_byte_is_round_then_clamp_everywhere() {
        let reference = |v: f32| v.round().clamp(0.0, 255.0) as u8;
        let positive = 0..=256f32.to_bits();
        let negative = (-0.0f32).to_bits()..=(-1.0f32).to_bits();
        for bits in positive.chain(negative) {
            let v = f32::from_bits(bits);
            assert_eq!(round_byte(v), reference(v), "{v:e}");
        }
    }

    #[test]
    fn kernels_are_classified() {
        let path = |kernel: &Kernel| {
            FrameConv::new(
                kernel,
                &ConvParams::default(),
                Channels::All,
                DisplayMapping::Clamp,
            )
            .map(|c| c.path())
        };
        use crate::kernel::Preset;
        for preset in Preset::LECTURE {
            assert_eq!(path(&preset.kernel()), Ok("integer 3x3"), "{preset:?}");
        }
        assert_eq!(path(&Preset::Gaussian5.kernel()), Ok("separable"));
        assert_eq!(path(&Preset::Gaussian7.kernel()), Ok("separable"));
        assert_eq!(path(&Preset::Box7.kernel()), Ok("box"));
        assert_eq!(path(&Preset::Box3.kernel()), Ok("integer 3x3"));
        let float = Kernel::parse("0.3,0.1,0.2;0.5,0.7,0.11;0.1,0.2,0.9").unwrap();
        assert_eq!(path(&float), Ok("general"));
        let gray = FrameConv::new(
            &Preset::Edges.kernel(),
            &ConvParams::default(),
            Channels::Gray,
            DisplayMapping::Clamp,
        )
        .unwrap();
        assert_eq!(gray.path(), "general");
        let choice = |kernel: &Kernel| {
            FrameConv::new(
                kernel,
                &ConvParams::default(),
                Channels::All,
                DisplayMapping::Clamp,
            )
            .map(|c| c.plan.choice)
        };
        let one = Kernel::new(1, 1, vec![1.0]).unwrap();
        assert!(choice(&one).unwrap().is_identity());
        assert!(!choice(&Kernel::new(1, 1, vec![2.0]).unwrap())
            .unwrap()
            .is_identity());
        assert!(!choice(&Preset::Identity.kernel()).unwrap().is_identity());
        // Sums of kernels without negative weights may use all 16 bits.
        assert_eq!(
            choice(&Preset::Gaussian5.kernel()).unwrap().numbers,
            Numbers::U16
        );
        assert_eq!(
            choice(&Kernel::box_blur(15).unwrap()).unwrap().numbers,
            Numbers::U16
        );
        assert_eq!(
            choice(&Preset::Edges.kernel()).unwrap().numbers,
            Numbers::I16
        );
        let form = integer_form(Preset::Gaussian7.kernel().weights()).unwrap();
        assert_eq!(form.shift, Some(12));
        let (column, row) = integer_factors(&form.integers, 7).unwrap();
        assert_eq!(column, [1, 6, 15, 20, 15, 6, 1]);
        assert_eq!(row, column);
        assert_eq!(integer_factors(&[1, 2, 3, 4], 2), None);
    }
}
