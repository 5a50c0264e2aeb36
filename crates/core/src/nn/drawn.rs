//! A digit drawn by hand, made to look like the MNIST digits before a network sees it.
//!
//! MNIST's digits were size-normalised to fit a 20x20 box (keeping their aspect ratio,
//! anti-aliased) and then centred by their centre of mass in a 28x28 image (LeCun,
//! Cortes, Burges). [`like_mnist`] does the same to any drawing: the ink's bounding box
//! is scaled by area averaging so that its longer side is 20/28 of the output, and the
//! result is moved so that its centre of mass falls on the output's centre.

use crate::error::{Error, Result};

/// Ink at or below this level (of 255) is background when finding the drawing's box.
const FAINT: u8 = 16;

/// `pixels` (`width x height`, row-major, 0 background, 255 ink) as an MNIST digit of
/// `size` (`(height, width)`, 28x28 for MNIST): its ink's bounding box scaled to fit a
/// box of 20/28 of `size` (the aspect ratio kept), placed so that its centre of mass
/// falls on the centre. `None` when nothing is drawn.
///
/// # Errors
/// [`Error::DataLength`] when `pixels` is not `width x height` long; [`Error::Zero`] for
/// a size of zero.
pub fn like_mnist(
    pixels: &[u8],
    width: usize,
    height: usize,
    size: (usize, usize),
) -> Result<Option<Vec<u8>>> {
    if width == 0 || height == 0 || size.0 == 0 || size.1 == 0 {
        return Err(Error::Zero {
            what: "drawing size",
        });
    }
    let expected = width.checked_mul(height).ok_or(Error::Overflow {
        what: "drawing size",
    })?;
    if pixels.len() != expected {
        return Err(Error::DataLength {
            what: "drawing",
            expected,
            actual: pixels.len(),
        });
    }
    // The ink's bounding box.
    let mut box_ = (usize::MAX, usize::MAX, 0, 0); // top, left, bottom, right (inclusive)
    for (y, row) in pixels.chunks_exact(width).enumerate() {
        for (x, &p) in row.iter().enumerate() {
            if p > FAINT {
                box_ = (box_.0.min(y), box_.1.min(x), box_.2.max(y), box_.3.max(x));
            }
        }
    }
    let (top, left, bottom, right) = box_;
    if top == usize::MAX {
        return Ok(None);
    }
    let (bh, bw) = (bottom - top + 1, right - left + 1);
    // The longer side becomes 20/28 of the output's shorter side.
    let target = (size.0.min(size.1) as f64 * 20.0 / 28.0).max(1.0);
    let scale = target / bh.max(bw) as f64;
    let th = ((bh as f64 * scale).round() as usize).clamp(1, size.0);
    let tw = ((bw as f64 * scale).round() as usize).clamp(1, size.1);
    let rows = area_weights(bh, th);
    let columns = area_weights(bw, tw);
    // Area averaging: each output pixel is the mean of the source area it covers.
    let mut scaled = vec![0.0f64; th * tw];
    for (ty, row_weights) in rows.iter().enumerate() {
        for &(sy, wy) in row_weights {
            let source = &pixels[(top + sy) * width + left..(top + sy) * width + left + bw];
            for (tx, column_weights) in columns.iter().enumerate() {
                let mut sum = 0.0;
                for &(sx, wx) in column_weights {
                    sum += wx * f64::from(source[sx]);
                }
                scaled[ty * tw + tx] += wy * sum;
            }
        }
    }
    // The centre of mass, in pixel-centre coordinates.
    let (mut mass, mut my, mut mx) = (0.0, 0.0, 0.0);
    for (i, &v) in scaled.iter().enumerate() {
        mass += v;
        my += v * ((i / tw) as f64 + 0.5);
        mx += v * ((i % tw) as f64 + 0.5);
    }
    let (cy, cx) = if mass > 0.0 {
        (my / mass, mx / mass)
    } else {
        (th as f64 / 2.0, tw as f64 / 2.0)
    };
    let dy = (size.0 as f64 / 2.0 - cy).round() as isize;
    let dx = (size.1 as f64 / 2.0 - cx).round() as isize;
    let mut out = vec![0u8; size.0 * size.1];
    for (i, &v) in scaled.iter().enumerate() {
        let (y, x) = ((i / tw) as isize + dy, (i % tw) as isize + dx);
        if (0..size.0 as isize).contains(&y) && (0..size.1 as isize).contains(&x) {
            out[y as usize * size.1 + x as usize] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(Some(out))
}

/// For each of `to` output cells along one axis, the source cells of `from` it covers
/// and their weights (summing to 1): box-filter resampling.
fn area_weights(from: usize, to: usize) -> Vec<Vec<(usize, f64)>> {
    let step = from as f64 / to as f64;
    (0..to)
        .map(|t| {
            let (start, end) = (t as f64 * step, (t + 1) as f64 * step);
            let mut weights = Vec::new();
            let mut s = start.floor() as usize;
            while (s as f64) < end && s < from {
                let covered = (end.min((s + 1) as f64) - start.max(s as f64)).max(0.0);
                if covered > 0.0 {
                    weights.push((s, covered / step));
                }
                s += 1;
            }
            weights
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A filled rectangle of ink on a `w x h` canvas.
    fn rectangle(
        w: usize,
        h: usize,
        (top, left, bottom, right): (usize, usize, usize, usize),
    ) -> Vec<u8> {
        let mut pixels = vec![0u8; w * h];
        for y in top..bottom {
            for x in left..right {
                pixels[y * w + x] = 255;
            }
        }
        pixels
    }

    fn bounding_box(image: &[u8], width: usize) -> (usize, usize, usize, usize) {
        let mut b = (usize::MAX, usize::MAX, 0, 0);
        for (i, &p) in image.iter().enumerate() {
            if p > 0 {
                let (y, x) = (i / width, i % width);
                b = (b.0.min(y), b.1.min(x), b.2.max(y + 1), b.3.max(x + 1));
            }
        }
        b
    }

    #[test]
    fn a_tall_stroke_in_a_corner_is_scaled_to_20_pixels_and_centred() {
        // A 40 x 100 bar in the top-left corner of a 280 x 280 drawing.
        let drawing = rectangle(280, 280, (10, 20, 110, 60));
        let digit = like_mnist(&drawing, 280, 280, (28, 28)).unwrap().unwrap();
        let (top, left, bottom, right) = bounding_box(&digit, 28);
        assert_eq!(bottom - top, 20, "height");
        assert_eq!(right - left, 8, "width: 40 * 20 / 100");
        // Centred: a symmetric bar's centre of mass is its middle.
        assert_eq!((top, bottom), (4, 24));
        assert_eq!((left, right), (10, 18));
        assert!(digit.iter().all(|&p| p == 0 || p == 255));
    }

    #[test]
    fn the_centre_of_mass_lands_on_the_centre_not_the_box() {
        // An L: a heavy vertical bar and a thin foot; the mass sits left of the box's middle.
        let mut drawing = rectangle(100, 100, (0, 0, 100, 30));
        for y in 90..100 {
            for x in 30..100 {
                drawing[y * 100 + x] = 255;
            }
        }
        let digit = like_mnist(&drawing, 100, 100, (28, 28)).unwrap().unwrap();
        let (mut mass, mut mx) = (0.0, 0.0);
        for (i, &p) in digit.iter().enumerate() {
            mass += f64::from(p);
            mx += f64::from(p) * ((i % 28) as f64 + 0.5);
        }
        assert!((mx / mass - 14.0).abs() <= 0.5, "{}", mx / mass);
        let (_, left, _, right) = bounding_box(&digit, 28);
        assert!(left + right > 28, "the box is moved right of the centre");
    }

    #[test]
    fn nothing_drawn_and_wrong_sizes() {
        assert_eq!(like_mnist(&[0; 16], 4, 4, (28, 28)).unwrap(), None);
        assert!(matches!(
            like_mnist(&[0; 15], 4, 4, (28, 28)),
            Err(Error::DataLength { .. })
        ));
        assert!(like_mnist(&[], 0, 4, (28, 28)).is_err());
        // One dot becomes a 20 x 20 square (scaled up).
        let digit = like_mnist(&[0, 0, 0, 200], 2, 2, (28, 28))
            .unwrap()
            .unwrap();
        assert_eq!(digit.iter().filter(|&&p| p == 200).count(), 400);
    }
}
