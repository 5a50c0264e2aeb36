//! The page's settings, and their URL form: the query string is the state.
//!
//! Pure Rust with no web types, so it is tested natively. [`Settings::from_query`] never
//! fails: a bad parameter keeps its default and adds a warning in words.

use std::fmt::Write as _;

use std::fmt;

use convlens_core::geometry::{Padding, PaddingMode};
use convlens_core::{
    Channels, ConvParams, DisplayMapping, Error, Kernel, PoolFunction, PoolParams, Preset,
};

use crate::i18n::{fill, or_list, Lang, Texts};
use crate::views::channels::MixingSettings;
use crate::views::oned::OneDSettings;
use crate::views::pool::PoolingSettings;
use crate::views::stack::{StackPreset, StackSettings};
use crate::views::steps::StepsSettings;
use crate::views::transposed::TransposedSettings;

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
    /// A grid or kernel larger than a view draws.
    AtMost {
        /// `"grid"` or `"kernel"`.
        what: &'static str,
        /// The largest side.
        max: usize,
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
    /// `block=` names no block of the block views.
    NoBlock {
        /// The value given (shortened).
        value: String,
    },
    /// `branches=` is not six channel counts from 1 to 1024.
    Branches {
        /// The value given (shortened).
        value: String,
    },
    /// A value that is not a number (the training view's learning rate).
    Number {
        /// What the number is, in words.
        key: &'static str,
        /// The value given (shortened).
        value: String,
    },
    /// `optimizer=` names no optimizer of the training view.
    NoOptimizer {
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
    /// A parameter that is not one of [`parameters`].
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
    crate::views::all().iter().map(|v| v.name()).collect()
}

/// The images' URL names, in menu order.
pub fn image_names() -> Vec<&'static str> {
    let mut names = Sample::ALL.map(Sample::name).to_vec();
    names.push("webcam");
    names
}

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
                or_list(&crate::views::stack::stack_names(), "or")
            ),
            SettingsError::GridTooLarge { max } => {
                write!(f, "the grid can be at most {max}×{max}")
            }
            SettingsError::NoBlock { value } => write!(
                f,
                "there is no block '{value}'; use {}",
                or_list(&crate::views::blocks::BLOCK_NAMES, "or")
            ),
            SettingsError::Branches { value } => write!(
                f,
                "the Inception branches are six channel counts from 1 to 1024 (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection), not '{value}'"
            ),
            SettingsError::AtMost { what, max } => {
                write!(f, "the {what} can be at most {max}×{max}")
            }
            SettingsError::NoOperation { value } => write!(
                f,
                "there is no operation '{value}'; use {}",
                or_list(&crate::views::steps::OPERATION_NAMES, "or")
            ),
            SettingsError::Number { key, value } => {
                write!(f, "the {key} must be a number, not '{value}'")
            }
            SettingsError::NoOptimizer { value } => write!(
                f,
                "there is no optimizer '{value}'; use {}",
                or_list(&crate::views::train::OPTIMIZER_NAMES, "or")
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
            SettingsError::NoStack { value: v } => {
                value(t.set_no_stack, v, &crate::views::stack::stack_names())
            }
            SettingsError::GridTooLarge { max } => fill(t.set_grid_at_most, &[("max", max)]),
            SettingsError::NoBlock { value: v } => {
                value(t.set_no_block, v, &crate::views::blocks::BLOCK_NAMES)
            }
            SettingsError::Branches { value } => fill(t.set_branches, &[("value", value)]),
            SettingsError::AtMost { what, max } => {
                fill(t.set_at_most, &[("what", &t.noun(what)), ("max", max)])
            }
            SettingsError::NoOperation { value: v } => {
                value(t.set_no_operation, v, &crate::views::steps::OPERATION_NAMES)
            }
            SettingsError::Number { key, value } => {
                fill(t.set_number, &[("what", &t.noun(key)), ("value", value)])
            }
            SettingsError::NoOptimizer { value: v } => {
                value(t.set_no_optimizer, v, &crate::views::train::OPTIMIZER_NAMES)
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

/// Everything the controls set: what the shell and the views share, and the built-in
/// views' own parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The view shown, by its name (`view=`; one of [`crate::views::all`]).
    pub view: &'static str,
    /// Where the input comes from.
    pub source: Source,
    /// Longest side the input is scaled to; 0 keeps its own size.
    pub size: usize,
    /// The kernel.
    pub kernel: KernelChoice,
    /// A custom kernel's cells as they were typed (`1/3`, `0.1`), row by row, written
    /// back to the URL and the cells as they are; empty for a preset.
    pub weight_texts: Vec<String>,
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
    /// Whether maps are enlarged to the input's box instead of drawn at their true scale.
    pub fit: bool,
    /// The pooling function.
    pub pool: PoolFunction,
    /// The pooling window side.
    pub pool_size: usize,
    /// The pooling stride; `None` is the window side (PyTorch's default).
    pub pool_stride: Option<usize>,
    /// The pooling view's part (padding, ceil mode, LP's power, indices).
    pub pooling: PoolingSettings,
    /// The step-by-step view's part.
    pub steps: StepsSettings,
    /// The 1D view's part.
    pub oned: OneDSettings,
    /// The transposed-convolution view's part.
    pub transposed: TransposedSettings,
    /// The channels view's part.
    pub mixing: MixingSettings,
    /// The layer-stack view's part.
    pub stack: StackSettings,
    /// The parameters of views registered by other crates, as the URL wrote them (each
    /// checked by its view's [`View::set`](crate::views::View::set)).
    pub extra: Vec<(&'static str, String)>,
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
    parameters()
        .into_iter()
        .filter(|name| !NOT_EMBED_CONTROLS.contains(name))
}

impl Default for Settings {
    /// The lecture's opening demo: Edges on the astronaut, stride 1, padding 0.
    fn default() -> Self {
        Settings {
            view: "conv",
            source: Source::Sample(Sample::Astronaut),
            size: 0,
            kernel: KernelChoice::Preset(Preset::Edges),
            weight_texts: Vec::new(),
            stride: 1,
            padding: PaddingChoice::Pixels(0),
            padding_mode: PaddingMode::Zeros,
            dilation: 1,
            channel: Channels::All,
            display: DisplayMapping::Clamp,
            fit: false,
            pool: PoolFunction::Max,
            pool_size: 2,
            pool_stride: None,
            pooling: PoolingSettings::default(),
            steps: StepsSettings::default(),
            oned: OneDSettings::default(),
            transposed: TransposedSettings::default(),
            mixing: MixingSettings::default(),
            stack: StackSettings::default(),
            extra: Vec::new(),
            meter: false,
            lang: None,
            embed: false,
            controls: Vec::new(),
            projector: false,
        }
    }
}

/// The shell's URL parameters written before the views' own, in URL order: the input
/// and the settings views share.
pub const SHARED: [&str; 15] = [
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
    "fit",
    "pool",
    "pool_size",
    "pool_stride",
];

/// The shell's URL parameters written after the views' own: the page's modes.
pub const MODES: [&str; 5] = ["meter", "lang", "embed", "controls", "projector"];

/// Every URL parameter, in the order the URL writes them: [`SHARED`], each view's own
/// (in tab order), then [`MODES`].
pub fn parameters() -> Vec<&'static str> {
    let mut all = SHARED.to_vec();
    for view in crate::views::all() {
        all.extend_from_slice(view.parameters());
    }
    all.extend_from_slice(&MODES);
    all
}

/// The view that owns parameter `key`, if one does.
fn owner(key: &str) -> Option<&'static dyn crate::views::View> {
    crate::views::all()
        .into_iter()
        .find(|view| view.parameters().contains(&key))
}

impl Settings {
    /// A parameter of a view registered by another crate, as the URL wrote it.
    pub fn extra_value(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Keeps `value` for `key`, a parameter of a view registered by another crate (its
    /// `set` calls this once the value is checked).
    pub fn set_extra(&mut self, key: &'static str, value: &str) {
        self.extra.retain(|(k, _)| *k != key);
        self.extra.push((key, value.into()));
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

    /// The pooling's parameters: the dilation for max and min pooling, the divisor for
    /// the mean.
    pub fn pool_params(&self) -> PoolParams {
        PoolParams {
            stride: self.pool_stride.map(|s| (s, s)),
            padding: convlens_core::Pads::uniform(self.pooling.padding),
            ceil_mode: self.pooling.ceil,
            // What only some functions take applies to them alone (the controls of the
            // others are hidden, and their values kept for when they come back).
            dilation: if self.pool.picks_one() {
                (self.pooling.dilation, self.pooling.dilation)
            } else {
                (1, 1)
            },
            count_include_pad: self.pooling.include_pad,
            divisor_override: self
                .pooling
                .divisor
                .filter(|_| self.pool == PoolFunction::Mean),
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
                self.view = crate::views::find(value)
                    .ok_or_else(|| SettingsError::NoView { value: given() })?
                    .name()
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
                    let preset = Preset::from_slug(value)?;
                    self.weight_texts.clear();
                    KernelChoice::Preset(preset)
                }
            }
            "weights" => {
                let kernel = Kernel::parse(value)?;
                self.weight_texts = value
                    .split(';')
                    .flat_map(|row| row.split(','))
                    .map(|cell| cell.trim().to_string())
                    .collect();
                self.kernel = KernelChoice::Custom(kernel);
            }
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
            "fit" => self.fit = flag("fit", value)?,
            "pool" => {
                self.pool = match PoolFunction::from_name(value)? {
                    PoolFunction::Lp(_) => PoolFunction::Lp(self.pooling.power),
                    other => other,
                }
            }
            "pool_size" => self.pool_size = number("pool_size", value, 1, MAX_POOL)?,
            "pool_stride" => {
                self.pool_stride = match value {
                    "" | "auto" => None,
                    _ => Some(number("pool_stride", value, 1, MAX_POOL)?),
                }
            }
            "meter" => self.meter = flag("meter", value)?,
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
            _ => match owner(key) {
                Some(view) => return view.set(self, key, value),
                None => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
            },
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
                let known = parameters().contains(&key.as_str());
                warnings.push(if known && !kept.is_empty() {
                    SettingsError::Kept {
                        error: Box::new(error),
                        kept,
                    }
                } else if known {
                    error
                } else {
                    SettingsError::UnknownParameter { key: shorten(&key) }
                });
            }
        }
        // A view may start from its own defaults for what the URL leaves out.
        crate::views::of(&settings.clone()).opened(&mut settings, &seen);
        (settings, warnings)
    }

    /// The value of one parameter as the URL writes it.
    pub fn describe(&self, key: &str) -> String {
        match key {
            "view" => self.view.into(),
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
            "weights" => {
                let kernel = self.kernel.kernel();
                if self.weight_texts.len() == kernel.weights().len() {
                    self.weight_texts
                        .chunks(kernel.width())
                        .map(|row| row.join(","))
                        .collect::<Vec<_>>()
                        .join(";")
                } else {
                    kernel.to_string()
                }
            }
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
            "fit" => u8::from(self.fit).to_string(),
            "pool" => self.pool.name().into(),
            "pool_size" => self.pool_size.to_string(),
            "pool_stride" => self
                .pool_stride
                .map_or_else(|| "auto".into(), |s| s.to_string()),
            "meter" => u8::from(self.meter).to_string(),
            "lang" => self
                .lang
                .map_or_else(String::new, |lang| lang.code().into()),
            "embed" => u8::from(self.embed).to_string(),
            "projector" => u8::from(self.projector).to_string(),
            "controls" => self.controls.join(","),
            _ => owner(key).map_or_else(String::new, |view| view.describe(self, key)),
        }
    }

    /// The query string for these settings (without `?`), every control included.
    /// An uploaded image is not in the URL: it names the default photo instead.
    pub fn to_query(&self) -> String {
        self.query_of(&parameters())
    }

    /// The query string of these settings for the parameters in `keys` (in their order).
    fn query_of(&self, keys: &[&'static str]) -> String {
        let mut query = String::new();
        for &key in keys {
            let value = match key {
                "weights" if !matches!(self.kernel, KernelChoice::Custom(_)) => continue,
                "layers" if self.stack.preset != StackPreset::Custom => continue,
                "image" if self.source == Source::Upload => Sample::Astronaut.name().into(),
                // Only a language the user picked is written; otherwise the browser's.
                "lang" if self.lang.is_none() => continue,
                // A tool for the curious: in the URL only when shown.
                "meter" if !self.meter => continue,
                // Written only when on, so ordinary links stay short.
                "fit" if !self.fit => continue,
                // Written only when on, so ordinary links stay short.
                "embed" | "controls" if !self.embed => continue,
                "projector" if !self.projector => continue,
                // A view's parameter it leaves out (one at its default).
                _ if crate::views::all()
                    .iter()
                    .any(|v| v.parameters().contains(&key) && v.left_out(self, key)) =>
                {
                    continue
                }
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
    /// address without its query), with `controls` and `width x height` pixels, titled
    /// `title`. The address carries only what the view shows: the input, the shared
    /// settings the view reads and its own, and the modes. It is escaped for an HTML
    /// attribute (`&` as `&amp;`). `allow="camera"` lets the webcam input work inside
    /// the frame.
    pub fn iframe_snippet(
        &self,
        page: &str,
        controls: &[&'static str],
        (width, height): (u32, u32),
        title: &str,
    ) -> String {
        let embedded = Settings {
            embed: true,
            controls: controls.to_vec(),
            ..self.clone()
        };
        let view = crate::views::of(self);
        let keys: Vec<&'static str> = parameters()
            .into_iter()
            .filter(|key| {
                *key == "view"
                    || MODES.contains(key)
                    || view.uses().contains(key)
                    || view.parameters().contains(key)
            })
            .collect();
        let address = format!("{page}?{}", embedded.query_of(&keys));
        let escape = |text: &str| {
            text.replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;")
        };
        format!(
            "<iframe src=\"{}\" width=\"{width}\" height=\"{height}\" allow=\"camera\" \
             title=\"{}\" style=\"border: 0\" loading=\"lazy\"></iframe>",
            escape(&address),
            escape(title)
        )
    }
}

/// Numbers as the URL writes them, separated by commas.
pub(crate) fn list(values: &[f32]) -> String {
    values
        .iter()
        .map(f32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Rows of numbers as the URL writes them: commas between numbers, `;` between rows.
pub(crate) fn rows(rows: &[Vec<f32>]) -> String {
    rows.iter()
        .map(|row| list(row))
        .collect::<Vec<_>>()
        .join(";")
}

/// A yes/no parameter: `0` or `1`.
pub fn flag(key: &'static str, value: &str) -> Result<bool, SettingsError> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(SettingsError::Flag {
            key,
            value: shorten(value),
        }),
    }
}

/// A whole number from `low` to `high`.
pub fn number(
    key: &'static str,
    value: &str,
    low: usize,
    high: usize,
) -> Result<usize, SettingsError> {
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
             pool_stride=auto&pool_p=2&pool_padding=0&pool_ceil=0&pool_indices=0&\
             pool_dilation=1&pool_include_pad=1&pool_divisor=auto&\
             grid=1,1,1,0,0;0,1,1,1,0;0,0,1,1,1;0,0,1,1,0;\
             0,1,1,0,0&op=conv&step=1&sequence=1,3,2,5,4,1,0,2&taps=1,2,1&\
             mix=0.299,0.587,0.114;1,-1,0&spatial=0&bias=0&stack=three-3x3&layer=1&\
             tgrid=1,2;3,4&tkernel=1,2,1;2,4,2;1,2,1&tstride=2&tpadding=0&output_padding=0&\
             tdilation=1&tstep=1"
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
        assert_eq!(s.view, "pool");
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
        assert_eq!((s.stack.preset, s.stack.layer), (StackPreset::Alexnet, 3));
        assert_eq!(Settings::from_query(&s.to_query()).0, s);
    }

    #[test]
    fn typed_weights_stay_as_typed() {
        // Defect 5: 1/3 is not written back as 0.33333334, nor 0.1 read back as 1/10.
        let (s, warnings) = Settings::from_query("weights=1/3,0.1;-1/2,2");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(
            s.to_query().contains("weights=1/3,0.1;-1/2,2&"),
            "{}",
            s.to_query()
        );
        assert_eq!(s.weight_texts, ["1/3", "0.1", "-1/2", "2"]);
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
        assert!(s.to_query().ends_with("&tstep=1&lang=ru"));
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
        for view in crate::views::all() {
            assert!(view
                .embed_controls()
                .iter()
                .all(|c| embed_controls().any(|known| known == *c)));
        }
    }

    #[test]
    fn the_iframe_snippet_embeds_this_state() {
        let (settings, _) = Settings::from_query("view=pool&pool=mean&projector=1");
        let snippet = settings.iframe_snippet(
            "https://a.b/c/index.html",
            &["pool", "pool_size"],
            (640, 360),
            "convlens: Pooling",
        );
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
        let odd = Settings::default().iframe_snippet("file:///x\"<y>&z", &[], (1, 1), "t");
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
