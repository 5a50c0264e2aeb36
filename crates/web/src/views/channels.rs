//! The channels view: every output channel the sum of its input channels, each part
//! drawn, and the 1x1 convolution as a mixing of colours.

use convlens_core::cost::ConvLayerShape;
use convlens_core::kernel::parse_rows;
use convlens_core::{conv2d, Channels, DisplayMapping, Result, Tensor};

use crate::i18n::{fill, t, Texts};
use crate::pipeline::{group_digits, input_tensor, Frame};
use crate::settings::{Settings, SettingsError};
use crate::views::conv::pytorch_conv;

/// The channels view.
#[derive(Debug, Clone, Copy)]
pub struct ChannelMixing;

/// The channels view's part of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MixingSettings {
    /// The mixing weights: one row per output channel, one weight per input channel
    /// (R, G, B).
    pub mix: Vec<[f32; 3]>,
    /// Whether the filters are the kernel scaled per channel (true) or pure 1x1
    /// convolutions (false).
    pub spatial: bool,
    /// The bias, added to every output channel.
    pub bias: f32,
}

impl Default for MixingSettings {
    fn default() -> Self {
        MixingSettings {
            // RGB to gray (ITU-R BT.601) and red minus green.
            mix: vec![[0.299, 0.587, 0.114], [1.0, -1.0, 0.0]],
            spatial: false,
            bias: 0.0,
        }
    }
}

impl crate::views::View for ChannelMixing {
    fn name(&self) -> &'static str {
        "channels"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_channels
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["mix", "spatial", "bias"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &[
            "image",
            "size",
            "kernel",
            "weights",
            "stride",
            "padding",
            "padding_mode",
            "dilation",
            "display",
        ]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["mix", "spatial"]
    }

    fn follows_video(&self) -> bool {
        true
    }

    fn hides(&self, settings: &Settings) -> &'static [&'static str] {
        if settings.mixing.spatial {
            &[]
        } else {
            // Pure 1x1 filters: no kernel, padding or dilation to choose.
            &["kernel", "weights", "padding", "padding_mode", "dilation"]
        }
    }

    fn hidden_panels(&self, settings: &Settings) -> Vec<(&'static str, bool)> {
        vec![("kernel-panel", !settings.mixing.spatial)]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let part = &mut settings.mixing;
        match key {
            "mix" => {
                let rows = parse_rows(&value.replace(' ', ""), "mixing weights")?;
                if rows[0].len() != 3 || rows.len() > 4 {
                    return Err(SettingsError::MixRows);
                }
                part.mix = rows.iter().map(|r| [r[0], r[1], r[2]]).collect();
            }
            "bias" => {
                let one = parse_rows(value, "bias")?;
                part.bias = match one.as_slice() {
                    [row] if row.len() == 1 => row[0],
                    _ => return Err(SettingsError::BiasOne),
                };
            }
            "spatial" => part.spatial = crate::settings::flag("spatial", value)?,
            _ => {
                return Err(SettingsError::UnknownParameter {
                    key: crate::settings::shorten(key),
                })
            }
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        let part = &settings.mixing;
        match key {
            "mix" => part
                .mix
                .iter()
                .map(|r| crate::settings::list(r))
                .collect::<Vec<_>>()
                .join(";"),
            "spatial" => u8::from(part.spatial).to_string(),
            "bias" => part.bias.to_string(),
            _ => String::new(),
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
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
    let base = if settings.mixing.spatial {
        settings.kernel.kernel()
    } else {
        convlens_core::Kernel::identity(1, 1)?
    };
    let (kh, kw) = (base.height(), base.width());
    let out_channels = settings.mixing.mix.len();
    let weights: Vec<f32> = settings
        .mixing
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
    let bias = vec![settings.mixing.bias; out_channels];
    let output = conv2d(&input, &weight, Some(&bias), &params)?;
    let parts = settings
        .mixing
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
    let with_bias = settings.mixing.bias != 0.0;
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

/// How the channels view draws the maps of output channel `o` (its three parts and
/// their sum): signed maps read as signed. Under the default clamping a part such as
/// `−1 · G` would go black; a row holding negative values is drawn in the diverging colour
/// map (blue negative, white 0, red positive) instead, all of it, so that its parts and
/// their sum read alike. The other mappings are drawn as chosen.
pub fn shown_as(mapping: DisplayMapping, facts: &ChannelsFacts, o: usize) -> DisplayMapping {
    let negative = |plane: Option<&[f32]>| plane.is_some_and(|p| p.iter().any(|&v| v < 0.0));
    let signed = facts
        .parts
        .get(o)
        .is_some_and(|parts| parts.iter().any(|part| negative(part.plane(0, 0))))
        || negative(facts.output.plane(0, o));
    if mapping == DisplayMapping::Clamp && signed {
        DisplayMapping::Diverging
    } else {
        mapping
    }
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The channels view on the page: each output channel as its parts and their sum.

    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlCanvasElement, HtmlElement};

    use super::{channels_facts, shown_as, ChannelMixing, ChannelsFacts};
    use crate::dom::{by_id, clear, element, set_text, window, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::pipeline::number;
    use crate::settings::Settings;
    use crate::shell::layout::place;
    use crate::shell::render::{map_figure, weight_text};
    use crate::shell::{Page, State};

    impl Page for ChannelMixing {
        fn draw(&self, state: &mut State) -> PageResult {
            if state.frame.rgba.is_empty() {
                return Ok(());
            }
            match channels_facts(&state.settings, &state.frame) {
                Ok(facts) => {
                    show(&state.settings, &facts, &mut state.rgba)?;
                    // Twice: the captions wrap anew at the parts' new width, and the
                    // second pass sizes the parts for the captions as they now are.
                    fit(facts.parts.len())?;
                    fit(facts.parts.len())?;
                    state.say(None)
                }
                Err(error) => state.say(Some(Message::Error(error))),
            }
        }
    }

    /// The channels view: for each output channel, its three per-channel parts, their sum,
    /// and the layer's numbers.
    fn show(settings: &Settings, facts: &ChannelsFacts, rgba: &mut Vec<u8>) -> PageResult {
        let grid: Element = by_id("channels-grid")?;
        clear(&grid);
        let kernel = if settings.mixing.spatial {
            fill(
                t().channels_kernel,
                &[("height", &facts.kernel.0), ("width", &facts.kernel.1)],
            )
        } else {
            "1×1".to_string()
        };
        let mut signed = false;
        for (o, parts) in facts.parts.iter().enumerate() {
            let row = element("div", "mix-row", "")?;
            let mapping = shown_as(settings.display, facts, o);
            signed |= mapping != settings.display;
            for (c, (part, name)) in parts.iter().zip(["R", "G", "B"]).enumerate() {
                let weight = settings.mixing.mix[o][c];
                let caption = format!("{} · {name} ({kernel})", weight_text(weight));
                row.append_child(&*map_figure(
                    part,
                    0,
                    mapping,
                    &caption,
                    &format!("channels-part-{o}-{c}"),
                    rgba,
                )?)?;
                let op = match (c, settings.mixing.bias != 0.0) {
                    (0 | 1, _) => "+".to_string(),
                    (_, true) => format!("+ {} =", number(settings.mixing.bias)),
                    (_, false) => "=".to_string(),
                };
                row.append_child(&*element("span", "op", &op)?)?;
            }
            let caption = fill(t().output_channel, &[("n", &(o + 1))]);
            row.append_child(&*map_figure(
                &facts.output,
                o,
                mapping,
                &caption,
                &format!("channels-out-{o}"),
                rgba,
            )?)?;
            grid.append_child(&row)?;
        }
        let legend: HtmlElement = by_id("channels-signed")?;
        legend.set_hidden(!signed);
        set_text("channels-signed", t().channels_signed)?;
        set_text("channels-parameters", &facts.parameters)?;
        set_text("channels-flops", &facts.flops)?;
        set_text("channels-pytorch", &facts.pytorch)
    }

    /// Sizes the input and the parts for the first screen: the input at most its own
    /// size and a third of the row, the parts as large as the row's rest and the screen's
    /// height allow for `rows` output channels (`--part`, the width of one part; the
    /// output is drawn a third larger). A phone stacks them at the screen's width.
    fn fit(rows: usize) -> PageResult {
        let input: HtmlCanvasElement = by_id("input-frame")?;
        let (in_w, in_h) = (f64::from(input.width()), f64::from(input.height()));
        if in_w < 2.0 || rows == 0 {
            return Ok(());
        }
        let window = window()?;
        let viewport_h = window.inner_height()?.as_f64().unwrap_or(800.0);
        let viewport_w = window.inner_width()?.as_f64().unwrap_or(1200.0);
        let scroll = window.scroll_y().unwrap_or(0.0);
        let row: HtmlElement = by_id("stage")?;
        let panel: HtmlElement = by_id("input-panel")?;
        let row_w = f64::from(row.client_width());
        let chrome_w = f64::from(panel.offset_width() - input.offset_width()).max(28.0);
        let chrome_h = f64::from(panel.offset_height() - input.offset_height()).max(60.0);
        let top = row.get_bounding_client_rect().top() + scroll;
        let narrow = viewport_w < 760.0;
        let room_w = if narrow {
            row_w - chrome_w
        } else {
            row_w / 3.0 - chrome_w
        };
        let room_h = (viewport_h - top - chrome_h - 8.0).max(80.0);
        let scale = (room_w / in_w).min(room_h / in_h).max(0.05);
        place(&input, in_w * scale, in_h * scale)?;
        let grid: HtmlElement = by_id("channels-grid")?;
        if narrow {
            return grid.style().remove_property("--part").map(|_| ());
        }
        let Some(first) = grid
            .query_selector("canvas")?
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        else {
            return Ok(());
        };
        let aspect = f64::from(first.height().max(1)) / f64::from(first.width().max(1));
        // Three operators and six gaps between the four pictures of a row.
        let by_w = (f64::from(grid.client_width()) - 3.0 * 24.0 - 6.0 * 6.0) / 4.3;
        let grid_top = grid.get_bounding_client_rect().top() + scroll;
        // What a row holds beside its output picture (the captions, projector mode's
        // larger ones included) and the gap to the next row, as drawn now.
        let row_chrome = {
            let rows: Vec<HtmlElement> = crate::dom::all::<HtmlElement>("#channels-grid .mix-row")?;
            let out = grid
                .query_selector("[data-testid=channels-out-0]")?
                .and_then(|c| c.dyn_into::<HtmlElement>().ok());
            match (rows.first(), out) {
                (Some(first), Some(out)) => {
                    let gap = rows.get(1).map_or(0, |second| {
                        second.offset_top() - first.offset_top() - first.offset_height()
                    });
                    f64::from(first.offset_height() - out.offset_height() + gap).max(44.0)
                }
                _ => 44.0,
            }
        };
        let by_h = ((viewport_h - grid_top - 8.0) / rows as f64 - row_chrome) / (1.3 * aspect);
        let part = by_w.min(by_h).max(32.0).floor();
        grid.style().set_property("--part", &format!("{part}px"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::tests::frame;
    use crate::settings::{KernelChoice, PaddingChoice};
    use convlens_core::Preset;

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
        settings.mixing.spatial = true;
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
    fn signed_rows_read_as_signed() {
        let facts = channels_facts(&Settings::default(), &frame()).unwrap();
        // Gray (all weights positive) stays clamped; red minus green is signed.
        assert_eq!(
            shown_as(DisplayMapping::Clamp, &facts, 0),
            DisplayMapping::Clamp
        );
        assert_eq!(
            shown_as(DisplayMapping::Clamp, &facts, 1),
            DisplayMapping::Diverging
        );
        // A mapping the user chose stays.
        for mapping in [DisplayMapping::Absolute, DisplayMapping::Normalize] {
            assert_eq!(shown_as(mapping, &facts, 1), mapping);
        }
    }
}
