//! The one error type of the crate, with messages written for a student.

use std::fmt;

/// Everything that can go wrong in this crate.
///
/// Every public function returns `Result<_, Error>` instead of panicking; the
/// [`Display`](fmt::Display) text is meant to be shown to a student as it is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A size, stride, dilation or channel count that must be positive is zero.
    Zero {
        /// What it is, in words ("stride", "kernel height", ...).
        what: &'static str,
    },
    /// A buffer does not hold as many values as its shape says.
    DataLength {
        /// What the buffer is.
        what: &'static str,
        /// How many values the shape needs.
        expected: usize,
        /// How many were given.
        actual: usize,
    },
    /// A weight or value is NaN or infinite.
    NotFinite {
        /// What holds it ("kernel weight", "bias", ...).
        what: &'static str,
        /// Its position, in words ("row 2, column 3").
        position: String,
        /// The value itself.
        value: f32,
    },
    /// The (dilated) window does not fit into the padded input once.
    EmptyOutput {
        /// Which operation ("kernel", "pooling window").
        window: &'static str,
        /// Window size along each axis (height, width; one axis in 1D).
        size: Vec<usize>,
        /// Dilation along each axis.
        dilation: Vec<usize>,
        /// Padded input size along each axis.
        padded: Vec<usize>,
    },
    /// Two shapes that must agree do not.
    ShapeMismatch {
        /// A sentence saying what disagrees, with the numbers.
        message: String,
    },
    /// Channels cannot be split into the requested number of groups.
    Groups {
        /// What is being split ("input channels", "output channels").
        what: &'static str,
        /// The number of channels.
        channels: usize,
        /// The number of groups.
        groups: usize,
    },
    /// Padding is too large for the chosen mode.
    PaddingTooLarge {
        /// A sentence saying which limit is broken, with the numbers.
        message: String,
    },
    /// `padding = same` was asked with a stride other than 1 (PyTorch refuses it too).
    SameNeedsStrideOne {
        /// Stride along height and width.
        stride: (usize, usize),
    },
    /// A size is beyond what this crate agrees to compute.
    TooLarge {
        /// What is too large, with its size.
        what: String,
        /// The limit, in the same unit.
        limit: usize,
    },
    /// A cell index is outside the map it is meant to point into.
    OutOfRange {
        /// A sentence with the index and the valid range.
        message: String,
    },
    /// Text that should describe a kernel, preset or option could not be read.
    Parse {
        /// A sentence saying what was expected.
        message: String,
    },
    /// A transposed convolution's `output_padding` is not smaller than its stride or its
    /// dilation (PyTorch's rule: the extra rows must fall inside one step).
    OutputPadding {
        /// The output padding, `(along height, along width)`.
        output_padding: (usize, usize),
        /// The stride, `(along height, along width)`.
        stride: (usize, usize),
        /// The dilation, `(along height, along width)`.
        dilation: (usize, usize),
    },
    /// A transposed convolution's padding crops away its whole output.
    CroppedAway {
        /// The output size before cropping, `(height, width)`:
        /// `(H - 1) s + d (k - 1) + output_padding + 1`.
        uncropped: (usize, usize),
        /// Rows and columns the padding removes, `(top + bottom, left + right)`.
        cropped: (usize, usize),
    },
    /// A number of channels is not the one the other operand needs.
    Channels {
        /// Whose channels ("weight's input channels", ...).
        what: &'static str,
        /// The number needed.
        expected: usize,
        /// The number given.
        actual: usize,
    },
    /// A tensor does not have the shape the operation needs (`N x C x H x W`).
    WrongShape {
        /// Which tensor ("gradient of the output", ...).
        what: &'static str,
        /// The shape needed.
        expected: [usize; 4],
        /// The shape given.
        actual: [usize; 4],
    },
    /// A pooling window whose taps all fall on padding (possible only with dilation).
    WindowInPadding {
        /// The axis, `"height"` or `"width"`.
        along: &'static str,
        /// The pooled row (for height) or column (for width), from 0.
        cell: usize,
    },
    /// An index (as max pooling returns them) points outside its plane.
    IndexOutOfPlane {
        /// The index, flat in its `height x width` plane.
        index: usize,
        /// The plane's `(height, width)`.
        plane: (usize, usize),
    },
}

/// Shorthand for `Result<T, convlens_core::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Zero { what } => write!(f, "the {what} must be at least 1"),
            Error::DataLength {
                what,
                expected,
                actual,
            } => write!(f, "the {what} needs {expected} values but has {actual}"),
            Error::NotFinite {
                what,
                position,
                value,
            } => write!(
                f,
                "the {what} at {position} is {value}: every value must be a finite number"
            ),
            Error::EmptyOutput {
                window,
                size,
                dilation,
                padded,
            } => {
                let by = |values: &mut dyn Iterator<Item = usize>| {
                    values.map(|v| v.to_string()).collect::<Vec<_>>().join("x")
                };
                write!(
                    f,
                    "the effective {window} ({}",
                    by(&mut size.iter().copied())
                )?;
                if dilation.iter().any(|&d| d != 1) {
                    let first = dilation.first().copied().unwrap_or(1);
                    if dilation.iter().all(|&d| d == first) {
                        write!(f, " at dilation {first}")?;
                    } else {
                        write!(f, " at dilation {}", by(&mut dilation.iter().copied()))?;
                    }
                    let covers = size
                        .iter()
                        .zip(dilation)
                        .map(|(&k, &d)| d.saturating_mul(k.saturating_sub(1)).saturating_add(1));
                    write!(f, " covers {}", by(&mut covers.into_iter()))?;
                }
                write!(
                    f,
                    ") is larger than the padded input ({}): the output would be empty",
                    by(&mut padded.iter().copied())
                )
            }
            Error::ShapeMismatch { message }
            | Error::PaddingTooLarge { message }
            | Error::OutOfRange { message }
            | Error::Parse { message } => f.write_str(message),
            Error::Groups {
                what,
                channels,
                groups,
            } => write!(
                f,
                "{channels} {what} cannot be split into {groups} equal groups: \
                 the number of {what} must be a multiple of groups"
            ),
            Error::SameNeedsStrideOne { stride } => write!(
                f,
                "padding 'same' keeps the size only at stride 1 (here {}x{}); \
                 PyTorch refuses it too: choose a number instead",
                stride.0, stride.1
            ),
            Error::TooLarge { what, limit } => {
                write!(f, "{what} is too large: the limit is {limit}")
            }
            Error::OutputPadding {
                output_padding,
                stride,
                dilation,
            } => write!(
                f,
                "the output padding ({}x{}) must be smaller than the stride ({}x{}) or the \
                 dilation ({}x{}) along each axis",
                output_padding.0, output_padding.1, stride.0, stride.1, dilation.0, dilation.1
            ),
            Error::CroppedAway { uncropped, cropped } => write!(
                f,
                "the padding removes {} rows and {} columns of a {}x{} output: nothing would \
                 be left",
                cropped.0, cropped.1, uncropped.0, uncropped.1
            ),
            Error::Channels {
                what,
                expected,
                actual,
            } => write!(f, "the {what} must be {expected}, not {actual}"),
            Error::WrongShape {
                what,
                expected,
                actual,
            } => {
                let by = |s: &[usize; 4]| s.map(|v| v.to_string()).join("x");
                write!(
                    f,
                    "the {what} must have shape {} (N x C x H x W), not {}",
                    by(expected),
                    by(actual)
                )
            }
            Error::WindowInPadding { along, cell } => write!(
                f,
                "pooled {} {} would take only padding: its dilated window steps over the \
                 whole input",
                if *along == "height" { "row" } else { "column" },
                cell + 1
            ),
            Error::IndexOutOfPlane { index, plane } => write!(
                f,
                "index {index} is outside its {}x{} plane (indices run from 0 to {})",
                plane.0,
                plane.1,
                (plane.0 * plane.1).saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Fails with [`Error::Zero`] when `value` is zero.
pub(crate) fn positive(value: usize, what: &'static str) -> Result<usize> {
    if value == 0 {
        Err(Error::Zero { what })
    } else {
        Ok(value)
    }
}

/// Checks every value is finite; `position` names the index for the message.
pub(crate) fn all_finite(
    values: &[f32],
    what: &'static str,
    position: impl Fn(usize) -> String,
) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NotFinite {
            what,
            position: position(index),
            value: values[index],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_output_message_reads_like_the_issue() {
        let error = Error::EmptyOutput {
            window: "kernel",
            size: vec![7, 7],
            dilation: vec![2, 2],
            padded: vec![10, 10],
        };
        assert_eq!(
            error.to_string(),
            "the effective kernel (7x7 at dilation 2 covers 13x13) is larger than the \
             padded input (10x10): the output would be empty"
        );
    }
}
