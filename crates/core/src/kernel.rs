//! The convolution kernel (filter) and its named presets.

use std::fmt;

use crate::error::{all_finite, Error, Position, Result};
use crate::tensor::flatten_rows;

/// The largest kernel side this crate accepts (a cap against typing mistakes).
pub const MAX_KERNEL_SIDE: usize = 64;

/// The largest weight magnitude a [`Kernel`] accepts. Far beyond any useful filter, and
/// small enough that a 64x64 kernel over 0..255 values stays far from `f32` overflow.
pub const MAX_WEIGHT: f32 = 1e6;

/// A 2D kernel of finite weights, `height x width`, any size (rectangular too).
///
/// It is applied as PyTorch's `conv2d` applies it: as a cross-correlation, without
/// flipping. Weight `(m, n)` multiplies the input pixel `m` rows below and `n` columns
/// right of the window's top-left corner.
///
/// Invariants (checked by every constructor): both sides in `1..=MAX_KERNEL_SIDE`,
/// `height * width` weights, every weight finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    height: usize,
    width: usize,
    weights: Vec<f32>,
}

impl Kernel {
    /// A kernel from row-major weights.
    ///
    /// # Errors
    /// A zero or too large side, the wrong number of weights, or a NaN or infinite
    /// weight (the message names its row and column).
    pub fn new(height: usize, width: usize, weights: Vec<f32>) -> Result<Self> {
        check_side(height, "kernel height")?;
        check_side(width, "kernel width")?;
        if weights.len() != height * width {
            return Err(Error::DataLength {
                what: "kernel",
                expected: height * width,
                actual: weights.len(),
            });
        }
        check_weights(&weights, |i| (i / width, i % width))?;
        Ok(Kernel {
            height,
            width,
            weights,
        })
    }

    /// A kernel from its rows, as written on a slide.
    ///
    /// # Errors
    /// As [`Kernel::new`], and rows of different lengths.
    pub fn from_rows<R: AsRef<[f32]>>(rows: &[R]) -> Result<Self> {
        let (height, width, weights) = flatten_rows(rows, "kernel")?;
        Self::new(height, width, weights)
    }

    /// A kernel from rows scaled by `scale` (e.g. a blur's `1/16`).
    fn scaled<const H: usize, const W: usize>(rows: [[f32; W]; H], scale: f32) -> Self {
        Kernel {
            height: H,
            width: W,
            weights: rows.iter().flatten().map(|w| w * scale).collect(),
        }
    }

    /// Parses weights written as rows separated by `;` and cells by `,`
    /// (`"1,0,1;0,1,0;1,0,1"`); the URL form of a custom kernel. A cell may be a
    /// fraction such as `1/16`.
    ///
    /// # Errors
    /// An empty or unreadable cell, ragged rows, or any error of [`Kernel::new`].
    pub fn parse(text: &str) -> Result<Self> {
        Self::from_rows(&parse_rows(text, "kernel")?)
    }

    /// The identity kernel of the given size: a single 1 in the centre (top-left of
    /// centre for even sides).
    ///
    /// # Errors
    /// A zero or too large side.
    pub fn identity(height: usize, width: usize) -> Result<Self> {
        let mut weights =
            vec![0.0; check_side(height, "kernel height")? * check_side(width, "kernel width")?];
        weights[(height - 1) / 2 * width + (width - 1) / 2] = 1.0;
        Self::new(height, width, weights)
    }

    /// A box (mean) blur: `size x size` weights of `1 / size^2`.
    ///
    /// # Errors
    /// A zero or too large side.
    pub fn box_blur(size: usize) -> Result<Self> {
        check_side(size, "kernel size")?;
        let weight = 1.0 / (size * size) as f32;
        Self::new(size, size, vec![weight; size * size])
    }

    /// A Gaussian blur approximated by binomial coefficients: the outer product of row
    /// `size - 1` of Pascal's triangle with itself, over its sum (`4^(size-1)`). Size 3
    /// gives the lecture's Blur, `[[1,2,1],[2,4,2],[1,2,1]] / 16`.
    ///
    /// # Errors
    /// A zero or too large side.
    pub fn gaussian(size: usize) -> Result<Self> {
        check_side(size, "kernel size")?;
        let mut row = vec![1.0f64];
        for _ in 1..size {
            let mut next = vec![1.0f64; row.len() + 1];
            for i in 1..row.len() {
                next[i] = row[i - 1] + row[i];
            }
            row = next;
        }
        let total: f64 = row.iter().sum::<f64>().powi(2);
        let weights = row
            .iter()
            .flat_map(|a| row.iter().map(move |b| (a * b / total) as f32))
            .collect();
        Self::new(size, size, weights)
    }

    /// Height (number of rows), `K_h`.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Width (number of columns), `K_w`.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The weights, row-major.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Weight at row `m`, column `n` (both from 0), or `None` out of range.
    pub fn get(&self, m: usize, n: usize) -> Option<f32> {
        (m < self.height && n < self.width).then(|| self.weights[m * self.width + n])
    }

    /// The rows, for display.
    pub fn rows(&self) -> Vec<Vec<f32>> {
        self.weights
            .chunks(self.width)
            .map(<[f32]>::to_vec)
            .collect()
    }

    /// The sum of the weights: 1 for blurs (brightness kept), 0 for edge detectors.
    pub fn sum(&self) -> f32 {
        self.weights.iter().sum()
    }

    /// Sets one weight.
    ///
    /// # Errors
    /// Out of range, or a NaN or infinite value.
    pub fn set(&mut self, m: usize, n: usize, value: f32) -> Result<()> {
        if m >= self.height || n >= self.width {
            return Err(Error::CellOutside {
                what: "kernel",
                size: (self.height, self.width),
                cell: (m, n),
            });
        }
        check_weights(&[value], |_| (m, n))?;
        self.weights[m * self.width + n] = value;
        Ok(())
    }
}

/// Writes the weights in the form [`Kernel::parse`] reads, with the shortest text that
/// gives the same `f32` back.
impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (r, row) in self.weights.chunks(self.width).enumerate() {
            if r > 0 {
                f.write_str(";")?;
            }
            for (c, w) in row.iter().enumerate() {
                if c > 0 {
                    f.write_str(",")?;
                }
                write!(f, "{w}")?;
            }
        }
        Ok(())
    }
}

/// Every weight finite and within [`MAX_WEIGHT`]; `cell` names index `i`'s row and column
/// (from 0).
fn check_weights(weights: &[f32], cell: impl Fn(usize) -> (usize, usize)) -> Result<()> {
    check_values(weights, "kernel weight", cell)
}

fn check_values(
    values: &[f32],
    what: &'static str,
    cell: impl Fn(usize) -> (usize, usize),
) -> Result<()> {
    let position = |i: usize| {
        let (row, column) = cell(i);
        Position::Cell {
            row: row + 1,
            column: column + 1,
        }
    };
    all_finite(values, what, position)?;
    match values.iter().position(|w| w.abs() > MAX_WEIGHT) {
        None => Ok(()),
        Some(i) => Err(Error::WeightTooLarge {
            what,
            at: position(i),
            value: values[i],
            limit: MAX_WEIGHT,
        }),
    }
}

fn check_side(side: usize, what: &'static str) -> Result<usize> {
    if side == 0 {
        Err(Error::Zero { what })
    } else if side > MAX_KERNEL_SIDE {
        Err(Error::TooLarge {
            what,
            size: side,
            limit: MAX_KERNEL_SIDE,
        })
    } else {
        Ok(side)
    }
}

/// Reads rows of numbers written as a kernel's weights are (rows split by `;`, cells by
/// `,`, a cell may be a fraction such as `1/16`), each finite and within [`MAX_WEIGHT`]
/// in magnitude, for anything written that way: `what` names it in the errors
/// ("kernel", "grid", "sequence", ...). The rows are all of one length.
///
/// # Errors
/// An empty or unreadable cell ([`Error::NotANumber`]), a value that is not finite or
/// too large, placed by row and column, or rows of different lengths.
pub fn parse_rows(text: &str, what: &'static str) -> Result<Vec<Vec<f32>>> {
    let rows = text
        .trim()
        .split(';')
        .enumerate()
        .map(|(r, row)| {
            row.split(',')
                .enumerate()
                .map(|(c, cell)| parse_value(cell, r, c, what))
                .collect::<Result<Vec<f32>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    flatten_rows(&rows, what)?;
    Ok(rows)
}

fn parse_value(cell: &str, row: usize, column: usize, what: &'static str) -> Result<f32> {
    let cell = cell.trim();
    let unreadable = || Error::NotANumber {
        what,
        at: Position::Cell {
            row: row + 1,
            column: column + 1,
        },
        text: crate::error::shorten(cell),
    };
    let number = |text: &str| text.trim().parse::<f32>().map_err(|_| unreadable());
    let value = match cell.split_once('/') {
        Some((numerator, denominator)) => number(numerator)? / number(denominator)?,
        None => number(cell)?,
    };
    let named = if what == "kernel" {
        "kernel weight"
    } else {
        what
    };
    check_values(&[value], named, |_| (row, column))?;
    Ok(value)
}

/// The named kernels of the demo: the lecture's eight, then the classic image filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// `[[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]`: the lecture's edge detector (a Laplacian
    /// with diagonals); its weights sum to 0, so flat areas go black.
    Edges,
    /// `[[1,2,1],[2,4,2],[1,2,1]] / 16`: the lecture's blur (Gaussian, size 3).
    Blur,
    /// `[[0,-1,0],[-1,5,-1],[0,-1,0]]`: identity plus a Laplacian.
    Sharpen,
    /// `[[1,2,1],[0,0,0],[-1,-2,-1]]`: bright where the top is brighter than the bottom.
    SobelTop,
    /// `[[-1,-2,-1],[0,0,0],[1,2,1]]`: bright where the bottom is brighter.
    SobelBottom,
    /// `[[1,0,-1],[2,0,-2],[1,0,-1]]`: bright where the left is brighter.
    SobelLeft,
    /// `[[-1,0,1],[-2,0,2],[-1,0,1]]`: bright where the right is brighter.
    SobelRight,
    /// `[[0,0,0],[0,1,0],[0,0,0]]`: copies the input.
    Identity,
    /// The mean of a 3x3 window.
    Box3,
    /// The mean of a 5x5 window.
    Box5,
    /// The mean of a 7x7 window.
    Box7,
    /// Binomial Gaussian, 3x3 (the same weights as Blur).
    Gaussian3,
    /// Binomial Gaussian, 5x5: `[1,4,6,4,1]` outer itself, over 256.
    Gaussian5,
    /// Binomial Gaussian, 7x7: `[1,6,15,20,15,6,1]` outer itself, over 4096.
    Gaussian7,
    /// `[[-2,-1,0],[-1,1,1],[0,1,2]]`: a relief lit from the top left.
    Emboss,
    /// `[[0,-1,0],[-1,4,-1],[0,-1,0]]`: the 4-neighbour Laplacian, a thinner outline than
    /// Edges.
    Outline,
    /// `[[1,0,1],[0,1,0],[1,0,1]]`: the kernel of the lecture's worked 5x5 example.
    LectureExample,
}

/// The lecture's edge detector.
#[rustfmt::skip]
pub const EDGES_3X3: [[f32; 3]; 3] = [
    [-1.0, -1.0, -1.0],
    [-1.0,  8.0, -1.0],
    [-1.0, -1.0, -1.0],
];

/// The lecture's blur before its `1/16` scale.
#[rustfmt::skip]
pub const BLUR_3X3_TIMES_16: [[f32; 3]; 3] = [
    [1.0, 2.0, 1.0],
    [2.0, 4.0, 2.0],
    [1.0, 2.0, 1.0],
];

/// The lecture's sharpen kernel.
#[rustfmt::skip]
pub const SHARPEN_3X3: [[f32; 3]; 3] = [
    [ 0.0, -1.0,  0.0],
    [-1.0,  5.0, -1.0],
    [ 0.0, -1.0,  0.0],
];

/// The lecture's top Sobel kernel.
#[rustfmt::skip]
pub const SOBEL_TOP_3X3: [[f32; 3]; 3] = [
    [ 1.0,  2.0,  1.0],
    [ 0.0,  0.0,  0.0],
    [-1.0, -2.0, -1.0],
];

/// The lecture's left Sobel kernel.
#[rustfmt::skip]
pub const SOBEL_LEFT_3X3: [[f32; 3]; 3] = [
    [1.0, 0.0, -1.0],
    [2.0, 0.0, -2.0],
    [1.0, 0.0, -1.0],
];

/// Emboss: a relief lit from the top left.
#[rustfmt::skip]
pub const EMBOSS_3X3: [[f32; 3]; 3] = [
    [-2.0, -1.0, 0.0],
    [-1.0,  1.0, 1.0],
    [ 0.0,  1.0, 2.0],
];

/// The 4-neighbour Laplacian.
#[rustfmt::skip]
pub const OUTLINE_3X3: [[f32; 3]; 3] = [
    [ 0.0, -1.0,  0.0],
    [-1.0,  4.0, -1.0],
    [ 0.0, -1.0,  0.0],
];

/// The kernel of the lecture's worked example on a 5x5 binary image.
#[rustfmt::skip]
pub const LECTURE_EXAMPLE_3X3: [[f32; 3]; 3] = [
    [1.0, 0.0, 1.0],
    [0.0, 1.0, 0.0],
    [1.0, 0.0, 1.0],
];

impl Preset {
    /// The lecture's eight, in the order of its demo (the first eight of [`Preset::ALL`]).
    pub const LECTURE: &'static [Preset] = Preset::ALL.as_slice().split_at(8).0;

    /// Every preset, in the order the demo lists them.
    pub const ALL: [Preset; 17] = [
        Preset::Edges,
        Preset::Blur,
        Preset::Sharpen,
        Preset::SobelTop,
        Preset::SobelBottom,
        Preset::SobelLeft,
        Preset::SobelRight,
        Preset::Identity,
        Preset::Box3,
        Preset::Box5,
        Preset::Box7,
        Preset::Gaussian3,
        Preset::Gaussian5,
        Preset::Gaussian7,
        Preset::Emboss,
        Preset::Outline,
        Preset::LectureExample,
    ];

    /// The name used in URLs (`kernel=sobel-left`).
    pub fn slug(self) -> &'static str {
        match self {
            Preset::Edges => "edges",
            Preset::Blur => "blur",
            Preset::Sharpen => "sharpen",
            Preset::SobelTop => "sobel-top",
            Preset::SobelBottom => "sobel-bottom",
            Preset::SobelLeft => "sobel-left",
            Preset::SobelRight => "sobel-right",
            Preset::Identity => "identity",
            Preset::Box3 => "box-3",
            Preset::Box5 => "box-5",
            Preset::Box7 => "box-7",
            Preset::Gaussian3 => "gaussian-3",
            Preset::Gaussian5 => "gaussian-5",
            Preset::Gaussian7 => "gaussian-7",
            Preset::Emboss => "emboss",
            Preset::Outline => "outline",
            Preset::LectureExample => "lecture-example",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Edges => "Edges",
            Preset::Blur => "Blur",
            Preset::Sharpen => "Sharpen",
            Preset::SobelTop => "Top Sobel",
            Preset::SobelBottom => "Bottom Sobel",
            Preset::SobelLeft => "Left Sobel",
            Preset::SobelRight => "Right Sobel",
            Preset::Identity => "Identity",
            Preset::Box3 => "Box blur 3x3",
            Preset::Box5 => "Box blur 5x5",
            Preset::Box7 => "Box blur 7x7",
            Preset::Gaussian3 => "Gaussian blur 3x3",
            Preset::Gaussian5 => "Gaussian blur 5x5",
            Preset::Gaussian7 => "Gaussian blur 7x7",
            Preset::Emboss => "Emboss",
            Preset::Outline => "Outline",
            Preset::LectureExample => "Lecture example",
        }
    }

    /// The preset with this URL name.
    ///
    /// # Errors
    /// An unknown name; the message lists the known ones.
    pub fn from_slug(slug: &str) -> Result<Self> {
        Preset::ALL
            .into_iter()
            .find(|p| p.slug() == slug)
            .ok_or_else(|| Error::Unknown {
                what: crate::error::Named::Kernel,
                name: crate::error::shorten(slug),
            })
    }

    /// The presets of the same family in other sizes (box and Gaussian blurs), smallest
    /// first; a preset without sizes is its own only member.
    pub fn sizes(self) -> &'static [Preset] {
        match self {
            Preset::Box3 | Preset::Box5 | Preset::Box7 => {
                &[Preset::Box3, Preset::Box5, Preset::Box7]
            }
            Preset::Gaussian3 | Preset::Gaussian5 | Preset::Gaussian7 => {
                &[Preset::Gaussian3, Preset::Gaussian5, Preset::Gaussian7]
            }
            Preset::Edges => &[Preset::Edges],
            Preset::Blur => &[Preset::Blur],
            Preset::Sharpen => &[Preset::Sharpen],
            Preset::SobelTop => &[Preset::SobelTop],
            Preset::SobelBottom => &[Preset::SobelBottom],
            Preset::SobelLeft => &[Preset::SobelLeft],
            Preset::SobelRight => &[Preset::SobelRight],
            Preset::Identity => &[Preset::Identity],
            Preset::Emboss => &[Preset::Emboss],
            Preset::Outline => &[Preset::Outline],
            Preset::LectureExample => &[Preset::LectureExample],
        }
    }

    /// The kernel's weights.
    pub fn kernel(self) -> Kernel {
        let flip_rows = |rows: [[f32; 3]; 3]| [rows[2], rows[1], rows[0]];
        let flip_columns = |rows: [[f32; 3]; 3]| rows.map(|[a, b, c]| [c, b, a]);
        let built = match self {
            Preset::Edges => return Kernel::scaled(EDGES_3X3, 1.0),
            Preset::Blur | Preset::Gaussian3 => {
                return Kernel::scaled(BLUR_3X3_TIMES_16, 1.0 / 16.0)
            }
            Preset::Sharpen => return Kernel::scaled(SHARPEN_3X3, 1.0),
            Preset::SobelTop => return Kernel::scaled(SOBEL_TOP_3X3, 1.0),
            Preset::SobelBottom => return Kernel::scaled(flip_rows(SOBEL_TOP_3X3), 1.0),
            Preset::SobelLeft => return Kernel::scaled(SOBEL_LEFT_3X3, 1.0),
            Preset::SobelRight => return Kernel::scaled(flip_columns(SOBEL_LEFT_3X3), 1.0),
            Preset::Emboss => return Kernel::scaled(EMBOSS_3X3, 1.0),
            Preset::Outline => return Kernel::scaled(OUTLINE_3X3, 1.0),
            Preset::LectureExample => return Kernel::scaled(LECTURE_EXAMPLE_3X3, 1.0),
            Preset::Identity => Kernel::identity(3, 3),
            Preset::Box3 => Kernel::box_blur(3),
            Preset::Box5 => Kernel::box_blur(5),
            Preset::Box7 => Kernel::box_blur(7),
            Preset::Gaussian5 => Kernel::gaussian(5),
            Preset::Gaussian7 => Kernel::gaussian(7),
        };
        // The sizes above are constants within MAX_KERNEL_SIDE, so this cannot fail;
        // an identity kernel stands in rather than a panic.
        built.unwrap_or_else(|_| Kernel::scaled([[1.0]], 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn lecture_presets_are_exact() {
        let rows = |p: Preset| p.kernel().rows();
        assert_eq!(rows(Preset::Edges), [[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]]);
        assert_eq!(rows(Preset::Blur), [[1.0 / 16.0, 2.0 / 16.0, 1.0 / 16.0],
                                        [2.0 / 16.0, 4.0 / 16.0, 2.0 / 16.0],
                                        [1.0 / 16.0, 2.0 / 16.0, 1.0 / 16.0]]);
        assert_eq!(rows(Preset::Sharpen), [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]);
        assert_eq!(rows(Preset::SobelTop), [[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]);
        assert_eq!(rows(Preset::SobelBottom), [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]);
        assert_eq!(rows(Preset::SobelLeft), [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]);
        assert_eq!(rows(Preset::SobelRight), [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]);
        assert_eq!(rows(Preset::Identity), [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]);
        assert_eq!(rows(Preset::LectureExample), [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]);
    }

    #[test]
    fn blurs_sum_to_one_and_edges_to_zero() {
        for preset in [
            Preset::Box3,
            Preset::Box5,
            Preset::Box7,
            Preset::Gaussian3,
            Preset::Gaussian5,
            Preset::Gaussian7,
            Preset::Blur,
        ] {
            assert!((preset.kernel().sum() - 1.0).abs() < 1e-6, "{preset:?}");
        }
        for preset in [
            Preset::Edges,
            Preset::SobelTop,
            Preset::SobelLeft,
            Preset::Outline,
        ] {
            assert_eq!(preset.kernel().sum(), 0.0, "{preset:?}");
        }
        assert_eq!(Preset::Gaussian5.kernel().get(2, 2), Some(36.0 / 256.0));
        assert_eq!(Preset::Gaussian7.kernel().get(0, 0), Some(1.0 / 4096.0));
    }

    #[test]
    fn slugs_round_trip_and_unknown_names_are_listed() {
        for preset in Preset::ALL {
            assert_eq!(Preset::from_slug(preset.slug()), Ok(preset));
            assert!(preset.sizes().contains(&preset));
        }
        let message = Preset::from_slug("sobel").unwrap_err().to_string();
        assert!(
            message.contains("'sobel'") && message.contains("sobel-left"),
            "{message}"
        );
    }

    #[test]
    fn parse_reads_url_weights_and_display_writes_them() {
        let kernel = Kernel::parse("1, 0 ,1;0,1/2,0").unwrap();
        assert_eq!(kernel.rows(), [[1.0, 0.0, 1.0], [0.0, 0.5, 0.0]]);
        assert_eq!(kernel.to_string(), "1,0,1;0,0.5,0");
        for preset in Preset::ALL {
            assert_eq!(
                Kernel::parse(&preset.kernel().to_string()),
                Ok(preset.kernel())
            );
        }
    }

    #[test]
    fn bad_weights_are_explained() {
        let message = |text: &str| Kernel::parse(text).unwrap_err().to_string();
        assert_eq!(
            message("1,x"),
            "the kernel cell at row 1, column 2 (x) is not a number"
        );
        assert_eq!(
            message("1,;2,3"),
            "the kernel cell at row 1, column 2 (empty) is not a number"
        );
        assert!(message("1,NaN").contains("row 1, column 2 is NaN"));
        assert!(message("inf").contains("is inf"));
        assert!(message("1e39").contains("finite"));
        assert_eq!(
            message("0;1e38"),
            "the kernel weight at row 2, column 1 is 1e38: weights must lie between -1000000 \
             and 1000000"
        );
        assert!(message("1/0").contains("finite"));
        assert!(message("1,2;3").contains("same length"));
        let mut kernel = Preset::Edges.kernel();
        assert!(kernel.set(1, 1, f32::NAN).is_err());
        assert!(kernel.set(3, 0, 1.0).is_err());
        assert_eq!(kernel, Preset::Edges.kernel());
        assert!(Kernel::new(0, 3, vec![]).is_err());
        assert!(Kernel::new(65, 1, vec![0.0; 65]).is_err());
        assert!(Kernel::new(2, 2, vec![0.0; 3]).is_err());
    }

    #[test]
    fn identity_of_even_size_is_top_left_of_centre() {
        assert_eq!(
            Kernel::identity(2, 4).unwrap().rows(),
            [[0.0, 1.0, 0.0, 0.0], [0.0; 4]]
        );
    }
}
