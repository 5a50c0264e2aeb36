//! Layers that move values without computing new ones: the padding layers
//! (`nn.ZeroPad2d`, `nn.ReflectionPad2d`, `nn.ReplicationPad2d`, `nn.CircularPad2d`) and
//! `nn.PixelShuffle` / `nn.PixelUnshuffle` (sub-pixel convolution's rearrangement).

use crate::error::{positive, Error, Result};
use crate::geometry::{PaddingMode, Pads};
use crate::tensor::Tensor;

/// `F.pad(x, (left, right, top, bottom), mode)`: every plane padded on each side, in
/// one of the four modes (zeros, reflect, replicate, circular), as the padding layers do.
///
/// # Errors
/// Padding a reflecting or circular mode cannot take (reflect needs each side smaller
/// than the input, circular at most the input), or an output too large.
pub fn pad2d(input: &Tensor, pads: Pads, mode: PaddingMode) -> Result<Tensor> {
    let shape = input.shape();
    let (h, w) = (shape.height, shape.width);
    for (pad, size) in [
        (pads.top, h),
        (pads.bottom, h),
        (pads.left, w),
        (pads.right, w),
    ] {
        mode.check(pad, size)?;
    }
    let (out_h, out_w) = pads.padded(h, w).ok_or(Error::Overflow {
        what: "padded input",
    })?;
    let out = crate::tensor::Shape::new(shape.batch, shape.channels, out_h, out_w)?;
    let mut data = Vec::with_capacity(out.len());
    for plane in input.data().chunks_exact(shape.plane_len()) {
        for y in 0..out_h {
            let row = mode.source(y as isize - pads.top as isize, h);
            for x in 0..out_w {
                let column = mode.source(x as isize - pads.left as isize, w);
                data.push(match (row, column) {
                    (Some(r), Some(c)) => plane[r * w + c],
                    _ => 0.0,
                });
            }
        }
    }
    Tensor::with_batch(out.batch, out.channels, out_h, out_w, data)
}

/// `nn.PixelShuffle(r)`: `N x C r² x H x W` to `N x C x H r x W r`; output cell
/// `(c, h r + i, w r + j)` is input cell `(c r² + i r + j, h, w)`.
///
/// # Errors
/// A zero factor, channels that are not a multiple of `r²`, or an output too large.
pub fn pixel_shuffle(input: &Tensor, r: usize) -> Result<Tensor> {
    let shape = input.shape();
    let square = factor_square(r, shape.channels)?;
    let channels = shape.channels / square;
    let (h, w) = (shape.height, shape.width);
    let out = crate::tensor::Shape::new(
        shape.batch,
        channels,
        h.checked_mul(r)
            .ok_or(Error::Overflow { what: "layer size" })?,
        w.checked_mul(r)
            .ok_or(Error::Overflow { what: "layer size" })?,
    )?;
    let mut data = vec![0.0; out.len()];
    for n in 0..shape.batch {
        for c in 0..shape.channels {
            let (to, i, j) = (c / square, (c % square) / r, c % r);
            for y in 0..h {
                for x in 0..w {
                    let at = ((n * channels + to) * h * r + y * r + i) * w * r + x * r + j;
                    data[at] = input.data()[((n * shape.channels + c) * h + y) * w + x];
                }
            }
        }
    }
    Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)
}

/// `nn.PixelUnshuffle(r)`, the inverse of [`pixel_shuffle`]: `N x C x H r x W r` to
/// `N x C r² x H x W`.
///
/// # Errors
/// A zero factor, or a height or width that is not a multiple of `r`.
pub fn pixel_unshuffle(input: &Tensor, r: usize) -> Result<Tensor> {
    let shape = input.shape();
    positive(r, "shuffle factor")?;
    for (size, what) in [(shape.height, "input height"), (shape.width, "input width")] {
        if size % r != 0 {
            return Err(Error::Groups {
                what,
                channels: size,
                groups: r,
            });
        }
    }
    let (h, w) = (shape.height / r, shape.width / r);
    let channels = shape
        .channels
        .checked_mul(r * r)
        .ok_or(Error::Overflow { what: "layer size" })?;
    let out = crate::tensor::Shape::new(shape.batch, channels, h, w)?;
    let mut data = Vec::with_capacity(out.len());
    for n in 0..shape.batch {
        for c in 0..channels {
            let (from, i, j) = (c / (r * r), (c % (r * r)) / r, c % r);
            for y in 0..h {
                for x in 0..w {
                    let (yy, xx) = (y * r + i, x * r + j);
                    data.push(
                        input.data()
                            [((n * shape.channels + from) * shape.height + yy) * shape.width + xx],
                    );
                }
            }
        }
    }
    Tensor::with_batch(out.batch, out.channels, out.height, out.width, data)
}

/// `r²`, checked to divide `channels` (PyTorch's rule for `nn.PixelShuffle`).
fn factor_square(r: usize, channels: usize) -> Result<usize> {
    positive(r, "shuffle factor")?;
    let square = r
        .checked_mul(r)
        .ok_or(Error::Overflow { what: "layer size" })?;
    if channels % square != 0 {
        return Err(Error::Groups {
            what: "input channels",
            channels,
            groups: square,
        });
    }
    Ok(square)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn padding_layers_are_pytorchs() {
        // nn.ReflectionPad2d((1, 0, 1, 1)), nn.ReplicationPad2d, nn.CircularPad2d and
        // nn.ZeroPad2d on [[1, 2, 3], [4, 5, 6]] (left 1, right 0, top 1, bottom 1).
        let x = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).unwrap();
        let pads = Pads { top: 1, bottom: 1, left: 1, right: 0 };
        assert_eq!(pad2d(&x, pads, PaddingMode::Reflect).unwrap().rows(0), [
            [5.0, 4.0, 5.0, 6.0],
            [2.0, 1.0, 2.0, 3.0],
            [5.0, 4.0, 5.0, 6.0],
            [2.0, 1.0, 2.0, 3.0],
        ]);
        assert_eq!(pad2d(&x, pads, PaddingMode::Replicate).unwrap().rows(0), [
            [1.0, 1.0, 2.0, 3.0],
            [1.0, 1.0, 2.0, 3.0],
            [4.0, 4.0, 5.0, 6.0],
            [4.0, 4.0, 5.0, 6.0],
        ]);
        assert_eq!(pad2d(&x, pads, PaddingMode::Circular).unwrap().rows(0), [
            [6.0, 4.0, 5.0, 6.0],
            [3.0, 1.0, 2.0, 3.0],
            [6.0, 4.0, 5.0, 6.0],
            [3.0, 1.0, 2.0, 3.0],
        ]);
        assert_eq!(pad2d(&x, pads, PaddingMode::Zeros).unwrap().rows(0), [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 2.0, 3.0],
            [0.0, 4.0, 5.0, 6.0],
            [0.0, 0.0, 0.0, 0.0],
        ]);
        // Reflection needs padding smaller than the input (2 rows: at most 1).
        assert!(matches!(pad2d(&x, Pads::uniform(2), PaddingMode::Reflect),
                         Err(Error::PaddingTooLarge { .. })));
    }

    #[test]
    #[rustfmt::skip]
    fn pixel_shuffle_and_its_inverse() {
        // nn.PixelShuffle(2) on four 1x1 channels [1, 2, 3, 4]: one 2x2 plane.
        let x = Tensor::with_batch(1, 4, 1, 1, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let y = pixel_shuffle(&x, 2).unwrap();
        assert_eq!(y.rows(0), [[1.0, 2.0], [3.0, 4.0]]);
        assert_eq!(pixel_unshuffle(&y, 2).unwrap(), x);
        // Two images of 8 channels 2x3, shuffled by 2 and back.
        let data: Vec<f32> = (0..96).map(|i| i as f32).collect();
        let big = Tensor::with_batch(2, 8, 2, 3, data).unwrap();
        let shuffled = pixel_shuffle(&big, 2).unwrap();
        assert_eq!((shuffled.channels(), shuffled.height(), shuffled.width()), (2, 4, 6));
        // Output (c 0, row 1, column 3) is input channel 0·4 + 1·2 + 1 = 3 at (0, 1).
        assert_eq!(shuffled.get(0, 0, 1, 3), big.get(0, 3, 0, 1));
        assert_eq!(pixel_unshuffle(&shuffled, 2).unwrap(), big);
        assert!(matches!(pixel_shuffle(&big, 3), Err(Error::Groups { .. })));
        assert!(matches!(pixel_shuffle(&big, 0), Err(Error::Zero { .. })));
        assert!(matches!(pixel_unshuffle(&big, 2), Err(Error::Groups { .. })));
    }
}
