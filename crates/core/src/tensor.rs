//! A dense `f32` tensor in PyTorch's NCHW layout.
//!
//! Conventions, stated once for the whole crate: the layout is batch x channels x
//! height x width, row-major, so `x` (the column) varies fastest. The origin `(0, 0)` is
//! the top-left pixel; `y` grows downwards. Images keep their 0..255 intensity scale.

use crate::error::{positive, Error, Result};

/// The largest number of values one tensor may hold (2^26, 256 MiB of `f32`).
///
/// A cap, not a technical limit: it keeps a mistyped size from taking all memory.
pub const MAX_ELEMENTS: usize = 1 << 26;

/// The shape of a [`Tensor`]: batch, channels, height, width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Number of images in the batch (`N`).
    pub batch: usize,
    /// Number of channels, or feature maps (`C`).
    pub channels: usize,
    /// Height in pixels (`H`).
    pub height: usize,
    /// Width in pixels (`W`).
    pub width: usize,
}

impl Shape {
    /// A shape with every dimension checked to be at least 1 and the total within
    /// [`MAX_ELEMENTS`].
    pub fn new(batch: usize, channels: usize, height: usize, width: usize) -> Result<Self> {
        positive(batch, "batch size")?;
        positive(channels, "number of channels")?;
        positive(height, "height")?;
        positive(width, "width")?;
        let shape = Shape {
            batch,
            channels,
            height,
            width,
        };
        match shape.checked_len() {
            Some(len) if len <= MAX_ELEMENTS => Ok(shape),
            _ => Err(Error::TensorTooLarge {
                shape: [batch, channels, height, width],
                limit: MAX_ELEMENTS,
            }),
        }
    }

    fn checked_len(&self) -> Option<usize> {
        self.batch
            .checked_mul(self.channels)?
            .checked_mul(self.height)?
            .checked_mul(self.width)
    }

    /// The number of values, `N * C * H * W`.
    pub fn len(&self) -> usize {
        self.batch * self.channels * self.height * self.width
    }

    /// Always false: a valid shape holds at least one value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values in one channel plane, `H * W`.
    pub fn plane_len(&self) -> usize {
        self.height * self.width
    }
}

/// A dense `f32` tensor in NCHW layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    shape: Shape,
    data: Vec<f32>,
}

impl Tensor {
    /// One image (`N = 1`) of `channels x height x width` values, row-major.
    ///
    /// # Errors
    /// A zero dimension, a size beyond [`MAX_ELEMENTS`], or `data` of the wrong length.
    pub fn new(channels: usize, height: usize, width: usize, data: Vec<f32>) -> Result<Self> {
        Self::with_batch(1, channels, height, width, data)
    }

    /// A batch of `batch` images, each `channels x height x width`, in NCHW order.
    ///
    /// # Errors
    /// A zero dimension, a size beyond [`MAX_ELEMENTS`], or `data` of the wrong length.
    pub fn with_batch(
        batch: usize,
        channels: usize,
        height: usize,
        width: usize,
        data: Vec<f32>,
    ) -> Result<Self> {
        let shape = Shape::new(batch, channels, height, width)?;
        if data.len() != shape.len() {
            return Err(Error::DataLength {
                what: "tensor",
                expected: shape.len(),
                actual: data.len(),
            });
        }
        Ok(Tensor { shape, data })
    }

    /// A tensor of the given shape filled with `value`.
    pub fn filled(shape: Shape, value: f32) -> Self {
        Tensor {
            shape,
            data: vec![value; shape.len()],
        }
    }

    /// A single-channel image from rows of values, as written on a slide.
    ///
    /// # Errors
    /// No rows, an empty row, or rows of different lengths.
    pub fn from_rows<R: AsRef<[f32]>>(rows: &[R]) -> Result<Self> {
        let (height, width, data) = flatten_rows(rows, "image")?;
        Self::new(1, height, width, data)
    }

    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Number of images in the batch.
    pub fn batch(&self) -> usize {
        self.shape.batch
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.shape.channels
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.shape.height
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.shape.width
    }

    /// All values in NCHW order.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// All values in NCHW order, mutable.
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Gives the values back.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// The `H x W` plane of one channel of one image, or `None` out of range.
    pub fn plane(&self, batch: usize, channel: usize) -> Option<&[f32]> {
        if batch >= self.shape.batch || channel >= self.shape.channels {
            return None;
        }
        let len = self.shape.plane_len();
        let start = (batch * self.shape.channels + channel) * len;
        Some(&self.data[start..start + len])
    }

    /// The value at `(batch, channel, y, x)`, or `None` out of range.
    pub fn get(&self, batch: usize, channel: usize, y: usize, x: usize) -> Option<f32> {
        if y >= self.shape.height || x >= self.shape.width {
            return None;
        }
        self.plane(batch, channel)
            .map(|p| p[y * self.shape.width + x])
    }

    /// Rows of one channel of the first image: handy in tests and for display.
    pub fn rows(&self, channel: usize) -> Vec<Vec<f32>> {
        self.plane(0, channel)
            .map(|p| p.chunks(self.shape.width).map(<[f32]>::to_vec).collect())
            .unwrap_or_default()
    }

    /// The smallest and largest value.
    pub fn min_max(&self) -> (f32, f32) {
        self.data
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }

    /// The rectified linear unit, `max(0, v)`, applied in place.
    pub fn relu(&mut self) {
        for value in &mut self.data {
            *value = value.max(0.0);
        }
    }
}

/// Rows of numbers to `(height, width, row-major values)`, checking they are rectangular.
pub(crate) fn flatten_rows<R: AsRef<[f32]>>(
    rows: &[R],
    what: &'static str,
) -> Result<(usize, usize, Vec<f32>)> {
    let height = positive(rows.len(), "number of rows")?;
    let width = positive(rows[0].as_ref().len(), "number of columns")?;
    let mut data = Vec::with_capacity(height * width);
    for (index, row) in rows.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != width {
            return Err(Error::RaggedRows {
                what,
                first: width,
                row: index + 1,
                length: row.len(),
            });
        }
        data.extend_from_slice(row);
    }
    Ok((height, width, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_reject_zero_and_huge() {
        assert_eq!(
            Shape::new(1, 0, 2, 2).unwrap_err().to_string(),
            "the number of channels must be at least 1"
        );
        assert!(matches!(
            Shape::new(1, 3, 12000, 12000),
            Err(Error::TensorTooLarge { .. })
        ));
        assert!(matches!(
            Shape::new(usize::MAX, usize::MAX, 2, 2),
            Err(Error::TensorTooLarge { .. })
        ));
    }

    #[test]
    fn indexing_is_nchw() {
        let t = Tensor::with_batch(2, 2, 2, 3, (0..24).map(|v| v as f32).collect()).unwrap();
        assert_eq!(t.get(1, 0, 1, 2), Some(17.0));
        assert_eq!(t.get(0, 1, 0, 0), Some(6.0));
        assert_eq!(t.get(2, 0, 0, 0), None);
        assert_eq!(t.get(0, 0, 2, 0), None);
    }

    #[test]
    fn ragged_rows_are_an_error() {
        let error = Tensor::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
        assert!(error.to_string().contains("row 2 has 1"), "{error}");
    }

    #[test]
    fn relu_zeroes_negatives() {
        let mut t = Tensor::from_rows(&[[-1.0, 2.0, -0.5]]).unwrap();
        t.relu();
        assert_eq!(t.data(), &[0.0, 2.0, 0.0]);
    }
}
