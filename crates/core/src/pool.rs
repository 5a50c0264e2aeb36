//! Pooling, exactly as `nn.MaxPool2d`, `nn.AvgPool2d`, `nn.LPPool2d`, `nn.MaxUnpool2d`
//! and global pooling compute it.
//!
//! Each channel is pooled on its own. The window of output cell `(y, x)` starts at input
//! row `y * stride_h - padding.top` and column `x * stride_w - padding.left`, and takes
//! every `dilation`-th pixel. Padded cells never win a max or min (PyTorch pads with
//! `-inf`); for the mean, `count_include_pad` decides whether they count in the divisor.
//!
//! The output size along each axis is PyTorch's
//!
//! ```text
//! H_out = floor((H + top + bottom - d (k - 1) - 1) / s) + 1        (ceil with ceil_mode)
//! ```
//!
//! and with `ceil_mode` the last window is kept when it starts inside the input or its
//! leading padding, and dropped when it would start in the trailing padding. In ceil mode
//! a window may reach past the padded input: on `[[1, 2], [3, 4]]` a 3x3 window at stride
//! 2 gives one cell, max 4 and mean 10/4 (the window clipped to the input).

use crate::error::{positive, Error, Result};
use crate::geometry::{window_output, Pads};
use crate::tensor::{Shape, Tensor};

/// What a pooling window computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PoolFunction {
    /// The largest value (`nn.MaxPool2d`). NaN wins, as in PyTorch.
    #[default]
    Max,
    /// The mean (`nn.AvgPool2d`).
    Mean,
    /// The smallest value (`-maxpool(-x)`).
    Min,
    /// Power-average pooling, `nn.LPPool2d(p)`: `(Σ x^p)^(1/p)` over the window; `p = 1`
    /// is the sum, `p = 2` the Euclidean norm, and large `p` approaches the maximum.
    ///
    /// Exactly PyTorch's `(avg_pool2d(x^p) · K_h K_w)^(1/p)`: a window that ceil mode cuts
    /// short is scaled up to the full window's size (PyTorch does so), and `x^p` is taken
    /// without `|x|` (ONNX's `LpPool` takes `|x|`; the two agree on non-negative inputs,
    /// such as images or maps after ReLU). Padding counts as zeros; `count_include_pad`
    /// does not apply.
    Lp(Power),
}

/// The `p` of LP pooling (`nn.LPPool2d`'s `norm_type`): a finite number above zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Power(f32);

impl Power {
    /// `p = 2`: the Euclidean norm of each window.
    pub const TWO: Power = Power(2.0);

    /// A power `p`.
    ///
    /// # Errors
    /// [`Error::LpPower`] for zero, a negative number, infinity or NaN.
    pub fn new(p: f32) -> Result<Self> {
        if p.is_finite() && p > 0.0 {
            Ok(Power(p))
        } else {
            Err(Error::LpPower { p })
        }
    }

    /// The number.
    pub fn value(self) -> f32 {
        self.0
    }
}

// A power is finite and positive, so its bits are a lawful key.
impl Eq for Power {}

impl std::hash::Hash for Power {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl PoolFunction {
    /// Every function, in the order the demo lists them (LP pooling with `p = 2`).
    pub const ALL: [PoolFunction; 4] = [
        PoolFunction::Max,
        PoolFunction::Mean,
        PoolFunction::Min,
        PoolFunction::Lp(Power::TWO),
    ];

    /// The URL name (`lp` for every power).
    pub fn name(self) -> &'static str {
        match self {
            PoolFunction::Max => "max",
            PoolFunction::Mean => "mean",
            PoolFunction::Min => "min",
            PoolFunction::Lp(_) => "lp",
        }
    }

    /// The function with this URL name (`lp` is `p = 2`).
    ///
    /// # Errors
    /// An unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        PoolFunction::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| Error::Unknown {
                what: crate::error::Named::Pooling,
                name: crate::error::shorten(name),
            })
    }

    /// True for max and min pooling, which take one cell of each window.
    pub fn picks_one(self) -> bool {
        matches!(self, PoolFunction::Max | PoolFunction::Min)
    }
}

/// The settings of a pooling layer, as `nn.MaxPool2d` / `nn.AvgPool2d` / `nn.LPPool2d`
/// take them (and `nn.MaxUnpool2d`, which reads the kernel, stride and padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolParams {
    /// Window size `(height, width)`.
    pub kernel: (usize, usize),
    /// Step of the window; `None` means the window size, as in PyTorch.
    pub stride: Option<(usize, usize)>,
    /// Implicit padding on each side, at most half the window (PyTorch's `padding` is
    /// the same on both sides of an axis; ONNX's `pads` may differ).
    pub padding: Pads,
    /// Spacing between window taps (max and min only; PyTorch's average and LP pooling
    /// have none).
    pub dilation: (usize, usize),
    /// Round the output size up instead of down.
    pub ceil_mode: bool,
    /// For the mean: divide by the whole window, padding included (PyTorch's default),
    /// rather than by the cells inside the input.
    pub count_include_pad: bool,
    /// For the mean: divide every window's sum by this number instead
    /// (`nn.AvgPool2d(..., divisor_override=d)`); `count_include_pad` then does not
    /// matter. `None` is PyTorch's default. Only the mean takes one.
    pub divisor_override: Option<usize>,
}

impl PoolParams {
    /// A `size x size` window with stride `size` and PyTorch's other defaults.
    pub fn square(size: usize) -> Self {
        PoolParams {
            kernel: (size, size),
            stride: None,
            padding: Pads::default(),
            dilation: (1, 1),
            ceil_mode: false,
            count_include_pad: true,
            divisor_override: None,
        }
    }

    /// The stride in use: the given one, or the window size.
    pub fn stride(&self) -> (usize, usize) {
        self.stride.unwrap_or(self.kernel)
    }

    /// Checks the settings for an input of `height x width` and gives the output size.
    ///
    /// # Errors
    /// Zero sizes, padding over half the window, dilation with the mean or LP pooling, a
    /// divisor of zero or with a function other than the mean, a window larger than the
    /// padded input, or (with dilation) a window whose taps all fall on padding.
    pub fn output_size(
        &self,
        function: PoolFunction,
        height: usize,
        width: usize,
    ) -> Result<(usize, usize)> {
        positive(self.kernel.0, "pooling window height")?;
        positive(self.kernel.1, "pooling window width")?;
        if let Some(divisor) = self.divisor_override {
            positive(divisor, "divisor_override")?;
            if function != PoolFunction::Mean {
                return Err(Error::DivisorNotMean { divisor });
            }
        }
        let pads = self.padding;
        for (pad, side) in [
            (pads.top, self.kernel.0),
            (pads.bottom, self.kernel.0),
            (pads.left, self.kernel.1),
            (pads.right, self.kernel.1),
        ] {
            if pad > side / 2 {
                return Err(Error::PoolPaddingTooLarge {
                    padding: pad,
                    window: side,
                });
            }
        }
        if self.dilation != (1, 1) {
            match function {
                PoolFunction::Mean => {
                    return Err(Error::MeanPoolDilation {
                        dilation: self.dilation,
                    })
                }
                PoolFunction::Lp(_) => {
                    return Err(Error::LpPoolDilation {
                        dilation: self.dilation,
                    })
                }
                _ => {}
            }
        }
        // A window is walked tap by tap: cap the padded input as convolution does, so a
        // huge window (with its allowed half-window of padding) cannot stall the page.
        let padded = pads.padded(height, width).ok_or(Error::Overflow {
            what: "padded input",
        })?;
        Shape::new(1, 1, padded.0, padded.1)?;
        let output = window_output(
            (height, width),
            self.kernel,
            self.stride(),
            pads,
            self.dilation,
            self.ceil_mode,
            "pooling window",
        )?;
        // With dilation, a window's taps can step over the whole input.
        for (axis, count, size) in [(0, output.0, height), (1, output.1, width)] {
            if let Some(cell) = (0..count).find(|&i| self.taps(i, axis, size).next().is_none()) {
                return Err(Error::WindowInPadding {
                    along: if axis == 0 { "height" } else { "width" },
                    cell,
                });
            }
        }
        Ok(output)
    }

    /// The input cells `(row, column)` that pooled cell `(y, x)` takes, padding left out.
    ///
    /// # Errors
    /// Invalid settings, or a cell outside the pooled map.
    pub fn window_cells(
        &self,
        function: PoolFunction,
        input: (usize, usize),
        (y, x): (usize, usize),
    ) -> Result<Vec<(usize, usize)>> {
        let windows = self.windows(function, input.0, input.1)?;
        let (out_h, out_w) = windows.output;
        if y >= out_h || x >= out_w {
            return Err(Error::CellOutside {
                what: "pooled map",
                size: (out_h, out_w),
                cell: (y, x),
            });
        }
        Ok(windows.rows[y]
            .iter()
            .flat_map(|&r| windows.columns[x].iter().map(move |&c| (r, c)))
            .collect())
    }

    /// What the mean of pooled cell `(y, x)` of an `input` of `(height, width)` divides
    /// its window's sum by: the `divisor_override`, the window clipped to the padded frame
    /// (`count_include_pad`), or its cells inside the input.
    ///
    /// # Errors
    /// Invalid settings for the mean, or a cell outside the pooled map.
    pub fn mean_divisor(&self, input: (usize, usize), (y, x): (usize, usize)) -> Result<usize> {
        let windows = self.windows(PoolFunction::Mean, input.0, input.1)?;
        if y >= windows.output.0 || x >= windows.output.1 {
            return Err(Error::CellOutside {
                what: "pooled map",
                size: windows.output,
                cell: (y, x),
            });
        }
        Ok(windows.divisor(y, x))
    }

    /// `(stride, leading pad, trailing pad, kernel, dilation)` along `axis`.
    fn axis(&self, axis: usize) -> (usize, usize, usize, usize, usize) {
        let (s, p) = (self.stride(), self.padding);
        if axis == 0 {
            (s.0, p.top, p.bottom, self.kernel.0, self.dilation.0)
        } else {
            (s.1, p.left, p.right, self.kernel.1, self.dilation.1)
        }
    }

    /// The in-range input indices of the window of output index `out` along `axis`.
    ///
    /// Worked out, not searched for: in ceil mode a window may be far larger than the
    /// input, and only its taps inside the input are visited.
    fn taps(&self, out: usize, axis: usize, size: usize) -> impl Iterator<Item = usize> {
        let (stride, before, _, kernel, dilation) = self.axis(axis);
        let wide = |v: usize| v as i128;
        let start = wide(out) * wide(stride) - wide(before);
        let dilation = wide(dilation.max(1));
        // Taps k with 0 <= start + k d < size.
        let first = if start < 0 {
            (-start + dilation - 1) / dilation
        } else {
            0
        };
        let end = if start >= wide(size) {
            0
        } else {
            ((wide(size) - 1 - start) / dilation + 1).min(wide(kernel))
        };
        (first..end.max(first)).map(move |k| (start + k * dilation) as usize)
    }

    /// Checks the settings for a `height x width` input and lists every window's taps.
    pub(crate) fn windows(
        &self,
        function: PoolFunction,
        height: usize,
        width: usize,
    ) -> Result<Windows> {
        let output = self.output_size(function, height, width)?;
        let axis = |count: usize, axis: usize, size: usize| -> Vec<Vec<usize>> {
            (0..count)
                .map(|i| self.taps(i, axis, size).collect())
                .collect()
        };
        // The window clipped to the padded frame, as PyTorch counts it for the mean
        // (a window that ceil mode lets reach past the frame is cut there).
        let spans = |count: usize, axis: usize, size: usize| -> Vec<usize> {
            let (stride, before, after, kernel, _) = self.axis(axis);
            (0..count)
                .map(|i| {
                    (i * stride)
                        .saturating_add(kernel)
                        .min(size + before + after)
                        - i * stride
                })
                .collect()
        };
        Ok(Windows {
            output,
            rows: axis(output.0, 0, height),
            columns: axis(output.1, 1, width),
            spans: (spans(output.0, 0, height), spans(output.1, 1, width)),
            count_include_pad: self.count_include_pad,
            divisor_override: self.divisor_override,
            full: self.kernel.0.saturating_mul(self.kernel.1),
        })
    }

    /// The size `nn.MaxUnpool2d` gives back for a pooled `height x width` map with these
    /// settings, `(H - 1) s - (top + bottom) + k` along each axis (the size before
    /// pooling, up to the rows the stride skipped).
    ///
    /// # Errors
    /// A zero size, kernel or stride; padding that removes the whole output; a size too
    /// large.
    pub fn unpooled_size(&self, height: usize, width: usize) -> Result<(usize, usize)> {
        positive(height, "height")?;
        positive(width, "width")?;
        positive(self.kernel.0, "pooling window height")?;
        positive(self.kernel.1, "pooling window width")?;
        let stride = self.stride();
        positive(stride.0, "stride")?;
        positive(stride.1, "stride")?;
        crate::transpose::stamped_size(
            (height, width),
            self.kernel,
            stride,
            (1, 1),
            (0, 0),
            self.padding,
            "unpooled map",
        )
    }
}

/// The windows of a checked pooling of one plane: for each pooled row the input rows it
/// takes (padding left out), for each pooled column the input columns.
#[derive(Debug, Clone)]
pub(crate) struct Windows {
    /// The pooled size `(height, width)`.
    pub output: (usize, usize),
    /// Input rows of each pooled row.
    pub rows: Vec<Vec<usize>>,
    /// Input columns of each pooled column.
    pub columns: Vec<Vec<usize>>,
    /// Each window's extent clipped to the padded frame, per pooled row and column.
    spans: (Vec<usize>, Vec<usize>),
    count_include_pad: bool,
    divisor_override: Option<usize>,
    /// The whole window's size, `K_h K_w`.
    full: usize,
}

impl Windows {
    /// What the mean of pooled cell `(y, x)` divides by: the `divisor_override` if one
    /// is given, else the window clipped to the padded frame (`count_include_pad`,
    /// PyTorch's default), or its cells inside the input.
    pub(crate) fn divisor(&self, y: usize, x: usize) -> usize {
        if let Some(divisor) = self.divisor_override {
            divisor
        } else if self.count_include_pad {
            self.spans.0[y] * self.spans.1[x]
        } else {
            self.rows[y].len() * self.columns[x].len()
        }
    }

    /// LP pooling's value of pooled cell `(y, x)` from its window's sum of powers.
    pub(crate) fn lp(&self, y: usize, x: usize, sum: f32, p: Power) -> f32 {
        lp_root(sum, self.spans.0[y] * self.spans.1[x], self.full, p)
    }

    /// What LP pooling scales the sum of powers of cell `(y, x)` by: `K_h K_w` over the
    /// window clipped to the padded frame (1 unless ceil mode cut the window short).
    pub(crate) fn lp_scale(&self, y: usize, x: usize) -> f32 {
        self.full as f32 / (self.spans.0[y] * self.spans.1[x]) as f32
    }

    /// Max (`sign = 1`) or min (`sign = -1`) pooling of one `width`-wide plane into
    /// `values`, with the flat index of each window's winner in `indices`: the first
    /// largest in row-major window order; a NaN wins (the last NaN), as in PyTorch.
    pub(crate) fn best(
        &self,
        plane: &[f32],
        width: usize,
        sign: f32,
        values: &mut Vec<f32>,
        indices: &mut Vec<usize>,
    ) {
        for rows in &self.rows {
            for columns in &self.columns {
                let mut best = f32::NEG_INFINITY;
                let mut index = rows[0] * width + columns[0];
                for &r in rows {
                    for &c in columns {
                        let v = sign * plane[r * width + c];
                        if v > best || v.is_nan() {
                            best = v;
                            index = r * width + c;
                        }
                    }
                }
                values.push(sign * best);
                indices.push(index);
            }
        }
    }
}

/// Pools every channel of every image.
///
/// # Errors
/// As [`PoolParams::output_size`].
pub fn pool2d(input: &Tensor, function: PoolFunction, params: &PoolParams) -> Result<Tensor> {
    let shape = input.shape();
    let windows = params.windows(function, shape.height, shape.width)?;
    let (out_h, out_w) = windows.output;
    let out_shape = Shape::new(shape.batch, shape.channels, out_h, out_w)?;
    let mut data = Vec::with_capacity(out_shape.len());
    let mut indices = Vec::new();
    for plane in input.data().chunks_exact(shape.plane_len()) {
        if function.picks_one() {
            let sign = if function == PoolFunction::Min {
                -1.0
            } else {
                1.0
            };
            windows.best(plane, shape.width, sign, &mut data, &mut indices);
            continue;
        }
        for (y, rows) in windows.rows.iter().enumerate() {
            for (x, columns) in windows.columns.iter().enumerate() {
                let mut sum = 0.0;
                for &r in rows {
                    for &c in columns {
                        sum += match function {
                            PoolFunction::Lp(p) => plane[r * shape.width + c].powf(p.value()),
                            _ => plane[r * shape.width + c],
                        };
                    }
                }
                data.push(match function {
                    PoolFunction::Lp(p) => windows.lp(y, x, sum, p),
                    _ => sum / windows.divisor(y, x) as f32,
                });
            }
        }
    }
    Tensor::with_batch(shape.batch, shape.channels, out_h, out_w, data)
}

/// LP pooling's value from a window's sum of powers, in PyTorch's order of operations:
/// `avg_pool2d(x^p)` (the sum over `divisor`, the window clipped to the padded frame),
/// times the whole window `K_h K_w`, to the power `1/p`.
pub(crate) fn lp_root(sum: f32, divisor: usize, full: usize, p: Power) -> f32 {
    (sum / divisor as f32 * full as f32).powf(1.0 / p.value())
}

/// `nn.MaxUnpool2d`: puts each value of `input` back at its index (as
/// [`crate::max_pool2d_with_indices`] gives them, flat per plane) in an output of zeros.
/// The output is `output_size` if given (which must lie within one stride of the
/// default, as in PyTorch), else [`PoolParams::unpooled_size`]; only the kernel, stride
/// and padding of `params` are read. Where two values share an index, the later wins.
///
/// # Errors
/// As [`PoolParams::unpooled_size`]; an `output_size` not within one stride of the
/// default; indices that are not one per input value or that point outside the output
/// plane.
pub fn max_unpool2d(
    input: &Tensor,
    indices: &[usize],
    params: &PoolParams,
    output_size: Option<(usize, usize)>,
) -> Result<Tensor> {
    let shape = input.shape();
    let default = params.unpooled_size(shape.height, shape.width)?;
    let stride = params.stride();
    let size = match output_size {
        None => default,
        Some(size) => {
            let within = |asked: usize, default: usize, stride: usize| {
                asked.saturating_add(stride) > default && asked < default.saturating_add(stride)
            };
            if !within(size.0, default.0, stride.0) || !within(size.1, default.1, stride.1) {
                return Err(Error::UnpoolSize {
                    asked: size,
                    default,
                    stride,
                });
            }
            size
        }
    };
    if indices.len() != shape.len() {
        return Err(Error::DataLength {
            what: "indices (one per pooled value)",
            expected: shape.len(),
            actual: indices.len(),
        });
    }
    let out_shape = Shape::new(shape.batch, shape.channels, size.0, size.1)?;
    let plane_len = out_shape.plane_len();
    if let Some(&index) = indices.iter().find(|&&i| i >= plane_len) {
        return Err(Error::IndexOutOfPlane { index, plane: size });
    }
    let mut output = Tensor::filled(out_shape, 0.0);
    for ((plane, values), indices) in output
        .data_mut()
        .chunks_exact_mut(plane_len)
        .zip(input.data().chunks_exact(shape.plane_len()))
        .zip(indices.chunks_exact(shape.plane_len()))
    {
        for (&value, &index) in values.iter().zip(indices) {
            plane[index] = value;
        }
    }
    Ok(output)
}

/// Global pooling: one value per channel over the whole plane
/// (`nn.AdaptiveMaxPool2d(1)` / `nn.AdaptiveAvgPool2d(1)`), shape `N x C x 1 x 1`.
///
/// # Errors
/// None for a valid tensor; the `Result` keeps the signature uniform.
pub fn global_pool(input: &Tensor, function: PoolFunction) -> Result<Tensor> {
    let shape = input.shape();
    let params = PoolParams {
        kernel: (shape.height, shape.width),
        ..PoolParams::square(1)
    };
    pool2d(input, function, &params)
}

/// The input range `start..end` of output index `i` of adaptive pooling to `outputs`
/// cells along an axis of `size`: PyTorch's `start = floor(i size / outputs)`,
/// `end = ceil((i + 1) size / outputs)`. Windows overlap when `size` is not a multiple
/// of `outputs`, and every window holds at least one cell (even for `outputs > size`).
/// `i < outputs` and `outputs > 0` are the caller's to keep.
pub fn adaptive_window(i: usize, size: usize, outputs: usize) -> (usize, usize) {
    // In u128: no product wraps, even in 32-bit WebAssembly.
    let (i, size, outputs) = (i as u128, size as u128, outputs.max(1) as u128);
    let start = i * size / outputs;
    let end = ((i + 1) * size).div_ceil(outputs);
    (start as usize, end as usize)
}

/// Checks an adaptive pooling of `input` to `output` and gives the output's shape.
fn adaptive_shape(input: &Tensor, output: (usize, usize)) -> Result<Shape> {
    positive(output.0, "adaptive pooling height")?;
    positive(output.1, "adaptive pooling width")?;
    let shape = input.shape();
    Shape::new(shape.batch, shape.channels, output.0, output.1)
}

/// `nn.AdaptiveAvgPool2d(output)`: output cell `(y, x)` is the mean of the input's rows
/// and columns [`adaptive_window`] gives (no padding; the windows' sizes may differ by
/// one and neighbours may share cells). `(1, 1)` is global average pooling.
///
/// # Errors
/// A zero output size, or an output too large.
pub fn adaptive_avg_pool2d(input: &Tensor, output: (usize, usize)) -> Result<Tensor> {
    let out = adaptive_shape(input, output)?;
    let shape = input.shape();
    let (h, w) = (shape.height, shape.width);
    let mut data = Vec::with_capacity(out.len());
    for plane in input.data().chunks_exact(shape.plane_len()) {
        for y in 0..out.height {
            let (top, bottom) = adaptive_window(y, h, out.height);
            for x in 0..out.width {
                let (left, right) = adaptive_window(x, w, out.width);
                let sum: f32 = (top..bottom)
                    .map(|r| plane[r * w + left..r * w + right].iter().sum::<f32>())
                    .sum();
                data.push(sum / ((bottom - top) * (right - left)) as f32);
            }
        }
    }
    Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)
}

/// `nn.AdaptiveMaxPool2d(output, return_indices=True)`: the largest value of each
/// [`adaptive_window`] and its flat index in its input plane (`row * W + column`, as
/// PyTorch returns them): the first largest in row-major window order, a NaN wins.
///
/// # Errors
/// A zero output size, or an output too large.
pub fn adaptive_max_pool2d(input: &Tensor, output: (usize, usize)) -> Result<(Tensor, Vec<usize>)> {
    let out = adaptive_shape(input, output)?;
    let shape = input.shape();
    let (h, w) = (shape.height, shape.width);
    let axis = |count: usize, size: usize| -> Vec<Vec<usize>> {
        (0..count)
            .map(|i| {
                let (start, end) = adaptive_window(i, size, count);
                (start..end).collect()
            })
            .collect()
    };
    let windows = Windows {
        output,
        rows: axis(out.height, h),
        columns: axis(out.width, w),
        spans: (Vec::new(), Vec::new()),
        count_include_pad: true,
        divisor_override: None,
        full: 0,
    };
    let mut data = Vec::with_capacity(out.len());
    let mut indices = Vec::with_capacity(out.len());
    for plane in input.data().chunks_exact(shape.plane_len()) {
        windows.best(plane, w, 1.0, &mut data, &mut indices);
    }
    Ok((
        Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)?,
        indices,
    ))
}

/// The fixed pooling window that does what adaptive pooling from `input` to `output`
/// does, if there is one: every window the same size, `kernel`, and evenly spaced,
/// `stride` (as when the input is a multiple of the output: `kernel = stride =
/// H / h_out`; but also 4 to 3, kernel 2 at stride 1). `None` when the windows'
/// sizes or steps differ (5 to 3: windows of 2, 3, 2 cells). A zero size gives `None`.
pub fn adaptive_as_fixed(input: (usize, usize), output: (usize, usize)) -> Option<PoolParams> {
    let axis = |size: usize, outputs: usize| -> Option<(usize, usize)> {
        if size == 0 || outputs == 0 {
            return None;
        }
        let (start, end) = adaptive_window(0, size, outputs);
        let kernel = end - start;
        let stride = if outputs > 1 {
            adaptive_window(1, size, outputs).0
        } else {
            kernel
        };
        let even = (0..outputs)
            .all(|i| adaptive_window(i, size, outputs) == (i * stride, i * stride + kernel));
        // Repeated windows (more outputs than cells) have no stride.
        (even && stride > 0).then_some((kernel, stride))
    };
    let (kh, sh) = axis(input.0, output.0)?;
    let (kw, sw) = axis(input.1, output.1)?;
    Some(PoolParams {
        kernel: (kh, kw),
        stride: Some((sh, sw)),
        ..PoolParams::square(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rustfmt::skip]
    fn four_by_four() -> Tensor {
        Tensor::from_rows(&[
            [1.0, 1.0, 2.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [3.0, 2.0, 1.0, 0.0],
            [1.0, 2.0, 3.0, 4.0],
        ]).unwrap()
    }

    #[rustfmt::skip]
    fn three_by_three() -> Tensor {
        Tensor::from_rows(&[
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
            [7.0, 8.0, 9.0],
        ]).unwrap()
    }

    #[test]
    #[rustfmt::skip]
    fn ceil_mode_keeps_a_window_larger_than_the_input() {
        // PyTorch: MaxPool2d(3, 2, ceil_mode=True) on [[1, 2], [3, 4]] is [[4]], and
        // AvgPool2d the same is [[2.5]]: the window is clipped to the 2x2 input.
        let x = Tensor::from_rows(&[
            [1.0, 2.0],
            [3.0, 4.0],
        ]).unwrap();
        let ceil = PoolParams { stride: Some((2, 2)), ceil_mode: true, ..PoolParams::square(3) };
        assert_eq!(pool2d(&x, PoolFunction::Max, &ceil).unwrap().rows(0), [[4.0]]);
        assert_eq!(pool2d(&x, PoolFunction::Mean, &ceil).unwrap().rows(0), [[2.5]]);
        let exclude = PoolParams { count_include_pad: false, ..ceil };
        assert_eq!(pool2d(&x, PoolFunction::Mean, &exclude).unwrap().rows(0), [[2.5]]);
        // Without ceil mode there is no room for one window.
        let floor = PoolParams { ceil_mode: false, ..ceil };
        assert!(matches!(pool2d(&x, PoolFunction::Max, &floor), Err(Error::EmptyOutput { .. })));
    }

    #[test]
    #[rustfmt::skip]
    fn asymmetric_padding() {
        // One row of padding on top, one column on the right: 2x2 windows at stride 2.
        let params = PoolParams {
            padding: Pads { top: 1, bottom: 0, left: 0, right: 1 },
            ..PoolParams::square(2)
        };
        let x = three_by_three();
        assert_eq!(pool2d(&x, PoolFunction::Max, &params).unwrap().rows(0), [
            [2.0, 3.0],
            [8.0, 9.0],
        ]);
        // Padding counted (zeros) ...
        assert_eq!(pool2d(&x, PoolFunction::Mean, &params).unwrap().rows(0), [
            [(1.0 + 2.0) / 4.0,             3.0 / 4.0],
            [(4.0 + 5.0 + 7.0 + 8.0) / 4.0, (6.0 + 9.0) / 4.0],
        ]);
        // ... or left out.
        let exclude = PoolParams { count_include_pad: false, ..params };
        assert_eq!(pool2d(&x, PoolFunction::Mean, &exclude).unwrap().rows(0), [
            [1.5, 3.0],
            [6.0, 7.5],
        ]);
    }

    #[test]
    #[rustfmt::skip]
    fn lp_pooling_is_a_norm_of_each_window() {
        let x = three_by_three();
        let overlapping = PoolParams { stride: Some((1, 1)), ..PoolParams::square(2) };
        // p = 1: the sum of each window.
        let one = PoolFunction::Lp(Power::new(1.0).unwrap());
        assert_eq!(pool2d(&x, one, &overlapping).unwrap().rows(0), [
            [12.0, 16.0],
            [24.0, 28.0],
        ]);
        // p = 2 with ceil mode: PyTorch scales the cut windows up to four cells
        // ((9 + 36) / 2 * 4 = 90), as LPPool2d(2, 2, ceil_mode=True) gives.
        let ceil = PoolParams { ceil_mode: true, ..PoolParams::square(2) };
        let two = pool2d(&x, PoolFunction::Lp(Power::TWO), &ceil).unwrap();
        let expected = [
            [(1.0f32 + 4.0 + 16.0 + 25.0).sqrt(), 90.0f32.sqrt()],
            [226.0f32.sqrt(),                     18.0],
        ];
        for (row, expected) in two.rows(0).iter().zip(expected) {
            for (&v, e) in row.iter().zip(expected) {
                assert!((v - e).abs() <= 1e-5 * e, "{v} against {e}");
            }
        }
        // Large p comes close to the maximum.
        let large = PoolFunction::Lp(Power::new(20.0).unwrap());
        let near_max = pool2d(&x, large, &overlapping).unwrap();
        for (v, max) in near_max.data().iter().zip([5.0, 6.0, 8.0, 9.0]) {
            assert!((v - max).abs() < 0.12, "{v} against {max}");
        }
        for p in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            assert_eq!(Power::new(p).map_err(|e| e.to_string()).unwrap_err(),
                       format!("the power of LP pooling must be a number above 0, not {p}"));
        }
        let dilated = PoolParams { dilation: (2, 2), ..PoolParams::square(2) };
        assert!(pool2d(&x, PoolFunction::Lp(Power::TWO), &dilated).is_err());
    }

    #[test]
    #[rustfmt::skip]
    fn unpooling_puts_each_maximum_back() {
        let (pooled, indices) =
            crate::max_pool2d_with_indices(&four_by_four(), &PoolParams::square(2)).unwrap();
        assert_eq!(indices, [5, 7, 8, 15]);
        let back = max_unpool2d(&pooled, &indices, &PoolParams::square(2), None).unwrap();
        assert_eq!(back.rows(0), [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 6.0, 0.0, 8.0],
            [3.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 4.0],
        ]);
        // A 5x5 input pools to 2x2 as well: ask for 5x5 back (within one stride of 4x4).
        let five = max_unpool2d(&pooled, &indices, &PoolParams::square(2), Some((5, 5))).unwrap();
        assert_eq!(five.shape(), Shape::new(1, 1, 5, 5).unwrap());
        assert_eq!(five.data().iter().sum::<f32>(), 6.0 + 8.0 + 3.0 + 4.0);
        assert_eq!(
            max_unpool2d(&pooled, &indices, &PoolParams::square(2), Some((6, 4)))
                .unwrap_err()
                .to_string(),
            "the unpooled size 6x4 must be within one stride (2x2) of 4x4, the size the \
             pooling's settings give"
        );
        assert!(matches!(
            max_unpool2d(&pooled, &[0, 1, 2, 16], &PoolParams::square(2), None),
            Err(Error::IndexOutOfPlane { index: 16, plane: (4, 4) })
        ));
        assert!(matches!(
            max_unpool2d(&pooled, &[0, 1], &PoolParams::square(2), None),
            Err(Error::DataLength { .. })
        ));
        // (H - 1) s - 2 p + k.
        let padded = PoolParams { stride: Some((3, 2)), padding: Pads::uniform(1), ..PoolParams::square(3) };
        assert_eq!(padded.unpooled_size(4, 5), Ok((3 * 3 - 2 + 3, 4 * 2 - 2 + 3)));
        assert!(matches!(
            PoolParams { padding: Pads::uniform(1), ..PoolParams::square(2) }.unpooled_size(1, 1),
            Err(Error::CroppedAway { .. })
        ));
    }

    #[test]
    #[rustfmt::skip]
    fn divisor_override_divides_every_window_alike() {
        // nn.AvgPool2d(2, divisor_override=3) on the 4x4 above: each window's sum over 3.
        let three = PoolParams { divisor_override: Some(3), ..PoolParams::square(2) };
        assert_eq!(pool2d(&four_by_four(), PoolFunction::Mean, &three).unwrap().rows(0), [
            [13.0 / 3.0, 7.0],
            [8.0 / 3.0, 8.0 / 3.0],
        ]);
        // With padding and ceil mode the divisor stays: AvgPool2d(3, 2, padding=1,
        // ceil_mode=True, divisor_override=2) on the 3x3: windows of 4, 6, 6 and 9 cells.
        let padded = PoolParams {
            stride: Some((2, 2)), padding: Pads::uniform(1), ceil_mode: true,
            divisor_override: Some(2), count_include_pad: false, ..PoolParams::square(3)
        };
        assert_eq!(pool2d(&three_by_three(), PoolFunction::Mean, &padded).unwrap().rows(0), [
            [12.0 / 2.0, 16.0 / 2.0],
            [24.0 / 2.0, 28.0 / 2.0],
        ]);
        // PyTorch: "divisor must be not zero"; max pooling takes none.
        let zero = PoolParams { divisor_override: Some(0), ..PoolParams::square(2) };
        assert_eq!(pool2d(&four_by_four(), PoolFunction::Mean, &zero),
                   Err(Error::Zero { what: "divisor_override" }));
        assert_eq!(pool2d(&four_by_four(), PoolFunction::Max, &three),
                   Err(Error::DivisorNotMean { divisor: 3 }));
    }

    #[test]
    #[rustfmt::skip]
    fn adaptive_pooling_is_pytorchs() {
        // nn.AdaptiveAvgPool2d((2, 3)) on torch.arange(1., 13.).view(1, 3, 4): rows 0..2
        // and 1..3, columns 0..2, 1..3 and 2..4.
        let x = Tensor::from_rows(&[
            [1.0, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [9.0, 10.0, 11.0, 12.0],
        ]).unwrap();
        assert_eq!(adaptive_avg_pool2d(&x, (2, 3)).unwrap().rows(0), [
            [3.5, 4.5, 5.5],
            [7.5, 8.5, 9.5],
        ]);
        // ... which is a 2x2 window at stride 1; 5 to 3 (windows 2, 3, 2) is no fixed one.
        let fixed = adaptive_as_fixed((3, 4), (2, 3)).unwrap();
        assert_eq!((fixed.kernel, fixed.stride), ((2, 2), Some((1, 1))));
        assert_eq!(pool2d(&x, PoolFunction::Mean, &fixed).unwrap(), adaptive_avg_pool2d(&x, (2, 3)).unwrap());
        assert_eq!(adaptive_as_fixed((5, 4), (3, 2)), None);
        assert_eq!(adaptive_as_fixed((1, 4), (3, 2)), None);
        let eight = adaptive_as_fixed((8, 6), (4, 3)).unwrap();
        assert_eq!((eight.kernel, eight.stride), ((2, 2), Some((2, 2))));
        // nn.AdaptiveMaxPool2d((2, 3), return_indices=True): values and flat indices.
        let pi = Tensor::from_rows(&[
            [3.0, 1.0, 4.0, 1.0],
            [5.0, 9.0, 2.0, 6.0],
            [5.0, 3.0, 5.0, 8.0],
        ]).unwrap();
        let (max, indices) = adaptive_max_pool2d(&pi, (2, 3)).unwrap();
        assert_eq!(max.rows(0), [
            [9.0, 9.0, 6.0],
            [9.0, 9.0, 8.0],
        ]);
        assert_eq!(indices, [5, 5, 7, 5, 5, 11]);
        // Uneven windows: 1x5 to 1x3 takes columns 0..2, 1..4 and 3..5.
        let row = Tensor::from_rows(&[[1.0, 2.0, 3.0, 4.0, 5.0]]).unwrap();
        assert_eq!(adaptive_avg_pool2d(&row, (1, 3)).unwrap().rows(0), [[1.5, 3.0, 4.5]]);
        let (max, indices) = adaptive_max_pool2d(&row, (1, 3)).unwrap();
        assert_eq!((max.rows(0), indices), (vec![vec![2.0, 4.0, 5.0]], vec![1, 3, 4]));
        // More outputs than inputs: 2x2 to 3x3 repeats cells (rows 0..1, 0..2, 1..2).
        let small = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]).unwrap();
        assert_eq!(adaptive_avg_pool2d(&small, (3, 3)).unwrap().rows(0), [
            [1.0, 1.5, 2.0],
            [2.0, 2.5, 3.0],
            [3.0, 3.5, 4.0],
        ]);
        // (1, 1) is global pooling; a tie goes to the first cell.
        assert_eq!(adaptive_avg_pool2d(&x, (1, 1)).unwrap(), global_pool(&x, PoolFunction::Mean).unwrap());
        let ties = Tensor::from_rows(&[[5.0, 5.0], [5.0, 1.0]]).unwrap();
        assert_eq!(adaptive_max_pool2d(&ties, (1, 1)).unwrap().1, [0]);
        assert_eq!(adaptive_avg_pool2d(&x, (0, 2)), Err(Error::Zero { what: "adaptive pooling height" }));
        assert!(matches!(adaptive_max_pool2d(&x, (1 << 20, 1 << 20)), Err(Error::TensorTooLarge { .. })));
        assert_eq!(adaptive_window(usize::MAX - 1, usize::MAX, usize::MAX), (usize::MAX - 1, usize::MAX));
    }

    #[test]
    fn classic_two_by_two() {
        let p = PoolParams::square(2);
        assert_eq!(
            pool2d(&four_by_four(), PoolFunction::Max, &p)
                .unwrap()
                .rows(0),
            [[6.0, 8.0], [3.0, 4.0]]
        );
        assert_eq!(
            pool2d(&four_by_four(), PoolFunction::Mean, &p)
                .unwrap()
                .rows(0),
            [[3.25, 5.25], [2.0, 2.0]]
        );
        assert_eq!(
            pool2d(&four_by_four(), PoolFunction::Min, &p)
                .unwrap()
                .rows(0),
            [[1.0, 2.0], [1.0, 0.0]]
        );
    }

    #[test]
    fn padding_and_count_include_pad_match_pytorch() {
        // torch.nn.AvgPool2d(3, stride=2, padding=1) on the 4x4 above.
        let mut p = PoolParams {
            kernel: (3, 3),
            stride: Some((2, 2)),
            padding: Pads::uniform(1),
            ..PoolParams::square(3)
        };
        let include = pool2d(&four_by_four(), PoolFunction::Mean, &p).unwrap();
        assert_eq!(include.rows(0)[0][0], (1.0 + 1.0 + 5.0 + 6.0) / 9.0);
        p.count_include_pad = false;
        let exclude = pool2d(&four_by_four(), PoolFunction::Mean, &p).unwrap();
        assert_eq!(exclude.rows(0)[0][0], (1.0 + 1.0 + 5.0 + 6.0) / 4.0);
        // ceil_mode adds a last, partial window.
        let ceil = PoolParams {
            ceil_mode: true,
            ..PoolParams::square(3)
        };
        let out = pool2d(&four_by_four(), PoolFunction::Mean, &ceil).unwrap();
        assert_eq!(out.shape().height, 2);
        // The partial window's divisor is clipped to the (unpadded) input: 1 column x 3 rows.
        assert_eq!(out.rows(0)[0][1], (4.0 + 8.0 + 0.0) / 3.0);
    }

    #[test]
    fn dilated_max_and_global() {
        let p = PoolParams {
            kernel: (2, 2),
            stride: Some((1, 1)),
            dilation: (2, 2),
            ..PoolParams::square(2)
        };
        assert_eq!(
            pool2d(&four_by_four(), PoolFunction::Max, &p)
                .unwrap()
                .rows(0),
            [[3.0, 4.0], [7.0, 8.0]]
        );
        assert_eq!(
            global_pool(&four_by_four(), PoolFunction::Max)
                .unwrap()
                .data(),
            &[8.0]
        );
        assert_eq!(
            global_pool(&four_by_four(), PoolFunction::Mean)
                .unwrap()
                .data(),
            &[50.0 / 16.0]
        );
    }

    #[test]
    fn window_cells_name_what_a_cell_took() {
        let p = PoolParams::square(2);
        assert_eq!(
            p.window_cells(PoolFunction::Max, (4, 4), (1, 0)).unwrap(),
            [(2, 0), (2, 1), (3, 0), (3, 1)]
        );
        assert!(p.window_cells(PoolFunction::Max, (4, 4), (2, 0)).is_err());
    }

    #[test]
    fn bad_settings_are_explained() {
        let t = four_by_four();
        let err = |p: PoolParams, f| pool2d(&t, f, &p).unwrap_err().to_string();
        assert!(err(
            PoolParams {
                padding: Pads::symmetric(2, 0),
                ..PoolParams::square(3)
            },
            PoolFunction::Max
        )
        .contains("more than half"));
        assert!(err(
            PoolParams {
                dilation: (2, 2),
                ..PoolParams::square(2)
            },
            PoolFunction::Mean
        )
        .contains("no dilation"));
        assert!(err(PoolParams::square(5), PoolFunction::Max)
            .contains("pooling window (5x5) is larger than the padded input (4x4)"));
        assert!(err(
            PoolParams {
                stride: Some((0, 1)),
                ..PoolParams::square(2)
            },
            PoolFunction::Max
        )
        .contains("stride"));
        assert!(err(PoolParams::square(0), PoolFunction::Max).contains("at least 1"));
        // A huge window with half a window of padding is refused, not walked.
        let huge = PoolParams {
            padding: Pads::symmetric(1 << 39, 0),
            ..PoolParams::square(1 << 40)
        };
        assert!(err(huge, PoolFunction::Max).contains("too large"));
    }
}
