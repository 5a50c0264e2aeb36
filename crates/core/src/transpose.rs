//! Transposed convolution, exactly as `torch.nn.ConvTranspose2d` computes it.
//!
//! Each input cell stamps a copy of the kernel, scaled by its value, onto the output;
//! where stamps overlap they add up. For input channel `c` (in group `g`) of image `n`,
//! cell `(y, x)` adds
//!
//! ```text
//! out[n, g*C_out/groups + o, y*s_h + m*d_h - pad_top, x*s_w + k*d_w - pad_left]
//!     += input[n, c, y, x] * weight[c, o, m, k]
//! ```
//!
//! for every `o < C_out/groups`, `m < K_h`, `k < K_w`; positions that land outside the
//! output are dropped (that is what the padding does here: it crops). The weight has
//! shape `C_in x C_out/groups x K_h x K_w`, and the output size along each axis is
//!
//! ```text
//! H_out = (H - 1) s - (pad_top + pad_bottom) + d (K - 1) + output_padding + 1
//! ```
//!
//! The same layer is the transpose of the convolution's matrix (see
//! [`crate::conv::conv1d_matrix`]): a convolution with these settings maps an
//! `H_out x W_out` input to `H x W`, and this maps back. So it is also the gradient of
//! [`crate::conv2d`] with respect to its input ([`crate::backward`] uses this very
//! code). `output_padding` settles which of the `stride` input sizes that give the same
//! convolution output is meant; it must be smaller than the stride or the dilation.

use crate::conv::rows_per_band;
use crate::error::{all_finite, positive, Error, Position, Result};
use crate::gemm::{gemm, Strided};
use crate::geometry::Pads;
use crate::tensor::{Shape, Tensor};

/// The settings of a transposed convolution: `nn.ConvTranspose2d`'s arguments other
/// than the channel counts and kernel size (which come from the weight tensor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvTransposeParams {
    /// The stride of the convolution this one transposes: the step between the stamps
    /// of neighbouring input cells, `(along height, along width)`.
    pub stride: (usize, usize),
    /// Rows and columns cropped from each side of the full output (PyTorch's `padding`
    /// is the same on both sides of an axis; ONNX's `pads` may differ).
    pub padding: Pads,
    /// Extra rows at the bottom and columns at the right, `(rows, columns)`.
    pub output_padding: (usize, usize),
    /// Spacing between kernel taps, `(along height, along width)`.
    pub dilation: (usize, usize),
    /// Number of groups: group `g`'s input channels stamp only onto its output channels.
    pub groups: usize,
}

impl Default for ConvTransposeParams {
    /// `nn.ConvTranspose2d`'s defaults: stride 1, no padding or output padding,
    /// dilation 1, groups 1.
    fn default() -> Self {
        ConvTransposeParams {
            stride: (1, 1),
            padding: Pads::default(),
            output_padding: (0, 0),
            dilation: (1, 1),
            groups: 1,
        }
    }
}

/// A checked transposed convolution: the shapes involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvTransposePlan {
    /// Input shape `N x C_in x H x W`.
    pub input: Shape,
    /// Weight shape `C_in x C_out/groups x K_h x K_w`.
    pub weight: Shape,
    /// Output shape `N x C_out x H_out x W_out`.
    pub output: Shape,
    /// The settings the plan was made from.
    pub params: ConvTransposeParams,
}

impl ConvTransposeParams {
    /// Checks a transposed convolution of an input of shape `input` with weights of
    /// shape `weight` (`C_in x C_out/groups x K_h x K_w`) and works out its output.
    ///
    /// # Errors
    /// Zero stride, dilation or groups; a weight whose first dimension is not the
    /// input's channels; channels that do not split into the groups; an output padding
    /// not smaller than the stride or the dilation; padding that crops the whole output;
    /// an output too large.
    pub fn plan(&self, input: Shape, weight: Shape) -> Result<ConvTransposePlan> {
        let groups = positive(self.groups, "number of groups")?;
        for value in [self.stride.0, self.stride.1] {
            positive(value, "stride")?;
        }
        for value in [self.dilation.0, self.dilation.1] {
            positive(value, "dilation")?;
        }
        if weight.batch != input.channels {
            return Err(Error::TransposedWeightChannels {
                input_channels: input.channels,
                weight_channels: weight.batch,
            });
        }
        if input.channels % groups != 0 {
            return Err(Error::Groups {
                what: "input channels",
                channels: input.channels,
                groups,
            });
        }
        let (op, s, d) = (self.output_padding, self.stride, self.dilation);
        if !(op.0 < s.0 || op.0 < d.0) || !(op.1 < s.1 || op.1 < d.1) {
            return Err(Error::OutputPadding {
                output_padding: op,
                stride: s,
                dilation: d,
            });
        }
        let too_large = || Error::Overflow {
            what: "transposed convolution's output",
        };
        let (height, width) = stamped_size(
            (input.height, input.width),
            (weight.height, weight.width),
            s,
            d,
            op,
            self.padding,
            "transposed convolution's output",
        )?;
        let output = Shape::new(
            input.batch,
            weight.channels.checked_mul(groups).ok_or_else(too_large)?,
            height,
            width,
        )?;
        Ok(ConvTransposePlan {
            input,
            weight,
            output,
            params: *self,
        })
    }
}

/// The size `(H - 1) s + d (k - 1) + output_padding + 1 - (pad before + pad after)` of
/// an `input` map whose every cell stamps a `kernel` (a transposed convolution, or an
/// unpooling with `d = 1`, no output padding); `what` names it if it overflows.
pub(crate) fn stamped_size(
    input: (usize, usize),
    kernel: (usize, usize),
    stride: (usize, usize),
    dilation: (usize, usize),
    output_padding: (usize, usize),
    pads: Pads,
    what: &'static str,
) -> Result<(usize, usize)> {
    let full = |size: usize, k: usize, s: usize, d: usize, op: usize| {
        size.checked_sub(1)?
            .checked_mul(s)?
            .checked_add(d.checked_mul(k.checked_sub(1)?)?)?
            .checked_add(op.checked_add(1)?)
    };
    let uncropped = (
        full(input.0, kernel.0, stride.0, dilation.0, output_padding.0)
            .ok_or(Error::Overflow { what })?,
        full(input.1, kernel.1, stride.1, dilation.1, output_padding.1)
            .ok_or(Error::Overflow { what })?,
    );
    let cropped = (
        pads.top.saturating_add(pads.bottom),
        pads.left.saturating_add(pads.right),
    );
    if cropped.0 >= uncropped.0 || cropped.1 >= uncropped.1 {
        return Err(Error::CroppedAway { uncropped, cropped });
    }
    Ok((uncropped.0 - cropped.0, uncropped.1 - cropped.1))
}

/// `torch.nn.functional.conv_transpose2d(input, weight, bias, stride, padding,
/// output_padding, groups, dilation)`, with the padding per side.
///
/// `weight` has shape `C_in x C_out/groups x K_h x K_w`; `bias`, if given, one value
/// per output channel.
///
/// # Errors
/// Any error of [`ConvTransposeParams::plan`]; NaN or infinite weights or bias; a bias
/// of the wrong length.
pub fn conv_transpose2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    params: &ConvTransposeParams,
) -> Result<Tensor> {
    let plan = params.plan(input.shape(), weight.shape())?;
    check_weights(&plan, weight, bias)?;
    let mut output = Tensor::filled(plan.output, 0.0);
    plan.run(input.data(), weight.data(), bias, output.data_mut());
    Ok(output)
}

/// Checks the weights and bias of a transposed convolution are finite and the bias has
/// one value per output channel.
pub(crate) fn check_weights(
    plan: &ConvTransposePlan,
    weight: &Tensor,
    bias: Option<&[f32]>,
) -> Result<()> {
    let w = plan.weight;
    all_finite(weight.data(), "kernel weight", |i| {
        let kernel_len = w.height * w.width;
        let within = i % kernel_len;
        Position::TransposedWeight {
            input_channel: i / (kernel_len * w.channels) + 1,
            output_channel: i / kernel_len % w.channels + 1,
            row: within / w.width + 1,
            column: within % w.width + 1,
        }
    })?;
    if let Some(bias) = bias {
        if bias.len() != plan.output.channels {
            return Err(Error::DataLength {
                what: "bias (one value per output channel)",
                expected: plan.output.channels,
                actual: bias.len(),
            });
        }
        all_finite(bias, "bias", |i| Position::OutputChannel { channel: i + 1 })?;
    }
    Ok(())
}

impl ConvTransposePlan {
    /// Runs the plan: `input` and `output` hold `self.input.len()` and
    /// `self.output.len()` values, `weight` the weight tensor's.
    ///
    /// For each group, a band of input rows at a time: one matrix product gives every
    /// stamp (`Wᵀ X`: one row per output channel and kernel tap, one column per input
    /// cell), and col2im adds each stamp where it lands.
    pub(crate) fn run(
        &self,
        input: &[f32],
        weight: &[f32],
        bias: Option<&[f32]>,
        output: &mut [f32],
    ) {
        let (in_shape, w_shape, out_shape) = (self.input, self.weight, self.output);
        let groups = self.params.groups;
        let in_per_group = in_shape.channels / groups;
        let out_per_group = w_shape.channels;
        let kernel_len = w_shape.height * w_shape.width;
        let stamp_rows = out_per_group * kernel_len;
        let (in_len, out_len) = (in_shape.plane_len(), out_shape.plane_len());
        for (o, plane) in output.chunks_exact_mut(out_len).enumerate() {
            plane.fill(bias.map_or(0.0, |b| b[o % out_shape.channels]));
        }
        let band = rows_per_band(stamp_rows * in_shape.width);
        let mut stamps = Vec::new();
        for n in 0..in_shape.batch {
            for g in 0..groups {
                let first_in = n * in_shape.channels + g * in_per_group;
                let x = &input[first_in * in_len..][..in_per_group * in_len];
                let w = &weight[g * in_per_group * stamp_rows..][..in_per_group * stamp_rows];
                let first_out = n * out_shape.channels + g * out_per_group;
                let out = &mut output[first_out * out_len..][..out_per_group * out_len];
                for first_row in (0..in_shape.height).step_by(band) {
                    let rows = in_shape.height.min(first_row + band) - first_row;
                    let width = rows * in_shape.width;
                    stamps.clear();
                    stamps.resize(stamp_rows * width, 0.0);
                    // stamps = Wᵀ X: W is C_in/groups x (C_out/groups K_h K_w), read
                    // transposed through its strides.
                    gemm(
                        stamp_rows,
                        width,
                        in_per_group,
                        Strided {
                            data: w,
                            row: 1,
                            column: stamp_rows,
                        },
                        &x[first_row * in_shape.width..],
                        in_len,
                        &mut stamps,
                        width,
                    );
                    self.col2im(&stamps, first_row, rows, out);
                }
            }
        }
    }

    /// col2im: adds the stamps of input rows `first_row..first_row + rows` (as
    /// [`ConvTransposePlan::run`] lays them out) onto one group's output planes.
    fn col2im(&self, stamps: &[f32], first_row: usize, rows: usize, out: &mut [f32]) {
        let (in_w, out_shape) = (self.input.width, self.output);
        let (stride_y, stride_x) = self.params.stride;
        let (dilation_y, dilation_x) = self.params.dilation;
        let Pads { top, left, .. } = self.params.padding;
        let (kernel_h, kernel_w) = (self.weight.height, self.weight.width);
        let width = rows * in_w;
        // Positions in i128: a stride or padding near usize::MAX must not wrap.
        let wide = |v: usize| v as i128;
        for (tap, stamp) in stamps.chunks_exact(width).enumerate() {
            let (o, m, k) = (
                tap / (kernel_h * kernel_w),
                tap / kernel_w % kernel_h,
                tap % kernel_w,
            );
            // Input columns x whose stamp lands inside: 0 <= x s + k d - left < out_w.
            let shift = wide(k) * wide(dilation_x) - wide(left);
            let first_x = ceil_div((-shift).max(0), wide(stride_x)).min(wide(in_w));
            let end_x =
                ceil_div((wide(out_shape.width) - shift).max(0), wide(stride_x)).min(wide(in_w));
            if first_x >= end_x {
                continue;
            }
            let plane = &mut out[o * out_shape.plane_len()..][..out_shape.plane_len()];
            for (r, values) in stamp.chunks_exact(in_w).enumerate() {
                let out_y =
                    wide(first_row + r) * wide(stride_y) + wide(m) * wide(dilation_y) - wide(top);
                if !(0..wide(out_shape.height)).contains(&out_y) {
                    continue;
                }
                let values = &values[first_x as usize..end_x as usize];
                let start = out_y * wide(out_shape.width) + first_x * wide(stride_x) + shift;
                let target = &mut plane[start as usize..];
                if stride_x == 1 {
                    crate::gemm::add_into(target, values);
                } else {
                    for (t, v) in target.iter_mut().step_by(stride_x).zip(values) {
                        *t += v;
                    }
                }
            }
        }
    }
}

impl crate::conv::ConvPlan {
    /// The transposed convolution that undoes this convolution's shape: same kernel,
    /// stride, padding (per side), dilation and groups, and the output padding that
    /// gives back exactly the input's size (the rows the convolution's last stride
    /// skipped). Its weight is the convolution's own, read as `C_out x C_in/groups x K_h x
    /// K_w`; it computes the convolution's gradient with respect to its input.
    pub fn transposed(&self) -> ConvTransposeParams {
        let params = self.params;
        let (padded_h, padded_w) = self.padded();
        let skipped = |padded: usize, k: usize, s: usize, d: usize| (padded - d * (k - 1) - 1) % s;
        ConvTransposeParams {
            stride: params.stride,
            padding: self.pads,
            output_padding: (
                skipped(
                    padded_h,
                    self.weight.height,
                    params.stride.0,
                    params.dilation.0,
                ),
                skipped(
                    padded_w,
                    self.weight.width,
                    params.stride.1,
                    params.dilation.1,
                ),
            ),
            dilation: params.dilation,
            groups: params.groups,
        }
    }
}

/// `ceil(a / b)` for `a >= 0`, `b > 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    (a + b - 1) / b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn each_cell_stamps_the_kernel() {
        // Stride 2, kernel 3: stamps overlap in one row and one column (summed there).
        let input = Tensor::from_rows(&[
            [1.0, 2.0],
            [3.0, 4.0],
        ]).unwrap();
        let kernel = Tensor::from_rows(&[
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0],
        ]).unwrap();
        let params = ConvTransposeParams { stride: (2, 2), ..Default::default() };
        let out = conv_transpose2d(&input, &kernel, None, &params).unwrap();
        assert_eq!(out.rows(0), [
            [1.0, 1.0,  3.0, 2.0, 2.0],
            [1.0, 1.0,  3.0, 2.0, 2.0],
            [4.0, 4.0, 10.0, 6.0, 6.0],
            [3.0, 3.0,  7.0, 4.0, 4.0],
            [3.0, 3.0,  7.0, 4.0, 4.0],
        ]);
        // Padding 1 crops a ring; output padding 1 adds a row and a column back.
        let cropped = ConvTransposeParams { padding: Pads::uniform(1), output_padding: (1, 1), ..params };
        let out = conv_transpose2d(&input, &kernel, Some(&[0.5]), &cropped).unwrap();
        assert_eq!(out.rows(0), [
            [1.5,  3.5, 2.5, 2.5],
            [4.5, 10.5, 6.5, 6.5],
            [3.5,  7.5, 4.5, 4.5],
            [3.5,  7.5, 4.5, 4.5],
        ]);
    }

    #[test]
    fn output_size_formula() {
        // (H - 1) s - 2 p + d (k - 1) + output_padding + 1.
        let input = Tensor::filled(Shape::new(2, 4, 5, 7).unwrap(), 1.0);
        let weight = Tensor::filled(Shape::new(4, 3, 3, 2).unwrap(), 0.5);
        let params = ConvTransposeParams {
            stride: (3, 2),
            padding: Pads::symmetric(1, 0),
            output_padding: (2, 1),
            dilation: (2, 1),
            groups: 2,
        };
        let out = conv_transpose2d(&input, &weight, None, &params).unwrap();
        assert_eq!(
            out.shape(),
            Shape::new(2, 6, 4 * 3 - 2 + 2 * 2 + 2 + 1, 6 * 2 + 1 + 1 + 1).unwrap()
        );
    }

    #[test]
    fn bad_settings_are_explained() {
        let input = Tensor::filled(Shape::new(1, 2, 3, 3).unwrap(), 1.0);
        let weight = Tensor::filled(Shape::new(2, 1, 3, 3).unwrap(), 1.0);
        let message = |params: ConvTransposeParams, weight: &Tensor, bias: Option<&[f32]>| {
            conv_transpose2d(&input, weight, bias, &params).unwrap_err()
        };
        let d = ConvTransposeParams::default();
        assert_eq!(
            message(
                ConvTransposeParams {
                    output_padding: (1, 0),
                    ..d
                },
                &weight,
                None
            )
            .to_string(),
            "the output padding (1x0) must be smaller than the stride (1x1) or the dilation \
             (1x1) along each axis"
        );
        // Smaller than the dilation is enough (PyTorch's rule).
        assert!(conv_transpose2d(
            &input,
            &weight,
            None,
            &ConvTransposeParams {
                output_padding: (1, 1),
                dilation: (2, 2),
                ..d
            }
        )
        .is_ok());
        assert_eq!(
            message(
                ConvTransposeParams {
                    padding: Pads::uniform(3),
                    ..d
                },
                &weight,
                None
            ),
            Error::CroppedAway {
                uncropped: (5, 5),
                cropped: (6, 6)
            }
        );
        assert_eq!(
            message(ConvTransposeParams { groups: 0, ..d }, &weight, None).to_string(),
            "the number of groups must be at least 1"
        );
        assert!(matches!(
            message(
                ConvTransposeParams {
                    stride: (0, 1),
                    ..d
                },
                &weight,
                None
            ),
            Error::Zero { what: "stride" }
        ));
        let three = Tensor::filled(Shape::new(3, 1, 3, 3).unwrap(), 1.0);
        assert_eq!(
            message(d, &three, None),
            Error::TransposedWeightChannels {
                input_channels: 2,
                weight_channels: 3
            }
        );
        assert!(matches!(
            message(ConvTransposeParams { groups: 4, ..d }, &weight, None),
            Error::Groups {
                channels: 2,
                groups: 4,
                ..
            }
        ));
        assert!(message(d, &weight, Some(&[1.0, 2.0]))
            .to_string()
            .contains("bias"));
        let mut nan = weight.clone();
        nan.data_mut()[9 + 4] = f32::NAN;
        assert_eq!(
            message(d, &nan, None).to_string(),
            "the kernel weight at input channel 2, output channel 1, row 2, column 2 is NaN: \
             every value must be a finite number"
        );
        assert!(matches!(
            message(
                ConvTransposeParams {
                    stride: (1 << 40, 1),
                    ..d
                },
                &weight,
                None
            ),
            Error::TensorTooLarge { .. }
        ));
    }
}
