//! Template matching: a patch of the picture as the kernel, slid over the picture.
//!
//! This is the lecture's "kid detector" with a pattern the student picks. Two maps,
//! both of size `(H − h + 1) x (W − w + 1)` for an `H x W` image and an `h x w` patch
//! (cell `(y, x)` is the window whose top-left pixel is `(y, x)`):
//!
//! - **plain correlation**, `Σ I(y+i, x+j) · T(i, j)` over the window's pixels and
//!   channels: [`crate::conv2d`] with the patch as its one filter. It fails as a
//!   detector: bright regions give large sums whatever their pattern.
//! - **normalised cross-correlation** (NCC), the correlation coefficient of the window
//!   and the patch, each taken as one vector of `C · h · w` values:
//!
//!   ```text
//!   NCC(y, x) = Σ (I − Ī)(T − T̄) / sqrt(Σ (I − Ī)² · Σ (T − T̄)²)      in −1 … 1
//!   ```
//!
//!   with `Ī` the window's mean and `T̄` the patch's. Its numerator is `Σ I · (T − T̄)`
//!   (the window's mean multiplies `Σ (T − T̄) = 0`): again [`crate::conv2d`], with the
//!   mean-subtracted patch. Its denominator needs each window's `Σ I` and `Σ I²`, read
//!   from two integral images (running sums, in `f64`) with four look-ups each instead
//!   of re-summing the window. A flat window or a flat patch (no variance) gives 0.
//!
//! One convolution gives both maps: the plain correlation is NCC's numerator plus
//! `T̄ · Σ I` (`Σ I T = Σ I (T − T̄) + T̄ Σ I`), the window's sum again from the integral
//! image; so the cost is one [`crate::conv2d`] with an `h x w` kernel, plus four
//! look-ups per cell.

use crate::conv::{conv2d, ConvParams};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The largest patch side.
pub const MAX_PATCH: usize = 64;

/// Variance below this (in squared pixel values, summed over the window) counts as a
/// flat window: its NCC is 0.
const FLAT: f64 = 1e-6;

/// The `width x height` rectangle of `image` (one image, any channels) whose top-left
/// pixel is `(x, y)`: the patch a student drags out.
///
/// # Errors
/// An empty rectangle, or one that does not lie inside the image.
pub fn cut(image: &Tensor, x: usize, y: usize, width: usize, height: usize) -> Result<Tensor> {
    let shape = image.shape();
    crate::error::positive(width, "patch width")?;
    crate::error::positive(height, "patch height")?;
    let inside = x.checked_add(width).is_some_and(|r| r <= shape.width)
        && y.checked_add(height).is_some_and(|b| b <= shape.height);
    if !inside {
        return Err(Error::CellOutside {
            what: "image",
            size: (shape.height, shape.width),
            cell: (
                y.saturating_add(height).saturating_sub(1),
                x.saturating_add(width).saturating_sub(1),
            ),
        });
    }
    let mut data = Vec::with_capacity(shape.channels * width * height);
    for plane in image
        .data()
        .chunks_exact(shape.plane_len())
        .take(shape.channels)
    {
        for row in y..y + height {
            data.extend_from_slice(&plane[row * shape.width + x..][..width]);
        }
    }
    Tensor::new(shape.channels, height, width, data)
}

/// A patch ready to be matched: checked, its mean removed once.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The patch, `1 x C x h x w`.
    pub patch: Tensor,
    /// The patch minus its mean (the one kernel convolved).
    centred: Tensor,
    /// `T̄`, the patch's mean.
    mean: f64,
    /// `sqrt(Σ (T − T̄)²)`.
    norm: f64,
}

/// Both maps of one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Matches {
    /// Plain correlation, `1 x 1 x (H − h + 1) x (W − w + 1)`.
    pub correlation: Tensor,
    /// Normalised cross-correlation, the same size, in −1 … 1.
    pub ncc: Tensor,
}

impl Template {
    /// Checks a patch (`1 x C x h x w`, sides 1 to [`MAX_PATCH`], finite values).
    ///
    /// # Errors
    /// A batch of more than one patch, a side over [`MAX_PATCH`], a value that is NaN or
    /// infinite.
    pub fn new(patch: Tensor) -> Result<Self> {
        let shape = patch.shape();
        if shape.batch != 1 {
            return Err(Error::WrongShape {
                what: "patch",
                expected: [1, shape.channels, shape.height, shape.width],
                actual: [shape.batch, shape.channels, shape.height, shape.width],
            });
        }
        for (what, size) in [("patch height", shape.height), ("patch width", shape.width)] {
            if size > MAX_PATCH {
                return Err(Error::TooLarge {
                    what,
                    size,
                    limit: MAX_PATCH,
                });
            }
        }
        crate::conv::check_weights(&patch, None)?;
        let n = patch.data().len() as f64;
        let mean = patch.data().iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let mut centred = patch.clone();
        let mut squares = 0.0;
        for v in centred.data_mut() {
            let d = f64::from(*v) - mean;
            squares += d * d;
            *v = d as f32;
        }
        Ok(Template {
            patch,
            centred,
            mean,
            norm: squares.sqrt(),
        })
    }

    /// Plain correlation and NCC of `image` (`1 x C x H x W`, the patch's channels, at
    /// least the patch's size).
    ///
    /// # Errors
    /// As [`conv2d`]: other channels than the patch's, an image smaller than the patch.
    pub fn matches(&self, image: &Tensor) -> Result<Matches> {
        let mut ncc = conv2d(image, &self.centred, None, &ConvParams::default())?;
        let mut correlation = ncc.clone();
        let shape = image.shape();
        let (h, w) = (self.patch.height(), self.patch.width());
        let out_w = ncc.width();
        let n = (shape.channels * h * w) as f64;
        let (sums, squares) = integral_images(image);
        let stride = shape.width + 1;
        let window = |table: &[f64], y: usize, x: usize| {
            table[(y + h) * stride + x + w]
                - table[y * stride + x + w]
                - table[(y + h) * stride + x]
                + table[y * stride + x]
        };
        let cells = ncc.data_mut().iter_mut().zip(correlation.data_mut());
        for (i, (cell, plain)) in cells.enumerate() {
            let (y, x) = (i / out_w, i % out_w);
            let sum = window(&sums, y, x);
            let numerator = f64::from(*cell);
            *plain = (numerator + self.mean * sum) as f32;
            let variance = window(&squares, y, x) - sum * sum / n;
            *cell = if variance <= FLAT * n || self.norm <= FLAT {
                0.0
            } else {
                (numerator / (variance.sqrt() * self.norm)).clamp(-1.0, 1.0) as f32
            };
        }
        Ok(Matches { correlation, ncc })
    }
}

/// The integral images of the first image of `image`, summed over its channels: of
/// the values and of their squares, each `(H + 1) x (W + 1)` with a row and a column of
/// zeros first, so entry `(y, x)` is the sum over rows `< y` and columns `< x`.
fn integral_images(image: &Tensor) -> (Vec<f64>, Vec<f64>) {
    let shape = image.shape();
    let (h, w) = (shape.height, shape.width);
    let stride = w + 1;
    let mut sums = vec![0.0f64; (h + 1) * stride];
    let mut squares = vec![0.0f64; (h + 1) * stride];
    let planes: Vec<&[f32]> = image
        .data()
        .chunks_exact(shape.plane_len())
        .take(shape.channels)
        .collect();
    for y in 0..h {
        let (mut row_sum, mut row_square) = (0.0, 0.0);
        for x in 0..w {
            for plane in &planes {
                let v = f64::from(plane[y * w + x]);
                row_sum += v;
                row_square += v * v;
            }
            sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row_sum;
            squares[(y + 1) * stride + x + 1] = squares[y * stride + x + 1] + row_square;
        }
    }
    (sums, squares)
}

/// The cell of the largest value of a map's first plane, `(row, column, value)` (the
/// first in reading order on ties); `None` for an empty map.
pub fn best_match(map: &Tensor) -> Option<(usize, usize, f32)> {
    let w = map.width();
    map.plane(0, 0)?
        .iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f32)>, (i, &v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
        .map(|(i, v)| (i / w, i % w, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NCC straight from its definition, one window at a time, in f64.
    fn naive_ncc(image: &Tensor, patch: &Tensor) -> Vec<f64> {
        let (c, h, w) = (patch.channels(), patch.height(), patch.width());
        let (oh, ow) = (image.height() - h + 1, image.width() - w + 1);
        let t: Vec<f64> = patch.data().iter().map(|&v| f64::from(v)).collect();
        let t_mean = t.iter().sum::<f64>() / t.len() as f64;
        let mut out = Vec::new();
        for y in 0..oh {
            for x in 0..ow {
                let mut window = Vec::new();
                for ch in 0..c {
                    for i in 0..h {
                        for j in 0..w {
                            window.push(f64::from(
                                image.get(0, ch, y + i, x + j).unwrap_or(f32::NAN),
                            ));
                        }
                    }
                }
                let mean = window.iter().sum::<f64>() / window.len() as f64;
                let (mut num, mut a, mut b) = (0.0, 0.0, 0.0);
                for (v, tv) in window.iter().zip(&t) {
                    num += (v - mean) * (tv - t_mean);
                    a += (v - mean) * (v - mean);
                    b += (tv - t_mean) * (tv - t_mean);
                }
                out.push(if a <= 1e-9 || b <= 1e-9 {
                    0.0
                } else {
                    num / (a * b).sqrt()
                });
            }
        }
        out
    }

    fn image(channels: usize, h: usize, w: usize, seed: u32) -> Tensor {
        let mut state = seed;
        let data = (0..channels * h * w)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as f32
            })
            .collect();
        Tensor::new(channels, h, w, data).unwrap()
    }

    #[test]
    fn ncc_agrees_with_its_definition_and_correlation_with_conv2d() {
        for (channels, h, w, ph, pw) in [(1, 9, 11, 3, 4), (3, 20, 17, 5, 5), (3, 8, 8, 8, 8)] {
            let picture = image(channels, h, w, (h * w) as u32);
            let patch = cut(&picture, w - pw, 1.min(h - ph), pw, ph).unwrap();
            let template = Template::new(patch.clone()).unwrap();
            let m = template.matches(&picture).unwrap();
            let naive = naive_ncc(&picture, &patch);
            assert_eq!(m.ncc.data().len(), naive.len());
            for (fast, slow) in m.ncc.data().iter().zip(&naive) {
                assert!((f64::from(*fast) - slow).abs() < 1e-4, "{fast} vs {slow}");
            }
            let plain =
                crate::reference::conv2d(&picture, &patch, None, &ConvParams::default()).unwrap();
            assert_eq!(m.correlation, plain);
            // The patch's own place matches perfectly.
            let (y, x, v) = best_match(&m.ncc).unwrap();
            assert_eq!((y, x), (1.min(h - ph), w - pw));
            assert!((v - 1.0).abs() < 1e-5, "{v}");
        }
    }

    #[test]
    fn plain_correlation_prefers_bright_regions_and_ncc_the_pattern() {
        // A dark cross on the left, a white square on the right.
        #[rustfmt::skip]
        let picture = Tensor::from_rows(&[
            [10.0, 60.0, 10.0, 0.0, 255.0, 255.0, 255.0],
            [60.0, 60.0, 60.0, 0.0, 255.0, 255.0, 255.0],
            [10.0, 60.0, 10.0, 0.0, 255.0, 255.0, 255.0],
        ])
        .unwrap();
        let template = Template::new(cut(&picture, 0, 0, 3, 3).unwrap()).unwrap();
        let m = template.matches(&picture).unwrap();
        assert_eq!(best_match(&m.correlation).map(|b| b.1), Some(4));
        assert_eq!(best_match(&m.ncc).map(|b| (b.0, b.1)), Some((0, 0)));
        // The flat white window has no pattern: 0.
        assert_eq!(m.ncc.data()[4], 0.0);
        // A negative of the pattern: −1.
        let negative =
            Tensor::from_rows(&[[50.0, 0.0, 50.0], [0.0, 0.0, 0.0], [50.0, 0.0, 50.0]]).unwrap();
        let m = template.matches(&negative).unwrap();
        assert!((m.ncc.data()[0] + 1.0).abs() < 1e-6, "{}", m.ncc.data()[0]);
    }

    #[test]
    fn bad_patches_are_errors() {
        let picture = image(1, 100, 100, 1);
        assert_eq!(
            Template::new(cut(&picture, 0, 0, 65, 10).unwrap()),
            Err(Error::TooLarge {
                what: "patch width",
                size: 65,
                limit: 64
            })
        );
        assert!(matches!(
            cut(&picture, 90, 0, 11, 5),
            Err(Error::CellOutside { what: "image", .. })
        ));
        assert_eq!(
            cut(&picture, 0, 0, 0, 5),
            Err(Error::Zero {
                what: "patch width"
            })
        );
        let template = Template::new(cut(&picture, 0, 0, 20, 20).unwrap()).unwrap();
        assert!(template.matches(&image(1, 10, 30, 2)).is_err());
        assert!(template.matches(&image(3, 30, 30, 2)).is_err());
        let mut nan = cut(&picture, 0, 0, 2, 2).unwrap();
        nan.data_mut()[1] = f32::NAN;
        assert!(matches!(Template::new(nan), Err(Error::NotFinite { .. })));
        assert_eq!(
            best_match(&Tensor::from_rows(&[[1.0, 3.0, 3.0]]).unwrap()),
            Some((0, 1, 3.0))
        );
    }
}
