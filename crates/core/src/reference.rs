//! Deliberately naive implementations, written straight from the definitions.
//!
//! They are slow on purpose: one output cell at a time, every index worked out from the
//! formula, the padding looked up per tap. Tests compare every fast path against them,
//! and a student can read them as the definition.

use crate::backward::{same_shape, ConvGradients};
use crate::conv::{check_weights, ConvParams};
use crate::error::Result;
use crate::pool::{PoolFunction, PoolParams};
use crate::tensor::Tensor;
use crate::transpose::ConvTransposeParams;

/// `conv2d` straight from its formula (see [`crate::conv`]).
///
/// # Errors
/// As [`crate::conv::conv2d`].
pub fn conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    params: &ConvParams,
) -> Result<Tensor> {
    let plan = params.plan(input.shape(), weight.shape())?;
    check_weights(weight, bias)?;
    let out = plan.output;
    let in_per_group = plan.weight.channels;
    let out_per_group = out.channels / params.groups;
    let mut data = Vec::with_capacity(out.len());
    for n in 0..out.batch {
        for o in 0..out.channels {
            let group = o / out_per_group;
            for y in 0..out.height {
                for x in 0..out.width {
                    let mut sum = bias.map_or(0.0, |b| b[o]);
                    for c in 0..in_per_group {
                        for m in 0..plan.weight.height {
                            for k in 0..plan.weight.width {
                                let w = weight.get(o, c, m, k).unwrap_or(0.0);
                                let row = (y * params.stride.0 + m * params.dilation.0) as isize
                                    - plan.pads.top as isize;
                                let column = (x * params.stride.1 + k * params.dilation.1) as isize
                                    - plan.pads.left as isize;
                                let mode = params.padding_mode;
                                let value = match (
                                    mode.source(row, input.height()),
                                    mode.source(column, input.width()),
                                ) {
                                    (Some(r), Some(col)) => input
                                        .get(n, group * in_per_group + c, r, col)
                                        .unwrap_or(0.0),
                                    _ => 0.0,
                                };
                                sum += w * value;
                            }
                        }
                    }
                    data.push(sum);
                }
            }
        }
    }
    Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)
}

/// Pooling straight from PyTorch's definition: pad with `-inf` (max) or `+inf` (min),
/// take every window, and for the mean divide as `divisor_override` or
/// `count_include_pad` says; LP pooling
/// as `(avg_pool2d(x^p) · K_h K_w)^(1/p)`.
///
/// # Errors
/// As [`crate::pool::pool2d`].
pub fn pool2d(input: &Tensor, function: PoolFunction, params: &PoolParams) -> Result<Tensor> {
    let (out_h, out_w) = params.output_size(function, input.height(), input.width())?;
    let mut data = Vec::new();
    for n in 0..input.batch() {
        for c in 0..input.channels() {
            for y in 0..out_h {
                for x in 0..out_w {
                    data.push(pool_value(
                        function,
                        params,
                        (input.height(), input.width()),
                        (y, x),
                        |r, col| input.get(n, c, r, col).unwrap_or(0.0),
                    ));
                }
            }
        }
    }
    Tensor::with_batch(input.batch(), input.channels(), out_h, out_w, data)
}

/// `nn.AdaptiveMaxPool2d` (`max = true`, with the flat index of each maximum) or
/// `nn.AdaptiveAvgPool2d` straight from PyTorch's documented definition: output cell
/// `i` of `n` along an axis of `size` takes input cells `floor(i size / n)` up to
/// `ceil((i + 1) size / n) - 1`, worked out here in `f64`. The indices are empty for
/// the mean.
///
/// # Errors
/// As [`crate::pool::adaptive_avg_pool2d`].
pub fn adaptive_pool2d(
    input: &Tensor,
    max: bool,
    output: (usize, usize),
) -> Result<(Tensor, Vec<usize>)> {
    crate::error::positive(output.0, "adaptive pooling height")?;
    crate::error::positive(output.1, "adaptive pooling width")?;
    crate::tensor::Shape::new(input.batch(), input.channels(), output.0, output.1)?;
    let (h, w) = (input.height(), input.width());
    let range = |i: usize, size: usize, n: usize| {
        let (i, size, n) = (i as f64, size as f64, n as f64);
        ((i * size / n).floor() as usize)..(((i + 1.0) * size / n).ceil() as usize)
    };
    let mut data = Vec::new();
    let mut indices = Vec::new();
    for n in 0..input.batch() {
        for c in 0..input.channels() {
            for y in 0..output.0 {
                for x in 0..output.1 {
                    let cells: Vec<(usize, usize)> = range(y, h, output.0)
                        .flat_map(|r| range(x, w, output.1).map(move |col| (r, col)))
                        .collect();
                    let value = |&(r, col): &(usize, usize)| input.get(n, c, r, col).unwrap_or(0.0);
                    if max {
                        let best = winner(PoolFunction::Max, &cells, value);
                        data.push(value(&best));
                        indices.push(best.0 * w + best.1);
                    } else {
                        data.push(cells.iter().map(value).sum::<f32>() / cells.len() as f32);
                    }
                }
            }
        }
    }
    let out = Tensor::with_batch(input.batch(), input.channels(), output.0, output.1, data)?;
    Ok((out, indices))
}

/// One pooled value from the definition: pooled cell `(y, x)` of a `height x width`
/// plane whose values `value(row, column)` gives. (The frame engine's general path
/// uses it too.)
pub(crate) fn pool_value(
    function: PoolFunction,
    params: &PoolParams,
    (height, width): (usize, usize),
    (y, x): (usize, usize),
    value: impl Fn(usize, usize) -> f32,
) -> f32 {
    let (cells, divisor) = pool_window(function, params, (height, width), (y, x));
    let value = |&(r, col): &(usize, usize)| value(r, col);
    match function {
        PoolFunction::Max | PoolFunction::Min => value(&winner(function, &cells, value)),
        PoolFunction::Mean => cells.iter().map(value).sum::<f32>() / divisor as f32,
        PoolFunction::Lp(p) => {
            let sum: f32 = cells.iter().map(|cell| value(cell).powf(p.value())).sum();
            let full = params.kernel.0.saturating_mul(params.kernel.1);
            crate::pool::lp_root(sum, divisor, full, p)
        }
    }
}

/// Pooled cell `(y, x)` of a `height x width` plane, from the definition: the input
/// cells its window takes (row-major, padding left out) and the divisor of its mean
/// (for LP pooling, always the window clipped to the padded frame).
fn pool_window(
    function: PoolFunction,
    params: &PoolParams,
    (height, width): (usize, usize),
    (y, x): (usize, usize),
) -> (Vec<(usize, usize)>, usize) {
    let (stride_h, stride_w) = params.stride();
    let pads = params.padding;
    // In i128: no position wraps, whatever the settings.
    let wide = |v: usize| v as i128;
    let (h, w) = (wide(height), wide(width));
    let top = wide(y) * wide(stride_h) - wide(pads.top);
    let left = wide(x) * wide(stride_w) - wide(pads.left);
    let mut cells = Vec::new();
    let mut padded_cells = 0;
    // Taps past the padded frame are neither cells nor padding: stop there (in ceil mode
    // a window may reach far beyond it).
    let rows = (0..params.kernel.0)
        .map(|m| top + wide(m) * wide(params.dilation.0))
        .take_while(|&r| r < h + wide(pads.bottom));
    for r in rows {
        let columns = (0..params.kernel.1)
            .map(|k| left + wide(k) * wide(params.dilation.1))
            .take_while(|&col| col < w + wide(pads.right));
        for col in columns {
            if (0..h).contains(&r) && (0..w).contains(&col) {
                cells.push((r as usize, col as usize));
            } else {
                // Inside the padded frame (PyTorch's pool_size counts it).
                padded_cells += 1;
            }
        }
    }
    let include = params.count_include_pad || matches!(function, PoolFunction::Lp(_));
    let divisor = if let (PoolFunction::Mean, Some(divisor)) = (function, params.divisor_override) {
        divisor
    } else if include {
        cells.len() + padded_cells
    } else {
        cells.len()
    };
    (cells, divisor)
}

/// The cell max (or min) pooling takes from `cells`: the first largest (smallest) in
/// their order, or the last NaN.
fn winner(
    function: PoolFunction,
    cells: &[(usize, usize)],
    value: impl Fn(&(usize, usize)) -> f32,
) -> (usize, usize) {
    let sign = if function == PoolFunction::Min {
        -1.0
    } else {
        1.0
    };
    let mut best = (cells[0], f32::NEG_INFINITY);
    for cell in cells {
        let v = sign * value(cell);
        if v > best.1 || v.is_nan() {
            best = (*cell, v);
        }
    }
    best.0
}

/// `conv_transpose2d` straight from its definition: every input cell stamps the kernel,
/// scaled by its value, onto the output (see [`crate::transpose`]).
///
/// # Errors
/// As [`crate::transpose::conv_transpose2d`].
pub fn conv_transpose2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    params: &ConvTransposeParams,
) -> Result<Tensor> {
    let plan = params.plan(input.shape(), weight.shape())?;
    crate::transpose::check_weights(&plan, weight, bias)?;
    let out = plan.output;
    let in_per_group = input.channels() / params.groups;
    let out_per_group = weight.channels();
    let mut data = vec![0.0f32; out.len()];
    for n in 0..input.batch() {
        for c in 0..input.channels() {
            let group = c / in_per_group;
            for y in 0..input.height() {
                for x in 0..input.width() {
                    let value = input.get(n, c, y, x).unwrap_or(0.0);
                    for o in 0..out_per_group {
                        let channel = group * out_per_group + o;
                        for m in 0..weight.height() {
                            for k in 0..weight.width() {
                                // In i128: no position wraps, whatever the settings.
                                let at = |i: usize, s: usize, j: usize, d: usize, pad: usize| {
                                    i as i128 * s as i128 + j as i128 * d as i128 - pad as i128
                                };
                                let (stride, dilation) = (params.stride, params.dilation);
                                let row = at(y, stride.0, m, dilation.0, params.padding.top);
                                let column = at(x, stride.1, k, dilation.1, params.padding.left);
                                if (0..out.height as i128).contains(&row)
                                    && (0..out.width as i128).contains(&column)
                                {
                                    let w = weight.get(c, o, m, k).unwrap_or(0.0);
                                    let at = ((n * out.channels + channel) * out.height
                                        + row as usize)
                                        * out.width
                                        + column as usize;
                                    data[at] += value * w;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(bias) = bias {
        for (i, value) in data.iter_mut().enumerate() {
            *value += bias[i / out.plane_len() % out.channels];
        }
    }
    Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)
}

/// The gradients of `conv2d` straight from the chain rule: every output cell's gradient
/// `g` flows back through each of its terms `w · x`, adding `g · x` to the weight's
/// gradient, `g · w` to the input pixel's (the pixel the padding copied, if any), and `g`
/// to the bias's.
///
/// # Errors
/// As [`crate::backward::conv2d_backward`].
pub fn conv2d_backward(
    input: &Tensor,
    weight: &Tensor,
    grad_output: &Tensor,
    params: &ConvParams,
) -> Result<ConvGradients> {
    let plan = params.plan(input.shape(), weight.shape())?;
    check_weights(weight, None)?;
    let out = plan.output;
    same_shape("gradient of the output", out, grad_output.shape())?;
    let in_per_group = plan.weight.channels;
    let out_per_group = out.channels / params.groups;
    let mut input_grad = Tensor::filled(input.shape(), 0.0);
    let mut weight_grad = Tensor::filled(weight.shape(), 0.0);
    let mut bias = vec![0.0f32; out.channels];
    let (w_shape, in_shape) = (weight.shape(), input.shape());
    for n in 0..out.batch {
        for (o, bias) in bias.iter_mut().enumerate() {
            let group = o / out_per_group;
            for y in 0..out.height {
                for x in 0..out.width {
                    let g = grad_output.get(n, o, y, x).unwrap_or(0.0);
                    *bias += g;
                    for c in 0..in_per_group {
                        for m in 0..w_shape.height {
                            for k in 0..w_shape.width {
                                let row = (y * params.stride.0 + m * params.dilation.0) as isize
                                    - plan.pads.top as isize;
                                let column = (x * params.stride.1 + k * params.dilation.1) as isize
                                    - plan.pads.left as isize;
                                let mode = params.padding_mode;
                                let (Some(r), Some(col)) = (
                                    mode.source(row, in_shape.height),
                                    mode.source(column, in_shape.width),
                                ) else {
                                    continue;
                                };
                                let channel = group * in_per_group + c;
                                let value = input.get(n, channel, r, col).unwrap_or(0.0);
                                let w = weight.get(o, c, m, k).unwrap_or(0.0);
                                let wi = ((o * in_per_group + c) * w_shape.height + m)
                                    * w_shape.width
                                    + k;
                                weight_grad.data_mut()[wi] += g * value;
                                let ii = ((n * in_shape.channels + channel) * in_shape.height + r)
                                    * in_shape.width
                                    + col;
                                input_grad.data_mut()[ii] += g * w;
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(ConvGradients {
        input: input_grad,
        weight: weight_grad,
        bias,
    })
}

/// The gradient of `pool2d` straight from its definition: each window, worked out from
/// the formula with the padding looked up per tap, passes its gradient to its winner
/// (the first largest in row-major order, or a NaN) or, for the mean, shares it among
/// its cells inside the input, divided as the forward pass divides.
///
/// # Errors
/// As [`crate::backward::pool2d_backward`].
pub fn pool2d_backward(
    input: &Tensor,
    grad_output: &Tensor,
    function: PoolFunction,
    params: &PoolParams,
) -> Result<Tensor> {
    let (out_h, out_w) = params.output_size(function, input.height(), input.width())?;
    let expected = crate::Shape {
        height: out_h,
        width: out_w,
        ..input.shape()
    };
    same_shape("gradient of the output", expected, grad_output.shape())?;
    let mut gradient = Tensor::filled(input.shape(), 0.0);
    let (height, width) = (input.height(), input.width());
    for n in 0..input.batch() {
        for c in 0..input.channels() {
            let value = |&(r, col): &(usize, usize)| input.get(n, c, r, col).unwrap_or(0.0);
            let plane = (n * input.channels() + c) * height * width;
            for y in 0..out_h {
                for x in 0..out_w {
                    let g = grad_output.get(n, c, y, x).unwrap_or(0.0);
                    let (cells, divisor) = pool_window(function, params, (height, width), (y, x));
                    let shares = match function {
                        PoolFunction::Max | PoolFunction::Min => {
                            vec![(winner(function, &cells, value), g)]
                        }
                        PoolFunction::Mean => cells
                            .iter()
                            .map(|&cell| (cell, g / divisor as f32))
                            .collect(),
                        // y = (S K_h K_w / divisor)^(1/p), S = Σ x^p: ∂y/∂x = scale x^(p-1) y^(1-p);
                        // 0 where y = 0 (PyTorch gives NaN there).
                        PoolFunction::Lp(power) => {
                            let p = power.value();
                            let sum: f32 = cells.iter().map(|cell| value(cell).powf(p)).sum();
                            let full = params.kernel.0.saturating_mul(params.kernel.1);
                            let y = crate::pool::lp_root(sum, divisor, full, power);
                            let factor = g * (full as f32 / divisor as f32) * y.powf(1.0 - p);
                            cells
                                .iter()
                                .map(|cell| {
                                    let share = if y == 0.0 {
                                        0.0
                                    } else {
                                        factor * value(cell).powf(p - 1.0)
                                    };
                                    (*cell, share)
                                })
                                .collect()
                        }
                    };
                    for ((r, col), share) in shares {
                        gradient.data_mut()[plane + r * width + col] += share;
                    }
                }
            }
        }
    }
    Ok(gradient)
}
