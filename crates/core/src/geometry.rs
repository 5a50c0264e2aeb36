//! Output sizes and padding: where a sliding window fits, as PyTorch computes it.
//!
//! Pairs of numbers are always `(along height, along width)`.

use crate::error::{positive, Error, Result};

/// How much to pad a convolution's input, as `nn.Conv2d`'s `padding` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    /// Explicit padding on each side, in pixels.
    Explicit(Pads),
    /// `padding='valid'`: no padding at all.
    Valid,
    /// `padding='same'`: at stride 1, pad so the output has the input's size. The total
    /// `dilation * (kernel - 1)` is split with the smaller half on the top and left, as
    /// PyTorch does for even kernels.
    Same,
}

impl Padding {
    /// The same padding `p` on all four sides (`nn.Conv2d(padding=p)`).
    pub fn uniform(p: usize) -> Self {
        Padding::Explicit(Pads::uniform(p))
    }

    /// Padding `ph` on top and bottom, `pw` on left and right.
    pub fn symmetric(ph: usize, pw: usize) -> Self {
        Padding::Explicit(Pads::symmetric(ph, pw))
    }

    /// The padding on each side for this kernel, dilation and stride.
    ///
    /// # Errors
    /// `Same` with a stride other than 1 (PyTorch refuses it too).
    pub fn resolve(
        self,
        kernel: (usize, usize),
        stride: (usize, usize),
        dilation: (usize, usize),
    ) -> Result<Pads> {
        match self {
            Padding::Explicit(pads) => Ok(pads),
            Padding::Valid => Ok(Pads::default()),
            Padding::Same => {
                if stride != (1, 1) {
                    return Err(Error::SameNeedsStrideOne { stride });
                }
                let total_h = dilation.0.saturating_mul(kernel.0.saturating_sub(1));
                let total_w = dilation.1.saturating_mul(kernel.1.saturating_sub(1));
                Ok(Pads {
                    top: total_h / 2,
                    bottom: total_h - total_h / 2,
                    left: total_w / 2,
                    right: total_w - total_w / 2,
                })
            }
        }
    }
}

/// Padding on each side of a plane, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Pads {
    /// Rows added above.
    pub top: usize,
    /// Rows added below.
    pub bottom: usize,
    /// Columns added on the left.
    pub left: usize,
    /// Columns added on the right.
    pub right: usize,
}

impl Pads {
    /// `p` on all four sides.
    pub fn uniform(p: usize) -> Self {
        Pads::symmetric(p, p)
    }

    /// `ph` on top and bottom, `pw` on left and right.
    pub fn symmetric(ph: usize, pw: usize) -> Self {
        Pads {
            top: ph,
            bottom: ph,
            left: pw,
            right: pw,
        }
    }

    /// The padded size of a `height x width` plane, or `None` on overflow.
    pub fn padded(&self, height: usize, width: usize) -> Option<(usize, usize)> {
        Some((
            height.checked_add(self.top)?.checked_add(self.bottom)?,
            width.checked_add(self.left)?.checked_add(self.right)?,
        ))
    }

    /// True when all four sides are equal: what a single PyTorch `padding=p` can say.
    pub fn is_uniform(&self) -> bool {
        self.top == self.bottom && self.top == self.left && self.left == self.right
    }
}

/// What fills the padded border, as `nn.Conv2d`'s `padding_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PaddingMode {
    /// Zeros (the default).
    #[default]
    Zeros,
    /// The input mirrored without repeating the edge: `... c b | a b c ...`.
    Reflect,
    /// The edge pixel repeated: `... a a | a b c ...`.
    Replicate,
    /// The input wrapped around, as on a torus: `... b c | a b c ...`.
    Circular,
}

impl PaddingMode {
    /// Every mode, in the order the demo lists them.
    pub const ALL: [PaddingMode; 4] = [
        PaddingMode::Zeros,
        PaddingMode::Reflect,
        PaddingMode::Replicate,
        PaddingMode::Circular,
    ];

    /// PyTorch's name for the mode, also the URL value.
    pub fn name(self) -> &'static str {
        match self {
            PaddingMode::Zeros => "zeros",
            PaddingMode::Reflect => "reflect",
            PaddingMode::Replicate => "replicate",
            PaddingMode::Circular => "circular",
        }
    }

    /// The mode with this name.
    ///
    /// # Errors
    /// An unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        PaddingMode::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::Unknown {
                what: crate::error::Named::PaddingMode,
                name: crate::error::shorten(name),
            })
    }

    /// Checks that padding `pad` works on an input of `size` pixels in this mode, as
    /// PyTorch does: reflect needs `pad < size`, circular `pad <= size`.
    pub(crate) fn check(self, pad: usize, size: usize) -> Result<()> {
        let fits = match self {
            PaddingMode::Zeros | PaddingMode::Replicate => true,
            PaddingMode::Reflect => pad < size,
            PaddingMode::Circular => pad <= size,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::PaddingTooLarge {
                mode: self,
                padding: pad,
                size,
            })
        }
    }

    /// The input index that padded index `index` (which may be negative or past the end)
    /// reads in a line of `size` pixels, or `None` for a zero.
    pub fn source(self, index: isize, size: usize) -> Option<usize> {
        let n = isize::try_from(size).ok()?;
        if (0..n).contains(&index) {
            return Some(index as usize);
        }
        if n == 0 {
            return None;
        }
        match self {
            PaddingMode::Zeros => None,
            PaddingMode::Replicate => Some(index.clamp(0, n - 1) as usize),
            PaddingMode::Circular => Some(index.rem_euclid(n) as usize),
            PaddingMode::Reflect => {
                if n == 1 {
                    return Some(0);
                }
                // Reflection has period 2(n-1); fold into it, then mirror the back half.
                let period = 2 * (n - 1);
                let folded = index.rem_euclid(period);
                Some(if folded < n { folded } else { period - folded } as usize)
            }
        }
    }
}

/// The lecture's output size, `floor((input + 2 padding - dilation (kernel - 1) - 1) /
/// stride) + 1`, for one axis with the same padding on both sides.
///
/// # Errors
/// A zero kernel, stride or dilation, or a window larger than the padded input.
pub fn output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Result<usize> {
    positive(input, "input size")?;
    positive(kernel, "kernel size")?;
    positive(stride, "stride")?;
    positive(dilation, "dilation")?;
    axis_output(input, kernel, stride, (padding, padding), dilation, false).ok_or_else(|| {
        Error::EmptyOutput {
            window: "kernel",
            size: vec![kernel],
            dilation: vec![dilation],
            padded: vec![input.saturating_add(padding.saturating_mul(2))],
        }
    })
}

/// The lecture's output size of a transposed convolution along one axis,
/// `(input - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1`.
///
/// # Errors
/// As [`crate::ConvTransposeParams::plan`]: zero sizes, an output padding not smaller
/// than the stride or the dilation, padding that crops the whole output.
pub fn transposed_output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    output_padding: usize,
    dilation: usize,
) -> Result<usize> {
    let params = crate::ConvTransposeParams {
        stride: (1, stride),
        padding: Pads::symmetric(0, padding),
        output_padding: (0, output_padding),
        dilation: (1, dilation),
        groups: 1,
    };
    let plan = params.plan(
        crate::Shape::new(1, 1, 1, input)?,
        crate::Shape::new(1, 1, 1, kernel)?,
    )?;
    Ok(plan.output.width)
}

/// The output length along one axis, or `None` when not even one window fits.
///
/// `padding` is `(before, after)`. This is PyTorch's `pooling_output_shape`:
/// `floor((input + before + after - dilation (kernel - 1) - 1) / stride) + 1`, rounded up
/// instead with `ceil_mode` (pooling), where the last window must start inside the input
/// or its leading padding (one that would start in the trailing padding is dropped). In
/// ceil mode a window may therefore reach past the padded input, even when the input is
/// smaller than the window. Zero arguments give `None`.
pub fn axis_output(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: (usize, usize),
    dilation: usize,
    ceil_mode: bool,
) -> Option<usize> {
    if kernel == 0 || stride == 0 || dilation == 0 || input == 0 {
        return None;
    }
    // In i128 the signed room of PyTorch's formula cannot overflow (a window whose
    // span does not even fit in i128 fits nowhere).
    let wide = |v: usize| v as i128;
    let padded = wide(input) + wide(padding.0) + wide(padding.1);
    let covered = wide(dilation).checked_mul(wide(kernel) - 1)? + 1;
    let room = padded - covered;
    let stride = wide(stride);
    let steps = if ceil_mode {
        (room + stride - 1).div_euclid(stride)
    } else {
        room.div_euclid(stride)
    };
    let mut count = steps + 1;
    let last_start = (count - 1).checked_mul(stride);
    if ceil_mode && count >= 1 && last_start.is_none_or(|s| s >= wide(input) + wide(padding.0)) {
        count -= 1;
    }
    usize::try_from(count).ok().filter(|&c| c >= 1)
}

/// The output size of a 2D sliding window (convolution or pooling).
///
/// # Errors
/// A zero size, or [`Error::EmptyOutput`] when the (dilated) window does not fit.
pub fn window_output(
    input: (usize, usize),
    window: (usize, usize),
    stride: (usize, usize),
    pads: Pads,
    dilation: (usize, usize),
    ceil_mode: bool,
    what: &'static str,
) -> Result<(usize, usize)> {
    positive(input.0, "input height")?;
    positive(input.1, "input width")?;
    positive(window.0, "kernel height")?;
    positive(window.1, "kernel width")?;
    positive(stride.0, "stride")?;
    positive(stride.1, "stride")?;
    positive(dilation.0, "dilation")?;
    positive(dilation.1, "dilation")?;
    let padded = pads
        .padded(input.0, input.1)
        .ok_or(Error::Overflow { what: "padding" })?;
    let height = axis_output(
        input.0,
        window.0,
        stride.0,
        (pads.top, pads.bottom),
        dilation.0,
        ceil_mode,
    );
    let width = axis_output(
        input.1,
        window.1,
        stride.1,
        (pads.left, pads.right),
        dilation.1,
        ceil_mode,
    );
    match (height, width) {
        (Some(h), Some(w)) => Ok((h, w)),
        _ => Err(Error::EmptyOutput {
            window: what,
            size: vec![window.0, window.1],
            dilation: vec![dilation.0, dilation.1],
            padded: vec![padded.0, padded.1],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lecture_rules_of_thumb() {
        // 5x5 input, 3x3 kernel, no padding: 5 - 3 + 1 = 3.
        assert_eq!(output_size(5, 3, 1, 0, 1), Ok(3));
        // padding floor(k/2) keeps the size at stride 1, for every odd k.
        for k in [1, 3, 5, 7, 9, 11] {
            for h in k..40 {
                assert_eq!(output_size(h, k, 1, k / 2, 1), Ok(h), "k={k} h={h}");
            }
        }
        // stride 2, padding 1 halves a 3x3 layer's output (rounding up for odd sizes).
        for h in 2..64 {
            assert_eq!(output_size(h, 3, 2, 1, 1), Ok(h.div_ceil(2)), "h={h}");
        }
    }

    #[test]
    fn dilation_widens_the_window() {
        assert_eq!(output_size(10, 3, 1, 0, 2), Ok(6));
        let error = window_output(
            (10, 10),
            (7, 7),
            (1, 1),
            Pads::default(),
            (2, 2),
            false,
            "kernel",
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the effective kernel (7x7 at dilation 2 covers 13x13) is larger than the padded \
             input (10x10): the output would be empty"
        );
        assert_eq!(
            output_size(2, 5, 1, 1, 1).unwrap_err().to_string(),
            "the effective kernel (5) is larger than the padded input (4): the output would be \
             empty"
        );
    }

    #[test]
    fn zero_arguments_are_errors_not_panics() {
        assert!(output_size(5, 3, 0, 0, 1).is_err());
        assert!(output_size(5, 0, 1, 0, 1).is_err());
        assert!(output_size(5, 3, 1, 0, 0).is_err());
        assert!(output_size(0, 1, 1, 0, 1).is_err());
        assert!(output_size(usize::MAX, 3, 1, usize::MAX, 1).is_err());
        assert_eq!(axis_output(usize::MAX, 1, 1, (1, 0), 1, false), None);
    }

    #[test]
    fn transposed_sizes_undo_convolution_sizes() {
        // Stride 2, kernel 4, padding 1 doubles: 7 -> 14, the DCGAN upsampling layer.
        assert_eq!(transposed_output_size(7, 4, 2, 1, 0, 1), Ok(14));
        // Kernel 3, stride 2, padding 1: 2H - 1, or 2H with output padding 1.
        assert_eq!(transposed_output_size(7, 3, 2, 1, 0, 1), Ok(13));
        assert_eq!(transposed_output_size(7, 3, 2, 1, 1, 1), Ok(14));
        // Every input a convolution maps to the same size comes back with some output
        // padding below the stride.
        for input in 5..20 {
            let out = output_size(input, 3, 3, 1, 1).unwrap();
            let back: Vec<usize> = (0..3)
                .map(|op| transposed_output_size(out, 3, 3, 1, op, 1).unwrap())
                .collect();
            assert!(back.contains(&input), "{input} -> {out} -> {back:?}");
        }
        assert!(transposed_output_size(3, 3, 1, 1, 1, 1).is_err());
        assert!(transposed_output_size(1, 1, 1, 1, 0, 1).is_err());
        assert!(transposed_output_size(0, 1, 1, 0, 0, 1).is_err());
    }

    #[test]
    fn ceil_mode_keeps_a_window_that_starts_inside() {
        // The case: 2x2 input, kernel 3, stride 2, ceil mode: PyTorch gives 1.
        assert_eq!(axis_output(2, 3, 2, (0, 0), 1, true), Some(1));
        assert_eq!(axis_output(2, 3, 2, (0, 0), 1, false), None);
        // Up to stride - 1 past the input, the window still starts inside it.
        assert_eq!(axis_output(2, 4, 3, (0, 0), 1, true), Some(1));
        assert_eq!(axis_output(2, 4, 2, (0, 0), 1, true), None);
        // A window starting in the leading padding is kept...
        assert_eq!(axis_output(1, 3, 2, (1, 0), 1, true), Some(1));
        // ...one that would start in the trailing padding is dropped: 4 + 1 + 1 padded,
        // kernel 2, stride 3 would round up to 3 windows, the third starting at 6 = 4 + 1 + 1.
        assert_eq!(axis_output(4, 2, 3, (1, 1), 1, true), Some(2));
        assert_eq!(
            axis_output(usize::MAX, 2, 1, (0, 0), usize::MAX, true),
            None
        );
    }

    #[test]
    fn ceil_mode_matches_pytorch() {
        // nn.MaxPool2d(2, 2, ceil_mode=True) on 5 -> 3; floor -> 2.
        assert_eq!(axis_output(5, 2, 2, (0, 0), 1, true), Some(3));
        assert_eq!(axis_output(5, 2, 2, (0, 0), 1, false), Some(2));
        // The last window may not start in the trailing padding: 5, k=2, s=2, p=1 gives
        // ceil(5/2) + 1 = 4 windows, but the 4th would start at padded index 6 = 5 + 1.
        assert_eq!(axis_output(5, 2, 2, (1, 1), 1, true), Some(3));
        assert_eq!(axis_output(6, 3, 3, (1, 1), 1, true), Some(3));
    }

    #[test]
    fn same_padding_splits_like_pytorch() {
        let pads = Padding::Same.resolve((4, 3), (1, 1), (1, 2)).unwrap();
        assert_eq!(
            pads,
            Pads {
                top: 1,
                bottom: 2,
                left: 2,
                right: 2
            }
        );
        assert!(matches!(
            Padding::Same.resolve((3, 3), (2, 2), (1, 1)),
            Err(Error::SameNeedsStrideOne { .. })
        ));
    }

    #[test]
    fn padding_modes_read_the_right_pixels() {
        let read = |mode: PaddingMode| -> Vec<Option<usize>> {
            (-3..7).map(|i| mode.source(i, 4)).collect()
        };
        assert_eq!(
            read(PaddingMode::Reflect),
            [3, 2, 1, 0, 1, 2, 3, 2, 1, 0].map(Some)
        );
        assert_eq!(
            read(PaddingMode::Replicate),
            [0, 0, 0, 0, 1, 2, 3, 3, 3, 3].map(Some)
        );
        assert_eq!(
            read(PaddingMode::Circular),
            [1, 2, 3, 0, 1, 2, 3, 0, 1, 2].map(Some)
        );
        assert_eq!(read(PaddingMode::Zeros)[..4], [None, None, None, Some(0)]);
        for mode in PaddingMode::ALL {
            assert_eq!(mode.source(-1, 0), None);
            assert_eq!(
                mode.source(isize::MIN, 1).is_some(),
                mode != PaddingMode::Zeros
            );
        }
        assert!(PaddingMode::Reflect.check(4, 4).is_err());
        assert!(PaddingMode::Circular.check(4, 4).is_ok());
        assert!(PaddingMode::Circular.check(5, 4).is_err());
    }
}
