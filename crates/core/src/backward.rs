//! The backward pass of convolution and pooling: given the gradient of a loss with
//! respect to a layer's output, the gradients with respect to its input and weights,
//! exactly as PyTorch's autograd computes them.
//!
//! For `out = conv2d(x, w, b)` with gradient `g = ∂L/∂out`:
//!
//! ```text
//! ∂L/∂b[o]          = Σ_{n,y,x} g[n, o, y, x]
//! ∂L/∂w[o, c, m, k] = Σ_{n,y,x} g[n, o, y, x] · padded[n, c', y s_h + m d_h, x s_w + k d_w]
//! ∂L/∂x             = conv_transpose2d(g, w)   (with the convolution's own settings)
//! ```
//!
//! (`c'` is channel `c` of `o`'s group). The input gradient is not a second
//! implementation: it *is* [`crate::conv_transpose2d`], with the output padding that
//! restores the input's size ([`crate::ConvPlan::transposed`]). With reflect, replicate
//! or circular padding, the gradient of each padded cell goes back to the input pixel it
//! copies.
//!
//! Pooling: max (and min) pooling send each window's gradient to its winner, the first
//! largest value in row-major window order (PyTorch's `return_indices=True` index, flat
//! per plane); windows that overlap add up. The mean sends `g / divisor` to every input
//! cell of the window, with the divisor of the forward pass (`count_include_pad`, ceil
//! mode).

use crate::conv::{rows_per_band, ConvParams, ConvPlan};
use crate::error::{Error, Result};
use crate::gemm::gemm_nt;
use crate::geometry::{PaddingMode, Pads};
use crate::pool::{PoolFunction, PoolParams};
use crate::tensor::{Shape, Tensor};
use crate::transpose::ConvTransposeParams;

/// The gradients of a loss with respect to a convolution's input, weights and bias.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvGradients {
    /// `∂L/∂input`, the input's shape.
    pub input: Tensor,
    /// `∂L/∂weight`, the weight's shape `C_out x C_in/groups x K_h x K_w`.
    pub weight: Tensor,
    /// `∂L/∂bias`, one value per output channel (whether or not the layer has a bias).
    pub bias: Vec<f32>,
}

/// The gradients of `conv2d(input, weight, bias, params)` given `grad_output`, the
/// gradient with respect to its output (`N x C_out x H_out x W_out`).
///
/// # Errors
/// Any error of [`ConvParams::plan`]; a `grad_output` of the wrong shape; NaN or
/// infinite weights.
pub fn conv2d_backward(
    input: &Tensor,
    weight: &Tensor,
    grad_output: &Tensor,
    params: &ConvParams,
) -> Result<ConvGradients> {
    let (weight_gradient, bias) =
        conv2d_weight_gradient(input, weight.shape(), grad_output, params)?;
    Ok(ConvGradients {
        input: conv2d_input_gradient(input.shape(), weight, grad_output, params)?,
        weight: weight_gradient,
        bias,
    })
}

/// Checks a convolution and the shape of its output gradient.
fn checked_plan(
    input: Shape,
    weight: Shape,
    grad_output: &Tensor,
    params: &ConvParams,
) -> Result<ConvPlan> {
    let plan = params.plan(input, weight)?;
    same_shape("gradient of the output", plan.output, grad_output.shape())?;
    Ok(plan)
}

/// Fails with [`Error::WrongShape`] unless `actual` is `expected`.
pub(crate) fn same_shape(what: &'static str, expected: Shape, actual: Shape) -> Result<()> {
    let dims = |s: Shape| [s.batch, s.channels, s.height, s.width];
    if expected == actual {
        Ok(())
    } else {
        Err(Error::WrongShape {
            what,
            expected: dims(expected),
            actual: dims(actual),
        })
    }
}

/// `∂L/∂input` of a convolution of an input of shape `input_shape`
/// (`torch.nn.grad.conv2d_input`): the transposed convolution of `grad_output` with the
/// convolution's weight.
///
/// # Errors
/// As [`conv2d_backward`].
pub fn conv2d_input_gradient(
    input_shape: Shape,
    weight: &Tensor,
    grad_output: &Tensor,
    params: &ConvParams,
) -> Result<Tensor> {
    let plan = checked_plan(input_shape, weight.shape(), grad_output, params)?;
    crate::conv::check_weights(weight, None)?;
    let transposed = plan.transposed();
    if params.padding_mode == PaddingMode::Zeros || plan.pads == Pads::default() {
        // The padding crops the stamps: the transposed convolution lands on the input.
        let back = transposed.plan(grad_output.shape(), weight.shape())?;
        let mut input = Tensor::filled(back.output, 0.0);
        back.run(grad_output.data(), weight.data(), None, input.data_mut());
        return Ok(input);
    }
    // Stamp onto the whole padded input, one image and group at a time (the size the
    // forward pass checked), then send each padded cell's gradient to the pixel it was
    // copied from.
    let groups = params.groups;
    let (in_per_group, out_per_group) = (plan.weight.channels, plan.output.channels / groups);
    let one_group = ConvTransposeParams {
        padding: Pads::default(),
        groups: 1,
        ..transposed
    };
    let back = one_group.plan(
        Shape {
            batch: 1,
            channels: out_per_group,
            ..plan.output
        },
        Shape {
            batch: out_per_group,
            ..plan.weight
        },
    )?;
    let (padded_h, padded_w) = plan.padded();
    let shape = input_shape;
    let mode = params.padding_mode;
    let sources = |size: usize, before: usize, padded: usize| -> Vec<Option<usize>> {
        (0..padded)
            .map(|i| mode.source(i as isize - before as isize, size))
            .collect()
    };
    let rows = sources(shape.height, plan.pads.top, padded_h);
    let columns = sources(shape.width, plan.pads.left, padded_w);
    let mut input = Tensor::filled(shape, 0.0);
    let mut padded = vec![0.0; back.output.len()];
    let filters_len = back.weight.len();
    for n in 0..shape.batch {
        for g in 0..groups {
            let first_out = n * plan.output.channels + g * out_per_group;
            let gradient =
                &grad_output.data()[first_out * plan.output.plane_len()..][..back.input.len()];
            let filters = &weight.data()[g * filters_len..][..filters_len];
            back.run(gradient, filters, None, &mut padded);
            let first_in = n * shape.channels + g * in_per_group;
            let planes = &mut input.data_mut()[first_in * shape.plane_len()..]
                [..in_per_group * shape.plane_len()];
            for (plane, from) in planes
                .chunks_exact_mut(shape.plane_len())
                .zip(padded.chunks_exact(padded_h * padded_w))
            {
                for (row, values) in rows.iter().zip(from.chunks_exact(padded_w)) {
                    let Some(row) = *row else { continue };
                    for (column, &value) in columns.iter().zip(values) {
                        if let Some(column) = *column {
                            plane[row * shape.width + column] += value;
                        }
                    }
                }
            }
        }
    }
    Ok(input)
}

/// `∂L/∂weight` and `∂L/∂bias` of a convolution with weights of shape `weight_shape`
/// (`torch.nn.grad.conv2d_weight`, and the bias's sum over the batch and the map).
///
/// Per image and group, a band of output rows at a time: the windows of the padded
/// input as columns (im2col, as the forward pass lays them out), and one product with
/// the output gradient, `∂L/∂W = G colsᵀ`.
///
/// # Errors
/// Any error of [`ConvParams::plan`]; a `grad_output` of the wrong shape.
pub fn conv2d_weight_gradient(
    input: &Tensor,
    weight_shape: Shape,
    grad_output: &Tensor,
    params: &ConvParams,
) -> Result<(Tensor, Vec<f32>)> {
    let plan = checked_plan(input.shape(), weight_shape, grad_output, params)?;
    let out = plan.output;
    let groups = params.groups;
    let out_per_group = out.channels / groups;
    let filter_len = weight_shape.channels * weight_shape.height * weight_shape.width;
    let out_len = out.plane_len();
    let mut weight = Tensor::filled(weight_shape, 0.0);
    let mut bias = vec![0.0f32; out.channels];
    let band = rows_per_band(filter_len * out.width);
    let (mut scratch, mut columns) = (Vec::new(), Vec::new());
    for n in 0..out.batch {
        for g in 0..groups {
            let planes = plan.group_planes(input, n, g, &mut scratch);
            let first_out = n * out.channels + g * out_per_group;
            let gradient = &grad_output.data()[first_out * out_len..][..out_per_group * out_len];
            let filters = &mut weight.data_mut()[g * out_per_group * filter_len..]
                [..out_per_group * filter_len];
            for first_row in (0..out.height).step_by(band) {
                let rows = first_row..out.height.min(first_row + band);
                let cells = rows.len() * out.width;
                plan.im2col(planes, rows, &mut columns);
                gemm_nt(
                    out_per_group,
                    filter_len,
                    cells,
                    &gradient[first_row * out.width..],
                    out_len,
                    &columns,
                    cells,
                    filters,
                    filter_len,
                );
            }
            for (o, plane) in gradient.chunks_exact(out_len).enumerate() {
                bias[g * out_per_group + o] += crate::gemm::sum(plane);
            }
        }
    }
    Ok((weight, bias))
}

/// `nn.MaxPool2d(..., return_indices=True)`: the pooled map and, for every pooled cell,
/// the flat index `row * W + column` in its input plane of the value it took (the first
/// largest in row-major window order; a NaN wins).
///
/// # Errors
/// As [`PoolParams::output_size`].
pub fn max_pool2d_with_indices(
    input: &Tensor,
    params: &PoolParams,
) -> Result<(Tensor, Vec<usize>)> {
    best_with_indices(input, PoolFunction::Max, params)
}

/// Max or min pooling with the winners' indices.
fn best_with_indices(
    input: &Tensor,
    function: PoolFunction,
    params: &PoolParams,
) -> Result<(Tensor, Vec<usize>)> {
    let shape = input.shape();
    let windows = params.windows(function, shape.height, shape.width)?;
    let (out_h, out_w) = windows.output;
    let out_shape = Shape::new(shape.batch, shape.channels, out_h, out_w)?;
    let mut values = Vec::with_capacity(out_shape.len());
    let mut indices = Vec::with_capacity(out_shape.len());
    let sign = if function == PoolFunction::Min {
        -1.0
    } else {
        1.0
    };
    for plane in input.data().chunks_exact(shape.plane_len()) {
        windows.best(plane, shape.width, sign, &mut values, &mut indices);
    }
    Ok((
        Tensor::with_batch(shape.batch, shape.channels, out_h, out_w, values)?,
        indices,
    ))
}

/// The input gradient of max pooling from the indices [`max_pool2d_with_indices`] gave:
/// each pooled cell's gradient is added at its index (overlapping windows add up).
///
/// # Errors
/// A `grad_output` whose batch or channels differ from `input_shape`'s; indices that are
/// not one per pooled cell or that point outside an `H x W` plane.
pub fn max_pool2d_backward(
    grad_output: &Tensor,
    indices: &[usize],
    input_shape: Shape,
) -> Result<Tensor> {
    let g = grad_output.shape();
    same_shape(
        "gradient of the output",
        Shape {
            height: g.height,
            width: g.width,
            ..input_shape
        },
        g,
    )?;
    if indices.len() != g.len() {
        return Err(Error::DataLength {
            what: "indices (one per pooled cell)",
            expected: g.len(),
            actual: indices.len(),
        });
    }
    let plane_len = input_shape.plane_len();
    if let Some(&index) = indices.iter().find(|&&i| i >= plane_len) {
        return Err(Error::IndexOutOfPlane {
            index,
            plane: (input_shape.height, input_shape.width),
        });
    }
    let mut input = Tensor::filled(input_shape, 0.0);
    for ((plane, gradient), indices) in input
        .data_mut()
        .chunks_exact_mut(plane_len)
        .zip(grad_output.data().chunks_exact(g.plane_len()))
        .zip(indices.chunks_exact(g.plane_len()))
    {
        for (&value, &index) in gradient.iter().zip(indices) {
            plane[index] += value;
        }
    }
    Ok(input)
}

/// The gradient of `pool2d(input, function, params)` with respect to its input, given
/// `grad_output`: routed to each window's winner (max, min), shared by its cells (mean),
/// or, for LP pooling, `scale · x^(p-1) · y^(1-p)` to each cell `x` of a window whose
/// value is `y` (0 where `y = 0`, where PyTorch gives NaN).
///
/// # Errors
/// As [`PoolParams::output_size`]; a `grad_output` of the wrong shape.
pub fn pool2d_backward(
    input: &Tensor,
    grad_output: &Tensor,
    function: PoolFunction,
    params: &PoolParams,
) -> Result<Tensor> {
    let shape = input.shape();
    let windows = params.windows(function, shape.height, shape.width)?;
    let out = Shape {
        height: windows.output.0,
        width: windows.output.1,
        ..shape
    };
    same_shape("gradient of the output", out, grad_output.shape())?;
    if function.picks_one() {
        let (_, indices) = best_with_indices(input, function, params)?;
        return max_pool2d_backward(grad_output, &indices, shape);
    }
    let mut gradient = Tensor::filled(shape, 0.0);
    for ((plane, from), values) in gradient
        .data_mut()
        .chunks_exact_mut(shape.plane_len())
        .zip(grad_output.data().chunks_exact(out.plane_len()))
        .zip(input.data().chunks_exact(shape.plane_len()))
    {
        for (y, rows) in windows.rows.iter().enumerate() {
            for (x, columns) in windows.columns.iter().enumerate() {
                let g = from[y * out.width + x];
                let cells = rows
                    .iter()
                    .flat_map(|&r| columns.iter().map(move |&c| r * shape.width + c));
                match function {
                    PoolFunction::Lp(p) => {
                        // y = (scale Σ x^p)^(1/p): ∂y/∂x = scale x^(p-1) y^(1-p), and 0
                        // where y = 0 (PyTorch gives NaN there).
                        let sum = cells.clone().map(|i| values[i].powf(p.value())).sum();
                        let pooled = windows.lp(y, x, sum, p);
                        if pooled == 0.0 {
                            continue;
                        }
                        let factor = g * windows.lp_scale(y, x) * pooled.powf(1.0 - p.value());
                        for i in cells {
                            plane[i] += factor * values[i].powf(p.value() - 1.0);
                        }
                    }
                    _ => {
                        let share = g / windows.divisor(y, x) as f32;
                        for i in cells {
                            plane[i] += share;
                        }
                    }
                }
            }
        }
    }
    Ok(gradient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn max_pool_routes_to_the_first_maximum() {
        let input = Tensor::from_rows(&[
            [1.0, 5.0, 5.0, 2.0],
            [5.0, 0.0, 1.0, 3.0],
            [7.0, 7.0, 0.0, 4.0],
            [7.0, 2.0, 4.0, 4.0],
        ]).unwrap();
        let (pooled, indices) = max_pool2d_with_indices(&input, &PoolParams::square(2)).unwrap();
        assert_eq!(pooled.rows(0), [[5.0, 5.0], [7.0, 4.0]]);
        // Ties go to the first maximum in row-major window order.
        assert_eq!(indices, [1, 2, 8, 11]);
        let grad = Tensor::from_rows(&[[10.0, 20.0], [30.0, 40.0]]).unwrap();
        let back = pool2d_backward(&input, &grad, PoolFunction::Max, &PoolParams::square(2)).unwrap();
        assert_eq!(back.rows(0), [
            [ 0.0, 10.0, 20.0,  0.0],
            [ 0.0,  0.0,  0.0,  0.0],
            [30.0,  0.0,  0.0, 40.0],
            [ 0.0,  0.0,  0.0,  0.0],
        ]);
        // Overlapping windows (3x3, stride 1): the centre wins all four and adds them up.
        let centre = Tensor::from_rows(&[
            [1.0, 1.0, 1.0, 1.0],
            [1.0, 9.0, 1.0, 1.0],
            [1.0, 1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0, 1.0],
        ]).unwrap();
        let overlapping = PoolParams { stride: Some((1, 1)), ..PoolParams::square(3) };
        let (_, indices) = max_pool2d_with_indices(&centre, &overlapping).unwrap();
        assert_eq!(indices, [5, 5, 5, 5]);
        let back = pool2d_backward(&centre, &grad, PoolFunction::Max, &overlapping).unwrap();
        assert_eq!(back.data()[5], 100.0);
        assert_eq!(back.data().iter().sum::<f32>(), 100.0);
    }

    #[test]
    #[rustfmt::skip]
    fn mean_pool_shares_by_the_forward_divisor() {
        // 3x3 windows, stride 2, padding 1 on a 3x3 input: 2x2 windows.
        let input = Tensor::filled(Shape::new(1, 1, 3, 3).unwrap(), 1.0);
        let grad = Tensor::from_rows(&[[9.0, 18.0], [36.0, 72.0]]).unwrap();
        let mut params = PoolParams {
            stride: Some((2, 2)),
            padding: Pads::uniform(1),
            ..PoolParams::square(3)
        };
        // count_include_pad: every window divides by 9.
        let back = pool2d_backward(&input, &grad, PoolFunction::Mean, &params).unwrap();
        assert_eq!(back.rows(0), [
            [ 1.0,  1.0 + 2.0,  2.0],
            [ 5.0, 15.0,       10.0],
            [ 4.0,  4.0 + 8.0,  8.0],
        ]);
        // Otherwise each window divides by its 4 cells inside the input.
        params.count_include_pad = false;
        let back = pool2d_backward(&input, &grad, PoolFunction::Mean, &params).unwrap();
        assert_eq!(back.rows(0), [
            [ 2.25,  6.75,  4.5],
            [11.25, 33.75, 22.5],
            [ 9.0,  27.0,  18.0],
        ]);
    }

    #[test]
    fn bad_gradients_are_explained() {
        let input = Tensor::filled(Shape::new(1, 2, 4, 4).unwrap(), 1.0);
        let weight = Tensor::filled(Shape::new(3, 2, 3, 3).unwrap(), 1.0);
        let wrong = Tensor::filled(Shape::new(1, 3, 3, 2).unwrap(), 1.0);
        let error = conv2d_backward(&input, &weight, &wrong, &ConvParams::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the gradient of the output must have shape 1x3x2x2 (N x C x H x W), not 1x3x3x2"
        );
        let pooled = Tensor::filled(Shape::new(1, 2, 2, 2).unwrap(), 1.0);
        assert!(matches!(
            max_pool2d_backward(&pooled, &[0, 1, 2], input.shape()),
            Err(Error::DataLength {
                expected: 8,
                actual: 3,
                ..
            })
        ));
        assert_eq!(
            max_pool2d_backward(&pooled, &[0, 1, 2, 3, 4, 5, 6, 16], input.shape())
                .unwrap_err()
                .to_string(),
            "index 16 is outside its 4x4 plane (indices run from 0 to 15)"
        );
        assert!(matches!(
            pool2d_backward(&input, &wrong, PoolFunction::Mean, &PoolParams::square(2)),
            Err(Error::WrongShape { .. })
        ));
        let mut nan = weight.clone();
        nan.data_mut()[0] = f32::NAN;
        let grad = Tensor::filled(Shape::new(1, 3, 2, 2).unwrap(), 1.0);
        assert!(matches!(
            conv2d_input_gradient(input.shape(), &nan, &grad, &ConvParams::default()),
            Err(Error::NotFinite { .. })
        ));
    }
}
