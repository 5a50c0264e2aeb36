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
        // For the mean: the window clipped to the padded frame, as PyTorch counts it.
        let spans = |count: usize, axis: usize, size: usize| -> Vec<usize> {
            let pick = |pair: (usize, usize)| if axis == 0 { pair.0 } else { pair.1 };
            let (stride, pad, k) = (pick(self.stride()), pick(self.padding), pick(self.kernel));
            (0..count)
                .map(|i| (i * stride + k).min(size + 2 * pad) - i * stride)
                .collect()
        };
        Ok(Windows {
            output,
            rows: axis(output.0, 0, height),
            columns: axis(output.1, 1, width),
            spans: (spans(output.0, 0, height), spans(output.1, 1, width)),
            count_include_pad: self.count_include_pad,
        })
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
}

impl Windows {
    /// What the mean of pooled cell `(y, x)` divides by: the window clipped to the padded
    /// frame (`count_include_pad`, PyTorch's default), or its cells inside the input.
    pub(crate) fn divisor(&self, y: usize, x: usize) -> usize {
        if self.count_include_pad {
            self.spans.0[y] * self.spans.1[x]
        } else {
            self.rows[y].len() * self.columns[x].len()
        }
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
        match function {
            PoolFunction::Max | PoolFunction::Min => {
                let sign = if function == PoolFunction::Max {
                    1.0
                } else {
                    -1.0
                };
                windows.best(plane, shape.width, sign, &mut data, &mut indices);
            }
            PoolFunction::Mean => {
                for (y, rows) in windows.rows.iter().enumerate() {
                    for (x, columns) in windows.columns.iter().enumerate() {
                        let mut sum = 0.0;
                        for &r in rows {
                            for &c in columns {
                                sum += plane[r * shape.width + c];
                            }
                        }
                        data.push(sum / windows.divisor(y, x) as f32);
                    }
                }
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
