//! 2D and 1D convolution, exactly as `torch.nn.functional.conv2d` / `conv1d` compute it.
//!
//! What deep learning calls convolution is a **cross-correlation**: the kernel is not
//! flipped. For output channel `o` of image `n`, at output cell `(y, x)`:
//!
//! ```text
//! out[n, o, y, x] = bias[o] + sum over c in o's group, m < K_h, k < K_w of
//!     weight[o, c, m, k] * padded[n, g*C_in/groups + c, y*s_h + m*d_h, x*s_w + k*d_w]
//! ```
//!
//! where `padded` is the input with `pads.top` rows and `pads.left` columns added before
//! it (filled according to the [`PaddingMode`]), `s` is the stride and `d` the dilation.
//! Every output cell sums its terms in the order of that formula (channel, then row,
//! then column), which is also the order of [`crate::reference::conv2d`]; the two give
//! bit-identical results.

use std::ops::Range;

use crate::error::{all_finite, Error, Position, Result};
use crate::gemm::Strided;
use crate::geometry::{window_output, Padding, PaddingMode, Pads};
use crate::kernel::Kernel;
use crate::tensor::{Shape, Tensor};

/// The settings of a convolution: `nn.Conv2d`'s arguments other than the channel counts
/// and kernel size (which come from the weight tensor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvParams {
    /// Step of the window, `(along height, along width)`.
    pub stride: (usize, usize),
    /// Padding of the input.
    pub padding: Padding,
    /// What fills the padding.
    pub padding_mode: PaddingMode,
    /// Spacing between kernel taps, `(along height, along width)`; 1 is a dense kernel.
    pub dilation: (usize, usize),
    /// Number of groups: input and output channels are split into this many groups and
    /// each output channel sees only its group's inputs. `groups = C_in` is depthwise.
    pub groups: usize,
}

impl Default for ConvParams {
    /// `nn.Conv2d`'s defaults: stride 1, padding 0 (zeros), dilation 1, groups 1.
    fn default() -> Self {
        ConvParams {
            stride: (1, 1),
            padding: Padding::uniform(0),
            padding_mode: PaddingMode::Zeros,
            dilation: (1, 1),
            groups: 1,
        }
    }
}

/// A checked convolution: the shapes involved and the padding on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvPlan {
    /// Input shape `N x C_in x H x W`.
    pub input: Shape,
    /// Weight shape `C_out x C_in/groups x K_h x K_w`.
    pub weight: Shape,
    /// Output shape `N x C_out x H_out x W_out`.
    pub output: Shape,
    /// The padding on each side (`same` and `valid` resolved).
    pub pads: Pads,
    /// The settings the plan was made from.
    pub params: ConvParams,
}

impl ConvParams {
    /// Checks a convolution of an input of shape `input` with weights of shape `weight`
    /// (`C_out x C_in/groups x K_h x K_w`) and works out its output.
    ///
    /// # Errors
    /// Zero stride, dilation or groups; channels that do not split into the groups; a
    /// weight tensor of the wrong depth; padding too large for the padding mode; an
    /// empty or too large output.
    pub fn plan(&self, input: Shape, weight: Shape) -> Result<ConvPlan> {
        let groups = crate::error::positive(self.groups, "number of groups")?;
        if input.channels % groups != 0 {
            return Err(Error::Groups {
                what: "input channels",
                channels: input.channels,
                groups,
            });
        }
        if weight.batch % groups != 0 {
            return Err(Error::Groups {
                what: "output channels",
                channels: weight.batch,
                groups,
            });
        }
        if weight.channels != input.channels / groups {
            return Err(Error::FilterChannels {
                input_channels: input.channels,
                groups,
                filter_channels: weight.channels,
            });
        }
        let kernel = (weight.height, weight.width);
        let pads = self.padding.resolve(kernel, self.stride, self.dilation)?;
        for (pad, size) in [
            (pads.top, input.height),
            (pads.bottom, input.height),
            (pads.left, input.width),
            (pads.right, input.width),
        ] {
            self.padding_mode.check(pad, size)?;
        }
        let (height, width) = window_output(
            (input.height, input.width),
            kernel,
            self.stride,
            pads,
            self.dilation,
            false,
            "kernel",
        )?;
        let output = Shape::new(input.batch, weight.batch, height, width)?;
        // The padded copy of one group of input channels must fit too.
        let padded = pads
            .padded(input.height, input.width)
            .unwrap_or((usize::MAX, 1));
        Shape::new(1, input.channels / groups, padded.0, padded.1)?;
        Ok(ConvPlan {
            input,
            weight,
            output,
            pads,
            params: *self,
        })
    }
}

/// `torch.nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups)`,
/// with the padding filled by `params.padding_mode`.
///
/// `weight` has shape `C_out x C_in/groups x K_h x K_w` (its batch dimension counts the
/// filters); `bias`, if given, one value per output channel.
///
/// # Errors
/// Any error of [`ConvParams::plan`]; NaN or infinite weights or bias; a bias of the
/// wrong length.
pub fn conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    params: &ConvParams,
) -> Result<Tensor> {
    let plan = params.plan(input.shape(), weight.shape())?;
    check_weights(weight, bias)?;
    let mut output = Tensor::filled(plan.output, 0.0);
    let mut scratch = Vec::new();
    run(&plan, input, weight, bias, output.data_mut(), &mut scratch);
    Ok(output)
}

/// Applies one kernel to every channel separately: a depthwise convolution,
/// `nn.Conv2d(C, C, kernel_size, groups=C, bias=False)` with every filter equal to
/// `kernel`. This is what the demo's "All channels" does to R, G and B. `params.groups`
/// is ignored.
///
/// # Errors
/// As [`conv2d`].
pub fn depthwise_conv2d(input: &Tensor, kernel: &Kernel, params: &ConvParams) -> Result<Tensor> {
    let weight = depthwise_weight(kernel, input.channels())?;
    let params = ConvParams {
        groups: input.channels(),
        ..*params
    };
    conv2d(input, &weight, None, &params)
}

/// The weight tensor of a depthwise convolution that applies `kernel` to each of
/// `channels` channels: shape `channels x 1 x K_h x K_w`, every filter equal to `kernel`.
///
/// # Errors
/// A zero or too large channel count.
pub fn depthwise_weight(kernel: &Kernel, channels: usize) -> Result<Tensor> {
    // Check the size before repeating the kernel once per channel.
    Shape::new(channels, 1, kernel.height(), kernel.width())?;
    Tensor::with_batch(
        channels,
        1,
        kernel.height(),
        kernel.width(),
        kernel.weights().repeat(channels),
    )
}

/// `torch.nn.functional.conv1d` for one channel: `out[i] = sum_k kernel[k] *
/// padded[i*stride + k*dilation]`, with `padding` zeros before and after.
///
/// With kernel `(w1, w2, w3)`, stride 1 and padding 1 this is the lecture's
/// `z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1}`.
///
/// # Errors
/// An empty input or kernel, zero stride or dilation, non-finite weights, or a window
/// longer than the padded input.
pub fn conv1d(
    input: &[f32],
    kernel: &[f32],
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Result<Vec<f32>> {
    let line = Tensor::new(1, 1, input.len(), input.to_vec())?;
    let weight = Tensor::with_batch(1, 1, 1, kernel.len(), kernel.to_vec())?;
    let params = ConvParams {
        stride: (1, stride),
        padding: Padding::symmetric(0, padding),
        dilation: (1, dilation),
        ..ConvParams::default()
    };
    match conv2d(&line, &weight, None, &params) {
        Ok(output) => Ok(output.into_data()),
        // Speak of one axis, not of a 1xK window.
        Err(Error::EmptyOutput {
            window,
            size,
            dilation,
            padded,
        }) => Err(Error::EmptyOutput {
            window,
            size: size[1..].to_vec(),
            dilation: dilation[1..].to_vec(),
            padded: padded[1..].to_vec(),
        }),
        Err(other) => Err(other),
    }
}

/// The fully connected layer that a 1D convolution is: a matrix with one row per output
/// and one column per input, whose entry `(i, j)` is `Some(k)` when input `j` is
/// multiplied by kernel weight `k` for output `i`, and `None` (a zero) otherwise. Taps
/// that fall on the padding multiply zeros and have no column.
///
/// Every row holds the same weights, shifted by `stride`: a convolution is a fully
/// connected layer with shared weights and most entries zero.
///
/// # Errors
/// As [`crate::geometry::output_size`] for `padding` zeros on each side.
pub fn conv1d_matrix(
    length: usize,
    kernel: usize,
    stride: usize,
    padding: (usize, usize),
    dilation: usize,
) -> Result<Vec<Vec<Option<usize>>>> {
    let pads = Pads {
        top: 0,
        bottom: 0,
        left: padding.0,
        right: padding.1,
    };
    let matrix = conv2d_matrix((1, length), (1, kernel), (1, stride), pads, (1, dilation))?;
    Ok(matrix
        .into_iter()
        .map(|row| row.into_iter().map(|e| e.map(|(_, k)| k)).collect())
        .collect())
}

/// A layer's matrix: one row per output cell, one column per input cell; `Some((m, n))`
/// where kernel weight `(m, n)` sits, `None` for a zero.
pub type Matrix = Vec<Vec<Option<(usize, usize)>>>;

/// The fully connected layer that a one-channel 2D convolution of an `input` plane is:
/// one row per output cell and one column per input cell, both in row-major order (as
/// PyTorch flattens a plane). Entry `(i, j)` is `Some((m, n))` when input cell `j` is
/// multiplied by kernel weight `(m, n)` for output cell `i`, `None` (a zero) otherwise;
/// taps on the padding have no column.
///
/// Its transpose is the matrix of the transposed convolution with the same settings
/// ([`crate::conv_transpose2d`]), which maps the output size back to `input`.
///
/// # Errors
/// As [`crate::geometry::output_size`]; [`Error::Overflow`] for a matrix of more than
/// 2^24 entries.
pub fn conv2d_matrix(
    input: (usize, usize),
    kernel: (usize, usize),
    stride: (usize, usize),
    pads: Pads,
    dilation: (usize, usize),
) -> Result<Matrix> {
    let (out_h, out_w) = window_output(input, kernel, stride, pads, dilation, false, "kernel")?;
    Shape::new(1, 1, out_h, out_w)?;
    let columns = input.0 * input.1;
    if (out_h * out_w)
        .checked_mul(columns)
        .is_none_or(|n| n > 1 << 24)
    {
        return Err(Error::Overflow {
            what: "convolution matrix",
        });
    }
    let mut matrix = vec![vec![None; columns]; out_h * out_w];
    for (i, row) in matrix.iter_mut().enumerate() {
        let (y, x) = (i / out_w, i % out_w);
        for m in 0..kernel.0 {
            let r = (y * stride.0 + m * dilation.0) as isize - pads.top as isize;
            if !(0..input.0 as isize).contains(&r) {
                continue;
            }
            for n in 0..kernel.1 {
                let c = (x * stride.1 + n * dilation.1) as isize - pads.left as isize;
                if (0..input.1 as isize).contains(&c) {
                    row[r as usize * input.1 + c as usize] = Some((m, n));
                }
            }
        }
    }
    Ok(matrix)
}

pub(crate) fn check_weights(weight: &Tensor, bias: Option<&[f32]>) -> Result<()> {
    let shape = weight.shape();
    all_finite(weight.data(), "kernel weight", |i| {
        let (kernel_len, row_len) = (shape.height * shape.width, shape.width);
        let within = i % kernel_len;
        let (row, column) = (within / row_len + 1, within % row_len + 1);
        if shape.batch * shape.channels == 1 {
            Position::Cell { row, column }
        } else {
            Position::Filter {
                filter: i / (kernel_len * shape.channels) + 1,
                channel: i / kernel_len % shape.channels + 1,
                row,
                column,
            }
        }
    })?;
    if let Some(bias) = bias {
        if bias.len() != shape.batch {
            return Err(Error::DataLength {
                what: "bias (one value per output channel)",
                expected: shape.batch,
                actual: bias.len(),
            });
        }
        all_finite(bias, "bias", |i| Position::OutputChannel { channel: i + 1 })?;
    }
    Ok(())
}

/// Runs a checked plan into `output` (of `plan.output.len()` values), reusing `scratch`
/// for padded copies of the input.
///
/// Groups with several filters go through im2col and [`gemm`](crate::gemm::gemm): the
/// windows of a band of output rows are laid out as columns once and every filter is a
/// row of one matrix product. A group with one filter (depthwise, the page's "all
/// channels") slides the kernel directly. Both add each output's terms in the formula's
/// order, so both equal [`crate::reference::conv2d`] bit for bit.
pub(crate) fn run(
    plan: &ConvPlan,
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    output: &mut [f32],
    scratch: &mut Vec<f32>,
) {
    let ConvPlan {
        input: in_shape,
        weight: w_shape,
        output: out_shape,
        params,
        ..
    } = *plan;
    let groups = params.groups;
    let in_per_group = in_shape.channels / groups;
    let out_per_group = out_shape.channels / groups;
    let padded = plan.padded();
    let filter_len = in_per_group * w_shape.height * w_shape.width;
    let out_len = out_shape.plane_len();
    let mut columns = Vec::new();

    for n in 0..in_shape.batch {
        for g in 0..groups {
            let group_input = plan.group_planes(input, n, g, scratch);
            let first_out = n * out_shape.channels + g * out_per_group;
            let out_group = &mut output[first_out * out_len..][..out_per_group * out_len];
            for (o, out_plane) in out_group.chunks_exact_mut(out_len).enumerate() {
                out_plane.fill(bias.map_or(0.0, |b| b[g * out_per_group + o]));
            }
            let filters =
                &weight.data()[g * out_per_group * filter_len..][..out_per_group * filter_len];
            if out_per_group == 1 {
                correlate_group(
                    group_input,
                    padded,
                    filters,
                    (w_shape.height, w_shape.width),
                    params,
                    out_group,
                    out_shape.width,
                );
                continue;
            }
            let band = rows_per_band(filter_len * out_shape.width);
            for first_row in (0..out_shape.height).step_by(band) {
                let rows = first_row..out_shape.height.min(first_row + band);
                let width = rows.len() * out_shape.width;
                plan.im2col(group_input, rows, &mut columns);
                crate::gemm::gemm(
                    out_per_group,
                    width,
                    filter_len,
                    Strided {
                        data: filters,
                        row: filter_len,
                        column: 1,
                    },
                    &columns,
                    width,
                    &mut out_group[first_row * out_shape.width..],
                    out_len,
                );
            }
        }
    }
}

/// The most values one band of im2col columns holds (256 KiB of `f32`): small enough
/// for the cache, large enough that the matrix product dominates.
const BAND_VALUES: usize = 1 << 16;

/// How many output rows go into one band when each row needs `values_per_row` values.
pub(crate) fn rows_per_band(values_per_row: usize) -> usize {
    (BAND_VALUES / values_per_row.max(1)).max(1)
}

impl ConvPlan {
    /// The padded input size `(height, width)`.
    pub(crate) fn padded(&self) -> (usize, usize) {
        self.pads
            .padded(self.input.height, self.input.width)
            .unwrap_or_default()
    }

    /// The padded planes of group `g` of image `n`, one after another: the input itself
    /// without padding, else a padded copy made in `scratch`.
    pub(crate) fn group_planes<'a>(
        &self,
        input: &'a Tensor,
        n: usize,
        g: usize,
        scratch: &'a mut Vec<f32>,
    ) -> &'a [f32] {
        let shape = self.input;
        let in_per_group = shape.channels / self.params.groups;
        let first = g * in_per_group;
        if self.pads == Pads::default() {
            let start = (n * shape.channels + first) * shape.plane_len();
            return &input.data()[start..start + in_per_group * shape.plane_len()];
        }
        scratch.clear();
        for c in first..first + in_per_group {
            let plane = input.plane(n, c).unwrap_or_default();
            pad_plane(
                plane,
                shape.height,
                shape.width,
                self.pads,
                self.params.padding_mode,
                scratch,
            );
        }
        scratch
    }

    /// im2col: the windows of output rows `rows` as columns. Row `(c K_h + m) K_w + k`
    /// of `columns` holds tap `(c, m, k)` of every window, windows in row-major order.
    pub(crate) fn im2col(&self, planes: &[f32], rows: Range<usize>, columns: &mut Vec<f32>) {
        let (padded_h, padded_w) = self.padded();
        let (stride_y, stride_x) = self.params.stride;
        let (dilation_y, dilation_x) = self.params.dilation;
        let out_w = self.output.width;
        columns.clear();
        for plane in planes.chunks_exact(padded_h * padded_w) {
            for m in 0..self.weight.height {
                for k in 0..self.weight.width {
                    for y in rows.clone() {
                        let row =
                            &plane[(y * stride_y + m * dilation_y) * padded_w + k * dilation_x..];
                        if stride_x == 1 {
                            columns.extend_from_slice(&row[..out_w]);
                        } else {
                            columns.extend(row.iter().step_by(stride_x).take(out_w));
                        }
                    }
                }
            }
        }
    }
}

/// Accumulates one filter over the padded planes of its group into one output plane.
fn correlate_group(
    planes: &[f32],
    (padded_h, padded_w): (usize, usize),
    filter: &[f32],
    (kernel_h, kernel_w): (usize, usize),
    params: ConvParams,
    out_plane: &mut [f32],
    out_w: usize,
) {
    let (stride_y, stride_x) = params.stride;
    let (dilation_y, dilation_x) = params.dilation;
    let kernel_len = kernel_h * kernel_w;
    for (y, out_row) in out_plane.chunks_exact_mut(out_w).enumerate() {
        for (c, kernel) in filter.chunks_exact(kernel_len).enumerate() {
            let plane = &planes[c * padded_h * padded_w..][..padded_h * padded_w];
            for (m, kernel_row) in kernel.chunks_exact(kernel_w).enumerate() {
                let row = &plane[(y * stride_y + m * dilation_y) * padded_w..][..padded_w];
                for (k, &w) in kernel_row.iter().enumerate() {
                    let taps = &row[k * dilation_x..];
                    if stride_x == 1 {
                        // Contiguous: the compiler vectorises this loop.
                        for (out, &v) in out_row.iter_mut().zip(&taps[..out_w]) {
                            *out += w * v;
                        }
                    } else {
                        for (out, &v) in out_row.iter_mut().zip(taps.iter().step_by(stride_x)) {
                            *out += w * v;
                        }
                    }
                }
            }
        }
    }
}

/// Appends the `height x width` plane, padded by `pads` in `mode`, to `out`.
fn pad_plane(
    plane: &[f32],
    height: usize,
    width: usize,
    pads: Pads,
    mode: PaddingMode,
    out: &mut Vec<f32>,
) {
    let padded_w = width + pads.left + pads.right;
    for py in 0..height + pads.top + pads.bottom {
        let Some(y) = mode.source(py as isize - pads.top as isize, height) else {
            out.resize(out.len() + padded_w, 0.0);
            continue;
        };
        let row = &plane[y * width..(y + 1) * width];
        let source = |px: usize| {
            mode.source(px as isize - pads.left as isize, width)
                .map_or(0.0, |x| row[x])
        };
        out.extend((0..pads.left).map(source));
        out.extend_from_slice(row);
        out.extend((width + pads.left..padded_w).map(source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn lecture_worked_example() {
        let image = Tensor::from_rows(&[
            [1.0, 1.0, 1.0, 0.0, 0.0],
            [0.0, 1.0, 1.0, 1.0, 0.0],
            [0.0, 0.0, 1.0, 1.0, 1.0],
            [0.0, 0.0, 1.0, 1.0, 0.0],
            [0.0, 1.0, 1.0, 0.0, 0.0],
        ]).unwrap();
        let kernel = Kernel::from_rows(&[
            [1.0, 0.0, 1.0],
            [0.0, 1.0, 0.0],
            [1.0, 0.0, 1.0],
        ]).unwrap();
        let feature_map = depthwise_conv2d(&image, &kernel, &ConvParams::default()).unwrap();
        assert_eq!(feature_map.rows(0), [
            [4.0, 3.0, 4.0],
            [2.0, 4.0, 3.0],
            [2.0, 3.0, 4.0],
        ]);
    }

    #[test]
    fn is_cross_correlation_not_convolution() {
        // A kernel with a single 1 at the top-left reads the pixel up-left of centre.
        let image =
            Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]).unwrap();
        let kernel =
            Kernel::from_rows(&[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]).unwrap();
        let out = depthwise_conv2d(
            &image,
            &kernel,
            &ConvParams {
                padding: Padding::uniform(1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            out.rows(0),
            [[0.0, 0.0, 0.0], [0.0, 1.0, 2.0], [0.0, 4.0, 5.0]]
        );
    }

    #[test]
    fn one_dimensional_lecture_formula() {
        // z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1}, zero padding keeps the length.
        let x = [1.0, 2.0, 3.0, 4.0];
        let z = conv1d(&x, &[1.0, 10.0, 100.0], 1, 1, 1).unwrap();
        assert_eq!(z, [210.0, 321.0, 432.0, 43.0]);
        assert_eq!(
            conv1d(&x, &[1.0, 10.0, 100.0], 2, 1, 1).unwrap(),
            [210.0, 432.0]
        );
        assert_eq!(conv1d(&x, &[1.0, 1.0], 1, 0, 3).unwrap(), [5.0]);
        assert_eq!(
            conv1d(&x, &[1.0, 1.0, 1.0], 1, 0, 2)
                .unwrap_err()
                .to_string(),
            "the effective kernel (3 at dilation 2 covers 5) is larger than the padded input \
             (4): the output would be empty"
        );
        assert!(conv1d(&[], &[1.0], 1, 0, 1).is_err());
        assert!(conv1d(&x, &[f32::NAN], 1, 0, 1).is_err());
        assert!(conv1d(&x, &[1.0], 0, 0, 1).is_err());
    }

    #[test]
    fn convolution_is_a_fully_connected_layer_with_shared_weights() {
        let x = [1.0, 3.0, 2.0, 5.0, 4.0, 1.0];
        let w = [1.0, -2.0, 0.5];
        for (stride, padding, dilation) in [(1, 0, 1), (1, 1, 1), (2, 1, 1), (1, 2, 2), (3, 2, 1)] {
            let matrix =
                conv1d_matrix(x.len(), w.len(), stride, (padding, padding), dilation).unwrap();
            let by_matrix: Vec<f32> = matrix
                .iter()
                .map(|row| {
                    row.iter()
                        .zip(&x)
                        .map(|(k, v)| k.map_or(0.0, |k| w[k] * v))
                        .sum()
                })
                .collect();
            assert_eq!(
                by_matrix,
                conv1d(&x, &w, stride, padding, dilation).unwrap()
            );
        }
        let matrix = conv1d_matrix(4, 3, 1, (1, 1), 1).unwrap();
        assert_eq!(matrix[0], [Some(1), Some(2), None, None]);
        assert_eq!(matrix[1], [Some(0), Some(1), Some(2), None]);
        assert!(conv1d_matrix(2, 5, 1, (0, 0), 1).is_err());
    }

    #[test]
    fn the_matrix_of_a_2d_convolution_and_its_transpose() {
        // A 4x5 plane, a 3x2 kernel; the matrix times the flattened plane is conv2d, and
        // its transpose times the output is conv_transpose2d with the same settings.
        let plane: Vec<f32> = (0..20).map(|v| (v * 7 % 11) as f32 - 3.0).collect();
        let w = [1.0, -2.0, 0.5, 3.0, 0.25, -1.0];
        let input = Tensor::new(1, 4, 5, plane.clone()).unwrap();
        let weight = Tensor::with_batch(1, 1, 3, 2, w.to_vec()).unwrap();
        for (stride, pads, dilation) in [
            ((1, 1), Pads::default(), (1, 1)),
            ((2, 1), Pads::uniform(1), (1, 1)),
            ((1, 2), Pads::symmetric(1, 0), (1, 2)),
            ((2, 2), Pads::uniform(1), (1, 1)),
        ] {
            let matrix = conv2d_matrix((4, 5), (3, 2), stride, pads, dilation).unwrap();
            let params = ConvParams {
                stride,
                padding: Padding::Explicit(pads),
                dilation,
                ..ConvParams::default()
            };
            let out = conv2d(&input, &weight, None, &params).unwrap();
            let at = |e: &Option<(usize, usize)>| e.map_or(0.0, |(m, n)| w[m * 2 + n]);
            let by_matrix: Vec<f32> = matrix
                .iter()
                .map(|row| row.iter().zip(&plane).map(|(e, v)| at(e) * v).sum())
                .collect();
            assert_eq!(by_matrix, out.data());
            // The transpose, back to 4x5 (output padding picks the size).
            let transposed = crate::ConvTransposeParams {
                stride,
                padding: pads,
                output_padding: (
                    (4 + pads.top + pads.bottom - dilation.0 * 2 - 1) % stride.0,
                    (5 + pads.left + pads.right - dilation.1 - 1) % stride.1,
                ),
                dilation,
                groups: 1,
            };
            let back = crate::conv_transpose2d(&out, &weight, None, &transposed).unwrap();
            let by_transpose: Vec<f32> = (0..20)
                .map(|j| {
                    matrix
                        .iter()
                        .zip(out.data())
                        .map(|(row, v)| at(&row[j]) * v)
                        .sum()
                })
                .collect();
            assert_eq!(
                by_transpose,
                back.data(),
                "{stride:?} {pads:?} {dilation:?}"
            );
        }
        let matrix = conv2d_matrix((2, 2), (2, 2), (1, 1), Pads::default(), (1, 1)).unwrap();
        assert_eq!(
            matrix,
            [vec![Some((0, 0)), Some((0, 1)), Some((1, 0)), Some((1, 1))]]
        );
        assert!(conv2d_matrix((2, 2), (3, 3), (1, 1), Pads::default(), (1, 1)).is_err());
        assert!(matches!(
            conv2d_matrix((5000, 5000), (1, 1), (1, 1), Pads::default(), (1, 1)),
            Err(Error::Overflow { .. })
        ));
    }

    #[test]
    fn channels_add_up_with_bias() {
        // Two input channels, one filter: per-channel contributions summed, plus bias.
        let input = Tensor::new(2, 1, 2, vec![1.0, 2.0, 10.0, 20.0]).unwrap();
        let weight = Tensor::with_batch(1, 2, 1, 1, vec![3.0, 0.5]).unwrap();
        let out = conv2d(&input, &weight, Some(&[100.0]), &ConvParams::default()).unwrap();
        assert_eq!(out.data(), &[108.0, 116.0]);
    }

    #[test]
    fn bad_arguments_are_explained() {
        let input = Tensor::filled(Shape::new(1, 3, 4, 4).unwrap(), 1.0);
        let weight = Tensor::filled(Shape::new(2, 3, 3, 3).unwrap(), 1.0);
        let message = |params: ConvParams, weight: &Tensor, bias: Option<&[f32]>| {
            conv2d(&input, weight, bias, &params)
                .unwrap_err()
                .to_string()
        };
        let d = ConvParams::default();
        assert_eq!(
            message(
                ConvParams {
                    stride: (0, 1),
                    ..d
                },
                &weight,
                None
            ),
            "the stride must be at least 1"
        );
        assert_eq!(
            message(
                ConvParams {
                    dilation: (1, 0),
                    ..d
                },
                &weight,
                None
            ),
            "the dilation must be at least 1"
        );
        assert_eq!(
            message(ConvParams { groups: 0, ..d }, &weight, None),
            "the number of groups must be at least 1"
        );
        assert!(message(ConvParams { groups: 2, ..d }, &weight, None)
            .contains("3 input channels cannot be split into 2"));
        assert!(message(
            ConvParams {
                padding: Padding::uniform(4),
                padding_mode: PaddingMode::Reflect,
                ..d
            },
            &weight,
            None
        )
        .contains("reflect padding of 4 pixels must be smaller than"));
        assert!(message(
            ConvParams {
                dilation: (2, 2),
                ..d
            },
            &weight,
            None
        )
        .contains("covers 5x5"));
        assert!(message(d, &weight, Some(&[1.0])).contains("bias"));
        assert!(message(d, &weight, Some(&[1.0, f32::INFINITY])).contains("output channel 2"));
        let mut nan = weight.clone();
        nan.data_mut()[27 + 9 + 4] = f32::NAN;
        assert_eq!(
            message(d, &nan, None),
            "the kernel weight at filter 2, channel 2, row 2, column 2 is NaN: every value must be a finite number"
        );
        let thin = Tensor::filled(Shape::new(2, 2, 3, 3).unwrap(), 1.0);
        assert!(message(d, &thin, None).contains("so 3 per filter, but the filters have 2"));
        assert!(matches!(
            conv2d(
                &input,
                &weight,
                None,
                &ConvParams {
                    padding: Padding::uniform(usize::MAX / 2),
                    ..d
                }
            ),
            Err(Error::Overflow { what: "padding" })
        ));
    }
}
