//! The convolution view: the kernel slid over the photo, the feature map at its true
//! scale, and one cell worked out beside it.

use std::fmt::Write as _;

use convlens_core::conv::depthwise_weight;
use convlens_core::cost::ConvLayerShape;
use convlens_core::geometry::Pads;
use convlens_core::{depthwise_conv2d, reference, PaddingMode, Rect, Result, Tensor};

use crate::i18n::{fill, t, Texts};
use crate::pipeline::{
    channel_names, check_cell, group_digits, shown, Backend, CellArithmetic, ChannelArithmetic,
    Term,
};
use crate::settings::{PaddingChoice, Settings};

/// The convolution view.
#[derive(Debug, Clone, Copy)]
pub struct Conv;

/// The shared settings the convolution reads.
pub const USES: [&str; 12] = [
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
    "meter",
];

impl crate::views::View for Conv {
    fn name(&self) -> &'static str {
        "conv"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_conv
    }

    fn uses(&self) -> &'static [&'static str] {
        &USES
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["kernel", "stride", "padding"]
    }

    fn follows_video(&self) -> bool {
        true
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
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
        divisor: None,
    })
}

/// The receptive field read backwards: the output cells that input pixel `(y, x)` of an
/// input of `(height, width)` feeds directly (as one of their taps; a pixel reflected
/// or repeated into the padding also feeds cells near the border, which this leaves
/// out).
///
/// # Errors
/// Invalid geometry.
pub fn fed_cells(
    settings: &Settings,
    (height, width): (usize, usize),
    (y, x): (usize, usize),
) -> Result<Vec<(usize, usize)>> {
    let channels = settings.channel.count();
    let facts = conv_facts(settings, channels, height, width)?;
    let kernel = settings.kernel.kernel();
    let (s, d) = (settings.stride, settings.dilation);
    let along = |pixel: usize, pad: usize, k: usize, out: usize| -> Vec<usize> {
        (0..out)
            .filter(|&o| {
                let offset = pixel as i64 + pad as i64 - (o * s) as i64;
                offset >= 0 && offset % d as i64 == 0 && (offset / d as i64) < k as i64
            })
            .collect()
    };
    let rows = along(y, facts.pads.top, kernel.height(), facts.output.0);
    let columns = along(x, facts.pads.left, kernel.width(), facts.output.1);
    Ok(rows
        .iter()
        .flat_map(|&r| columns.iter().map(move |&c| (r, c)))
        .collect())
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The convolution view on the page: the feature map, its numbers, its legend.

    use convlens_core::image::diverging_colour;
    use convlens_core::{DisplayMapping, Rect, Tensor};
    use web_sys::{HtmlCanvasElement, HtmlElement};

    use super::{conv_arithmetic, conv_facts, feature_map, fed_cells, Conv, ConvFacts};
    use crate::dom::{by_id, clear, put_rgba, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::pipeline::{number, Backend};
    use crate::settings::Settings;
    use crate::shell::maps::{ImageView, Kind};
    use crate::shell::render::{figure, place};
    use crate::shell::{Page, Shell, State};

    static VIEW: ImageView<ConvFacts> = ImageView {
        name: "conv",
        kind: Kind::Conv,
        canvas: "feature-map",
        label: |t| t.feature_map_aria,
        facts: conv_facts,
        map: |settings, input| feature_map(settings, input, Backend::Fast),
        display: |settings| settings.display,
        numbers: |settings, facts, input, map| {
            numbers(facts, input)?;
            legend(settings, map)
        },
        pads: |facts| {
            [
                facts.pads.top,
                facts.pads.right,
                facts.pads.bottom,
                facts.pads.left,
            ]
        },
        fed: fed_cells,
        arithmetic: conv_arithmetic,
    };

    impl Page for Conv {
        fn wire(&self, shell: &Shell) -> PageResult {
            VIEW.wire(shell)
        }

        fn draw(&self, state: &mut State) -> PageResult {
            VIEW.draw(state)
        }

        fn live(&self, state: &mut State) -> PageResult<bool> {
            VIEW.live(state)
        }

        fn select(&self, state: &State) -> PageResult {
            VIEW.select(state)
        }

        fn map_canvas(&self) -> Option<&'static str> {
            Some(VIEW.canvas)
        }
    }

    /// The convolution's numbers, and the padded border around the input.
    fn numbers(facts: &ConvFacts, input: (usize, usize)) -> PageResult {
        set_text(
            "output-size",
            &crate::pipeline::size_hw(facts.output.0, facts.output.1),
        )?;
        set_text("formula-h", &facts.height_formula)?;
        set_text("formula-w", &facts.width_formula)?;
        set_text("parameters", &facts.parameters)?;
        set_text("flops", &facts.flops)?;
        set_text("receptive-field", &facts.receptive_field)?;
        set_text("pytorch", &facts.pytorch)?;
        let pads = facts.pads;
        let frame: HtmlElement = by_id("pad-frame")?;
        let any = pads.top + pads.bottom + pads.left + pads.right > 0;
        frame.set_hidden(!any);
        // The room around the input for the padding ring is the layout's
        // (`shell::layout`), in input pixels at the input's scale.
        if any {
            let outer = Rect {
                top: -(pads.top as i64),
                left: -(pads.left as i64),
                bottom: (input.0 + pads.bottom) as i64,
                right: (input.1 + pads.right) as i64,
            };
            place(&frame, outer, input)?;
            // Hatch only the ring of padding (four strips), not the image inside it.
            let (h, w) = (outer.height() as f64, outer.width() as f64);
            let percent = |value: usize, of: f64| format!("{:.4}%", value as f64 / of * 100.0);
            for (id, property, value) in [
                ("pad-top", "height", percent(pads.top, h)),
                ("pad-bottom", "height", percent(pads.bottom, h)),
                ("pad-left", "width", percent(pads.left, w)),
                ("pad-right", "width", percent(pads.right, w)),
            ] {
                by_id::<HtmlElement>(id)?
                    .style()
                    .set_property(property, &value)?;
            }
        }
        Ok(())
    }

    /// Diverging colours with three channels: one RGB picture cannot hold three signed
    /// maps in the colour map, so each channel is drawn on its own beside the composite,
    /// blue −largest · white 0 · red +largest on one scale for the three.
    fn channel_maps(shown: bool, map: &Tensor, largest: f32) -> PageResult {
        let strip: HtmlElement = by_id("channel-maps")?;
        clear(&strip);
        strip.set_hidden(!shown);
        if !shown {
            return Ok(());
        }
        for (c, name) in ["R", "G", "B"].into_iter().enumerate() {
            let plane = map.plane(0, c).unwrap_or_default();
            let rgba: Vec<u8> = plane
                .iter()
                .flat_map(|&v| {
                    let [r, g, b] = diverging_colour(if largest > 0.0 { v / largest } else { 0.0 });
                    [r, g, b, 255]
                })
                .collect();
            let one = Tensor::new(1, map.height(), map.width(), plane.to_vec())
                .map_err(crate::dom::core_error)?;
            let caption = fill(t().channel_map, &[("channel", &name)]);
            strip.append_child(&*figure(
                &one,
                &rgba,
                &caption,
                &format!("channel-map-{c}"),
            )?)?;
        }
        Ok(())
    }

    /// The colour scale under the feature map, with the map's value range.
    fn legend(settings: &Settings, map: &Tensor) -> PageResult {
        let (low, high) = map.min_max();
        let diverging = settings.display == DisplayMapping::Diverging;
        let bar: HtmlCanvasElement = by_id("legend-bar")?;
        bar.set_hidden(!diverging);
        let largest = low.abs().max(high.abs());
        let how = match settings.display {
            DisplayMapping::Clamp => t().legend_clamp.to_string(),
            DisplayMapping::Absolute => t().legend_abs.to_string(),
            DisplayMapping::Normalize => fill(
                t().legend_normalize,
                &[("low", &number(low)), ("high", &number(high))],
            ),
            DisplayMapping::Diverging if map.channels() == 1 => {
                fill(t().legend_diverging, &[("largest", &number(largest))])
            }
            DisplayMapping::Diverging => fill(
                t().legend_diverging_channels,
                &[("largest", &number(largest))],
            ),
        };
        set_text(
            "legend-text",
            &fill(
                t().legend_values,
                &[
                    ("low", &number(low)),
                    ("high", &number(high)),
                    ("how", &how),
                ],
            ),
        )?;
        channel_maps(diverging && map.channels() == 3, map, largest)?;
        if diverging {
            let width = 256u32;
            let rgba: Vec<u8> = (0..width)
                .flat_map(|i| {
                    let t = i as f32 / (width - 1) as f32 * 2.0 - 1.0;
                    let [r, g, b] = diverging_colour(t);
                    [r, g, b, 255]
                })
                .collect();
            put_rgba(&bar, width, 1, &rgba)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{input_tensor, tests::frame};
    use crate::settings::KernelChoice;
    use convlens_core::{Channels, Preset};

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
            .starts_with("each output cell sees a window of 5×5 input pixels"));
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
    fn a_pixel_feeds_the_cells_whose_window_takes_it() {
        let settings = Settings {
            stride: 2,
            padding: PaddingChoice::Pixels(1),
            ..Settings::default()
        };
        // 3x3 at stride 2, padding 1 on 8x8: pixel 3 is tap 2 of window 1 and tap 0 of 2.
        assert_eq!(
            fed_cells(&settings, (8, 8), (3, 3)).unwrap(),
            [(1, 1), (1, 2), (2, 1), (2, 2)]
        );
        let dilated = Settings {
            dilation: 2,
            ..Settings::default()
        };
        // Dilation 2: pixel 4 is tap 0, 1 or 2 of windows 4, 2 and 0.
        let fed = fed_cells(&dilated, (9, 9), (4, 0)).unwrap();
        assert_eq!(fed, [(0, 0), (2, 0), (4, 0)]);
        // Every fed cell's arithmetic reads the pixel, and no other cell's does.
        let frame = frame();
        let input = input_tensor(&frame, settings.channel).unwrap();
        let map = feature_map(&settings, &input, Backend::Fast).unwrap();
        let fed = fed_cells(&settings, (5, 7), (2, 3)).unwrap();
        for y in 0..map.height() {
            for x in 0..map.width() {
                let a = conv_arithmetic(&settings, &input, &map, (y, x)).unwrap();
                let reads =
                    (0..3).any(|m| (0..3).any(|n| a.window.top + m == 2 && a.window.left + n == 3));
                assert_eq!(fed.contains(&(y, x)), reads, "cell {y},{x}");
            }
        }
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
}
