//! From an RGBA frame and the settings to the maps the page draws, and the numbers and
//! arithmetic it shows. Pure Rust with no web types: the page and the native test oracle
//! (`examples/oracle.rs`) both call it.

use std::fmt::Write as _;

use convlens_core::conv::{conv1d_matrix, depthwise_weight};
use convlens_core::cost::ConvLayerShape;
use convlens_core::geometry::Padding;
use convlens_core::geometry::Pads;
use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{
    conv2d, depthwise_conv2d, pool2d, reference, Channels, DisplayMapping, PaddingMode,
    PoolFunction, Rect, Result, Tensor,
};

use crate::i18n::{fill, t};
use crate::settings::{PaddingChoice, Settings, StackPreset, StepOperation};
use convlens_core::network::{analyse, forward, total_parameters, Architecture, LayerReport};

/// The longest side an input image keeps; larger ones are scaled down, with a notice.
pub const MAX_SIDE: usize = 2048;

/// The size a `width x height` input is drawn at: the chosen `size` for the longest
/// side (0: its own size), never above [`MAX_SIDE`], never below 1. The page and the
/// command-line tool both scale by this rule.
pub fn scaled_size(width: usize, height: usize, size: usize) -> (usize, usize) {
    let longest = width.max(height).max(1);
    let target = if size == 0 {
        longest.min(MAX_SIDE)
    } else {
        size.min(longest)
    };
    if target >= longest {
        return (width.max(1), height.max(1));
    }
    let scale = target as f64 / longest as f64;
    let side = |n: usize| ((n as f64 * scale).round() as usize).max(1);
    (side(width), side(height))
}

/// One RGBA frame, row-major, 4 bytes a pixel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `4 * width * height` bytes.
    pub rgba: Vec<u8>,
}

/// Which implementation computes the maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The core crate's fast paths (the page).
    Fast,
    /// The naive reference (the test oracle).
    Reference,
}

/// The tensor the demo works on: the frame's selected channels, values 0..255.
///
/// # Errors
/// A frame whose buffer does not match its size.
pub fn input_tensor(frame: &Frame, channel: Channels) -> Result<Tensor> {
    rgba_to_tensor(&frame.rgba, frame.width, frame.height, channel)
}

/// The feature map: the kernel applied to each selected channel (depthwise).
///
/// # Errors
/// Invalid geometry, in words.
pub fn feature_map(settings: &Settings, input: &Tensor, backend: Backend) -> Result<Tensor> {
    let kernel = settings.kernel.kernel();
    let params = settings.conv_params();
    match backend {
        Backend::Fast => depthwise_conv2d(input, &kernel, &params),
        Backend::Reference => {
            let weight = depthwise_weight(&kernel, input.channels())?;
            reference::conv2d(input, &weight, None, &params)
        }
    }
}

/// The pooled map.
///
/// # Errors
/// Invalid geometry, in words.
pub fn pooled_map(settings: &Settings, input: &Tensor, backend: Backend) -> Result<Tensor> {
    let params = settings.pool_params();
    match backend {
        Backend::Fast => pool2d(input, settings.pool, &params),
        Backend::Reference => reference::pool2d(input, settings.pool, &params),
    }
}

/// Draws a map into `out` as RGBA. Pooled maps stay within 0..255 and always clamp.
///
/// # Errors
/// A tensor that is not one image of 1 or 3 channels.
pub fn draw(map: &Tensor, mapping: DisplayMapping, out: &mut Vec<u8>) -> Result<()> {
    tensor_to_rgba(map, mapping, out)
}

/// The numbers the page shows next to the convolution demo.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvFacts {
    /// Output height and width.
    pub output: (usize, usize),
    /// The padding on each side.
    pub pads: Pads,
    /// The output-size formula for height, filled in.
    pub height_formula: String,
    /// The same for width.
    pub width_formula: String,
    /// Parameter count with its formula.
    pub parameters: String,
    /// FLOPs with their formula.
    pub flops: String,
    /// What one output cell sees.
    pub receptive_field: String,
    /// The equivalent PyTorch layer.
    pub pytorch: String,
}

/// Works out [`ConvFacts`] for an input of `channels x height x width`.
///
/// # Errors
/// Invalid geometry, in words.
pub fn conv_facts(
    settings: &Settings,
    channels: usize,
    height: usize,
    width: usize,
) -> Result<ConvFacts> {
    let kernel = settings.kernel.kernel();
    let params = convlens_core::ConvParams {
        groups: channels,
        ..settings.conv_params()
    };
    let input_shape = convlens_core::Shape::new(1, channels, height, width)?;
    let weight_shape = convlens_core::Shape::new(channels, 1, kernel.height(), kernel.width())?;
    let plan = params.plan(input_shape, weight_shape)?;
    let output = (plan.output.height, plan.output.width);
    let (s, d) = (settings.stride, settings.dilation);
    let formula = |axis: &str, size: usize, before: usize, after: usize, k: usize, out: usize| {
        let (symbolic, padding) = if before == after {
            ("2p".to_string(), format!("2·{before}"))
        } else {
            ("p₁ + p₂".to_string(), format!("{before} + {after}"))
        };
        format!(
            "{axis}_out = ⌊({axis}_in + {symbolic} − d·(k − 1) − 1) / s⌋ + 1 \
             = ⌊({size} + {padding} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"
        )
    };
    let layer = ConvLayerShape {
        in_channels: channels,
        out_channels: channels,
        kernel: (kernel.height(), kernel.width()),
        groups: channels,
        bias: false,
    };
    let parameter_count = layer.parameters()?;
    let flops = layer.flops(output)?;
    let (kh, kw) = layer.kernel;
    let sizes: [(&str, &dyn std::fmt::Display); 4] = [
        ("kh", &kh),
        ("kw", &kw),
        ("channels", &channels),
        ("count", &parameter_count),
    ];
    let parameters = if channels == 1 {
        fill(t().parameters_one, &sizes)
    } else {
        fill(t().parameters_depthwise, &sizes)
    };
    let flops = fill(
        t().flops_depthwise,
        &[
            ("height", &output.0),
            ("width", &output.1),
            ("channels", &channels),
            ("kh", &kh),
            ("kw", &kw),
            ("multiply_adds", &group_digits(flops.multiply_adds)),
            ("flops", &group_digits(2 * flops.multiply_adds)),
        ],
    );
    let covers = (d * (kh - 1) + 1, d * (kw - 1) + 1);
    let mut receptive_field = fill(
        t().field_window,
        &[("height", &covers.0), ("width", &covers.1)],
    );
    if d > 1 {
        receptive_field.push_str(&fill(
            t().field_dilated,
            &[
                ("kh", &kh),
                ("kw", &kw),
                ("d", &d),
                ("weights", &(kh * kw)),
                ("gap", &(d - 1)),
            ],
        ));
    }
    receptive_field.push_str(&fill(t().field_neighbours, &[("s", &s)]));
    Ok(ConvFacts {
        output,
        pads: plan.pads,
        height_formula: formula("H", height, plan.pads.top, plan.pads.bottom, kh, output.0),
        width_formula: formula("W", width, plan.pads.left, plan.pads.right, kw, output.1),
        parameters,
        flops,
        receptive_field,
        pytorch: pytorch_conv(settings, channels, (kh, kw)),
    })
}

/// The `nn.Conv2d` line for the settings.
pub fn pytorch_conv(settings: &Settings, channels: usize, kernel: (usize, usize)) -> String {
    let mut line = format!("nn.Conv2d({channels}, {channels}, kernel_size=");
    if kernel.0 == kernel.1 {
        let _ = write!(line, "{}", kernel.0);
    } else {
        let _ = write!(line, "({}, {})", kernel.0, kernel.1);
    }
    if settings.stride != 1 {
        let _ = write!(line, ", stride={}", settings.stride);
    }
    match settings.padding {
        PaddingChoice::Pixels(0) => {}
        PaddingChoice::Pixels(p) => {
            let _ = write!(line, ", padding={p}");
        }
        PaddingChoice::Same => line.push_str(", padding='same'"),
        PaddingChoice::Valid => line.push_str(", padding='valid'"),
    }
    if settings.dilation != 1 {
        let _ = write!(line, ", dilation={}", settings.dilation);
    }
    if channels > 1 {
        let _ = write!(line, ", groups={channels}");
    }
    line.push_str(", bias=False");
    if settings.padding_mode != PaddingMode::Zeros {
        let _ = write!(line, ", padding_mode='{}'", settings.padding_mode.name());
    }
    line.push(')');
    line
}

/// The pooling layer as PyTorch writes it.
pub fn pytorch_pool(settings: &Settings) -> String {
    let mut arguments = format!("kernel_size={}", settings.pool_size);
    if let Some(stride) = settings.pool_stride {
        let _ = write!(arguments, ", stride={stride}");
    } else {
        let _ = write!(arguments, ", stride={}", settings.pool_size);
    }
    match settings.pool {
        PoolFunction::Max => format!("nn.MaxPool2d({arguments})"),
        PoolFunction::Mean => format!("nn.AvgPool2d({arguments})"),
        PoolFunction::Min => format!("-F.max_pool2d(-x, {arguments})  # min pooling"),
        PoolFunction::Lp(p) => format!("nn.LPPool2d({}, {arguments})", p.value()),
    }
}

/// The numbers the page shows next to the pooling demo.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolFacts {
    /// Output height and width.
    pub output: (usize, usize),
    /// The output-size formula for height, filled in.
    pub height_formula: String,
    /// The same for width.
    pub width_formula: String,
    /// The equivalent PyTorch layer.
    pub pytorch: String,
}

/// Works out [`PoolFacts`] for an input of `height x width`.
///
/// # Errors
/// Invalid geometry, in words.
pub fn pool_facts(settings: &Settings, height: usize, width: usize) -> Result<PoolFacts> {
    let params = settings.pool_params();
    let output = params.output_size(settings.pool, height, width)?;
    let (k, s) = (settings.pool_size, params.stride().0);
    let formula = |axis: &str, size: usize, out: usize| {
        format!("{axis}_out = ⌊({axis}_in − k) / s⌋ + 1 = ⌊({size} − {k}) / {s}⌋ + 1 = {out}")
    };
    Ok(PoolFacts {
        output,
        height_formula: formula("H", height, output.0),
        width_formula: formula("W", width, output.1),
        pytorch: pytorch_pool(settings),
    })
}

/// The most multiply-adds the stack view spends on one forward pass (about a second in
/// the browser); later layers are listed but not run.
pub const STACK_BUDGET: u64 = 1_200_000_000;

/// One row of the stack view's table, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct StackRow {
    /// The layer as PyTorch writes it.
    pub pytorch: String,
    /// Output shape, `C × H × W`, or the number of features.
    pub output: String,
    /// Learned parameters.
    pub parameters: String,
    /// Multiply-adds for one image.
    pub multiply_adds: String,
    /// Receptive field of one output cell, or a dash once the layer mixes everything.
    pub receptive_field: String,
    /// Input pixels between neighbouring cells.
    pub jump: String,
}

/// Everything the stack view shows in words and numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct StackFacts {
    /// The architecture.
    pub architecture: Architecture,
    /// The core's report, layer by layer.
    pub reports: Vec<LayerReport>,
    /// The table rows.
    pub rows: Vec<StackRow>,
    /// Total parameters.
    pub total_parameters: String,
    /// Total multiply-adds.
    pub total_multiply_adds: String,
    /// What the stack teaches, with its numbers.
    pub note: String,
}

/// Works out the stack view's table for the chosen stack.
///
/// # Errors
/// A stack whose layers do not fit (none of the presets).
pub fn stack_facts(settings: &Settings) -> Result<StackFacts> {
    let architecture = settings.architecture();
    let reports = analyse(architecture.input, &architecture.layers)?;
    let shape = |(c, h, w): (usize, usize, usize)| {
        if h == 1 && w == 1 {
            group_digits(c as u64)
        } else {
            format!("{c} × {h} × {w}")
        }
    };
    let rows = reports
        .iter()
        .map(|report| StackRow {
            pytorch: report.layer.pytorch(report.input.0),
            output: shape(report.output),
            parameters: group_digits(report.parameters),
            multiply_adds: group_digits(report.multiply_adds),
            receptive_field: report.receptive_field.map_or_else(
                || t().whole_image.into(),
                |f| format!("{} × {}", f.size.0, f.size.1),
            ),
            jump: report
                .receptive_field
                .map_or_else(|| "–".into(), |f| f.jump.0.to_string()),
        })
        .collect();
    let total = total_parameters(&reports);
    let total_multiply_adds: u64 = reports.iter().map(|r| r.multiply_adds).sum();
    let field = |i: usize| {
        reports
            .get(i)
            .and_then(|r| r.receptive_field)
            .map_or(0, |f| f.size.0)
    };
    let note = match settings.stack {
        StackPreset::Three3x3 => fill(t().note_three, &[("field", &field(2)), ("weights", &total)]),
        StackPreset::One7x7 => fill(t().note_one, &[("field", &field(0)), ("weights", &total)]),
        StackPreset::Deep3x3 => fill(
            t().note_deep,
            &[
                ("layers", &reports.len()),
                ("field", &field(reports.len().saturating_sub(1))),
            ],
        ),
        preset => fill(
            if preset == StackPreset::Custom {
                t().note_custom
            } else {
                t().note_preset
            },
            &[
                ("name", &architecture.name),
                ("parameters", &group_digits(total)),
                ("multiply_adds", &group_digits(total_multiply_adds)),
                ("height", &architecture.input.1),
                ("width", &architecture.input.2),
            ],
        ),
    };
    Ok(StackFacts {
        architecture,
        reports,
        rows,
        total_parameters: group_digits(total),
        total_multiply_adds: group_digits(total_multiply_adds),
        note,
    })
}

/// The lecture's table of architectures, with what this page counts for those it builds:
/// `[name, year, parameters, top-1, counted here]`.
pub fn architecture_rows() -> Vec<[String; 5]> {
    let built = [
        Architecture::lenet5(),
        Architecture::alexnet(),
        Architecture::vgg16(),
    ];
    convlens_core::network::LECTURE_TABLE
        .iter()
        .map(|&(name, year, parameters, top1)| {
            let counted = built
                .iter()
                .find(|a| a.name == name)
                .and_then(|a| analyse(a.input, &a.layers).ok())
                .map_or_else(
                    || "–".to_string(),
                    |reports| {
                        let field = reports.iter().rev().find_map(|r| r.receptive_field);
                        fill(
                            t().architecture_counted,
                            &[
                                ("parameters", &group_digits(total_parameters(&reports))),
                                (
                                    "field",
                                    &field.map_or_else(
                                        || "–".into(),
                                        |f| format!("{0}×{0}", f.size.0),
                                    ),
                                ),
                            ],
                        )
                    },
                );
            [
                name.to_string(),
                year.to_string(),
                parameters.to_string(),
                top1.unwrap_or("–").to_string(),
                counted,
            ]
        })
        .collect()
}

/// Runs the chosen stack on a frame already scaled to the stack's input size, within
/// [`STACK_BUDGET`]; one tensor per layer that ran.
///
/// # Errors
/// A frame of the wrong size.
pub fn stack_forward(settings: &Settings, frame: &Frame) -> Result<Vec<Tensor>> {
    let architecture = settings.architecture();
    let channel = if architecture.input.0 == 1 {
        Channels::Gray
    } else {
        Channels::All
    };
    let input = input_tensor(frame, channel)?;
    forward(&input, &architecture.layers, STACK_BUDGET)
}

/// One channel of a layer's output, stretched to 0..255 gray (each map on its own scale).
///
/// # Errors
/// A channel out of range.
pub fn draw_channel(output: &Tensor, channel: usize, out: &mut Vec<u8>) -> Result<()> {
    let plane = output
        .plane(0, channel)
        .ok_or(convlens_core::Error::NoChannel {
            channels: output.channels(),
            channel,
        })?;
    let map = Tensor::new(1, output.height(), output.width(), plane.to_vec())?;
    tensor_to_rgba(&map, DisplayMapping::Normalize, out)
}

/// The step-by-step view at one window position.
#[derive(Debug, Clone, PartialEq)]
pub struct StepsFacts {
    /// The grid as a one-channel tensor.
    pub input: Tensor,
    /// The whole output (the view reveals it position by position).
    pub output: Tensor,
    /// Padding on each side of the grid (none for pooling).
    pub pads: Pads,
    /// Number of window positions, `H_out * W_out`.
    pub positions: usize,
    /// The position shown, clamped to the last.
    pub step: usize,
    /// The arithmetic at that position (one channel).
    pub arithmetic: CellArithmetic,
    /// The output-size formulas, filled in.
    pub formulas: [String; 2],
}

/// Works out the step-by-step view: the grid's output and the arithmetic at the chosen
/// window position.
///
/// # Errors
/// An invalid grid or invalid geometry, in words.
pub fn steps_facts(settings: &Settings) -> Result<StepsFacts> {
    let input = Tensor::from_rows(&settings.grid)?;
    // One channel: the grid is a single plane.
    let one = Settings {
        channel: Channels::Gray,
        ..settings.clone()
    };
    let (output, pads, formulas) = match settings.op {
        StepOperation::Conv => {
            let facts = conv_facts(&one, 1, input.height(), input.width())?;
            let output = feature_map(&one, &input, Backend::Fast)?;
            (
                output,
                facts.pads,
                [facts.height_formula, facts.width_formula],
            )
        }
        StepOperation::Max | StepOperation::Mean => {
            let pool = if settings.op == StepOperation::Max {
                PoolFunction::Max
            } else {
                PoolFunction::Mean
            };
            let one = Settings {
                pool,
                ..one.clone()
            };
            let facts = pool_facts(&one, input.height(), input.width())?;
            let output = pooled_map(&one, &input, Backend::Fast)?;
            (
                output,
                Pads::default(),
                [facts.height_formula, facts.width_formula],
            )
        }
    };
    let positions = output.height() * output.width();
    let step = settings.step.min(positions - 1);
    let cell = (step / output.width(), step % output.width());
    let arithmetic = match settings.op {
        StepOperation::Conv => conv_arithmetic(&one, &input, &output, cell)?,
        StepOperation::Max => pool_arithmetic(
            &Settings {
                pool: PoolFunction::Max,
                ..one
            },
            &input,
            &output,
            cell,
        )?,
        StepOperation::Mean => pool_arithmetic(
            &Settings {
                pool: PoolFunction::Mean,
                ..one
            },
            &input,
            &output,
            cell,
        )?,
    };
    Ok(StepsFacts {
        input,
        output,
        pads,
        positions,
        step,
        arithmetic,
        formulas,
    })
}

/// The 1D view: `z = w * x` and the fully connected layer it is.
#[derive(Debug, Clone, PartialEq)]
pub struct OneDFacts {
    /// Zeros added before and after `x`.
    pub padding: (usize, usize),
    /// The output `z`.
    pub output: Vec<f32>,
    /// The equivalent weight matrix: `Some(k)` where weight `k` sits, `None` for a zero.
    pub matrix: Vec<Vec<Option<usize>>>,
    /// The output-length formula, filled in.
    pub formula: String,
    /// Parameter counts of the convolution and of the fully connected layer, in words.
    pub parameters: String,
}

/// Works out the 1D view: `z`, its formula, and the fully connected layer it equals.
///
/// # Errors
/// An empty sequence or kernel, or a kernel longer than the padded sequence.
pub fn one_d_facts(settings: &Settings) -> Result<OneDFacts> {
    let (x, w) = (&settings.sequence, &settings.taps);
    let (s, d) = (settings.stride, settings.dilation);
    let padding = match settings.padding {
        PaddingChoice::Pixels(p) => Padding::uniform(p),
        PaddingChoice::Same => Padding::Same,
        PaddingChoice::Valid => Padding::Valid,
    }
    .resolve((1, w.len()), (1, s), (1, d))?;
    let padding = (padding.left, padding.right);
    let line = Tensor::new(1, 1, x.len(), x.clone())?;
    let weight = Tensor::with_batch(1, 1, 1, w.len(), w.clone())?;
    let params = convlens_core::ConvParams {
        stride: (1, s),
        padding: Padding::Explicit(Pads {
            top: 0,
            bottom: 0,
            left: padding.0,
            right: padding.1,
        }),
        dilation: (1, d),
        ..convlens_core::ConvParams::default()
    };
    let output = conv2d(&line, &weight, None, &params)?.into_data();
    let matrix = conv1d_matrix(x.len(), w.len(), s, padding, d)?;
    let (n, k) = (output.len(), w.len());
    let shared = matrix.iter().flatten().filter(|e| e.is_some()).count();
    let formula = format!(
        "L_out = ⌊(L_in + p₁ + p₂ − d·(k − 1) − 1) / s⌋ + 1 = ⌊({} + {} + {} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {n}",
        x.len(),
        padding.0,
        padding.1
    );
    let parameters = fill(
        t().oned_parameters,
        &[
            ("taps", &k),
            ("outputs", &n),
            ("inputs", &x.len()),
            ("weights", &(n * x.len())),
            ("shared", &shared),
            ("zeros", &(n * x.len() - shared)),
        ],
    );
    Ok(OneDFacts {
        padding,
        output,
        matrix,
        formula,
        parameters,
    })
}

/// The channels view: each output channel as the sum of its per-channel parts.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelsFacts {
    /// Per output channel, the three parts `w_{o,c} ∗ x_c` (one-channel maps) for R, G, B.
    pub parts: Vec<[Tensor; 3]>,
    /// The layer's output: one channel per row of the mixing weights.
    pub output: Tensor,
    /// Kernel size of the filters.
    pub kernel: (usize, usize),
    /// Parameters with their formula.
    pub parameters: String,
    /// Multiply-adds with their formula.
    pub flops: String,
    /// The equivalent PyTorch layer.
    pub pytorch: String,
}

/// The channels view's layer: `C_in = 3` (R, G, B) to one output channel per row of
/// `settings.mix`. Filter `o` holds, for input channel `c`, `mix[o][c]` times the
/// kernel (`settings.spatial`) or the single weight `mix[o][c]` (a 1x1 convolution).
///
/// # Errors
/// Invalid geometry, in words.
pub fn channels_facts(settings: &Settings, frame: &Frame) -> Result<ChannelsFacts> {
    let input = input_tensor(frame, Channels::All)?;
    let base = if settings.spatial {
        settings.kernel.kernel()
    } else {
        convlens_core::Kernel::identity(1, 1)?
    };
    let (kh, kw) = (base.height(), base.width());
    let out_channels = settings.mix.len();
    let weights: Vec<f32> = settings
        .mix
        .iter()
        .flat_map(|row| {
            row.iter()
                .flat_map(|&m| base.weights().iter().map(move |&w| m * w))
        })
        .collect();
    let weight = Tensor::with_batch(out_channels, 3, kh, kw, weights)?;
    let params = convlens_core::ConvParams {
        groups: 1,
        ..settings.conv_params()
    };
    let bias = vec![settings.bias; out_channels];
    let output = conv2d(&input, &weight, Some(&bias), &params)?;
    let parts = settings
        .mix
        .iter()
        .map(|row| {
            let part = |c: usize| -> Result<Tensor> {
                let plane = input.plane(0, c).unwrap_or_default().to_vec();
                let one = Tensor::new(1, input.height(), input.width(), plane)?;
                let w = Tensor::with_batch(
                    1,
                    1,
                    kh,
                    kw,
                    base.weights().iter().map(|w| row[c] * w).collect(),
                )?;
                conv2d(&one, &w, None, &params)
            };
            Ok([part(0)?, part(1)?, part(2)?])
        })
        .collect::<Result<Vec<_>>>()?;
    let with_bias = settings.bias != 0.0;
    let layer = ConvLayerShape {
        in_channels: 3,
        out_channels,
        kernel: (kh, kw),
        groups: 1,
        bias: with_bias,
    };
    let (h, w) = (output.height(), output.width());
    let parameters = fill(
        if with_bias {
            t().channels_parameters_bias
        } else {
            t().channels_parameters
        },
        &[
            ("kh", &kh),
            ("kw", &kw),
            ("outputs", &out_channels),
            ("count", &layer.parameters()?),
        ],
    );
    let flops = fill(
        t().channels_flops,
        &[
            ("height", &h),
            ("width", &w),
            ("outputs", &out_channels),
            ("kh", &kh),
            ("kw", &kw),
            (
                "multiply_adds",
                &group_digits(layer.flops((h, w))?.multiply_adds),
            ),
        ],
    );
    let mut pytorch = pytorch_conv(
        &Settings {
            channel: Channels::Gray,
            ..settings.clone()
        },
        1,
        (kh, kw),
    );
    pytorch = pytorch.replacen(
        "nn.Conv2d(1, 1,",
        &format!("nn.Conv2d(3, {out_channels},"),
        1,
    );
    if with_bias {
        pytorch = pytorch.replacen(", bias=False", "", 1);
    }
    Ok(ChannelsFacts {
        parts,
        output,
        kernel: (kh, kw),
        parameters,
        flops,
        pytorch,
    })
}

/// One input cell that takes part in an output cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    /// The input value (0 for zero padding).
    pub value: f32,
    /// The kernel weight it is multiplied by (1 for pooling).
    pub weight: f32,
    /// True when the cell lies in the padding.
    pub padded: bool,
    /// For max and min pooling: this cell is the one taken.
    pub chosen: bool,
}

/// The arithmetic of one output cell, for one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelArithmetic {
    /// The channel's name (R, G, B, Gray).
    pub channel: &'static str,
    /// The window's cells, row by row (`rows x columns`).
    pub terms: Vec<Term>,
    /// Cells per row of `terms`.
    pub columns: usize,
    /// The result (the sum, or the pooled value).
    pub result: f32,
    /// The value as the output map shows it (0..255), or the colour for diverging.
    pub shown: String,
}

/// The arithmetic of one output cell: where it looks and, per channel, what it adds up.
#[derive(Debug, Clone, PartialEq)]
pub struct CellArithmetic {
    /// The output cell, `(row, column)`.
    pub cell: (usize, usize),
    /// The input window it sees (may reach into padding).
    pub window: Rect,
    /// Spacing of the taps inside the window (the dilation; 1 for pooling).
    pub step: usize,
    /// One entry per channel.
    pub channels: Vec<ChannelArithmetic>,
}

fn channel_names(channel: Channels) -> &'static [&'static str] {
    match channel {
        Channels::All => &["R", "G", "B"],
        Channels::Red => &["R"],
        Channels::Green => &["G"],
        Channels::Blue => &["B"],
        Channels::Gray => &["Gray"],
    }
}

/// The arithmetic of output cell `cell` of the convolution: each tap's input value and
/// weight, and their sum as the feature map holds it.
///
/// # Errors
/// Invalid geometry, or a cell outside the feature map.
pub fn conv_arithmetic(
    settings: &Settings,
    input: &Tensor,
    output: &Tensor,
    cell: (usize, usize),
) -> Result<CellArithmetic> {
    let kernel = settings.kernel.kernel();
    let facts = conv_facts(settings, input.channels(), input.height(), input.width())?;
    check_cell(cell, facts.output)?;
    let (s, d) = (settings.stride, settings.dilation);
    let top = (cell.0 * s) as i64 - facts.pads.top as i64;
    let left = (cell.1 * s) as i64 - facts.pads.left as i64;
    let (kh, kw) = (kernel.height(), kernel.width());
    let window = Rect {
        top,
        left,
        bottom: top + (d * (kh - 1) + 1) as i64,
        right: left + (d * (kw - 1) + 1) as i64,
    };
    let mode = settings.padding_mode;
    let (min, max) = output.min_max();
    let channels = channel_names(settings.channel)
        .iter()
        .enumerate()
        .map(|(c, &name)| {
            let mut terms = Vec::with_capacity(kh * kw);
            for m in 0..kh {
                for n in 0..kw {
                    let y = top + (m * d) as i64;
                    let x = left + (n * d) as i64;
                    let inside = (0..input.height() as i64).contains(&y)
                        && (0..input.width() as i64).contains(&x);
                    let value = match (
                        mode.source(y as isize, input.height()),
                        mode.source(x as isize, input.width()),
                    ) {
                        (Some(r), Some(col)) => input.get(0, c, r, col).unwrap_or(0.0),
                        _ => 0.0,
                    };
                    terms.push(Term {
                        value,
                        weight: kernel.get(m, n).unwrap_or(0.0),
                        padded: !inside,
                        chosen: false,
                    });
                }
            }
            let result = output.get(0, c, cell.0, cell.1).unwrap_or(0.0);
            ChannelArithmetic {
                channel: name,
                terms,
                columns: kw,
                result,
                shown: shown(result, settings.display, (min, max), output.channels() == 1),
            }
        })
        .collect();
    Ok(CellArithmetic {
        cell,
        window,
        step: d,
        channels,
    })
}

/// The arithmetic of pooled cell `cell`: the window's values and the one taken (max,
/// min) or their mean.
///
/// # Errors
/// Invalid geometry, or a cell outside the pooled map.
pub fn pool_arithmetic(
    settings: &Settings,
    input: &Tensor,
    output: &Tensor,
    cell: (usize, usize),
) -> Result<CellArithmetic> {
    let params = settings.pool_params();
    let (out_h, out_w) = params.output_size(settings.pool, input.height(), input.width())?;
    check_cell(cell, (out_h, out_w))?;
    let (sy, sx) = params.stride();
    let k = settings.pool_size;
    let top = (cell.0 * sy) as i64;
    let left = (cell.1 * sx) as i64;
    let window = Rect {
        top,
        left,
        bottom: (top + k as i64).min(input.height() as i64),
        right: (left + k as i64).min(input.width() as i64),
    };
    let channels = channel_names(settings.channel)
        .iter()
        .enumerate()
        .map(|(c, &name)| {
            let result = output.get(0, c, cell.0, cell.1).unwrap_or(0.0);
            let mut chosen_once = false;
            let terms = (window.top..window.bottom)
                .flat_map(|y| (window.left..window.right).map(move |x| (y as usize, x as usize)))
                .map(|(y, x)| {
                    let value = input.get(0, c, y, x).unwrap_or(0.0);
                    let chosen =
                        settings.pool != PoolFunction::Mean && value == result && !chosen_once;
                    chosen_once |= chosen;
                    Term {
                        value,
                        weight: 1.0,
                        padded: false,
                        chosen,
                    }
                })
                .collect();
            ChannelArithmetic {
                channel: name,
                terms,
                columns: (window.right - window.left) as usize,
                result,
                shown: shown(result, DisplayMapping::Clamp, (0.0, 255.0), false),
            }
        })
        .collect();
    Ok(CellArithmetic {
        cell,
        window,
        step: 1,
        channels,
    })
}

fn check_cell(cell: (usize, usize), (height, width): (usize, usize)) -> Result<()> {
    if cell.0 < height && cell.1 < width {
        Ok(())
    } else {
        Err(convlens_core::Error::CellOutside {
            what: "map",
            size: (height, width),
            cell,
        })
    }
}

/// How a value appears on the map, in words.
fn shown(
    value: f32,
    mapping: DisplayMapping,
    (min, max): (f32, f32),
    single_channel: bool,
) -> String {
    let byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    match mapping {
        DisplayMapping::Clamp => fill(t().shown_clamp, &[("byte", &byte(value))]),
        DisplayMapping::Absolute => fill(t().shown_abs, &[("byte", &byte(value.abs()))]),
        DisplayMapping::Normalize if max > min => fill(
            t().shown_normalize,
            &[
                ("v", &number(value)),
                ("min", &number(min)),
                ("max", &number(max)),
                ("byte", &byte((value - min) / (max - min) * 255.0)),
            ],
        ),
        DisplayMapping::Normalize => t().shown_constant.into(),
        DisplayMapping::Diverging => {
            let largest = min.abs().max(max.abs());
            let t = if largest > 0.0 { value / largest } else { 0.0 };
            if single_channel {
                let [r, g, b] = convlens_core::image::diverging_colour(t);
                fill(
                    crate::i18n::t().shown_diverging,
                    &[("t", &format!("{t:+.2}")), ("r", &r), ("g", &g), ("b", &b)],
                )
            } else {
                fill(
                    crate::i18n::t().shown_diverging_channels,
                    &[("byte", &byte(128.0 + 127.0 * t))],
                )
            }
        }
    }
}

/// A value as the arithmetic shows it: integers plainly, others with up to 3 decimals.
pub fn number(value: f32) -> String {
    if value == value.trunc() && value.abs() < 1e9 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// `1234567` as `1 234 567` (thin spaces group the digits).
pub fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::KernelChoice;
    use convlens_core::Preset;

    fn frame() -> Frame {
        let (width, height) = (7, 5);
        let rgba = (0..width * height)
            .flat_map(|i| {
                [
                    (i * 7 % 256) as u8,
                    (i * 13 % 256) as u8,
                    (i * 29 % 256) as u8,
                    255,
                ]
            })
            .collect();
        Frame {
            width,
            height,
            rgba,
        }
    }

    #[test]
    fn fast_and_reference_agree_for_every_setting() {
        let frame = frame();
        let mut settings = Settings::default();
        for preset in Preset::ALL {
            for channel in Channels::ALL {
                for (stride, padding, dilation) in [
                    (1, PaddingChoice::Pixels(0)),
                    (2, PaddingChoice::Pixels(1)),
                    (1, PaddingChoice::Same),
                    (3, PaddingChoice::Valid),
                ]
                .into_iter()
                .flat_map(|(s, p)| [1, 2].map(move |d| (s, p, d)))
                {
                    settings.kernel = KernelChoice::Preset(preset);
                    settings.channel = channel;
                    (settings.stride, settings.padding, settings.dilation) =
                        (stride, padding, dilation);
                    let input = input_tensor(&frame, channel).unwrap();
                    let fast = feature_map(&settings, &input, Backend::Fast);
                    let slow = feature_map(&settings, &input, Backend::Reference);
                    assert_eq!(fast, slow, "{settings:?}");
                }
            }
        }
    }

    #[test]
    fn facts_fill_in_the_lecture_formulas() {
        let settings = Settings {
            stride: 2,
            padding: PaddingChoice::Pixels(1),
            ..Settings::default()
        };
        let facts = conv_facts(&settings, 3, 512, 451).unwrap();
        assert_eq!(facts.output, (256, 226));
        assert_eq!(facts.height_formula, "H_out = ⌊(H_in + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(512 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 256");
        assert!(
            facts
                .parameters
                .ends_with("= 27 (one 3×3 kernel per channel, no bias)"),
            "{}",
            facts.parameters
        );
        assert!(
            facts
                .flops
                .contains("256·226·3·3·3·1 = 1\u{2009}562\u{2009}112 multiply-adds"),
            "{}",
            facts.flops
        );
        assert_eq!(
            facts.pytorch,
            "nn.Conv2d(3, 3, kernel_size=3, stride=2, padding=1, groups=3, bias=False)"
        );
        let gray = Settings {
            channel: Channels::Gray,
            padding: PaddingChoice::Same,
            dilation: 2,
            padding_mode: PaddingMode::Reflect,
            ..Settings::default()
        };
        let facts = conv_facts(&gray, 1, 10, 10).unwrap();
        assert_eq!(facts.output, (10, 10));
        assert_eq!(facts.pytorch, "nn.Conv2d(1, 1, kernel_size=3, padding='same', dilation=2, bias=False, padding_mode='reflect')");
        assert!(facts
            .receptive_field
            .starts_with("each output cell sees a 5×5 window"));
        assert!(conv_facts(
            &Settings {
                dilation: 6,
                ..Settings::default()
            },
            1,
            10,
            10
        )
        .unwrap_err()
        .to_string()
        .contains("covers 13x13"));
    }

    #[test]
    fn pooling_facts_and_lines() {
        let mut settings = Settings::default();
        assert_eq!(
            pytorch_pool(&settings),
            "nn.MaxPool2d(kernel_size=2, stride=2)"
        );
        settings.pool = PoolFunction::Mean;
        settings.pool_size = 3;
        settings.pool_stride = Some(1);
        assert_eq!(
            pytorch_pool(&settings),
            "nn.AvgPool2d(kernel_size=3, stride=1)"
        );
        let facts = pool_facts(&settings, 300, 451).unwrap();
        assert_eq!(facts.output, (298, 449));
    }

    #[test]
    fn arithmetic_adds_up_to_the_map() {
        let frame = frame();
        let settings = Settings {
            padding: PaddingChoice::Pixels(1),
            stride: 2,
            ..Settings::default()
        };
        let input = input_tensor(&frame, settings.channel).unwrap();
        let map = feature_map(&settings, &input, Backend::Fast).unwrap();
        for cell in [(0, 0), (1, 2), (2, 3)] {
            let arithmetic = conv_arithmetic(&settings, &input, &map, cell).unwrap();
            assert_eq!(arithmetic.channels.len(), 3);
            for channel in &arithmetic.channels {
                let sum: f32 = channel.terms.iter().map(|t| t.value * t.weight).sum();
                assert_eq!(sum, channel.result, "{cell:?}");
            }
        }
        let corner = conv_arithmetic(&settings, &input, &map, (0, 0)).unwrap();
        assert_eq!(
            corner.window,
            Rect {
                top: -1,
                left: -1,
                bottom: 2,
                right: 2
            }
        );
        assert_eq!(
            corner.channels[0].terms.iter().filter(|t| t.padded).count(),
            5
        );
        assert!(conv_arithmetic(&settings, &input, &map, (3, 0)).is_err());
    }

    #[test]
    fn pool_arithmetic_marks_the_winner() {
        let frame = frame();
        let settings = Settings {
            channel: Channels::Red,
            ..Settings::default()
        };
        let input = input_tensor(&frame, settings.channel).unwrap();
        let map = pooled_map(&settings, &input, Backend::Fast).unwrap();
        let arithmetic = pool_arithmetic(&settings, &input, &map, (1, 2)).unwrap();
        let channel = &arithmetic.channels[0];
        assert_eq!(channel.terms.len(), 4);
        let chosen: Vec<f32> = channel
            .terms
            .iter()
            .filter(|t| t.chosen)
            .map(|t| t.value)
            .collect();
        assert_eq!(chosen, [channel.result]);
        assert_eq!(
            arithmetic.window,
            Rect {
                top: 2,
                left: 4,
                bottom: 4,
                right: 6
            }
        );
    }

    #[test]
    fn stack_facts_match_torchvision_and_the_lecture() {
        let mut settings = Settings {
            stack: StackPreset::Alexnet,
            ..Settings::default()
        };
        let facts = stack_facts(&settings).unwrap();
        assert_eq!(facts.total_parameters, "61\u{2009}100\u{2009}840");
        assert_eq!(facts.rows[0].output, "64 × 55 × 55");
        assert_eq!(facts.rows[0].receptive_field, "11 × 11");
        assert_eq!(facts.rows[14].output, "9\u{2009}216");
        assert_eq!(facts.rows[14].receptive_field, "whole image");
        settings.stack = StackPreset::Vgg16;
        assert_eq!(
            stack_facts(&settings).unwrap().total_parameters,
            "138\u{2009}357\u{2009}544"
        );
        settings.stack = StackPreset::Three3x3;
        let facts = stack_facts(&settings).unwrap();
        assert!(
            facts
                .note
                .starts_with("Three 3×3 layers see a 7×7 window with 27 weights"),
            "{}",
            facts.note
        );
        settings.stack = StackPreset::Deep3x3;
        assert!(stack_facts(&settings)
            .unwrap()
            .note
            .contains("= 50 layers (receptive field 101)"));
    }

    #[test]
    fn stack_forward_runs_the_small_stacks_whole() {
        let settings = Settings {
            stack: StackPreset::Lenet5,
            ..Settings::default()
        };
        let frame = Frame {
            width: 32,
            height: 32,
            rgba: vec![128; 32 * 32 * 4],
        };
        let outputs = stack_forward(&settings, &frame).unwrap();
        assert_eq!(outputs.len(), 6);
        let mut rgba = Vec::new();
        draw_channel(&outputs[0], 5, &mut rgba).unwrap();
        assert_eq!(rgba.len(), 28 * 28 * 4);
        assert!(draw_channel(&outputs[0], 6, &mut rgba).is_err());
    }

    #[test]
    fn steps_follow_the_lecture_example() {
        let settings = Settings {
            kernel: KernelChoice::Preset(Preset::LectureExample),
            ..Settings::default()
        };
        let facts = steps_facts(&settings).unwrap();
        assert_eq!(facts.positions, 9);
        assert_eq!(
            facts.output.rows(0),
            [[4.0, 3.0, 4.0], [2.0, 4.0, 3.0], [2.0, 3.0, 4.0]]
        );
        let first = &facts.arithmetic.channels[0];
        assert_eq!(first.result, 4.0);
        assert_eq!(
            first.terms.iter().map(|t| t.value * t.weight).sum::<f32>(),
            4.0
        );
        let last = steps_facts(&Settings {
            step: 99,
            ..settings.clone()
        })
        .unwrap();
        assert_eq!((last.step, last.arithmetic.cell), (8, (2, 2)));
        let padded = steps_facts(&Settings {
            padding: PaddingChoice::Pixels(1),
            step: 0,
            ..settings.clone()
        })
        .unwrap();
        assert_eq!(
            (
                padded.positions,
                padded.arithmetic.channels[0]
                    .terms
                    .iter()
                    .filter(|t| t.padded)
                    .count()
            ),
            (25, 5)
        );
        let pooled = steps_facts(&Settings {
            op: StepOperation::Max,
            ..settings
        })
        .unwrap();
        assert_eq!(pooled.output.rows(0), [[1.0, 1.0], [0.0, 1.0]]);
    }

    #[test]
    fn one_d_view_matches_the_lecture_formula() {
        let settings = Settings {
            padding: PaddingChoice::Pixels(1),
            ..Settings::default()
        };
        let facts = one_d_facts(&settings).unwrap();
        let x = &settings.sequence;
        // z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1}, zeros beyond the ends.
        let at = |i: isize| {
            if (0..x.len() as isize).contains(&i) {
                x[i as usize]
            } else {
                0.0
            }
        };
        let expected: Vec<f32> = (0..x.len() as isize)
            .map(|i| at(i - 1) + 2.0 * at(i) + at(i + 1))
            .collect();
        assert_eq!(facts.output, expected);
        assert_eq!(facts.matrix.len(), 8);
        assert!(facts
            .parameters
            .starts_with("The convolution has 3 weights, shared by all 8 outputs"));
        assert!(
            facts.parameters.contains("8 × 8 = 64 weights"),
            "{}",
            facts.parameters
        );
        assert!(
            facts
                .parameters
                .contains("22 entries holding the shared weights and 42 zeros"),
            "{}",
            facts.parameters
        );
        assert!(facts.formula.ends_with("= 8"));
        let strided = one_d_facts(&Settings {
            stride: 2,
            ..settings.clone()
        })
        .unwrap();
        assert_eq!(
            strided.output,
            [expected[0], expected[2], expected[4], expected[6]]
        );
        assert!(one_d_facts(&Settings {
            taps: vec![1.0; 7],
            sequence: vec![1.0; 3],
            ..Settings::default()
        })
        .is_err());
    }

    #[test]
    fn channel_parts_add_up_to_the_layer() {
        let frame = frame();
        let mut settings = Settings::default();
        let facts = channels_facts(&settings, &frame).unwrap();
        assert_eq!(facts.output.channels(), 2);
        assert_eq!(facts.pytorch, "nn.Conv2d(3, 2, kernel_size=1, bias=False)");
        assert!(
            facts.parameters.ends_with("= 6 (no bias)"),
            "{}",
            facts.parameters
        );
        let gray = input_tensor(&frame, Channels::Gray).unwrap();
        for (i, value) in facts.output.plane(0, 0).unwrap().iter().enumerate() {
            assert!(
                (value - gray.data()[i]).abs() < 1e-3,
                "1x1 mixing is the gray conversion"
            );
        }
        settings.spatial = true;
        settings.kernel = KernelChoice::Preset(Preset::SobelLeft);
        settings.padding = PaddingChoice::Pixels(1);
        let facts = channels_facts(&settings, &frame).unwrap();
        for o in 0..2 {
            let sum: Vec<f32> = (0..facts.output.height() * facts.output.width())
                .map(|i| facts.parts[o].iter().map(|p| p.data()[i]).sum())
                .collect();
            for (a, b) in sum.iter().zip(facts.output.plane(0, o).unwrap()) {
                assert!((a - b).abs() < 1e-3, "parts add up: {a} vs {b}");
            }
        }
        assert!(facts.parameters.ends_with("= 54 (no bias)"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.0625), "0.062");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(group_digits(1234567), "1\u{2009}234\u{2009}567");
        assert_eq!(group_digits(123), "123");
    }
}
