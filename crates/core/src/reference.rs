//! Deliberately naive implementations, written straight from the definitions.
//!
//! They are slow on purpose: one output cell at a time, every index worked out from the
//! formula, the padding looked up per tap. Tests compare every fast path against them,
//! and a student can read them as the definition.

use crate::conv::{check_weights, ConvParams};
use crate::error::Result;
use crate::pool::{PoolFunction, PoolParams};
use crate::tensor::Tensor;

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
/// take every window, and for the mean divide as `count_include_pad` says.
///
/// # Errors
/// As [`crate::pool::pool2d`].
pub fn pool2d(input: &Tensor, function: PoolFunction, params: &PoolParams) -> Result<Tensor> {
    let (out_h, out_w) = params.output_size(function, input.height(), input.width())?;
    let (stride_h, stride_w) = params.stride();
    let (pad_h, pad_w) = params.padding;
    let (h, w) = (input.height() as isize, input.width() as isize);
    let mut data = Vec::new();
    for n in 0..input.batch() {
        for c in 0..input.channels() {
            for y in 0..out_h {
                for x in 0..out_w {
                    let top = (y * stride_h) as isize - pad_h as isize;
                    let left = (x * stride_w) as isize - pad_w as isize;
                    let mut values = Vec::new();
                    let mut padded_cells = 0;
                    for m in 0..params.kernel.0 as isize {
                        for k in 0..params.kernel.1 as isize {
                            let r = top + m * params.dilation.0 as isize;
                            let col = left + k * params.dilation.1 as isize;
                            if (0..h).contains(&r) && (0..w).contains(&col) {
                                values
                                    .push(input.get(n, c, r as usize, col as usize).unwrap_or(0.0));
                            } else if r < h + pad_h as isize && col < w + pad_w as isize {
                                // Inside the padded frame (PyTorch's pool_size counts it).
                                padded_cells += 1;
                            }
                        }
                    }
                    data.push(match function {
                        PoolFunction::Max => values.iter().fold(f32::NEG_INFINITY, |a, &v| {
                            if v > a || v.is_nan() {
                                v
                            } else {
                                a
                            }
                        }),
                        PoolFunction::Min => values.iter().fold(f32::INFINITY, |a, &v| {
                            if v < a || v.is_nan() {
                                v
                            } else {
                                a
                            }
                        }),
                        PoolFunction::Mean => {
                            let divisor = if params.count_include_pad {
                                values.len() + padded_cells
                            } else {
                                values.len()
                            };
                            values.iter().sum::<f32>() / divisor as f32
                        }
                    });
                }
            }
        }
    }
    Tensor::with_batch(input.batch(), input.channels(), out_h, out_w, data)
}
