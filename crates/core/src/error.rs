//! The one error type of the crate: structured, so that a page can say each failure in
//! its own language, with an English [`Display`](fmt::Display) for the command line.

use std::fmt;

use crate::geometry::PaddingMode;

/// Everything that can go wrong in this crate.
///
/// Every public function returns `Result<_, Error>` instead of panicking. Each variant
/// carries its numbers (and, where the failure quotes what was typed, that text), never a
/// ready-made sentence: the [`Display`](fmt::Display) text is the English one, written
/// for a student, and a page renders each variant in each of its languages.
///
/// Conventions: `what` fields name a quantity in a few lower-case English words
/// (`"stride"`, `"kernel height"`), a closed vocabulary a page can translate word for
/// word. Positions in written text ([`Position`]) count rows and columns from 1, as a
/// person reads them; cells of maps (`cell`) count from 0, as PyTorch indexes them.
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
        /// Where it is.
        at: Position,
        /// The value itself.
        value: f32,
    },
    /// A weight is finite but beyond the magnitude this crate accepts.
    WeightTooLarge {
        /// What holds it ("kernel weight", "grid value", ...).
        what: &'static str,
        /// Where it is.
        at: Position,
        /// The value itself.
        value: f32,
        /// The largest magnitude allowed.
        limit: f32,
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
    /// Channels cannot be split into the requested number of groups.
    Groups {
        /// What is being split ("input channels", "output channels").
        what: &'static str,
        /// The number of channels.
        channels: usize,
        /// The number of groups.
        groups: usize,
    },
    /// The filters do not have one kernel per input channel of their group.
    FilterChannels {
        /// The input's channels.
        input_channels: usize,
        /// The number of groups.
        groups: usize,
        /// The kernels each filter has.
        filter_channels: usize,
    },
    /// Padding is too large for a reflecting or circular padding mode.
    PaddingTooLarge {
        /// The padding mode (reflect needs `padding < size`, circular `padding <= size`).
        mode: PaddingMode,
        /// The padding, in pixels.
        padding: usize,
        /// The input's size along that axis, in pixels.
        size: usize,
    },
    /// Pooling padding of more than half the window (PyTorch refuses it too).
    PoolPaddingTooLarge {
        /// The padding, in pixels.
        padding: usize,
        /// The window's side along that axis.
        window: usize,
    },
    /// Mean pooling with a dilation (PyTorch's `AvgPool2d` takes none).
    MeanPoolDilation {
        /// The dilation asked for, height and width.
        dilation: (usize, usize),
    },
    /// `padding = same` was asked with a stride other than 1 (PyTorch refuses it too).
    SameNeedsStrideOne {
        /// Stride along height and width.
        stride: (usize, usize),
    },
    /// A tensor that is not one image of 1 or 3 channels was to be drawn.
    NotDrawable {
        /// Its batch size.
        batch: usize,
        /// Its channels.
        channels: usize,
    },
    /// Rows of numbers of different lengths.
    RaggedRows {
        /// What the rows make ("kernel", "grid", ...).
        what: &'static str,
        /// The length of the first row.
        first: usize,
        /// The first row of another length (counted from 1).
        row: usize,
        /// Its length.
        length: usize,
    },
    /// A size is beyond what this crate agrees to compute.
    TooLarge {
        /// What is too large ("kernel height", "number of layers", ...).
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit, in the same unit.
        limit: usize,
    },
    /// A tensor of more values than this crate agrees to hold.
    TensorTooLarge {
        /// Its shape: batch, channels, height, width.
        shape: [usize; 4],
        /// The most values a tensor may hold.
        limit: usize,
    },
    /// A count or size that does not fit in a machine number.
    Overflow {
        /// What overflows ("padded input", "receptive field", "count", ...).
        what: &'static str,
    },
    /// A cell index is outside the map it is meant to point into.
    CellOutside {
        /// The map ("kernel", "pooled map", "map").
        what: &'static str,
        /// The map's height and width.
        size: (usize, usize),
        /// The cell asked for, `(row, column)` from 0.
        cell: (usize, usize),
    },
    /// A layer index beyond the stack.
    NoLayer {
        /// The stack's number of layers.
        layers: usize,
        /// The layer asked for, from 0.
        layer: usize,
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
    /// The face detector's weights file that cannot be read.
    Weights {
        /// What is wrong with it.
        problem: crate::detect::WeightsProblem,
    },
    /// A cell index outside a layer's output.
    LayerCellOutside {
        /// The layer, from 0.
        layer: usize,
        /// Its output's height and width.
        size: (usize, usize),
        /// The cell asked for, `(row, column)` from 0.
        cell: (usize, usize),
    },
    /// A channel index beyond a tensor's channels.
    NoChannel {
        /// The tensor's channels.
        channels: usize,
        /// The channel asked for, from 0.
        channel: usize,
    },
    /// A 1x1 kernel asked to grow a receptive field.
    NoGrowth {
        /// The kernel's side.
        kernel: usize,
    },
    /// A name that is not one of the known ones.
    Unknown {
        /// What kind of name it is.
        what: Named,
        /// The name given (shortened).
        name: String,
    },
    /// A cell of written numbers that is not a number.
    NotANumber {
        /// What the numbers make ("kernel", "grid", ...).
        what: &'static str,
        /// Where the cell is.
        at: Position,
        /// The text in it (shortened; empty for an empty cell).
        text: String,
    },
    /// A written layer of a stack that cannot be read.
    LayerSyntax {
        /// The layer, from 0.
        layer: usize,
        /// Its text (shortened).
        text: String,
        /// What is wrong with it.
        problem: LayerProblem,
    },
    /// A layer that needs an image placed after one that makes a flat vector.
    FlatIntoImage {
        /// The layer, from 0.
        layer: usize,
        /// The layer as PyTorch writes it.
        pytorch: String,
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
    /// A transposed convolution's weight (`C_in x C_out/groups x K_h x K_w`) whose first
    /// dimension is not the input's channels.
    TransposedWeightChannels {
        /// The input's channels.
        input_channels: usize,
        /// The weight's first dimension.
        weight_channels: usize,
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
    /// LP pooling with a dilation (PyTorch's `LPPool2d` takes none).
    LpPoolDilation {
        /// The dilation asked for, height and width.
        dilation: (usize, usize),
    },
    /// LP pooling's power is not a finite number above zero.
    LpPower {
        /// The power given.
        p: f32,
    },
    /// The size asked of `nn.MaxUnpool2d` is not within one stride of the size its
    /// settings give (PyTorch's rule: only the rows a stride skipped may differ).
    UnpoolSize {
        /// The size asked, `(height, width)`.
        asked: (usize, usize),
        /// The size the settings give, `(H - 1) s - (top + bottom) + k` along each axis.
        default: (usize, usize),
        /// The stride.
        stride: (usize, usize),
    },
    /// A `divisor_override` with a pooling function other than the mean (only
    /// `nn.AvgPool2d` takes one).
    DivisorNotMean {
        /// The divisor asked for.
        divisor: usize,
    },
    /// An index (as max pooling returns them) points outside its plane.
    IndexOutOfPlane {
        /// The index, flat in its `height x width` plane.
        index: usize,
        /// The plane's `(height, width)`.
        plane: (usize, usize),
    },
    /// The inputs of a merge (add, concatenate, scale) of a graph do not fit together.
    MergeShapes {
        /// The merge's layer, from 0 (the input is not a layer).
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
        /// The merge's layer, from 0 (the input is not a layer).
        layer: usize,
        /// The two jumps, in input pixels.
        jumps: (u64, u64),
    },
    /// A layer of a graph is given too few or too many inputs.
    Wiring {
        /// The layer, from 0 (the input is not a layer).
        layer: usize,
        /// How many inputs it was given.
        given: usize,
        /// The fewest and the most it takes (`usize::MAX`: no limit).
        takes: (usize, usize),
    },
    /// A layer of a graph reads a layer that does not come before it.
    LaterInput {
        /// The layer, from 0 (the input is not a layer).
        layer: usize,
        /// The layer it reads, from 0.
        input: usize,
    },
}

/// Where a value sits in what was written or built: rows, columns, filters and channels
/// counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Position {
    /// A cell of a grid of numbers.
    Cell {
        /// Row, from 1.
        row: usize,
        /// Column, from 1.
        column: usize,
    },
    /// A weight of a filter bank.
    Filter {
        /// Filter (output channel), from 1.
        filter: usize,
        /// Input channel, from 1.
        channel: usize,
        /// Row, from 1.
        row: usize,
        /// Column, from 1.
        column: usize,
    },
    /// One value per output channel (a bias).
    OutputChannel {
        /// Output channel, from 1.
        channel: usize,
    },
    /// A weight of a transposed convolution (`C_in x C_out/groups x K_h x K_w`).
    TransposedWeight {
        /// Input channel (whose stamp it is), from 1.
        input_channel: usize,
        /// Output channel within the group, from 1.
        output_channel: usize,
        /// Row, from 1.
        row: usize,
        /// Column, from 1.
        column: usize,
    },
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Cell { row, column } => write!(f, "row {row}, column {column}"),
            Position::Filter {
                filter,
                channel,
                row,
                column,
            } => write!(
                f,
                "filter {filter}, channel {channel}, row {row}, column {column}"
            ),
            Position::OutputChannel { channel } => write!(f, "output channel {channel}"),
            Position::TransposedWeight {
                input_channel,
                output_channel,
                row,
                column,
            } => write!(
                f,
                "input channel {input_channel}, output channel {output_channel}, row {row}, \
                 column {column}"
            ),
        }
    }
}

/// The kinds of names [`Error::Unknown`] is about; each knows its valid names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Named {
    /// A kernel preset (`edges`, `blur`, ...).
    Kernel,
    /// A pooling function (`max`, `mean`, `min`).
    Pooling,
    /// A channel choice (`all`, `r`, `g`, `b`, `gray`).
    Channel,
    /// A display mapping (`clamp`, `abs`, `normalize`, `diverging`).
    Display,
    /// A padding mode (`zeros`, `reflect`, `replicate`, `circular`).
    PaddingMode,
}

impl Named {
    /// The valid names, in the order they are offered.
    pub fn known(self) -> Vec<&'static str> {
        match self {
            Named::Kernel => crate::Preset::ALL.map(crate::Preset::slug).to_vec(),
            Named::Pooling => crate::PoolFunction::ALL
                .map(crate::PoolFunction::name)
                .to_vec(),
            Named::Channel => crate::Channels::ALL.map(crate::Channels::name).to_vec(),
            Named::Display => crate::DisplayMapping::ALL
                .map(crate::DisplayMapping::name)
                .to_vec(),
            Named::PaddingMode => PaddingMode::ALL.map(PaddingMode::name).to_vec(),
        }
    }
}

/// What is wrong with a written layer ([`Error::LayerSyntax`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayerProblem {
    /// `conv(1,3` without its `)`.
    MissingParenthesis,
    /// An argument that is not a whole number (its text, shortened).
    NotWhole {
        /// The argument as written.
        text: String,
    },
    /// A number outside `1..=high`.
    Range {
        /// What the number is ("number of filters", "stride", ...).
        what: &'static str,
        /// The largest allowed.
        high: usize,
        /// The number given.
        value: usize,
    },
    /// The wrong number of arguments.
    Arguments {
        /// The fewest allowed.
        low: usize,
        /// The most allowed.
        high: usize,
        /// The number given.
        count: usize,
    },
    /// Convolution padding beyond the limit.
    Padding {
        /// The padding given.
        padding: usize,
        /// The largest allowed.
        limit: usize,
    },
    /// A layer name that is not one of the known ones.
    UnknownLayer,
}

impl LayerProblem {
    /// The layer names a stack can be written with.
    pub const LAYER_NAMES: [&'static str; 9] = [
        "input", "conv", "relu", "max", "mean", "avgpool", "flatten", "linear", "add",
    ];
}

/// `(1, 28, 28)` as `1,28,28`, as the stack syntax writes an input.
pub fn commas((c, h, w): (usize, usize, usize)) -> String {
    format!("{c},{h},{w}")
}

/// Shorthand for `Result<T, convlens_core::Error>`.
pub type Result<T> = std::result::Result<T, Error>;

/// `a, b or c`.
fn or_list(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// `7x7`, `13x13`.
pub fn by(values: &[usize]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("x")
}

impl Error {
    /// For [`Error::EmptyOutput`]: the dilation as its text shows it (one number when all
    /// axes share it, `2x3` otherwise), or `None` without dilation.
    pub fn dilated(dilation: &[usize]) -> Option<String> {
        let first = dilation.first().copied().unwrap_or(1);
        if dilation.iter().all(|&d| d == 1) {
            None
        } else if dilation.iter().all(|&d| d == first) {
            Some(first.to_string())
        } else {
            Some(by(dilation))
        }
    }

    /// For [`Error::EmptyOutput`]: the window's span on the input along each axis,
    /// `d·(k − 1) + 1`.
    pub fn covers(size: &[usize], dilation: &[usize]) -> Vec<usize> {
        size.iter()
            .zip(dilation)
            .map(|(&k, &d)| d.saturating_mul(k.saturating_sub(1)).saturating_add(1))
            .collect()
    }
}

impl fmt::Display for LayerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerProblem::MissingParenthesis => f.write_str("a ')' is missing"),
            LayerProblem::NotWhole { text } => write!(f, "'{text}' is not a whole number"),
            LayerProblem::Range { what, high, value } => {
                write!(f, "the {what} must be from 1 to {high}, not {value}")
            }
            LayerProblem::Arguments { low, high, count } => {
                write!(f, "takes {low} to {high} numbers, not {count}")
            }
            LayerProblem::Padding { padding, limit } => {
                write!(f, "the padding must be at most {limit}, not {padding}")
            }
            LayerProblem::UnknownLayer => {
                write!(f, "use {}", or_list(&LayerProblem::LAYER_NAMES))
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Zero { what } => write!(f, "the {what} must be at least 1"),
            Error::DataLength {
                what,
                expected,
                actual,
            } => write!(f, "the {what} needs {expected} values but has {actual}"),
            Error::NotFinite { what, at, value } => write!(
                f,
                "the {what} at {at} is {value}: every value must be a finite number"
            ),
            Error::WeightTooLarge {
                what,
                at,
                value,
                limit,
            } => write!(
                f,
                "the {what} at {at} is {value:e}: weights must lie between -{limit} and {limit}"
            ),
            Error::EmptyOutput {
                window,
                size,
                dilation,
                padded,
            } => {
                write!(f, "the effective {window} ({}", by(size))?;
                if let Some(shown) = Error::dilated(dilation) {
                    write!(f, " at dilation {shown}")?;
                    write!(f, " covers {}", by(&Error::covers(size, dilation)))?;
                }
                write!(
                    f,
                    ") is larger than the padded input ({}): the output would be empty",
                    by(padded)
                )
            }
            Error::Groups {
                what,
                channels,
                groups,
            } => write!(
                f,
                "{channels} {what} cannot be split into {groups} equal groups: \
                 the number of {what} must be a multiple of groups"
            ),
            Error::FilterChannels {
                input_channels,
                groups,
                filter_channels,
            } => write!(
                f,
                "each filter must have one kernel per input channel of its group: the input \
                 has {input_channels} channels in {groups} group(s), so {} per filter, but \
                 the filters have {filter_channels}",
                input_channels / (*groups).max(1)
            ),
            Error::PaddingTooLarge {
                mode,
                padding,
                size,
            } => write!(
                f,
                "{} padding of {padding} pixels must be {} the input's size along that axis \
                 ({size} pixels)",
                mode.name(),
                if *mode == PaddingMode::Reflect {
                    "smaller than"
                } else {
                    "at most"
                }
            ),
            Error::PoolPaddingTooLarge { padding, window } => write!(
                f,
                "pooling padding of {padding} is more than half the window ({window}): a \
                 window could then hold only padding"
            ),
            Error::MeanPoolDilation { .. } => f.write_str(
                "mean pooling has no dilation (PyTorch's AvgPool2d takes none): set dilation to 1",
            ),
            Error::SameNeedsStrideOne { stride } => write!(
                f,
                "padding 'same' keeps the size only at stride 1 (the stride here is {}x{}); \
                 PyTorch refuses it too: choose a number instead",
                stride.0, stride.1
            ),
            Error::NotDrawable { batch, channels } => write!(
                f,
                "only one image of 1 or 3 channels can be drawn, not {batch}x{channels}"
            ),
            Error::RaggedRows {
                what,
                first,
                row,
                length,
            } => write!(
                f,
                "every row of the {what} must have the same length: row 1 has {first} values \
                 but row {row} has {length}"
            ),
            Error::TooLarge { what, size, limit } => {
                write!(f, "the {what} is {size}, more than the limit of {limit}")
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
                "the training images are {}: the stack must start with input({}), not \
                 input({})",
                by(&[expected.0, expected.1, expected.2]),
                commas(*expected),
                commas(*actual)
            ),
            Error::TrainingOutput { classes, actual } => write!(
                f,
                "the last layer must give {classes} scores, one per class, but gives {}: end \
                 the stack with linear({classes})",
                by(&[actual.0, actual.1, actual.2])
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
            Error::Weights { problem } => write!(f, "the face detector's weights file {problem}"),
            Error::TensorTooLarge { shape, limit } => write!(
                f,
                "a tensor of {} values is too large: the limit is {limit}",
                by(shape)
            ),
            Error::Overflow { what } => {
                write!(f, "the {what} is too large to count")
            }
            Error::CellOutside { what, size, cell } => write!(
                f,
                "the {what} is {}x{}; there is no cell at row {}, column {}",
                size.0, size.1, cell.0, cell.1
            ),
            Error::NoLayer { layers, layer } => write!(
                f,
                "the stack has {layers} layers; there is no layer {}",
                layer + 1
            ),
            Error::LayerCellOutside { layer, size, cell } => write!(
                f,
                "layer {} outputs {}x{} cells; there is no cell at row {}, column {}",
                layer + 1,
                size.0,
                size.1,
                cell.0,
                cell.1
            ),
            Error::NoChannel { channels, channel } => write!(
                f,
                "there are {channels} channels; there is no channel {}",
                channel + 1
            ),
            Error::NoGrowth { kernel } => write!(
                f,
                "a {kernel}x{kernel} kernel never grows the receptive field"
            ),
            Error::Unknown { what, name } => {
                let (kind, list) = match what {
                    Named::Kernel => ("kernel", "known kernels: "),
                    Named::Pooling => ("pooling", "use "),
                    Named::Channel => ("channel", "use "),
                    Named::Display => ("display", "use "),
                    Named::PaddingMode => ("padding mode", "use "),
                };
                let known = what.known();
                let known = if *what == Named::Kernel {
                    known.join(", ")
                } else {
                    or_list(&known)
                };
                write!(f, "there is no {kind} called '{name}'; {list}{known}")
            }
            Error::NotANumber { what, at, text } => {
                let text = if text.is_empty() { "empty" } else { text };
                write!(f, "the {what} cell at {at} ({text}) is not a number")
            }
            Error::LayerSyntax {
                layer,
                text,
                problem,
            } => write!(f, "layer {} ('{text}'): {problem}", layer + 1),
            Error::FlatIntoImage { layer, pytorch } => write!(
                f,
                "layer {} ({pytorch}) needs an image, but gets a flat vector",
                layer + 1
            ),
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
            Error::TransposedWeightChannels {
                input_channels,
                weight_channels,
            } => write!(
                f,
                "a transposed convolution's weight has one row of kernels per input channel: \
                 the input has {input_channels} channels, but the weight {weight_channels}"
            ),
            Error::WrongShape {
                what,
                expected,
                actual,
            } => write!(
                f,
                "the {what} must have shape {} (N x C x H x W), not {}",
                by(expected),
                by(actual)
            ),
            Error::WindowInPadding { along, cell } => write!(
                f,
                "pooled {} {} would take only padding: its dilated window steps over the \
                 whole input",
                if *along == "height" { "row" } else { "column" },
                cell + 1
            ),
            Error::LpPoolDilation { .. } => f.write_str(
                "LP pooling has no dilation (PyTorch's LPPool2d takes none): set dilation to 1",
            ),
            Error::LpPower { p } => write!(
                f,
                "the power of LP pooling must be a number above 0, not {p}"
            ),
            Error::UnpoolSize {
                asked,
                default,
                stride,
            } => write!(
                f,
                "the unpooled size {}x{} must be within one stride ({}x{}) of {}x{}, the size \
                 the pooling's settings give",
                asked.0, asked.1, stride.0, stride.1, default.0, default.1
            ),
            Error::DivisorNotMean { divisor } => write!(
                f,
                "only mean pooling divides by a divisor (divisor_override belongs to \
                 PyTorch's AvgPool2d): drop the divisor {divisor} or choose mean pooling"
            ),
            Error::IndexOutOfPlane { index, plane } => write!(
                f,
                "index {index} is outside its {}x{} plane (indices run from 0 to {})",
                plane.0,
                plane.1,
                (plane.0 * plane.1).saturating_sub(1)
            ),
            Error::MergeShapes {
                layer,
                merge,
                first,
                other,
            } => {
                let shape = |(c, h, w): (usize, usize, usize)| format!("{c}x{h}x{w}");
                write!(
                    f,
                    "layer {} ({}) cannot join a {} map with a {} map: {}",
                    layer + 1,
                    merge.pytorch(),
                    shape(*first),
                    shape(*other),
                    match merge {
                        crate::graph::Merge::Add => "adding needs maps of one shape",
                        crate::graph::Merge::Concat =>
                            "concatenating along channels needs maps of one height and width",
                        crate::graph::Merge::Scale =>
                            "scaling needs one weight per channel of the map (C×1×1)",
                    }
                )
            }
            Error::UnalignedMerge { layer, jumps } => write!(
                f,
                "layer {} joins paths whose cells are {} and {} input pixels apart: no one \
                 receptive field describes its cells",
                layer + 1,
                jumps.0,
                jumps.1
            ),
            Error::Wiring {
                layer,
                given,
                takes: (low, high),
            } => {
                let inputs = if *low == 1 { "input" } else { "inputs" };
                let layer = layer + 1;
                if low == high {
                    write!(f, "layer {layer} takes {low} {inputs}, not {given}")
                } else if *high == usize::MAX {
                    write!(
                        f,
                        "layer {layer} takes at least {low} {inputs}, not {given}"
                    )
                } else {
                    write!(f, "layer {layer} takes {low} to {high} inputs, not {given}")
                }
            }
            Error::LaterInput { layer, input } => write!(
                f,
                "layer {} reads layer {}, which does not come before it",
                layer + 1,
                input + 1
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

/// Fails with [`Error::Setting`] unless `value` is finite and in `low..=high` (in
/// `low..high` when `open_high`).
pub(crate) fn setting_within(
    what: &'static str,
    value: f32,
    low: f32,
    high: f32,
    open_high: bool,
) -> Result<()> {
    let inside =
        value.is_finite() && value >= low && (value < high || (!open_high && value == high));
    if inside {
        Ok(())
    } else {
        Err(Error::Setting {
            what,
            value: f64::from(value),
            low: f64::from(low),
            high: f64::from(high),
        })
    }
}

/// Checks every value is finite; `position` places index `i` for the message.
pub(crate) fn all_finite(
    values: &[f32],
    what: &'static str,
    position: impl Fn(usize) -> Position,
) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NotFinite {
            what,
            at: position(index),
            value: values[index],
        }),
    }
}

/// Text quoted back in a message: at most 40 characters, `…` when cut.
pub fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
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

    #[test]
    fn unknown_names_list_the_known_ones() {
        let error = Error::Unknown {
            what: Named::Pooling,
            name: "x".into(),
        };
        assert_eq!(
            error.to_string(),
            "there is no pooling called 'x'; use max, mean, min or lp"
        );
        let error = Error::Unknown {
            what: Named::PaddingMode,
            name: "x".into(),
        };
        assert_eq!(
            error.to_string(),
            "there is no padding mode called 'x'; use zeros, reflect, replicate or circular"
        );
        assert!(Error::Unknown {
            what: Named::Kernel,
            name: "nope".into()
        }
        .to_string()
        .starts_with("there is no kernel called 'nope'; known kernels: edges, blur,"));
    }

    #[test]
    fn shorten_cuts_long_text() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"x".repeat(50)), format!("{}…", "x".repeat(40)));
    }
}
