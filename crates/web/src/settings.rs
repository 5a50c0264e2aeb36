//! The page's settings, and their URL form: the query string is the state.
//!
//! Pure Rust with no web types, so it is tested natively. [`Settings::from_query`] never
//! fails: a bad parameter keeps its default and adds a warning in words.

use std::fmt::Write as _;

use std::fmt;

use convlens_core::geometry::{Padding, PaddingMode};
use convlens_core::kernel::parse_rows;
use convlens_core::network::{layers_to_cover, Architecture};
use convlens_core::{
    Channels, ConvParams, DisplayMapping, Error, Kernel, PoolFunction, PoolParams, Preset,
};

use crate::i18n::{fill, or_list, Lang, Texts};

pub use convlens_core::error::shorten;

/// Why a setting (a URL parameter or a control's value) was refused, with what was
/// given: the page says it in each language ([`crate::i18n`]), the command line in
/// English ([`Display`](fmt::Display)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SettingsError {
    /// The core refused the value (a kernel, weights, a layer stack, a name).
    Core(Error),
    /// `view=` names no view.
    NoView {
        /// The value given (shortened).
        value: String,
    },
    /// `image=` names no image.
    NoImage {
        /// The value given (shortened).
        value: String,
    },
    /// `size=` is not one of the offered sizes.
    Size {
        /// The value given (shortened).
        value: String,
    },
    /// A number outside its range, or not a whole number.
    WholeNumber {
        /// The parameter.
        key: &'static str,
        /// The smallest allowed.
        low: usize,
        /// The largest allowed.
        high: usize,
        /// The value given (shortened).
        value: String,
    },
    /// A yes/no parameter that is neither `0` nor `1`.
    Flag {
        /// The parameter.
        key: &'static str,
        /// The value given (shortened).
        value: String,
    },
    /// `stack=` names no stack.
    NoStack {
        /// The value given (shortened).
        value: String,
    },
    /// A grid larger than the step-by-step view draws.
    GridTooLarge {
        /// The largest side.
        max: usize,
    },
    /// `op=` names no operation.
    NoOperation {
        /// The value given (shortened).
        value: String,
    },
    /// Mixing weights that are not rows of three.
    MixRows,
    /// A bias of more than one number.
    BiasOne,
    /// A sequence or 1D kernel that is not one row of at most `limit` numbers.
    OneRow {
        /// `"sequence"` or `"1D kernel"`.
        what: &'static str,
        /// The most numbers allowed.
        limit: usize,
    },
    /// `lang=` names no language of the page.
    Lang {
        /// The value given (shortened).
        value: String,
    },
    /// `controls=` names controls that do not exist.
    NoControl {
        /// The unknown names (shortened).
        names: Vec<String>,
    },
    /// A parameter that is not one of [`PARAMETERS`].
    UnknownParameter {
        /// The parameter (shortened).
        key: String,
    },
    /// A parameter given twice.
    Repeated {
        /// The parameter (shortened).
        key: String,
    },
    /// A refused value, and the value kept instead.
    Kept {
        /// Why the value was refused.
        error: Box<SettingsError>,
        /// The value in use, as the URL writes it.
        kept: String,
    },
}

impl From<Error> for SettingsError {
    fn from(error: Error) -> Self {
        SettingsError::Core(error)
    }
}

/// The views' URL names, in tab order.
pub fn view_names() -> Vec<&'static str> {
    View::ALL.map(View::name).to_vec()
}

/// The images' URL names, in menu order.
pub fn image_names() -> Vec<&'static str> {
    let mut names = Sample::ALL.map(Sample::name).to_vec();
    names.push("webcam");
    names
}

/// The stacks' URL names, in menu order.
pub fn stack_names() -> Vec<&'static str> {
    StackPreset::ALL.map(StackPreset::name).to_vec()
}

/// The step-by-step operations' URL names.
pub const OPERATION_NAMES: [&str; 3] = ["conv", "max", "mean"];

/// The sizes `size=` offers, as the URL writes them.
pub const SIZE_NAMES: [&str; 5] = ["full", "256", "128", "64", "32"];

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Core(error) => error.fmt(f),
            SettingsError::NoView { value } => write!(
                f,
                "there is no view '{value}'; use {}",
                or_list(&view_names(), "or")
            ),
            SettingsError::NoImage { value } => write!(
                f,
                "there is no image '{value}'; use {}",
                or_list(&image_names(), "or")
            ),
            SettingsError::Size { value } => write!(
                f,
                "size must be {}, not '{value}'",
                or_list(&SIZE_NAMES, "or")
            ),
            SettingsError::WholeNumber {
                key,
                low,
                high,
                value,
            } => write!(
                f,
                "{key} must be a whole number from {low} to {high}, not '{value}'"
            ),
            SettingsError::Flag { key, value } => write!(f, "{key} must be 0 or 1, not '{value}'"),
            SettingsError::NoStack { value } => write!(
                f,
                "there is no stack '{value}'; use {}",
                or_list(&stack_names(), "or")
            ),
            SettingsError::GridTooLarge { max } => {
                write!(f, "the grid can be at most {max}×{max}")
            }
            SettingsError::NoOperation { value } => write!(
                f,
                "there is no operation '{value}'; use {}",
                or_list(&OPERATION_NAMES, "or")
            ),
            SettingsError::MixRows => f.write_str(
                "the mixing weights need one row per output channel (at most 4), each with 3 \
                 numbers: for R, G and B",
            ),
            SettingsError::BiasOne => f.write_str("the bias is one number"),
            SettingsError::OneRow { what, limit } => write!(
                f,
                "the {what} must be one row of at most {limit} numbers, separated by commas"
            ),
            SettingsError::Lang { value } => write!(f, "lang must be en or ru, not '{value}'"),
            SettingsError::NoControl { names } => write!(
                f,
                "there is no control '{}' to show; use {}",
                names.join("', '"),
                embed_controls().collect::<Vec<_>>().join(", ")
            ),
            SettingsError::UnknownParameter { key } => {
                write!(f, "the parameter '{key}' is not known and was ignored")
            }
            SettingsError::Repeated { key } => write!(
                f,
                "the parameter '{key}' is given more than once; the last value is used"
            ),
            SettingsError::Kept { error, kept } => write!(f, "{error} (kept {kept})"),
        }
    }
}

impl std::error::Error for SettingsError {}

impl SettingsError {
    /// The refusal said in the language of `t` (in English, the [`Display`](fmt::Display)
    /// text).
    pub fn text(&self, t: &Texts) -> String {
        let value = |template: &str, value: &String, known: &[&str]| {
            fill(template, &[("value", value), ("known", &t.or_list(known))])
        };
        match self {
            SettingsError::Core(error) => t.error(error),
            SettingsError::NoView { value: v } => value(t.set_no_view, v, &view_names()),
            SettingsError::NoImage { value: v } => value(t.set_no_image, v, &image_names()),
            SettingsError::Size { value: v } => value(t.set_size, v, &SIZE_NAMES),
            SettingsError::WholeNumber {
                key,
                low,
                high,
                value,
            } => fill(
                t.set_whole_number,
                &[
                    ("what", &t.noun(key)),
                    ("low", low),
                    ("high", high),
                    ("value", value),
                ],
            ),
            SettingsError::Flag { key, value } => {
                fill(t.set_flag, &[("key", key), ("value", value)])
            }
            SettingsError::NoStack { value: v } => value(t.set_no_stack, v, &stack_names()),
            SettingsError::GridTooLarge { max } => fill(t.set_grid_at_most, &[("max", max)]),
            SettingsError::NoOperation { value: v } => {
                value(t.set_no_operation, v, &OPERATION_NAMES)
            }
            SettingsError::MixRows => t.set_mix_rows.into(),
            SettingsError::BiasOne => t.set_bias_one.into(),
            SettingsError::OneRow { what, limit } => {
                fill(t.set_one_row, &[("what", &t.noun(what)), ("limit", limit)])
            }
            SettingsError::Lang { value } => fill(t.set_lang, &[("value", value)]),
            SettingsError::NoControl { names } => fill(
                t.set_no_control,
                &[
                    ("names", &names.join(t.msg_quote_join)),
                    ("known", &embed_controls().collect::<Vec<_>>().join(", ")),
                ],
            ),
            SettingsError::UnknownParameter { key } => {
                fill(t.set_unknown_parameter, &[("key", key)])
            }
            SettingsError::Repeated { key } => fill(t.set_repeated, &[("key", key)]),
            SettingsError::Kept { error, kept } => {
                fill(t.set_kept, &[("why", &error.text(t)), ("value", kept)])
            }
        }
    }
}

/// Which demo the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The convolution demo.
    Conv,
    /// The pooling demo.
    Pool,
    /// A stack of layers: shapes, parameters and receptive fields, layer by layer.
    Stack,
    /// The sliding window on a small grid, one position at a time.
    Steps,
    /// One-dimensional convolution, and the fully connected layer it is.
    OneD,
    /// Several input channels adding up into each output channel; 1x1 convolutions.
    Channels,
}

/// What the step-by-step view slides over its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOperation {
    /// The kernel (with stride, padding and dilation).
    Conv,
    /// Max pooling (pool size and stride).
    Max,
    /// Mean pooling.
    Mean,
}

impl StepOperation {
    /// URL name.
    pub fn name(self) -> &'static str {
        match self {
            StepOperation::Conv => "conv",
            StepOperation::Max => "max",
            StepOperation::Mean => "mean",
        }
    }
}

/// The largest grid side of the step-by-step view.
pub const MAX_GRID: usize = 16;

/// The lecture's 5x5 binary image ("2D-свёртка").
#[rustfmt::skip]
pub const LECTURE_GRID: [[f32; 5]; 5] = [
    [1.0, 1.0, 1.0, 0.0, 0.0],
    [0.0, 1.0, 1.0, 1.0, 0.0],
    [0.0, 0.0, 1.0, 1.0, 1.0],
    [0.0, 0.0, 1.0, 1.0, 0.0],
    [0.0, 1.0, 1.0, 0.0, 0.0],
];

impl View {
    /// Every view, in tab order.
    pub const ALL: [View; 6] = [
        View::Conv,
        View::Pool,
        View::Steps,
        View::OneD,
        View::Channels,
        View::Stack,
    ];

    /// URL name.
    pub fn name(self) -> &'static str {
        match self {
            View::Conv => "conv",
            View::Pool => "pool",
            View::Stack => "stack",
            View::Steps => "steps",
            View::OneD => "1d",
            View::Channels => "channels",
        }
    }
}

/// The stacks of layers the stack view can build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackPreset {
    /// Three 3x3 convolutions: receptive field 7, 27 weights.
    Three3x3,
    /// One 7x7 convolution: receptive field 7, 49 weights.
    One7x7,
    /// Fifty 3x3 convolutions: what it takes to see a 100x100 object.
    Deep3x3,
    /// LeNet-5.
    Lenet5,
    /// AlexNet, as torchvision builds it.
    Alexnet,
    /// VGG-16, as torchvision builds it.
    Vgg16,
    /// The user's own stack (`layers=`).
    Custom,
}

impl StackPreset {
    /// Every stack, in menu order.
    pub const ALL: [StackPreset; 7] = [
        StackPreset::Three3x3,
        StackPreset::One7x7,
        StackPreset::Deep3x3,
        StackPreset::Lenet5,
        StackPreset::Alexnet,
        StackPreset::Vgg16,
        StackPreset::Custom,
    ];

    /// URL name.
    pub fn name(self) -> &'static str {
        match self {
            StackPreset::Three3x3 => "three-3x3",
            StackPreset::One7x7 => "one-7x7",
            StackPreset::Deep3x3 => "deep-3x3",
            StackPreset::Lenet5 => "lenet5",
            StackPreset::Alexnet => "alexnet",
            StackPreset::Vgg16 => "vgg16",
            StackPreset::Custom => "custom",
        }
    }

    /// The layers and their input (a custom stack starts as three 3x3 layers).
    pub fn architecture(self) -> Architecture {
        match self {
            StackPreset::Three3x3 => Architecture::three_3x3(),
            StackPreset::One7x7 => Architecture::one_7x7(),
            StackPreset::Deep3x3 => {
                let cover = layers_to_cover(100, 3).unwrap_or(50);
                Architecture::stack_3x3(cover)
            }
            StackPreset::Lenet5 => Architecture::lenet5(),
            StackPreset::Alexnet => Architecture::alexnet(),
            StackPreset::Vgg16 => Architecture::vgg16(),
            StackPreset::Custom => Architecture::three_3x3(),
        }
    }
}

/// Where the input frame comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// One of the built-in photos.
    Sample(Sample),
    /// The live webcam.
    Webcam,
    /// A file the user opened (not restorable from a URL).
    Upload,
}

/// The built-in photos (see `www/samples/LICENSES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Astronaut Eileen Collins, 512x512 colour.
    Astronaut,
    /// Chelsea the cat, 451x300 colour.
    Chelsea,
    /// A coffee cup, 600x400 colour.
    Coffee,
    /// A cameraman, 512x512 gray.
    Camera,
    /// A brick wall, 512x512 gray.
    Brick,
}

impl Sample {
    /// Every sample, in menu order.
    pub const ALL: [Sample; 5] = [
        Sample::Astronaut,
        Sample::Chelsea,
        Sample::Coffee,
        Sample::Camera,
        Sample::Brick,
    ];

    /// URL name, also the file name without `.png`.
    pub fn name(self) -> &'static str {
        match self {
            Sample::Astronaut => "astronaut",
            Sample::Chelsea => "chelsea",
            Sample::Coffee => "coffee",
            Sample::Camera => "camera",
            Sample::Brick => "brick",
        }
    }
}

/// Padding as the page offers it: a number, `same` or `valid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaddingChoice {
    /// The same number of pixels on every side.
    Pixels(usize),
    /// Keep the size (stride 1 only).
    Same,
    /// No padding.
    Valid,
}

/// The kernel: a preset or the user's own weights.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelChoice {
    /// A named preset.
    Preset(Preset),
    /// Typed-in weights.
    Custom(Kernel),
}

impl KernelChoice {
    /// The weights.
    pub fn kernel(&self) -> Kernel {
        match self {
            KernelChoice::Preset(preset) => preset.kernel(),
            KernelChoice::Custom(kernel) => kernel.clone(),
        }
    }

    /// URL name: the preset's slug or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            KernelChoice::Preset(preset) => preset.slug(),
            KernelChoice::Custom(_) => "custom",
        }
    }
}

/// Largest stride, dilation and padding the page accepts (the URL may ask for more).
pub const MAX_STEP: usize = 16;
/// Largest pooling window.
pub const MAX_POOL: usize = 16;
/// The sizes the input can be scaled to (longest side); 0 is its own size.
pub const SIZES: [usize; 5] = [0, 256, 128, 64, 32];

/// Everything the controls set.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The demo shown.
    pub view: View,
    /// Where the input comes from.
    pub source: Source,
    /// Longest side the input is scaled to; 0 keeps its own size.
    pub size: usize,
    /// The kernel.
    pub kernel: KernelChoice,
    /// Convolution stride (both axes).
    pub stride: usize,
    /// Convolution padding.
    pub padding: PaddingChoice,
    /// What fills the padding.
    pub padding_mode: PaddingMode,
    /// Convolution dilation (both axes).
    pub dilation: usize,
    /// Which channels are convolved or pooled.
    pub channel: Channels,
    /// How the feature map's values are drawn.
    pub display: DisplayMapping,
    /// The pooling function.
    pub pool: PoolFunction,
    /// The pooling window side.
    pub pool_size: usize,
    /// The pooling stride; `None` is the window side (PyTorch's default).
    pub pool_stride: Option<usize>,
    /// The stack of layers in the stack view.
    pub stack: StackPreset,
    /// The layer whose feature maps the stack view shows (0 is the first layer).
    pub layer: usize,
    /// The user's own stack, when `stack` is custom.
    pub layers: Option<Architecture>,
    /// The step-by-step view's grid, row by row.
    pub grid: Vec<Vec<f32>>,
    /// What the step-by-step view slides.
    pub op: StepOperation,
    /// The window position shown (0 is the first).
    pub step: usize,
    /// The 1D view's input sequence `x`.
    pub sequence: Vec<f32>,
    /// The 1D view's kernel `(w1, w2, w3, ...)`.
    pub taps: Vec<f32>,
    /// The channels view's mixing weights: one row per output channel, one weight per
    /// input channel (R, G, B).
    pub mix: Vec<[f32; 3]>,
    /// Whether the channels view's filters are the kernel scaled per channel (true) or
    /// pure 1x1 convolutions (false).
    pub spatial: bool,
    /// The channels view's bias, added to every output channel.
    pub bias: f32,
    /// Whether the frame meter (milliseconds per frame, split into grab, compute and
    /// draw, and frames per second) is shown.
    pub meter: bool,
    /// The language the user picked (`lang=`); `None` follows the browser's.
    pub lang: Option<Lang>,
    /// Chromeless mode for an iframe: one view and only the controls in `controls`.
    pub embed: bool,
    /// The controls shown in embed mode, by their URL parameter names (none if empty).
    pub controls: Vec<&'static str>,
    /// Projector mode: large type, thick lines, high contrast.
    pub projector: bool,
}

/// URL parameters that are not controls embed mode can show: the kernel's and grid's
/// cells and the stack's table are part of the pictures, the rest are modes.
pub const NOT_EMBED_CONTROLS: [&str; 7] = [
    "weights",
    "layer",
    "grid",
    "lang",
    "embed",
    "controls",
    "projector",
];

/// The controls embed mode can show, by their URL parameter names, in page order.
pub fn embed_controls() -> impl Iterator<Item = &'static str> {
    PARAMETERS
        .into_iter()
        .filter(|name| !NOT_EMBED_CONTROLS.contains(name))
}

impl View {
    /// The controls a lecturer most likely wants beside this view when embedding it.
    pub fn embed_controls(self) -> &'static [&'static str] {
        match self {
            View::Conv => &["kernel", "stride", "padding"],
            View::Pool => &["pool", "pool_size", "pool_stride"],
            View::Steps => &["op", "step"],
            View::OneD => &["sequence", "taps", "stride", "padding"],
            View::Channels => &["mix", "spatial"],
            View::Stack => &["stack"],
        }
    }
}

/// The longest sequence of the 1D view.
pub const MAX_SEQUENCE: usize = 32;

impl Default for Settings {
    /// The lecture's opening demo: Edges on the astronaut, stride 1, padding 0.
    fn default() -> Self {
        Settings {
            view: View::Conv,
            source: Source::Sample(Sample::Astronaut),
            size: 0,
            kernel: KernelChoice::Preset(Preset::Edges),
            stride: 1,
            padding: PaddingChoice::Pixels(0),
            padding_mode: PaddingMode::Zeros,
            dilation: 1,
            channel: Channels::All,
            display: DisplayMapping::Clamp,
            pool: PoolFunction::Max,
            pool_size: 2,
            pool_stride: None,
            stack: StackPreset::Three3x3,
            layer: 0,
            layers: None,
            grid: LECTURE_GRID.iter().map(|row| row.to_vec()).collect(),
            op: StepOperation::Conv,
            step: 0,
            sequence: vec![1.0, 3.0, 2.0, 5.0, 4.0, 1.0, 0.0, 2.0],
            taps: vec![1.0, 2.0, 1.0],
            // RGB to gray (ITU-R BT.601) and red minus green.
            mix: vec![[0.299, 0.587, 0.114], [1.0, -1.0, 0.0]],
            spatial: false,
            bias: 0.0,
            meter: false,
            lang: None,
            embed: false,
            controls: Vec::new(),
            projector: false,
        }
    }
}

/// The URL parameters, in the order they are written.
pub const PARAMETERS: [&str; 30] = [
    "view",
    "image",
    "size",
    "kernel",
    "weights",
    "stride",
    "padding",
    "padding_mode",
    "dilation",
    "channel",
    "display",
    "pool",
    "pool_size",
    "pool_stride",
    "stack",
    "layers",
    "layer",
    "grid",
    "op",
    "step",
    "sequence",
    "taps",
    "mix",
    "spatial",
    "bias",
    "meter",
    "lang",
    "embed",
    "controls",
    "projector",
];

impl Settings {
    /// The stack the stack view shows: a preset, or the user's own.
    pub fn architecture(&self) -> Architecture {
        match (&self.layers, self.stack) {
            (Some(stack), StackPreset::Custom) => stack.clone(),
            (_, preset) => preset.architecture(),
        }
    }

    /// The convolution's parameters (the kernel is applied per channel, depthwise).
    pub fn conv_params(&self) -> ConvParams {
        ConvParams {
            stride: (self.stride, self.stride),
            padding: match self.padding {
                PaddingChoice::Pixels(p) => Padding::uniform(p),
                PaddingChoice::Same => Padding::Same,
                PaddingChoice::Valid => Padding::Valid,
            },
            padding_mode: self.padding_mode,
            dilation: (self.dilation, self.dilation),
            groups: self.channel.count(),
        }
    }

    /// The pooling's parameters.
    pub fn pool_params(&self) -> PoolParams {
        PoolParams {
            stride: self.pool_stride.map(|s| (s, s)),
            ..PoolParams::square(self.pool_size)
        }
    }

    /// Sets one parameter from its URL (or control) value.
    ///
    /// # Errors
    /// What is wrong, with what was given; the setting is then unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingsError> {
        let value = value.trim();
        let given = || shorten(value);
        match key {
            "view" => {
                self.view = match value {
                    "conv" => View::Conv,
                    "pool" => View::Pool,
                    "stack" => View::Stack,
                    "steps" => View::Steps,
                    "1d" => View::OneD,
                    "channels" => View::Channels,
                    _ => return Err(SettingsError::NoView { value: given() }),
                }
            }
            "image" => {
                self.source = if value == "webcam" {
                    Source::Webcam
                } else {
                    Source::Sample(
                        Sample::ALL
                            .into_iter()
                            .find(|s| s.name() == value)
                            .ok_or_else(|| SettingsError::NoImage { value: given() })?,
                    )
                }
            }
            "size" => {
                self.size = match value {
                    "full" => 0,
                    _ => value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| SIZES.contains(n))
                        .ok_or_else(|| SettingsError::Size { value: given() })?,
                }
            }
            "kernel" => {
                self.kernel = if value == "custom" {
                    KernelChoice::Custom(self.kernel.kernel())
                } else {
                    KernelChoice::Preset(Preset::from_slug(value)?)
                }
            }
            "weights" => self.kernel = KernelChoice::Custom(Kernel::parse(value)?),
            "stride" => self.stride = number("stride", value, 1, MAX_STEP)?,
            "dilation" => self.dilation = number("dilation", value, 1, MAX_STEP)?,
            "padding" => {
                self.padding = match value {
                    "same" => PaddingChoice::Same,
                    "valid" => PaddingChoice::Valid,
                    _ => PaddingChoice::Pixels(number("padding", value, 0, MAX_STEP)?),
                }
            }
            "padding_mode" => self.padding_mode = PaddingMode::from_name(value)?,
            "channel" => self.channel = Channels::from_name(value)?,
            "display" => self.display = DisplayMapping::from_name(value)?,
            "pool" => self.pool = PoolFunction::from_name(value)?,
            "pool_size" => self.pool_size = number("pool_size", value, 1, MAX_POOL)?,
            "pool_stride" => {
                self.pool_stride = match value {
                    "" | "auto" => None,
                    _ => Some(number("pool_stride", value, 1, MAX_POOL)?),
                }
            }
            "stack" => {
                self.stack = StackPreset::ALL
                    .into_iter()
                    .find(|s| s.name() == value)
                    .ok_or_else(|| SettingsError::NoStack { value: given() })?
            }
            "layer" => self.layer = number("layer", value, 1, 999)? - 1,
            "layers" => {
                let stack = Architecture::parse(value)?;
                // Check it runs on its input before taking it.
                convlens_core::network::analyse(stack.input, &stack.layers)?;
                self.layers = Some(stack);
                self.stack = StackPreset::Custom;
            }
            "grid" => {
                // The same form as kernel weights, with the grid's own limits.
                let grid = parse_rows(value, "grid")?;
                if grid.len() > MAX_GRID || grid[0].len() > MAX_GRID {
                    return Err(SettingsError::GridTooLarge { max: MAX_GRID });
                }
                self.grid = grid;
            }
            "op" => {
                self.op = match value {
                    "conv" => StepOperation::Conv,
                    "max" => StepOperation::Max,
                    "mean" => StepOperation::Mean,
                    _ => return Err(SettingsError::NoOperation { value: given() }),
                }
            }
            "step" => self.step = number("step", value, 1, MAX_GRID * MAX_GRID * 4)? - 1,
            "mix" => {
                let rows = parse_rows(&value.replace(' ', ""), "mixing weights")?;
                if rows[0].len() != 3 || rows.len() > 4 {
                    return Err(SettingsError::MixRows);
                }
                self.mix = rows.iter().map(|r| [r[0], r[1], r[2]]).collect();
            }
            "bias" => {
                let one = parse_rows(value, "bias")?;
                self.bias = match one.as_slice() {
                    [row] if row.len() == 1 => row[0],
                    _ => return Err(SettingsError::BiasOne),
                };
            }
            "spatial" => self.spatial = flag("spatial", value)?,
            "meter" => self.meter = flag("meter", value)?,
            "sequence" | "taps" => {
                // One row of numbers, read like kernel weights (fractions allowed).
                let what = if key == "sequence" {
                    "sequence"
                } else {
                    "1D kernel"
                };
                let rows = parse_rows(&value.replace(' ', ""), what)?;
                let limit = if key == "sequence" { MAX_SEQUENCE } else { 7 };
                let [values] = <[Vec<f32>; 1]>::try_from(rows)
                    .map_err(|_| SettingsError::OneRow { what, limit })?;
                if values.len() > limit {
                    return Err(SettingsError::OneRow { what, limit });
                }
                if key == "sequence" {
                    self.sequence = values;
                } else {
                    self.taps = values;
                }
            }
            "lang" => {
                self.lang = Some(
                    Lang::from_code(value).ok_or_else(|| SettingsError::Lang { value: given() })?,
                )
            }
            "embed" => self.embed = flag("embed", value)?,
            "projector" => self.projector = flag("projector", value)?,
            "controls" => {
                // The known names are kept even when some are not: a typo hides one control,
                // not all of them.
                let mut unknown = Vec::new();
                self.controls = Vec::new();
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match embed_controls().find(|&c| c == name) {
                        Some(control) if !self.controls.contains(&control) => {
                            self.controls.push(control)
                        }
                        Some(_) => {}
                        None => unknown.push(shorten(name)),
                    }
                }
                if !unknown.is_empty() {
                    return Err(SettingsError::NoControl { names: unknown });
                }
            }
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        }
        Ok(())
    }

    /// Reads a query string (`?view=conv&stride=2`, the `?` optional). Unknown, repeated
    /// and invalid parameters are reported, in order, and otherwise ignored.
    pub fn from_query(query: &str) -> (Settings, Vec<SettingsError>) {
        let mut settings = Settings::default();
        let mut warnings = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        // `weights` wins over `kernel`, whatever their order.
        let (weights, others): (Vec<_>, Vec<_>) =
            pairs.into_iter().partition(|(k, _)| k == "weights");
        for (key, value) in others.into_iter().chain(weights) {
            if seen.contains(&key) {
                warnings.push(SettingsError::Repeated { key: shorten(&key) });
            } else {
                seen.push(key.clone());
            }
            if let Err(error) = settings.set(&key, &value) {
                let kept = settings.describe(&key);
                warnings.push(if PARAMETERS.contains(&key.as_str()) && !kept.is_empty() {
                    SettingsError::Kept {
                        error: Box::new(error),
                        kept,
                    }
                } else if PARAMETERS.contains(&key.as_str()) {
                    error
                } else {
                    SettingsError::UnknownParameter { key: shorten(&key) }
                });
            }
        }
        // The step-by-step view opens on the lecture's example kernel.
        if settings.view == View::Steps && !seen.iter().any(|k| k == "kernel" || k == "weights") {
            settings.kernel = KernelChoice::Preset(Preset::LectureExample);
        }
        (settings, warnings)
    }

    /// The value of one parameter as the URL writes it.
    pub fn describe(&self, key: &str) -> String {
        match key {
            "view" => self.view.name().into(),
            "image" => match self.source {
                Source::Sample(sample) => sample.name().into(),
                Source::Webcam => "webcam".into(),
                Source::Upload => "upload".into(),
            },
            "size" => match self.size {
                0 => "full".into(),
                n => n.to_string(),
            },
            "kernel" => self.kernel.name().into(),
            "weights" => self.kernel.kernel().to_string(),
            "stride" => self.stride.to_string(),
            "dilation" => self.dilation.to_string(),
            "padding" => match self.padding {
                PaddingChoice::Pixels(p) => p.to_string(),
                PaddingChoice::Same => "same".into(),
                PaddingChoice::Valid => "valid".into(),
            },
            "padding_mode" => self.padding_mode.name().into(),
            "channel" => self.channel.name().into(),
            "display" => self.display.name().into(),
            "pool" => self.pool.name().into(),
            "pool_size" => self.pool_size.to_string(),
            "pool_stride" => self
                .pool_stride
                .map_or_else(|| "auto".into(), |s| s.to_string()),
            "stack" => self.stack.name().into(),
            "layers" => self.architecture().to_string(),
            "layer" => (self.layer + 1).to_string(),
            "grid" => self
                .grid
                .iter()
                .map(|row| list(row))
                .collect::<Vec<_>>()
                .join(";"),
            "op" => self.op.name().into(),
            "step" => (self.step + 1).to_string(),
            "sequence" => list(&self.sequence),
            "taps" => list(&self.taps),
            "mix" => self
                .mix
                .iter()
                .map(|r| list(r))
                .collect::<Vec<_>>()
                .join(";"),
            "spatial" => u8::from(self.spatial).to_string(),
            "meter" => u8::from(self.meter).to_string(),
            "bias" => self.bias.to_string(),
            "lang" => self
                .lang
                .map_or_else(String::new, |lang| lang.code().into()),
            "embed" => u8::from(self.embed).to_string(),
            "projector" => u8::from(self.projector).to_string(),
            "controls" => self.controls.join(","),
            _ => String::new(),
        }
    }

    /// The query string for these settings (without `?`), every control included.
    /// An uploaded image is not in the URL: it names the default photo instead.
    pub fn to_query(&self) -> String {
        let mut query = String::new();
        for key in PARAMETERS {
            let value = match key {
                "weights" if !matches!(self.kernel, KernelChoice::Custom(_)) => continue,
                "layers" if self.stack != StackPreset::Custom => continue,
                "image" if self.source == Source::Upload => Sample::Astronaut.name().into(),
                // Only a language the user picked is written; otherwise the browser's.
                "lang" if self.lang.is_none() => continue,
                // A tool for the curious: in the URL only when shown.
                "meter" if !self.meter => continue,
                // Written only when on, so ordinary links stay short.
                "embed" | "controls" if !self.embed => continue,
                "projector" if !self.projector => continue,
                _ => self.describe(key),
            };
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(key);
            query.push('=');
            percent_encode(&value, &mut query);
        }
        query
    }
}

impl Settings {
    /// The `<iframe>` that shows these settings in embed mode from `page` (the page's
    /// address without its query), with `controls` and `width x height` pixels. The
    /// address is escaped for an HTML attribute (`&` as `&amp;`). `allow="camera"` lets
    /// the webcam input work inside the frame.
    pub fn iframe_snippet(
        &self,
        page: &str,
        controls: &[&'static str],
        width: u32,
        height: u32,
    ) -> String {
        let embedded = Settings {
            embed: true,
            controls: controls.to_vec(),
            ..self.clone()
        };
        let address = format!("{page}?{}", embedded.to_query());
        let escaped = address
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        format!(
            "<iframe src=\"{escaped}\" width=\"{width}\" height=\"{height}\" allow=\"camera\" \
             title=\"convlens: {}\" style=\"border: 0\" loading=\"lazy\"></iframe>",
            self.view.name()
        )
    }
}

fn list(values: &[f32]) -> String {
    values
        .iter()
        .map(f32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A yes/no parameter: `0` or `1`.
fn flag(key: &'static str, value: &str) -> Result<bool, SettingsError> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(SettingsError::Flag {
            key,
            value: shorten(value),
        }),
    }
}

fn number(key: &'static str, value: &str, low: usize, high: usize) -> Result<usize, SettingsError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (low..=high).contains(n))
        .ok_or_else(|| SettingsError::WholeNumber {
            key,
            low,
            high,
            value: shorten(value),
        })
}

/// Decodes `%XX` escapes and `+` (a space in query strings); bad escapes stay as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends `text` to `out`, escaping all but letters, digits and `-_.~,;/()` (kept
/// readable in kernel weights and layer stacks).
fn percent_encode(text: &str, out: &mut String) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~,;/()".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let settings = Settings::default();
        let query = settings.to_query();
        assert_eq!(
            query,
            "view=conv&image=astronaut&size=full&kernel=edges&stride=1&padding=0&\
             padding_mode=zeros&dilation=1&channel=all&display=clamp&pool=max&pool_size=2&\
             pool_stride=auto&stack=three-3x3&layer=1&grid=1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;\
             0,1,1,0,0&op=conv&step=1&sequence=1,3,2,5,4,1,0,2&taps=1,2,1&\
             mix=0.299,0.587,0.114;1,-1,0&spatial=0&bias=0"
        );
        assert_eq!(Settings::from_query(&query), (settings, vec![]));
    }

    #[test]
    fn every_parameter_is_read() {
        let (s, warnings) = Settings::from_query(
            "?view=pool&image=coffee&size=64&kernel=sobel-left&stride=2&padding=same&\
             padding_mode=reflect&dilation=3&channel=g&display=diverging&pool=mean&\
             pool_size=3&pool_stride=1&stack=alexnet&layer=4",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.view, View::Pool);
        assert_eq!(s.source, Source::Sample(Sample::Coffee));
        assert_eq!(s.size, 64);
        assert_eq!(s.kernel, KernelChoice::Preset(Preset::SobelLeft));
        assert_eq!(
            (s.stride, s.padding, s.dilation),
            (2, PaddingChoice::Same, 3)
        );
        assert_eq!(s.padding_mode, PaddingMode::Reflect);
        assert_eq!(
            (s.channel, s.display),
            (Channels::Green, DisplayMapping::Diverging)
        );
        assert_eq!(
            (s.pool, s.pool_size, s.pool_stride),
            (PoolFunction::Mean, 3, Some(1))
        );
        assert_eq!((s.stack, s.layer), (StackPreset::Alexnet, 3));
        assert_eq!(Settings::from_query(&s.to_query()).0, s);
    }

    #[test]
    fn custom_weights_round_trip() {
        let (s, warnings) = Settings::from_query("weights=1,0,-1;2,0,-2;1,0,-1.5&kernel=custom");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.kernel.kernel().rows()[2], [1.0, 0.0, -1.5]);
        assert!(s
            .to_query()
            .contains("kernel=custom&weights=1,0,-1;2,0,-2;1,0,-1.5&"));
        assert_eq!(Settings::from_query(&s.to_query()).0, s);
        let (encoded, _) = Settings::from_query("weights=1%2C2%3B3%2C4");
        assert_eq!(encoded.kernel.kernel().rows(), [[1.0, 2.0], [3.0, 4.0]]);
    }

    #[test]
    fn bad_parameters_are_reported_and_ignored() {
        let (s, warnings) = Settings::from_query(
            "stride=0&padding=-1&dilation=abc&kernel=nope&weights=1,NaN&foo=1&stride=2&\
             channel=<script>alert(1)</script>&pool_size=99999999999999999999999",
        );
        assert_eq!(s.stride, 2);
        assert_eq!(s.padding, PaddingChoice::Pixels(0));
        assert_eq!(s.kernel, KernelChoice::Preset(Preset::Edges));
        let text = warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        for expected in [
            "stride must be a whole number from 1 to 16, not '0' (kept 1)",
            "padding must be a whole number from 0 to 16, not '-1'",
            "dilation must be a whole number",
            "there is no kernel called 'nope'",
            "row 1, column 2 is NaN",
            "the parameter 'foo' is not known",
            "'stride' is given more than once",
            "there is no channel called '<script>alert(1)</script>'",
            "pool_size must be a whole number from 1 to 16",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn language_is_written_only_when_chosen() {
        let (s, warnings) = Settings::from_query("lang=ru");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.lang, Some(Lang::Ru));
        assert!(s.to_query().ends_with("&bias=0&lang=ru"));
        assert_eq!(Settings::from_query(&s.to_query()).0, s);
        assert!(!Settings::default().to_query().contains("lang"));
        let (s, warnings) = Settings::from_query("lang=de");
        assert_eq!(s.lang, None);
        assert_eq!(warnings[0].to_string(), "lang must be en or ru, not 'de'");
    }

    #[test]
    fn embed_controls_and_projector_round_trip() {
        let (s, warnings) =
            Settings::from_query("view=pool&embed=1&controls=pool,stride,foo,pool,bar&projector=1");
        assert!(s.embed && s.projector);
        assert_eq!(s.controls, ["pool", "stride"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let warning = warnings[0].to_string();
        assert!(
            warning.starts_with("there is no control 'foo', 'bar' to show; use view, image,"),
            "{warning}"
        );
        assert!(warning.ends_with("(kept pool,stride)"), "{warning}");
        let query = s.to_query();
        assert!(
            query.ends_with("&embed=1&controls=pool,stride&projector=1"),
            "{query}"
        );
        assert_eq!(Settings::from_query(&query), (s, vec![]));
        // No controls at all, and bad switches.
        let (none, warnings) = Settings::from_query("embed=1&controls=&projector=yes");
        assert!(none.embed && none.controls.is_empty() && !none.projector);
        assert_eq!(
            warnings[0].to_string(),
            "projector must be 0 or 1, not 'yes' (kept 0)"
        );
        assert!(none.to_query().ends_with("&embed=1&controls="));
        // Off: not written at all.
        let (off, _) = Settings::from_query("embed=0&controls=kernel&projector=0");
        assert!(!off.to_query().contains("embed") && !off.to_query().contains("projector"));
        for view in View::ALL {
            assert!(view
                .embed_controls()
                .iter()
                .all(|c| embed_controls().any(|known| known == *c)));
        }
    }

    #[test]
    fn the_iframe_snippet_embeds_this_state() {
        let (settings, _) = Settings::from_query("view=pool&pool=mean&projector=1");
        let snippet =
            settings.iframe_snippet("https://a.b/c/index.html", &["pool", "pool_size"], 640, 360);
        assert!(snippet.starts_with(
            "<iframe src=\"https://a.b/c/index.html?view=pool&amp;image=astronaut&amp;"
        ));
        assert!(snippet.contains("&amp;pool=mean&amp;"), "{snippet}");
        assert!(snippet.contains(
            "&amp;embed=1&amp;controls=pool,pool_size&amp;projector=1\" width=\"640\" \
             height=\"360\" allow=\"camera\""
        ));
        assert!(snippet.ends_with("></iframe>"));
        // The address read back from the attribute restores the settings.
        let src = snippet.split('"').nth(1).unwrap().replace("&amp;", "&");
        let (back, warnings) = Settings::from_query(src.split_once('?').unwrap().1);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back.controls, ["pool", "pool_size"]);
        assert!(back.embed && back.projector && back.pool == PoolFunction::Mean);
        let odd = Settings::default().iframe_snippet("file:///x\"<y>&z", &[], 1, 1);
        assert!(
            odd.contains("file:///x&quot;&lt;y>&amp;z?view=conv"),
            "{odd}"
        );
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%E2%80%A6"), "…");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        let mut out = String::new();
        percent_encode("1/16,-2;x y&z=é", &mut out);
        assert_eq!(out, "1/16,-2;x%20y%26z%3D%C3%A9");
    }
}
