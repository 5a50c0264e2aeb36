//! Receptive fields: which input pixels a cell of a deep layer can see.
//!
//! For a stack of layers (convolutions or poolings), numbered from 1, with kernel `k_l`,
//! stride `s_l`, leading padding `p_l` and dilation `d_l`, along each axis:
//!
//! ```text
//! jump_0 = 1, size_0 = 1, start_0 = 0
//! size_l  = size_{l-1} + d_l (k_l - 1) * jump_{l-1}    (the lecture's RF_l, with dilation)
//! jump_l  = jump_{l-1} * s_l                           (input pixels between neighbours)
//! start_l = start_{l-1} - p_l * jump_{l-1}             (first input pixel of cell 0)
//! ```
//!
//! so cell `i` of layer `l` sees input pixels `start_l + i jump_l` up to
//! `start_l + i jump_l + size_l - 1`. Negative indices, and indices past the input, are
//! padding. With dilation the field has gaps: its size is its extent, not a count.

use crate::error::{Error, Result};
use crate::geometry::{window_output, Pads};

/// The geometry of one layer along both axes, `(along height, along width)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LayerGeometry {
    /// Kernel or pooling window size.
    pub kernel: (usize, usize),
    /// Stride.
    pub stride: (usize, usize),
    /// Padding on each side.
    pub pads: Pads,
    /// Dilation.
    pub dilation: (usize, usize),
}

impl LayerGeometry {
    /// A square layer: `k x k` kernel, stride `s`, padding `p` on every side, dilation `d`.
    pub fn square(kernel: usize, stride: usize, padding: usize, dilation: usize) -> Self {
        LayerGeometry {
            kernel: (kernel, kernel),
            stride: (stride, stride),
            pads: Pads {
                top: padding,
                bottom: padding,
                left: padding,
                right: padding,
            },
            dilation: (dilation, dilation),
        }
    }
}

/// The receptive field of the cells of one layer, `(along height, along width)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReceptiveField {
    /// Extent of the field in input pixels (the lecture's `RF_l`).
    pub size: (u64, u64),
    /// Input pixels between the fields of two neighbouring cells (product of strides).
    pub jump: (u64, u64),
    /// Input coordinate of the first pixel that cell `(0, 0)` sees (negative in padding).
    pub start: (i64, i64),
}

impl ReceptiveField {
    /// The field of an input pixel: itself (size 1, jump 1, start 0).
    pub const INPUT: ReceptiveField = ReceptiveField {
        size: (1, 1),
        jump: (1, 1),
        start: (0, 0),
    };

    /// The field after one more layer (the recurrence at the top of this module).
    ///
    /// # Errors
    /// A zero kernel, stride or dilation, or a field too large to count.
    pub fn through(&self, layer: &LayerGeometry) -> Result<ReceptiveField> {
        for (value, what) in [
            (layer.kernel.0.min(layer.kernel.1), "kernel size"),
            (layer.stride.0.min(layer.stride.1), "stride"),
            (layer.dilation.0.min(layer.dilation.1), "dilation"),
        ] {
            crate::error::positive(value, what)?;
        }
        let axis = |size: u64, jump: u64, start: i64, k: usize, s: usize, p: usize, d: usize| {
            let span = (d as u64).checked_mul(k as u64 - 1)?;
            let size = size.checked_add(span.checked_mul(jump)?)?;
            let start = start.checked_sub(i64::try_from((p as u64).checked_mul(jump)?).ok()?)?;
            let jump = jump.checked_mul(s as u64)?;
            (size <= i64::MAX as u64 && jump <= i64::MAX as u64).then_some((size, jump, start))
        };
        let (size_h, jump_h, start_h) = axis(
            self.size.0,
            self.jump.0,
            self.start.0,
            layer.kernel.0,
            layer.stride.0,
            layer.pads.top,
            layer.dilation.0,
        )
        .ok_or_else(field_too_large)?;
        let (size_w, jump_w, start_w) = axis(
            self.size.1,
            self.jump.1,
            self.start.1,
            layer.kernel.1,
            layer.stride.1,
            layer.pads.left,
            layer.dilation.1,
        )
        .ok_or_else(field_too_large)?;
        Ok(ReceptiveField {
            size: (size_h, size_w),
            jump: (jump_h, jump_w),
            start: (start_h, start_w),
        })
    }

    /// The union of two paths' fields onto the same cells (Araujo et al., Distill 2019):
    /// from the earliest start to the latest end along each axis. `None` when the two
    /// paths step over the input by different jumps: then neighbouring cells' fields do
    /// not move together and no one window describes them (or the union is too large to
    /// count).
    pub fn union(&self, other: &ReceptiveField) -> Option<ReceptiveField> {
        if self.jump != other.jump {
            return None;
        }
        let axis = |(s1, z1): (i64, u64), (s2, z2): (i64, u64)| {
            let start = s1.min(s2);
            let end = (i128::from(s1) + i128::from(z1)).max(i128::from(s2) + i128::from(z2));
            Some((start, u64::try_from(end - i128::from(start)).ok()?))
        };
        let (top, height) = axis((self.start.0, self.size.0), (other.start.0, other.size.0))?;
        let (left, width) = axis((self.start.1, self.size.1), (other.start.1, other.size.1))?;
        Some(ReceptiveField {
            size: (height, width),
            jump: self.jump,
            start: (top, left),
        })
    }

    /// The input rectangle that cell `(y, x)` sees, before clipping to the input.
    pub fn rect(&self, (y, x): (usize, usize)) -> Option<Rect> {
        let top = self
            .start
            .0
            .checked_add(i64::try_from(y).ok()?.checked_mul(self.jump.0 as i64)?)?;
        let left = self
            .start
            .1
            .checked_add(i64::try_from(x).ok()?.checked_mul(self.jump.1 as i64)?)?;
        Some(Rect {
            top,
            left,
            bottom: top.checked_add(i64::try_from(self.size.0).ok()?)?,
            right: left.checked_add(i64::try_from(self.size.1).ok()?)?,
        })
    }

    /// The centre of cell `(0, 0)`'s field, in input pixel coordinates.
    pub fn centre(&self) -> (f64, f64) {
        (
            self.start.0 as f64 + (self.size.0 as f64 - 1.0) / 2.0,
            self.start.1 as f64 + (self.size.1 as f64 - 1.0) / 2.0,
        )
    }
}

fn field_too_large() -> Error {
    Error::Overflow {
        what: "receptive field",
    }
}

/// A rectangle of pixels: rows `top..bottom`, columns `left..right` (ends excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    /// First row.
    pub top: i64,
    /// First column.
    pub left: i64,
    /// One past the last row.
    pub bottom: i64,
    /// One past the last column.
    pub right: i64,
}

impl Rect {
    /// Height in pixels.
    pub fn height(&self) -> i64 {
        self.bottom.saturating_sub(self.top)
    }

    /// Width in pixels.
    pub fn width(&self) -> i64 {
        self.right.saturating_sub(self.left)
    }

    /// The part inside a `height x width` image, or `None` if it lies wholly in padding.
    pub fn clip(&self, height: usize, width: usize) -> Option<Rect> {
        let clipped = Rect {
            top: self.top.max(0),
            left: self.left.max(0),
            bottom: self.bottom.min(height as i64),
            right: self.right.min(width as i64),
        };
        (clipped.top < clipped.bottom && clipped.left < clipped.right).then_some(clipped)
    }
}

/// The input pixels one cell sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputRegion {
    /// The whole field, padding included (may reach outside the image).
    pub unclipped: Rect,
    /// The part inside the image, if any.
    pub clipped: Option<Rect>,
}

impl ReceptiveField {
    /// The field after a transposed convolution with `layer`'s geometry (or after an
    /// unpooling, with the kernel, stride and padding of the pooling it undoes): a
    /// convolution at stride `1/s` over its input spread `s` apart, so along each axis
    ///
    /// ```text
    /// jump' = jump / s,  size' = size + d (k - 1) jump',  start' = start - (d (k - 1) - p) jump'
    /// ```
    ///
    /// This is an envelope: the field of every output cell lies inside
    /// `start' + i jump'` … `+ size' - 1`, and cells of different phases (`i mod s`) see
    /// different parts of it. `None` when the jump does not divide by the stride (the
    /// cells would fall between input pixels) or on overflow.
    pub fn transposed(&self, layer: &LayerGeometry) -> Option<Self> {
        let axis = |size: u64, jump: u64, start: i64, k: usize, s: usize, p: usize, d: usize| {
            if s == 0 || k == 0 || jump % s as u64 != 0 {
                return None;
            }
            let jump = jump / s as u64;
            let reach = (d as u64).checked_mul(k as u64 - 1)?;
            let size = size.checked_add(reach.checked_mul(jump)?)?;
            let back = i64::try_from(reach).ok()? - i64::try_from(p).ok()?;
            let start = start.checked_sub(back.checked_mul(i64::try_from(jump).ok()?)?)?;
            (size <= i64::MAX as u64).then_some((size, jump, start))
        };
        let (size_h, jump_h, start_h) = axis(
            self.size.0,
            self.jump.0,
            self.start.0,
            layer.kernel.0,
            layer.stride.0,
            layer.pads.top,
            layer.dilation.0,
        )?;
        let (size_w, jump_w, start_w) = axis(
            self.size.1,
            self.jump.1,
            self.start.1,
            layer.kernel.1,
            layer.stride.1,
            layer.pads.left,
            layer.dilation.1,
        )?;
        Some(ReceptiveField {
            size: (size_h, size_w),
            jump: (jump_h, jump_w),
            start: (start_h, start_w),
        })
    }
}

/// The receptive field after each layer of the stack (one entry per layer).
///
/// # Errors
/// A zero kernel, stride or dilation, or a field too large to count.
pub fn receptive_fields(layers: &[LayerGeometry]) -> Result<Vec<ReceptiveField>> {
    let mut field = ReceptiveField::INPUT;
    layers
        .iter()
        .map(|layer| {
            field = field.through(layer)?;
            Ok(field)
        })
        .collect()
}

/// The output size of every layer of the stack for an input of `(height, width)`.
///
/// # Errors
/// Any layer whose window does not fit its (padded) input.
pub fn layer_sizes(layers: &[LayerGeometry], input: (usize, usize)) -> Result<Vec<(usize, usize)>> {
    let mut size = input;
    layers
        .iter()
        .map(|layer| {
            size = window_output(
                size,
                layer.kernel,
                layer.stride,
                layer.pads,
                layer.dilation,
                false,
                "kernel",
            )?;
            Ok(size)
        })
        .collect()
}

/// The input pixels that cell `(y, x)` of layer `layer` (0 is the first layer) sees, for
/// an input of `(height, width)`.
///
/// # Errors
/// An invalid stack, a layer index past the stack, or a cell outside that layer's output.
pub fn input_region(
    layers: &[LayerGeometry],
    layer: usize,
    cell: (usize, usize),
    input: (usize, usize),
) -> Result<InputRegion> {
    let sizes = layer_sizes(layers, input)?;
    let fields = receptive_fields(layers)?;
    let (Some(&(height, width)), Some(field)) = (sizes.get(layer), fields.get(layer)) else {
        return Err(Error::NoLayer {
            layers: layers.len(),
            layer,
        });
    };
    if cell.0 >= height || cell.1 >= width {
        return Err(Error::LayerCellOutside {
            layer,
            size: (height, width),
            cell,
        });
    }
    let unclipped = field.rect(cell).ok_or(Error::Overflow {
        what: "receptive field",
    })?;
    Ok(InputRegion {
        unclipped,
        clipped: unclipped.clip(input.0, input.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_three_by_three_layers_see_seven() {
        let layers = [LayerGeometry::square(3, 1, 0, 1); 3];
        let sizes: Vec<u64> = receptive_fields(&layers)
            .unwrap()
            .iter()
            .map(|f| f.size.0)
            .collect();
        assert_eq!(sizes, [3, 5, 7]);
        assert_eq!(
            receptive_fields(&[LayerGeometry::square(7, 1, 0, 1)]).unwrap()[0].size,
            (7, 7)
        );
    }

    #[test]
    fn strides_multiply_the_growth() {
        // RF_l = RF_{l-1} + (k_l - 1) * prod(s_1..s_{l-1}).
        let layers = [
            LayerGeometry::square(3, 2, 1, 1),
            LayerGeometry::square(3, 2, 1, 1),
            LayerGeometry::square(3, 1, 1, 2),
        ];
        let fields = receptive_fields(&layers).unwrap();
        assert_eq!(
            fields.iter().map(|f| f.size.0).collect::<Vec<_>>(),
            [3, 7, 7 + 2 * 2 * 4]
        );
        assert_eq!(fields[2].jump, (4, 4));
        assert_eq!(fields[2].start, (-1 - 2 - 4, -7));
    }

    #[test]
    fn regions_are_clipped_to_the_image() {
        let layers = [LayerGeometry::square(3, 1, 1, 1)];
        let region = input_region(&layers, 0, (0, 4), (5, 5)).unwrap();
        assert_eq!(
            region.unclipped,
            Rect {
                top: -1,
                left: 3,
                bottom: 2,
                right: 6
            }
        );
        assert_eq!(
            region.clipped,
            Some(Rect {
                top: 0,
                left: 3,
                bottom: 2,
                right: 5
            })
        );
        assert!(input_region(&layers, 0, (5, 0), (5, 5)).is_err());
        assert!(input_region(&layers, 1, (0, 0), (5, 5)).is_err());
    }

    #[test]
    fn hundred_pixel_object_needs_about_fifty_layers() {
        // The lecture's question: stride-1 3x3 layers grow the field by 2 each.
        let needed = (1..).find(|&n| {
            let layers = vec![LayerGeometry::square(3, 1, 1, 1); n];
            receptive_fields(&layers).unwrap()[n - 1].size.0 >= 100
        });
        assert_eq!(needed, Some(50));
    }

    #[test]
    fn transposed_layers_spread_the_field_back_out() {
        // Down by 2 (conv 3, stride 2, padding 1) and up again (transposed 4, stride 2,
        // padding 1): jump 2 then 1.
        let down = LayerGeometry::square(3, 2, 1, 1);
        let up = LayerGeometry::square(4, 2, 1, 1);
        let after_down = receptive_fields(&[down]).unwrap()[0];
        let after_up = after_down.transposed(&up).unwrap();
        assert_eq!(after_up.jump, (1, 1));
        assert_eq!(after_up.size, (3 + 3, 3 + 3));
        assert_eq!(after_up.start, (-1 - 2, -3));
        // Every cell's true field (the input pixels its value depends on) lies inside.
        let input = 12usize;
        let down_out = (input + 2 - 3) / 2 + 1;
        let up_out = (down_out - 1) * 2 - 2 + 4;
        for i in 0..up_out {
            let (lo, hi) = (after_up.start.0 + i as i64, after_up.start.0 + i as i64 + 5);
            for y in 0..down_out {
                // Transposed cell i takes down cell y when i = 2 y + m - 1 for a tap m < 4.
                let m = i as i64 + 1 - 2 * y as i64;
                if (0..4).contains(&m) {
                    let (first, last) = (2 * y as i64 - 1, 2 * y as i64 + 1);
                    assert!(
                        lo <= first && last <= hi,
                        "cell {i}: {first}..{last} in {lo}..{hi}"
                    );
                }
            }
        }
        // Straight on the input, stride 2 would put cells between pixels.
        let start = ReceptiveField {
            size: (1, 1),
            jump: (1, 1),
            start: (0, 0),
        };
        assert_eq!(start.transposed(&up), None);
        assert_eq!(
            start.transposed(&LayerGeometry::square(3, 1, 1, 1)),
            Some(receptive_fields(&[LayerGeometry::square(3, 1, 1, 1)]).unwrap()[0])
        );
    }

    #[test]
    fn union_spans_both_fields() {
        let field = |size: u64, jump: u64, start: i64| ReceptiveField {
            size: (size, size),
            jump: (jump, jump),
            start: (start, start + 1),
        };
        // [-1, 2) and [0, 4): [-1, 4).
        let union = field(3, 2, -1).union(&field(4, 2, 0)).unwrap();
        assert_eq!(union.size, (5, 5));
        assert_eq!(union.start, (-1, 0));
        assert_eq!(union.jump, (2, 2));
        // A field inside another changes nothing.
        assert_eq!(
            field(7, 2, -3).union(&field(1, 2, 0)),
            Some(field(7, 2, -3))
        );
        assert_eq!(field(3, 2, -1).union(&field(3, 1, -1)), None);
    }

    #[test]
    fn zero_and_overflow_are_errors() {
        assert!(receptive_fields(&[LayerGeometry::square(3, 0, 0, 1)]).is_err());
        assert!(receptive_fields(&[LayerGeometry::square(0, 1, 0, 1)]).is_err());
        let huge = vec![LayerGeometry::square(64, 1 << 20, 0, 1 << 20); 8];
        assert!(receptive_fields(&huge).is_err());
    }
}
