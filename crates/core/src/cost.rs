//! What a convolution layer costs: its parameters and its operations (the lecture's
//! formulas, with groups); and what pooling layers, which have no parameters, read.

use crate::error::{positive, Error, Result};
use crate::pool::{PoolFunction, PoolParams};

/// The shape of a convolution layer, enough to count its cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvLayerShape {
    /// Input channels, `C_in`.
    pub in_channels: usize,
    /// Output channels (filters), `C_out`.
    pub out_channels: usize,
    /// Kernel size `(K_h, K_w)`.
    pub kernel: (usize, usize),
    /// Groups (1 for an ordinary convolution, `C_in` for a depthwise one).
    pub groups: usize,
    /// Whether each output channel adds a bias.
    pub bias: bool,
}

/// The operation counts of one convolution layer on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flops {
    /// Multiply-adds: `H_out * W_out * C_out * (K_h * K_w * C_in / groups)`.
    pub multiply_adds: u64,
    /// The lecture's count, which adds one per output for the bias:
    /// `H_out * W_out * C_out * (K_h * K_w * C_in / groups + 1)` (no `+ 1` without bias).
    pub lecture: u64,
    /// Twice the lecture's count: a multiply and an add are two floating-point operations.
    pub doubled: u64,
}

impl ConvLayerShape {
    fn checked(&self) -> Result<u64> {
        positive(self.in_channels, "number of input channels")?;
        positive(self.out_channels, "number of output channels")?;
        positive(self.kernel.0, "kernel height")?;
        positive(self.kernel.1, "kernel width")?;
        let groups = positive(self.groups, "number of groups")?;
        for (what, channels) in [
            ("input channels", self.in_channels),
            ("output channels", self.out_channels),
        ] {
            if channels % groups != 0 {
                return Err(Error::Groups {
                    what,
                    channels,
                    groups,
                });
            }
        }
        // Weights one output cell uses: K_h * K_w * C_in / groups.
        mul(&[
            self.kernel.0 as u64,
            self.kernel.1 as u64,
            (self.in_channels / groups) as u64,
        ])
    }

    /// The number of learned parameters: `C_out * (K_h * K_w * C_in / groups + 1)`, the
    /// lecture's `(K_h K_w C_in + 1) C_out` (the `+ 1` is the bias, if any).
    ///
    /// # Errors
    /// Zero sizes, channels that do not split into the groups, or overflow.
    pub fn parameters(&self) -> Result<u64> {
        let per_filter = self
            .checked()?
            .checked_add(u64::from(self.bias))
            .ok_or_else(overflow)?;
        mul(&[per_filter, self.out_channels as u64])
    }

    /// The operation counts for an output of `(H_out, W_out)`.
    ///
    /// # Errors
    /// As [`ConvLayerShape::parameters`].
    pub fn flops(&self, output: (usize, usize)) -> Result<Flops> {
        let per_output = self.checked()?;
        let outputs = mul(&[output.0 as u64, output.1 as u64, self.out_channels as u64])?;
        Flops::with_bias(mul(&[outputs, per_output])?, outputs, self.bias)
    }
}

impl ConvLayerShape {
    /// The operation counts of the transposed convolution with this shape
    /// (`nn.ConvTranspose2d(in_channels, out_channels, kernel, groups=groups)`) from an
    /// `input` map to an `output` map: every input value stamps `K_h K_w C_out / groups`
    /// products, `H_in W_in C_in K_h K_w C_out / groups` multiply-adds (the stamps the
    /// padding crops included, as PyTorch's profilers count them); the lecture's count
    /// adds one per output value for the bias. Its parameters are
    /// [`ConvLayerShape::parameters`]' (`C_in K_h K_w C_out / groups` weights).
    ///
    /// # Errors
    /// As [`ConvLayerShape::parameters`].
    pub fn transposed_flops(&self, input: (usize, usize), output: (usize, usize)) -> Result<Flops> {
        // The convolution it transposes, seen from its output: C_out and C_in swapped.
        let swapped = ConvLayerShape {
            in_channels: self.out_channels,
            out_channels: self.in_channels,
            bias: false,
            ..*self
        };
        let multiply_adds = swapped.flops(input)?.multiply_adds;
        let outputs = mul(&[output.0 as u64, output.1 as u64, self.out_channels as u64])?;
        Flops::with_bias(multiply_adds, outputs, self.bias)
    }
}

impl Flops {
    /// The counts of `multiply_adds` and, with a bias, one more per output value.
    fn with_bias(multiply_adds: u64, outputs: u64, bias: bool) -> Result<Flops> {
        let lecture = multiply_adds
            .checked_add(if bias { outputs } else { 0 })
            .ok_or_else(overflow)?;
        Ok(Flops {
            multiply_adds,
            lecture,
            doubled: mul(&[lecture, 2])?,
        })
    }
}

/// What a pooling layer (`nn.MaxPool2d`, `nn.AvgPool2d`, `nn.LPPool2d`) costs on one
/// `C x H x W` image: it has no parameters, and its work is the input values its windows
/// read, `C · Σ_y Σ_x |window(y, x)|` (padding is not read), one comparison or one
/// addition each (the mean then divides once per output value, LP pooling adds a power
/// per value and a root per output). The windows are separable, so the sum is
/// `C · (Σ_y rows(y)) · (Σ_x columns(x))`. Without padding or ceil mode and with
/// dilation 1 it is `C · H_out · W_out · K_h · K_w`.
///
/// # Errors
/// As [`PoolParams::output_size`]; an overflow.
pub fn pool_reads(
    function: PoolFunction,
    params: &PoolParams,
    channels: usize,
    (height, width): (usize, usize),
) -> Result<u64> {
    let windows = params.windows(function, height, width)?;
    let total = |axis: &[Vec<usize>]| axis.iter().map(|taps| taps.len() as u64).sum::<u64>();
    mul(&[
        channels as u64,
        total(&windows.rows),
        total(&windows.columns),
    ])
}

/// What `nn.AdaptiveMaxPool2d(output)` / `nn.AdaptiveAvgPool2d(output)` costs on one
/// `C x H x W` image: no parameters, and `C · Σ_y Σ_x |window(y, x)|` values read (see
/// [`crate::pool::adaptive_window`]; overlapping windows read shared cells again). When
/// `H` and `W` are multiples of the output, it is `C · H · W`: every cell once.
///
/// # Errors
/// A zero size, an output map too large, an overflow.
pub fn adaptive_pool_reads(
    channels: usize,
    (height, width): (usize, usize),
    output: (usize, usize),
) -> Result<u64> {
    positive(output.0, "adaptive pooling height")?;
    positive(output.1, "adaptive pooling width")?;
    // The output must be a map this crate can hold (which also bounds the loops).
    crate::tensor::Shape::new(1, 1, output.0, output.1)?;
    let total = |size: usize, outputs: usize| -> u64 {
        (0..outputs)
            .map(|i| {
                let (start, end) = crate::pool::adaptive_window(i, size, outputs);
                (end - start) as u64
            })
            .sum()
    };
    mul(&[
        channels as u64,
        total(height, output.0),
        total(width, output.1),
    ])
}

pub(crate) fn overflow() -> Error {
    Error::Overflow { what: "count" }
}

/// The product, or [`Error::Overflow`] when it overflows.
pub(crate) fn mul(factors: &[u64]) -> Result<u64> {
    factors
        .iter()
        .try_fold(1u64, |acc, &f| acc.checked_mul(f))
        .ok_or_else(overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(
        in_channels: usize,
        out_channels: usize,
        k: usize,
        groups: usize,
        bias: bool,
    ) -> ConvLayerShape {
        ConvLayerShape {
            in_channels,
            out_channels,
            kernel: (k, k),
            groups,
            bias,
        }
    }

    #[test]
    fn three_small_kernels_against_one_large() {
        // The lecture: three 3x3 layers, 27 weights; one 7x7, 49 (one channel, no bias).
        let three = 3 * layer(1, 1, 3, 1, false).parameters().unwrap();
        assert_eq!(three, 27);
        assert_eq!(layer(1, 1, 7, 1, false).parameters(), Ok(49));
    }

    #[test]
    fn lecture_formulas_with_bias_and_groups() {
        assert_eq!(
            layer(3, 64, 3, 1, true).parameters(),
            Ok((3 * 3 * 3 + 1) * 64)
        );
        // Depthwise RGB: three 3x3 kernels, no bias.
        assert_eq!(layer(3, 3, 3, 3, false).parameters(), Ok(27));
        // AlexNet's first layer: 64 filters of 11x11x3, output 55x55.
        let flops = layer(3, 64, 11, 1, true).flops((55, 55)).unwrap();
        assert_eq!(flops.multiply_adds, 55 * 55 * 64 * 11 * 11 * 3);
        assert_eq!(flops.lecture, 55 * 55 * 64 * (11 * 11 * 3 + 1));
        assert_eq!(flops.doubled, 2 * flops.lecture);
    }

    #[test]
    fn transposed_layers_count_their_stamps() {
        // nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1) from 7x7 to 14x14: 16 * 8 * 16
        // weights and 8 biases; each of the 7 * 7 * 16 inputs stamps 8 * 16 products.
        let up = layer(16, 8, 4, 1, true);
        assert_eq!(up.parameters(), Ok(16 * 8 * 16 + 8));
        let flops = up.transposed_flops((7, 7), (14, 14)).unwrap();
        assert_eq!(flops.multiply_adds, 7 * 7 * 16 * 8 * 16);
        assert_eq!(flops.lecture, 7 * 7 * 16 * 8 * 16 + 14 * 14 * 8);
        // Groups split both sides.
        let grouped = layer(4, 6, 3, 2, false);
        assert_eq!(
            grouped
                .transposed_flops((5, 5), (7, 7))
                .unwrap()
                .multiply_adds,
            5 * 5 * 4 * 3 * 9
        );
        assert!(layer(3, 4, 3, 2, true)
            .transposed_flops((1, 1), (3, 3))
            .is_err());
    }

    #[test]
    fn pooling_reads_its_windows() {
        // nn.MaxPool2d(2) on 3 x 224 x 224: every value once.
        let two = PoolParams::square(2);
        assert_eq!(
            pool_reads(PoolFunction::Max, &two, 3, (224, 224)),
            Ok(3 * 224 * 224)
        );
        // nn.MaxPool2d(3, 2, padding=1) on 64 x 112 x 112 (ResNet's stem): 56 windows a
        // side, each 3 wide except the first (its left column is padding): 3 * 56 - 1.
        let stem = PoolParams {
            stride: Some((2, 2)),
            padding: crate::Pads::uniform(1),
            ..PoolParams::square(3)
        };
        assert_eq!(
            pool_reads(PoolFunction::Max, &stem, 64, (112, 112)),
            Ok(64 * 167 * 167)
        );
        // Adaptive: 4 to 3 reads 2 + 2 + 2 rows; 6 to 3 every row once.
        assert_eq!(adaptive_pool_reads(2, (4, 6), (3, 3)), Ok(2 * 6 * 6));
        assert_eq!(adaptive_pool_reads(512, (7, 7), (1, 1)), Ok(512 * 49));
        assert!(adaptive_pool_reads(1, (4, 4), (0, 1)).is_err());
        assert!(adaptive_pool_reads(1, (4, 4), (usize::MAX, 1)).is_err());
        assert!(pool_reads(PoolFunction::Max, &PoolParams::square(5), 1, (4, 4)).is_err());
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(layer(3, 4, 3, 2, true).parameters().is_err());
        assert!(layer(0, 4, 3, 1, true).parameters().is_err());
        assert!(layer(3, 3, 3, 0, true).flops((1, 1)).is_err());
        assert!(layer(usize::MAX, usize::MAX, 64, 1, true)
            .parameters()
            .is_err());
        assert!(layer(3, 3, 3, 1, true)
            .flops((usize::MAX, usize::MAX))
            .is_err());
    }
}
