//! The few operations a detector adds to convolution and pooling: PReLU, softmax over
//! channels, and the area resampling of the image pyramid.

use crate::error::{Error, Result};
use crate::nn::math::exp;
use crate::tensor::Tensor;

/// `torch.nn.PReLU(num_parameters = C)`: `x` where `x >= 0`, `a_c x` below, with one
/// learned slope `a_c` per channel `c`.
///
/// # Errors
/// [`Error::DataLength`] unless there is one slope per channel of `input`.
pub fn prelu(input: &Tensor, slopes: &[f32]) -> Result<Tensor> {
    let mut output = input.clone();
    prelu_in_place(&mut output, slopes)?;
    Ok(output)
}

/// [`prelu`] on the tensor itself.
pub(crate) fn prelu_in_place(tensor: &mut Tensor, slopes: &[f32]) -> Result<()> {
    let shape = tensor.shape();
    if slopes.len() != shape.channels {
        return Err(Error::DataLength {
            what: "PReLU slopes (one per channel)",
            expected: shape.channels,
            actual: slopes.len(),
        });
    }
    let plane = shape.plane_len();
    for (i, values) in tensor.data_mut().chunks_exact_mut(plane).enumerate() {
        let a = slopes[i % shape.channels];
        for v in values {
            if *v < 0.0 {
                *v *= a;
            }
        }
    }
    Ok(())
}

/// `torch.softmax(input, dim=1)`: at every cell of every image, the channels' values
/// turned into probabilities, `e^(z_c − m) / Σ_k e^(z_k − m)` with `m` the cell's largest
/// value (the crate's own [`exp`], so every platform gives the same bits).
pub fn softmax_channels(input: &Tensor) -> Tensor {
    let shape = input.shape();
    let plane = shape.plane_len();
    let mut output = input.clone();
    let data = output.data_mut();
    let mut exps = vec![0.0f32; shape.channels];
    for image in data.chunks_exact_mut(shape.channels * plane) {
        for cell in 0..plane {
            let max = (0..shape.channels)
                .map(|c| image[c * plane + cell])
                .fold(f32::NEG_INFINITY, f32::max);
            let mut total = 0.0f32;
            for (c, e) in exps.iter_mut().enumerate() {
                *e = exp(image[c * plane + cell] - max);
                total += *e;
            }
            for (c, e) in exps.iter().enumerate() {
                image[c * plane + cell] = e / total;
            }
        }
    }
    output
}

/// Resamples every channel to `height x width` by area averaging (OpenCV's `INTER_AREA`,
/// TensorFlow's `AREA` when shrinking): each output cell is the mean of the input it
/// covers, fractions of cells counted by their area. Rows first, then columns, always in
/// the same order, so every platform gives the same bits.
///
/// # Errors
/// A zero or too large size.
pub fn resize_area(input: &Tensor, height: usize, width: usize) -> Result<Tensor> {
    let shape = input.shape();
    let out_shape = crate::tensor::Shape::new(shape.batch, shape.channels, height, width)?;
    if (height, width) == (shape.height, shape.width) {
        return Ok(input.clone());
    }
    let across = crate::image::area_weights(shape.width, width);
    let down = crate::image::area_weights(shape.height, height);
    let mut rows = vec![0.0f32; shape.height * width];
    let mut data = Vec::with_capacity(out_shape.len());
    for plane in input.data().chunks_exact(shape.plane_len()) {
        for (line, out) in plane
            .chunks_exact(shape.width)
            .zip(rows.chunks_exact_mut(width))
        {
            for (o, taps) in out.iter_mut().zip(&across) {
                *o = taps.iter().map(|&(i, w)| w * line[i]).sum();
            }
        }
        for taps in &down {
            for x in 0..width {
                data.push(taps.iter().map(|&(i, w)| w * rows[i * width + x]).sum());
            }
        }
    }
    Tensor::with_batch(shape.batch, shape.channels, height, width, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prelu_has_one_slope_per_channel() {
        let x = Tensor::with_batch(
            2,
            2,
            1,
            2,
            vec![-1.0, 2.0, -4.0, 0.0, -1.0, 3.0, -2.0, -0.5],
        )
        .unwrap();
        let y = prelu(&x, &[0.5, 0.25]).unwrap();
        assert_eq!(y.data(), &[-0.5, 2.0, -1.0, 0.0, -0.5, 3.0, -0.5, -0.125]);
        assert_eq!(
            prelu(&x, &[0.5]),
            Err(Error::DataLength {
                what: "PReLU slopes (one per channel)",
                expected: 2,
                actual: 1
            })
        );
    }

    #[test]
    fn softmax_runs_over_the_channels_of_each_cell() {
        let x = Tensor::new(2, 1, 2, vec![0.0, 1000.0, 0.0, 1001.0]).unwrap();
        let p = softmax_channels(&x);
        assert_eq!(p.data()[0], 0.5);
        assert_eq!(p.data()[2], 0.5);
        let e = 1.0 / (1.0 + std::f32::consts::E);
        assert!((p.data()[1] - e).abs() < 1e-6, "{}", p.data()[1]);
        assert!((p.data()[1] + p.data()[3] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn area_resampling_averages_what_each_cell_covers() {
        let x = Tensor::from_rows(&[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]).unwrap();
        let y = resize_area(&x, 1, 2).unwrap();
        assert_eq!(y.data(), &[3.5, 5.5]);
        // Three cells into two: the middle one is shared half and half.
        let z = resize_area(&Tensor::from_rows(&[[0.0, 3.0, 6.0]]).unwrap(), 1, 2).unwrap();
        assert_eq!(z.data(), &[1.0, 5.0]);
        assert!(resize_area(&x, 0, 2).is_err());
    }
}
