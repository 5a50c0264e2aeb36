//! The transposed-convolution view: each input cell stamps a copy of the kernel scaled by
//! its value onto the output, overlaps summed (`nn.ConvTranspose2d`), one stamp at a
//! time; the output-size formula filled in; the same layer as the transpose of the
//! convolution's matrix; and the checkerboard that stride 2 with kernel 3 leaves on a
//! photo, beside kernel 4 and resize-then-convolve.

use std::fmt::Write as _;

use convlens_core::conv::{conv2d_matrix, Matrix};
use convlens_core::geometry::{Padding, PaddingMode, Pads};
use convlens_core::kernel::parse_rows;
use convlens_core::{
    conv2d, conv_transpose2d, pool2d, ConvLayerShape, ConvParams, ConvTransposeParams,
    PoolFunction, PoolParams, Result, Shape, Tensor,
};

use crate::i18n::{fill, t, Texts};
use crate::pipeline::number;
use crate::settings::{number as whole, shorten, Settings, SettingsError};

/// The transposed-convolution view.
#[derive(Debug, Clone, Copy)]
pub struct Transposed;

/// The largest side of the input grid.
pub const MAX_INPUT: usize = 6;
/// The largest side of the kernel.
pub const MAX_KERNEL: usize = 5;
/// The largest stride.
pub const MAX_STRIDE: usize = 4;
/// The largest padding (rows and columns cropped from each side).
pub const MAX_PADDING: usize = 4;
/// The largest dilation.
pub const MAX_DILATION: usize = 3;
/// The matrix is drawn up to this many rows (output cells) …
pub const MATRIX_ROWS: usize = 121;
/// … and this many columns (input cells).
pub const MATRIX_COLUMNS: usize = 36;
/// The longest side of the photo the checkerboard is shown on (it is upsampled to twice
/// this).
pub const CHECKER_SIDE: usize = 64;

/// The transposed-convolution view's part of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TransposedSettings {
    /// The input `x`, row by row.
    pub grid: Vec<Vec<f32>>,
    /// The kernel `w`, row by row.
    pub kernel: Vec<Vec<f32>>,
    /// The stride: how far apart neighbouring cells stamp.
    pub stride: usize,
    /// Rows and columns cropped from each side of the stamped output.
    pub padding: usize,
    /// Extra rows at the bottom and columns at the right.
    pub output_padding: usize,
    /// Spacing between the kernel's taps.
    pub dilation: usize,
    /// The stamp shown (0 is the first input cell's).
    pub step: usize,
}

impl Default for TransposedSettings {
    /// A 2x2 input, the lecture's 3x3 blur kernel (times 16), stride 2: a 5x5 output
    /// where neighbouring stamps overlap on one row or column.
    fn default() -> Self {
        TransposedSettings {
            grid: vec![vec![1.0, 2.0], vec![3.0, 4.0]],
            kernel: vec![
                vec![1.0, 2.0, 1.0],
                vec![2.0, 4.0, 2.0],
                vec![1.0, 2.0, 1.0],
            ],
            stride: 2,
            padding: 0,
            output_padding: 0,
            dilation: 1,
            step: 0,
        }
    }
}

impl crate::views::View for Transposed {
    fn name(&self) -> &'static str {
        "transposed"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_transposed
    }

    fn parameters(&self) -> &'static [&'static str] {
        &[
            "tgrid",
            "tkernel",
            "tstride",
            "tpadding",
            "output_padding",
            "tdilation",
            "tstep",
        ]
    }

    /// The photo, for the checkerboard.
    fn uses(&self) -> &'static [&'static str] {
        &["image"]
    }

    /// The checkerboard draws its own small copy of the photo: no input panel.
    fn uses_image(&self) -> bool {
        false
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["tstride", "tpadding", "output_padding", "tstep"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let part = &mut settings.transposed;
        match key {
            "tgrid" | "tkernel" => {
                let (what, max) = if key == "tgrid" {
                    ("grid", MAX_INPUT)
                } else {
                    ("kernel", MAX_KERNEL)
                };
                let rows = parse_rows(&value.replace(' ', ""), what)?;
                if rows.len() > max || rows[0].len() > max {
                    return Err(SettingsError::AtMost { what, max });
                }
                if key == "tgrid" {
                    part.grid = rows;
                    part.step = 0;
                } else {
                    part.kernel = rows;
                }
            }
            "tstride" => part.stride = whole("tstride", value, 1, MAX_STRIDE)?,
            "tpadding" => part.padding = whole("tpadding", value, 0, MAX_PADDING)?,
            "output_padding" => {
                part.output_padding = whole("output_padding", value, 0, MAX_STRIDE - 1)?
            }
            "tdilation" => part.dilation = whole("tdilation", value, 1, MAX_DILATION)?,
            "tstep" => part.step = whole("tstep", value, 1, MAX_INPUT * MAX_INPUT)? - 1,
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        let part = &settings.transposed;
        match key {
            "tgrid" => crate::settings::rows(&part.grid),
            "tkernel" => crate::settings::rows(&part.kernel),
            "tstride" => part.stride.to_string(),
            "tpadding" => part.padding.to_string(),
            "output_padding" => part.output_padding.to_string(),
            "tdilation" => part.dilation.to_string(),
            "tstep" => (part.step + 1).to_string(),
            _ => String::new(),
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

/// One product of a stamp: input cell `input` times kernel weight `tap` lands on output
/// cell `at` (in the coordinates of the uncropped output).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Product {
    /// The input cell `(row, column)`.
    pub input: (usize, usize),
    /// The kernel weight `(row, column)`.
    pub tap: (usize, usize),
    /// Where it lands, before cropping.
    pub at: (usize, usize),
    /// The input value.
    pub value: f32,
    /// The weight.
    pub weight: f32,
}

/// The transposed-convolution view at one stamp.
#[derive(Debug, Clone, PartialEq)]
pub struct TransposedFacts {
    /// The input `x` (one plane).
    pub input: Tensor,
    /// The weight, `1 x 1 x K_h x K_w`.
    pub weight: Tensor,
    /// The layer's output, `nn.ConvTranspose2d` exactly.
    pub output: Tensor,
    /// The stamps so far (up to and including the one shown), before the padding crops
    /// them: the output of the same layer without padding and output padding.
    pub stamped: Tensor,
    /// How many of the stamps so far reach each cell of the stamped area.
    pub overlaps: Tensor,
    /// Rows and columns of the drawn output: the stamped area, or more where the
    /// output padding reaches past it.
    pub drawn: (usize, usize),
    /// Where the output begins in the drawn area (the padding, cropped from each side).
    pub crop: usize,
    /// Number of stamps (input cells).
    pub stamps: usize,
    /// The stamp shown, clamped to the last.
    pub step: usize,
    /// That stamp's products.
    pub stamp: Vec<Product>,
    /// The output-size formulas (height, width), filled in.
    pub formulas: [String; 2],
    /// The layer in PyTorch.
    pub pytorch: String,
    /// The convolution whose matrix this layer transposes, in PyTorch.
    pub convolution: String,
    /// Learned weights (no bias).
    pub parameters: usize,
    /// Multiply-adds: every input cell times every weight.
    pub multiply_adds: u64,
    /// The layer's matrix (one row per output cell, one column per input cell, row-major
    /// as PyTorch flattens): `Some((m, n))` where weight `(m, n)` sits. `None` when too
    /// large to draw.
    pub matrix: Option<Matrix>,
}

fn layer_params(
    part: &TransposedSettings,
    padding: usize,
    output_padding: usize,
) -> ConvTransposeParams {
    ConvTransposeParams {
        stride: (part.stride, part.stride),
        padding: Pads::uniform(padding),
        output_padding: (output_padding, output_padding),
        dilation: (part.dilation, part.dilation),
        groups: 1,
    }
}

/// Every product of input cell `(y, x)`'s stamp.
fn stamp_of(
    input: &Tensor,
    weight: &Tensor,
    part: &TransposedSettings,
    (y, x): (usize, usize),
) -> Vec<Product> {
    let (s, d) = (part.stride, part.dilation);
    let value = input.get(0, 0, y, x).unwrap_or(0.0);
    (0..weight.height())
        .flat_map(|m| (0..weight.width()).map(move |n| (m, n)))
        .map(|(m, n)| Product {
            input: (y, x),
            tap: (m, n),
            at: (y * s + m * d, x * s + n * d),
            value,
            weight: weight.get(0, 0, m, n).unwrap_or(0.0),
        })
        .collect()
}

/// Works out the view: the output, the stamps so far, the formulas and the matrix.
///
/// # Errors
/// An empty grid or kernel, an output padding not smaller than the stride or the
/// dilation, padding that crops the whole output (the core's sentences).
pub fn transposed_facts(settings: &Settings) -> Result<TransposedFacts> {
    let part = &settings.transposed;
    let input = Tensor::from_rows(&part.grid)?;
    let kernel = Tensor::from_rows(&part.kernel)?;
    let (kh, kw) = (kernel.height(), kernel.width());
    let weight = Tensor::with_batch(1, 1, kh, kw, kernel.into_data())?;
    let params = layer_params(part, part.padding, part.output_padding);
    let output = conv_transpose2d(&input, &weight, None, &params)?;
    let (h, w) = (input.height(), input.width());
    let stamps = h * w;
    let step = part.step.min(stamps - 1);
    // The stamps so far: the same layer on the cells stamped yet, nothing cropped.
    let mut shown = input.clone();
    for (i, value) in shown.data_mut().iter_mut().enumerate() {
        if i > step {
            *value = 0.0;
        }
    }
    let stamped = conv_transpose2d(&shown, &weight, None, &layer_params(part, 0, 0))?;
    for value in shown.data_mut().iter_mut().take(step + 1) {
        *value = 1.0;
    }
    let ones = Tensor::filled(weight.shape(), 1.0);
    let overlaps = conv_transpose2d(&shown, &ones, None, &layer_params(part, 0, 0))?;
    let crop = part.padding;
    let drawn = (
        stamped.height().max(crop + output.height()),
        stamped.width().max(crop + output.width()),
    );
    let stamp = stamp_of(&input, &weight, part, (step / w, step % w));
    let (s, p, op, d) = (
        part.stride,
        part.padding,
        part.output_padding,
        part.dilation,
    );
    let formula = |axis: &str, size: usize, k: usize, out: usize| {
        format!(
            "{axis}_out = ({axis}_in − 1)·s − 2p + d·(k − 1) + output_padding + 1 = \
             ({size} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {out}"
        )
    };
    let formulas = [
        formula("H", h, kh, output.height()),
        formula("W", w, kw, output.width()),
    ];
    let kernel_text = if kh == kw {
        kh.to_string()
    } else {
        format!("({kh}, {kw})")
    };
    let mut extra = String::new();
    if p > 0 {
        let _ = write!(extra, ", padding={p}");
    }
    if op > 0 {
        let _ = write!(extra, ", output_padding={op}");
    }
    if d > 1 {
        let _ = write!(extra, ", dilation={d}");
    }
    let pytorch = format!(
        "nn.ConvTranspose2d(1, 1, kernel_size={kernel_text}, stride={s}{extra}, bias=False)"
    );
    let mut conv_extra = String::new();
    if p > 0 {
        let _ = write!(conv_extra, ", padding={p}");
    }
    if d > 1 {
        let _ = write!(conv_extra, ", dilation={d}");
    }
    let convolution =
        format!("nn.Conv2d(1, 1, kernel_size={kernel_text}, stride={s}{conv_extra}, bias=False)");
    let shape = ConvLayerShape {
        in_channels: 1,
        out_channels: 1,
        kernel: (kh, kw),
        groups: 1,
        bias: false,
    };
    let parameters = shape.parameters()? as usize;
    let multiply_adds = shape
        .transposed_flops((h, w), (output.height(), output.width()))?
        .multiply_adds;
    let (oh, ow) = (output.height(), output.width());
    let matrix = if oh * ow <= MATRIX_ROWS && stamps <= MATRIX_COLUMNS {
        Some(transposed_matrix((h, w), (oh, ow), (kh, kw), part)?)
    } else {
        None
    };
    Ok(TransposedFacts {
        input,
        weight,
        output,
        stamped,
        overlaps,
        drawn,
        crop,
        stamps,
        step,
        stamp,
        formulas,
        pytorch,
        convolution,
        parameters,
        multiply_adds,
        matrix,
    })
}

/// The transposed layer's matrix: the transpose of the matrix of the convolution (same
/// kernel, stride, padding, dilation) that maps the `output` size back to `input`.
/// With an output padding of a stride or more (possible with dilation), that convolution
/// gives more than `input`: only its first rows and columns are this layer's.
fn transposed_matrix(
    input: (usize, usize),
    output: (usize, usize),
    kernel: (usize, usize),
    part: &TransposedSettings,
) -> Result<Matrix> {
    let (s, d) = (part.stride, part.dilation);
    let conv = conv2d_matrix(output, kernel, (s, s), Pads::uniform(part.padding), (d, d))?;
    let conv_width = (output.1 + 2 * part.padding - d * (kernel.1 - 1) - 1) / s + 1;
    let rows: Vec<&Vec<Option<(usize, usize)>>> = conv
        .iter()
        .enumerate()
        .filter(|(i, _)| i / conv_width < input.0 && i % conv_width < input.1)
        .map(|(_, row)| row)
        .collect();
    Ok((0..output.0 * output.1)
        .map(|j| rows.iter().map(|row| row[j]).collect())
        .collect())
}

/// The sum that gives drawn cell `at` (uncropped coordinates) when every stamp is in,
/// written out: `y[1,3] = x[1,1]·w[1,3] + x[1,2]·w[1,1] = 1·1 + 2·1 = 3`. Output rows
/// and columns count from 1 inside the crop; a cropped cell says so.
pub fn cell_sum(settings: &Settings, facts: &TransposedFacts, at: (usize, usize)) -> String {
    let part = &settings.transposed;
    let (h, w) = (facts.input.height(), facts.input.width());
    let products: Vec<Product> = (0..h * w)
        .flat_map(|i| stamp_of(&facts.input, &facts.weight, part, (i / w, i % w)))
        .filter(|p| p.at == at)
        .collect();
    let inside = |v: usize, size: usize| v >= facts.crop && v < facts.crop + size;
    let name = if inside(at.0, facts.output.height()) && inside(at.1, facts.output.width()) {
        format!("y[{},{}]", at.0 - facts.crop + 1, at.1 - facts.crop + 1)
    } else {
        t().transposed_cropped.to_string()
    };
    if products.is_empty() {
        return format!("{name} = 0 ({})", t().transposed_no_stamp);
    }
    let symbols: Vec<String> = products
        .iter()
        .map(|p| {
            format!(
                "x[{},{}]·w[{},{}]",
                p.input.0 + 1,
                p.input.1 + 1,
                p.tap.0 + 1,
                p.tap.1 + 1
            )
        })
        .collect();
    let numbers: Vec<String> = products
        .iter()
        .map(|p| format!("{}·{}", bracketed(p.value), bracketed(p.weight)))
        .collect();
    let total: f32 = products.iter().map(|p| p.value * p.weight).sum();
    format!(
        "{name} = {} = {} = {}",
        symbols.join(" + "),
        numbers.join(" + "),
        number(total)
    )
}

/// A number, a negative one in parentheses with a real minus sign: `(−1)`.
fn bracketed(value: f32) -> String {
    if value < 0.0 {
        format!("(−{})", number(-value))
    } else {
        number(value)
    }
}

/// The checkerboard demonstration on a photo: upsampling by 2 with kernel 3 (stamps
/// overlap unevenly), with kernel 4 (evenly), the overlap counts, and resize-then-
/// convolve.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkerboard {
    /// The photo, gray, at most [`CHECKER_SIDE`] on its longest side.
    pub small: Tensor,
    /// `nn.ConvTranspose2d(kernel_size=3, stride=2, padding=1, output_padding=1)`, every
    /// weight 4/9 (so that the weights per output cell add up to 1 on average).
    pub uneven: Tensor,
    /// How many stamps reach each output cell with kernel 3: 1, 2 and 4 in turn.
    pub uneven_counts: Tensor,
    /// `nn.ConvTranspose2d(kernel_size=4, stride=2, padding=1)`, every weight 1/4.
    pub even: Tensor,
    /// The same count with kernel 4: 4 everywhere inside.
    pub even_counts: Tensor,
    /// Nearest-neighbour resize by 2, then a 3x3 mean (`padding=1`, replicate).
    pub resized: Tensor,
}

/// The PyTorch lines of [`Checkerboard`]'s three layers.
pub const CHECKER_PYTORCH: [&str; 3] = [
    "nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)",
    "nn.ConvTranspose2d(1, 1, kernel_size=4, stride=2, padding=1)",
    "nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(1, 1, kernel_size=3, padding=1, padding_mode='replicate'))",
];

/// Works out the checkerboard from a gray photo (one plane, values 0..255).
///
/// # Errors
/// An empty photo.
pub fn checkerboard(gray: &Tensor) -> Result<Checkerboard> {
    let side = gray.height().max(gray.width());
    let factor = side.div_ceil(CHECKER_SIDE).max(1);
    let small = if factor > 1 {
        pool2d(gray, PoolFunction::Mean, &PoolParams::square(factor))?
    } else {
        gray.clone()
    };
    let filled = |k: usize, value: f32| -> Result<Tensor> {
        Ok(Tensor::filled(Shape::new(1, 1, k, k)?, value))
    };
    let up = |output_padding: usize| ConvTransposeParams {
        stride: (2, 2),
        padding: Pads::uniform(1),
        output_padding: (output_padding, output_padding),
        ..ConvTransposeParams::default()
    };
    let ones = Tensor::filled(small.shape(), 1.0);
    let uneven = conv_transpose2d(&small, &filled(3, 4.0 / 9.0)?, None, &up(1))?;
    let uneven_counts = conv_transpose2d(&ones, &filled(3, 1.0)?, None, &up(1))?;
    let even = conv_transpose2d(&small, &filled(4, 0.25)?, None, &up(0))?;
    let even_counts = conv_transpose2d(&ones, &filled(4, 1.0)?, None, &up(0))?;
    // Nearest-neighbour resize is itself a transposed convolution: kernel 2 of ones,
    // stride 2.
    let nearest = conv_transpose2d(
        &small,
        &filled(2, 1.0)?,
        None,
        &ConvTransposeParams {
            stride: (2, 2),
            ..ConvTransposeParams::default()
        },
    )?;
    let resized = conv2d(
        &nearest,
        &filled(3, 1.0 / 9.0)?,
        None,
        &ConvParams {
            padding: Padding::uniform(1),
            padding_mode: PaddingMode::Replicate,
            ..ConvParams::default()
        },
    )?;
    Ok(Checkerboard {
        small,
        uneven,
        uneven_counts,
        even,
        even_counts,
        resized,
    })
}

/// The different counts inside a count map (its border rows and columns left out), in
/// increasing order.
pub fn inner_counts(counts: &Tensor) -> Vec<f32> {
    let (h, w) = (counts.height(), counts.width());
    let mut seen: Vec<f32> = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let v = counts.get(0, 0, y, x).unwrap_or(0.0);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
    }
    seen.sort_by(f32::total_cmp);
    seen
}

/// [`inner_counts`] as the page writes them: `1, 2, 4`.
pub fn counts_text(counts: &Tensor) -> String {
    inner_counts(counts)
        .iter()
        .map(|&v| number(v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The words of the stamp shown: which cell, its value, where it lands.
pub fn stamp_text(facts: &TransposedFacts) -> String {
    let first = facts.stamp.first();
    let last = facts.stamp.last();
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    fill(
        t().transposed_stamp,
        &[
            ("step", &(facts.step + 1)),
            ("stamps", &facts.stamps),
            ("y", &(first.input.0 + 1)),
            ("x", &(first.input.1 + 1)),
            ("value", &number(first.value)),
            ("top", &(first.at.0 + 1)),
            ("bottom", &(last.at.0 + 1)),
            ("left", &(first.at.1 + 1)),
            ("right", &(last.at.1 + 1)),
        ],
    )
}

#[cfg(target_arch = "wasm32")]
mod page;

#[cfg(test)]
mod tests;
