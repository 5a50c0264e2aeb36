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
    /// A class label that is not one of the classes.
    Label {
        /// The example, counted from 0.
        index: usize,
        /// Its label.
        label: usize,
        /// The number of classes (labels are `0..classes`).
        classes: usize,
    },
    /// A training setting (learning rate, batch size, ...) outside its range.
    Setting {
        /// Which setting ("learning rate", "batch size", "momentum", ...).
        what: &'static str,
        /// The value given.
        value: f64,
        /// The smallest value allowed.
        low: f64,
        /// The largest value allowed.
        high: f64,
    },
    /// A stack to be trained whose input is not the size of the training images.
    TrainingInput {
        /// The images' `(channels, height, width)`.
        expected: (usize, usize, usize),
        /// The stack's input.
        actual: (usize, usize, usize),
    },
    /// A stack to be trained whose last layer does not give one score per class.
    TrainingOutput {
        /// The number of classes.
        classes: usize,
        /// The last layer's output `(channels, height, width)`.
        actual: (usize, usize, usize),
    },
    /// The training loss or a weight became NaN or infinite: the run cannot go on.
    Diverged {
        /// The optimizer step at which it happened, from 1.
        step: u64,
        /// The loss.
        loss: f32,
    },
    /// A learned weight, given to a network, that is NaN or infinite.
    WeightNotFinite {
        /// Its place in the list of weights, from 0.
        index: usize,
        /// The value.
        value: f32,
    },
    /// An image index past the last image of a data set.
    DigitIndex {
        /// The index, from 0.
        index: usize,
        /// The number of images.
        count: usize,
    },
    /// A digits file (the training images) that cannot be read.
    Digits {
        /// What is wrong with it.
        problem: crate::nn::digits::DigitsProblem,
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
            Error::Label {
                index,
                label,
                classes,
            } => write!(
                f,
                "example {} has the label {label}, but the classes are 0 to {}",
                index + 1,
                classes.saturating_sub(1)
            ),
            Error::Setting {
                what,
                value,
                low,
                high,
            } => write!(f, "the {what} must be from {low} to {high}, not {value}"),
            Error::TrainingInput { expected, actual } => write!(
                f,
                "the training images are {}x{}x{}: the stack must start with input({},{},{}), \
                 not input({},{},{})",
                expected.0,
                expected.1,
                expected.2,
                expected.0,
                expected.1,
                expected.2,
                actual.0,
                actual.1,
                actual.2
            ),
            Error::TrainingOutput { classes, actual } => write!(
                f,
                "the last layer must give {classes} scores, one per class, but gives \
                 {}x{}x{}: end the stack with linear({classes})",
                actual.0, actual.1, actual.2
            ),
            Error::Diverged { step, loss } => write!(
                f,
                "the loss became {loss} at step {step}: the learning rate is too large for \
                 this network; lower it and start again"
            ),
            Error::WeightNotFinite { index, value } => write!(
                f,
                "weight number {} is {value}: every weight must be a finite number",
                index + 1
            ),
            Error::DigitIndex { index, count } => {
                write!(f, "there is no image {}: the set has {count}", index + 1)
            }
            Error::Digits { problem } => write!(f, "the digits file {problem}"),
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
