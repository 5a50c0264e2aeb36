//! Pooling, exactly as `nn.MaxPool2d`, `nn.AvgPool2d` and global pooling compute it.
//!
//! Each channel is pooled on its own. The window of output cell `(y, x)` starts at input
//! row `y * stride_h - padding_h` and column `x * stride_w - padding_w`, and takes every
//! `dilation`-th pixel. Padded cells never win a max or min (PyTorch pads with `-inf`);
//! for the mean, `count_include_pad` decides whether they count in the divisor.

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
}

impl PoolFunction {
    /// Every function, in the order the demo lists them.
    pub const ALL: [PoolFunction; 3] = [PoolFunction::Max, PoolFunction::Mean, PoolFunction::Min];

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            PoolFunction::Max => "max",
            PoolFunction::Mean => "mean",
            PoolFunction::Min => "min",
        }
    }

    /// The function with this URL name.
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
}

/// The settings of a pooling layer, as `nn.MaxPool2d` / `nn.AvgPool2d` take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolParams {
    /// Window size `(height, width)`.
    pub kernel: (usize, usize),
    /// Step of the window; `None` means the window size, as in PyTorch.
    pub stride: Option<(usize, usize)>,
    /// Implicit padding on both sides, `(rows, columns)`; at most half the window.
    pub padding: (usize, usize),
    /// Spacing between window taps (max and min only; PyTorch's average pooling has none).
    pub dilation: (usize, usize),
    /// Round the output size up instead of down.
    pub ceil_mode: bool,
    /// For the mean: divide by the whole window, padding included (PyTorch's default),
    /// rather than by the cells inside the input.
    pub count_include_pad: bool,
}

impl PoolParams {
    /// A `size x size` window with stride `size` and PyTorch's other defaults.
    pub fn square(size: usize) -> Self {
        PoolParams {
            kernel: (size, size),
            stride: None,
            padding: (0, 0),
            dilation: (1, 1),
            ceil_mode: false,
            count_include_pad: true,
        }
    }

    /// The stride in use: the given one, or the window size.
    pub fn stride(&self) -> (usize, usize) {
        self.stride.unwrap_or(self.kernel)
    }

    /// Checks the settings for an input of `height x width` and gives the output size.
    ///
    /// # Errors
    /// Zero sizes, padding over half the window, dilation with the mean, or a window
    /// larger than the padded input.
    pub fn output_size(
        &self,
        function: PoolFunction,
        height: usize,
        width: usize,
    ) -> Result<(usize, usize)> {
        positive(self.kernel.0, "pooling window height")?;
        positive(self.kernel.1, "pooling window width")?;
        for (pad, side) in [
            (self.padding.0, self.kernel.0),
            (self.padding.1, self.kernel.1),
        ] {
            if pad > side / 2 {
                return Err(Error::PoolPaddingTooLarge {
                    padding: pad,
                    window: side,
                });
            }
        }
        if function == PoolFunction::Mean && self.dilation != (1, 1) {
            return Err(Error::MeanPoolDilation {
                dilation: self.dilation,
            });
        }
        let pads = Pads {
            top: self.padding.0,
            bottom: self.padding.0,
            left: self.padding.1,
            right: self.padding.1,
        };
        // A window is walked tap by tap: cap the padded input as convolution does, so a
        // huge window (with its allowed half-window of padding) cannot stall the page.
        let padded = pads.padded(height, width).ok_or(Error::Overflow {
            what: "padded input",
        })?;
        Shape::new(1, 1, padded.0, padded.1)?;
        window_output(
            (height, width),
            self.kernel,
            self.stride(),
            pads,
            self.dilation,
            self.ceil_mode,
            "pooling window",
        )
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
        let (out_h, out_w) = self.output_size(function, input.0, input.1)?;
        if y >= out_h || x >= out_w {
            return Err(Error::CellOutside {
                what: "pooled map",
                size: (out_h, out_w),
                cell: (y, x),
            });
        }
        let rows = self.taps(y, 0, input.0).collect::<Vec<_>>();
        Ok(rows
            .iter()
            .flat_map(|&r| self.taps(x, 1, input.1).map(move |c| (r, c)))
            .collect())
    }

    /// The in-range input indices of the window of output index `out` along `axis`.
    fn taps(&self, out: usize, axis: usize, size: usize) -> impl Iterator<Item = usize> {
        let pick = |pair: (usize, usize)| if axis == 0 { pair.0 } else { pair.1 };
        let start = (out * pick(self.stride())) as isize - pick(self.padding) as isize;
        let dilation = pick(self.dilation) as isize;
        (0..pick(self.kernel) as isize)
            .map(move |k| start + k * dilation)
            .filter(move |&i| i >= 0 && (i as usize) < size)
            .map(|i| i as usize)
    }
}

/// Pools every channel of every image.
///
/// # Errors
/// As [`PoolParams::output_size`].
pub fn pool2d(input: &Tensor, function: PoolFunction, params: &PoolParams) -> Result<Tensor> {
    let shape = input.shape();
    let (out_h, out_w) = params.output_size(function, shape.height, shape.width)?;
    let out_shape = Shape::new(shape.batch, shape.channels, out_h, out_w)?;
    let mut data = Vec::with_capacity(out_shape.len());
    let (stride_h, stride_w) = params.stride();
    let (pad_h, pad_w) = params.padding;
    for plane in input.data().chunks_exact(shape.plane_len()) {
        for y in 0..out_h {
            let rows: Vec<usize> = params.taps(y, 0, shape.height).collect();
            for x in 0..out_w {
                let columns = params.taps(x, 1, shape.width);
                let value = match function {
                    PoolFunction::Max | PoolFunction::Min => {
                        let sign = if function == PoolFunction::Max {
                            1.0
                        } else {
                            -1.0
                        };
                        let mut best = f32::NEG_INFINITY;
                        for c in columns {
                            for &r in &rows {
                                let v = sign * plane[r * shape.width + c];
                                if v > best || v.is_nan() {
                                    best = v;
                                }
                            }
                        }
                        sign * best
                    }
                    PoolFunction::Mean => {
                        let mut sum = 0.0;
                        let mut count = 0usize;
                        for &r in &rows {
                            for c in params.taps(x, 1, shape.width) {
                                sum += plane[r * shape.width + c];
                                count += 1;
                            }
                        }
                        let divisor = if params.count_include_pad {
                            // PyTorch clips the window to the padded input, not the input.
                            let clipped = |start: usize, pad: usize, k: usize, size: usize| {
                                (start + k).min(size + 2 * pad) - start
                            };
                            clipped(y * stride_h, pad_h, params.kernel.0, shape.height)
                                * clipped(x * stride_w, pad_w, params.kernel.1, shape.width)
                        } else {
                            count
                        };
                        sum / divisor as f32
                    }
                };
                data.push(value);
            }
        }
    }
    Tensor::with_batch(shape.batch, shape.channels, out_h, out_w, data)
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
            padding: (1, 1),
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
                padding: (2, 0),
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
            padding: (1 << 39, 0),
            ..PoolParams::square(1 << 40)
        };
        assert!(err(huge, PoolFunction::Max).contains("too large"));
    }
}
