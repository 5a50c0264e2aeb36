//! What every view shares on the way from an RGBA frame to a picture: the frame, its
//! scaling, its tensor, drawing a map, one cell's arithmetic, and numbers as the page
//! writes them. Pure Rust with no web types: the page, the command-line tool and the
//! native test oracle (`examples/oracle.rs`) all call it; each view's own facts are in
//! its module under [`crate::views`].

use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{Channels, DisplayMapping, Rect, Result, Tensor};

use crate::i18n::{fill, t};

/// The longest side an input image keeps; larger ones are scaled down, with a notice.
pub const MAX_SIDE: usize = 2048;

/// The size a `width x height` input is drawn at: the chosen `size` for the longest
/// side (0: its own size), never above [`MAX_SIDE`], never below 1. The page and the
/// command-line tool both scale by this rule.
pub fn scaled_size(width: usize, height: usize, size: usize) -> (usize, usize) {
    let longest = width.max(height).max(1);
    let target = if size == 0 {
        longest.min(MAX_SIDE)
    } else {
        size.min(longest)
    };
    if target >= longest {
        return (width.max(1), height.max(1));
    }
    let scale = target as f64 / longest as f64;
    let side = |n: usize| ((n as f64 * scale).round() as usize).max(1);
    (side(width), side(height))
}

/// One RGBA frame, row-major, 4 bytes a pixel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `4 * width * height` bytes.
    pub rgba: Vec<u8>,
}

/// Which implementation computes the maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The core crate's fast paths (the page).
    Fast,
    /// The naive reference (the test oracle).
    Reference,
}

/// The tensor the demo works on: the frame's selected channels, values 0..255.
///
/// # Errors
/// A frame whose buffer does not match its size.
pub fn input_tensor(frame: &Frame, channel: Channels) -> Result<Tensor> {
    rgba_to_tensor(&frame.rgba, frame.width, frame.height, channel)
}

/// Draws a map into `out` as RGBA. Pooled maps stay within 0..255 and always clamp.
///
/// # Errors
/// A tensor that is not one image of 1 or 3 channels.
pub fn draw(map: &Tensor, mapping: DisplayMapping, out: &mut Vec<u8>) -> Result<()> {
    tensor_to_rgba(map, mapping, out)
}

/// One input cell that takes part in an output cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    /// The input value (0 for zero padding).
    pub value: f32,
    /// The kernel weight it is multiplied by (1 for pooling).
    pub weight: f32,
    /// True when the cell lies in the padding.
    pub padded: bool,
    /// For max and min pooling: this cell is the one taken.
    pub chosen: bool,
}

/// The arithmetic of one output cell, for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelArithmetic {
    /// The channel's name (R, G, B, Gray).
    pub channel: &'static str,
    /// The window's cells, row by row (`rows x columns`).
    pub terms: Vec<Term>,
    /// Cells per row of `terms`.
    pub columns: usize,
    /// The result (the sum, or the pooled value).
    pub result: f32,
    /// The value as the output map shows it (0..255), or the colour for diverging.
    pub shown: String,
}

/// The arithmetic of one output cell: where it looks and, per channel, what it adds up.
#[derive(Debug, Clone, PartialEq)]
pub struct CellArithmetic {
    /// The output cell, `(row, column)`.
    pub cell: (usize, usize),
    /// The input window it sees (may reach into padding).
    pub window: Rect,
    /// Spacing of the taps inside the window (the dilation; 1 for pooling).
    pub step: usize,
    /// One entry per channel.
    pub channels: Vec<ChannelArithmetic>,
    /// For mean pooling: what each channel's sum is divided by.
    pub divisor: Option<usize>,
}

pub(crate) fn channel_names(channel: Channels) -> &'static [&'static str] {
    match channel {
        Channels::All => &["R", "G", "B"],
        Channels::Red => &["R"],
        Channels::Green => &["G"],
        Channels::Blue => &["B"],
        Channels::Gray => &["Gray"],
    }
}

pub(crate) fn check_cell(cell: (usize, usize), (height, width): (usize, usize)) -> Result<()> {
    if cell.0 < height && cell.1 < width {
        Ok(())
    } else {
        Err(convlens_core::Error::CellOutside {
            what: "map",
            size: (height, width),
            cell,
        })
    }
}

/// How a value appears on the map, in words.
pub(crate) fn shown(
    value: f32,
    mapping: DisplayMapping,
    (min, max): (f32, f32),
    single_channel: bool,
) -> String {
    let byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    match mapping {
        DisplayMapping::Clamp => fill(t().shown_clamp, &[("byte", &byte(value))]),
        DisplayMapping::Absolute => fill(t().shown_abs, &[("byte", &byte(value.abs()))]),
        DisplayMapping::Normalize if max > min => fill(
            t().shown_normalize,
            &[
                ("v", &number(value)),
                ("min", &number(min)),
                ("max", &number(max)),
                ("byte", &byte((value - min) / (max - min) * 255.0)),
            ],
        ),
        DisplayMapping::Normalize => t().shown_constant.into(),
        DisplayMapping::Diverging => {
            let largest = min.abs().max(max.abs());
            let t = if largest > 0.0 { value / largest } else { 0.0 };
            if single_channel {
                let [r, g, b] = convlens_core::image::diverging_colour(t);
                fill(
                    crate::i18n::t().shown_diverging,
                    &[("t", &format!("{t:+.2}")), ("r", &r), ("g", &g), ("b", &b)],
                )
            } else {
                fill(
                    crate::i18n::t().shown_diverging_channels,
                    &[("byte", &byte(128.0 + 127.0 * t))],
                )
            }
        }
    }
}

/// A value as the arithmetic shows it: integers plainly, others with up to 3 decimals.
pub fn number(value: f32) -> String {
    if value == value.trunc() && value.abs() < 1e9 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// `1234567` as `1 234 567` (thin spaces group the digits).
pub fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

/// One typed cell (`row`, `column` from 0) of `what`, read the way URL weights are, so
/// that fractions like 1/16 work too.
pub fn cell_value(
    text: &str,
    what: &'static str,
    row: usize,
    column: usize,
) -> convlens_core::Result<f32> {
    let at = convlens_core::Position::Cell {
        row: row + 1,
        column: column + 1,
    };
    let rows = convlens_core::kernel::parse_rows(text, what).map_err(|error| match error {
        // The error names the cell typed in, not the first of a one-cell text.
        convlens_core::Error::NotANumber { what, text, .. } => {
            convlens_core::Error::NotANumber { what, at, text }
        }
        convlens_core::Error::NotFinite { what, value, .. } => {
            convlens_core::Error::NotFinite { what, at, value }
        }
        convlens_core::Error::WeightTooLarge {
            what, value, limit, ..
        } => convlens_core::Error::WeightTooLarge {
            what,
            at,
            value,
            limit,
        },
        other => other,
    })?;
    match rows.as_slice() {
        [row] if row.len() == 1 => Ok(row[0]),
        _ => Err(convlens_core::Error::NotANumber {
            what,
            at,
            text: convlens_core::error::shorten(text),
        }),
    }
}

/// A size as the page writes every size: height × width, labelled (`300 × 451 (H × W)`).
pub fn size_hw(height: usize, width: usize) -> String {
    fill(t().size_hw, &[("height", &height), ("width", &width)])
}

/// The gray level of one RGBA pixel, as the core's gray channel computes it, rounded
/// to a byte.
pub fn luminance_byte(pixel: &[u8]) -> u8 {
    let [r, g, b] = [0, 1, 2].map(|i| f32::from(pixel.get(i).copied().unwrap_or(0)));
    (0.299 * r + 0.587 * g + 0.114 * b)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// A weight as the grid shows it: whole numbers plainly, simple fractions as `a/b`
/// (`1/16`, `1/9`), others with up to four decimals.
pub fn weight_text(weight: f32) -> String {
    // Sums of fractions land next to whole numbers (25 · 1/25 = 0.99999994): say 1.
    if (f64::from(weight) - f64::from(weight).round()).abs() < 1e-5 {
        return number(weight.round());
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
pub fn signed(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(magnitude) => format!("(−{magnitude})"),
        None => text.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small frame of varied colours.
    pub(crate) fn frame() -> Frame {
        let (width, height) = (7, 5);
        let rgba = (0..width * height)
            .flat_map(|i| {
                [
                    (i * 7 % 256) as u8,
                    (i * 13 % 256) as u8,
                    (i * 29 % 256) as u8,
                    255,
                ]
            })
            .collect();
        Frame {
            width,
            height,
            rgba,
        }
    }

    #[test]
    fn weights_read_as_written_on_a_slide() {
        use convlens_core::Preset;
        assert_eq!(weight_text(1.0 / 256.0), "1/256");
        assert_eq!(weight_text(0.25), "1/4");
        assert_eq!(weight_text(-2.0), "-2");
        // Defect 2: the box blurs' sums of weights are 1, not "2/2".
        for preset in [Preset::Box5, Preset::Box7, Preset::Gaussian7] {
            assert_eq!(weight_text(preset.kernel().sum()), "1", "{preset:?}");
        }
        assert_eq!(signed("-3"), "(−3)");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.0625), "0.062");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(group_digits(1234567), "1\u{2009}234\u{2009}567");
        assert_eq!(group_digits(123), "123");
    }
}
