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
    /// A layer that slides a window over a map (or normalises one) gets a flat vector.
    NeedsImage {
        /// The layer's number, counting from 1 after the input.
        layer: usize,
        /// The layer as PyTorch writes it.
        pytorch: String,
    },
    /// The inputs of a merge (add, concatenate, scale) do not fit together.
    MergeShapes {
        /// The merge's layer number, counting from 1 after the input.
        layer: usize,
        /// Which merge.
        merge: crate::graph::Merge,
        /// The first input's shape, `(channels, height, width)`.
        first: (usize, usize, usize),
        /// The shape of the input that does not fit.
        other: (usize, usize, usize),
    },
    /// A merge joins paths whose cells step over the input by different jumps, so no one
    /// receptive field describes its cells.
    UnalignedMerge {
        /// The merge's layer number, counting from 1 after the input.
        layer: usize,
        /// The two jumps, in input pixels.
        jumps: (u64, u64),
    },
    /// A layer of a graph is given too few or too many inputs.
    Wiring {
        /// The layer's number, counting from 1 after the input (0 is the input).
        layer: usize,
        /// How many inputs it was given.
        given: usize,
        /// The fewest and the most it takes.
        takes: (usize, usize),
    },
    /// A layer of a graph reads a layer that is not before it.
    LaterInput {
        /// The layer's number, counting from 1 after the input.
        layer: usize,
        /// The number of the layer it reads.
        input: usize,
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
            Error::NeedsImage { layer, pytorch } => {
                write!(
                    f,
                    "layer {layer} ({pytorch}) needs an image, but gets a flat vector"
                )
            }
            Error::MergeShapes {
                layer,
                merge,
                first,
                other,
            } => {
                let shape = |(c, h, w): (usize, usize, usize)| format!("{c}×{h}×{w}");
                write!(
                    f,
                    "layer {layer} ({}) cannot join a {} map with a {} map: {}",
                    merge.pytorch(),
                    shape(*first),
                    shape(*other),
                    merge.rule()
                )
            }
            Error::UnalignedMerge { layer, jumps } => write!(
                f,
                "layer {layer} joins paths whose cells are {} and {} input pixels apart: \
                 no one receptive field describes its cells",
                jumps.0, jumps.1
            ),
            Error::Wiring {
                layer,
                given,
                takes,
            } => {
                let inputs = |n: usize| if n == 1 { "input" } else { "inputs" };
                match takes {
                    (low, high) if low == high => {
                        write!(f, "layer {layer} takes {low} {}, not {given}", inputs(*low))
                    }
                    (low, usize::MAX) => write!(
                        f,
                        "layer {layer} takes at least {low} {}, not {given}",
                        inputs(*low)
                    ),
                    (low, high) => {
                        write!(f, "layer {layer} takes {low} to {high} inputs, not {given}")
                    }
                }
            }
            Error::LaterInput { layer, input } => write!(
                f,
                "layer {layer} reads layer {input}, which does not come before it"
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
