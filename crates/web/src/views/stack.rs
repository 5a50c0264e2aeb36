//! The layer-stack view: a network's input as the network takes it, the chosen layer's
//! feature maps, and the table of shapes, parameters, multiply-adds and receptive fields.

use convlens_core::image::tensor_to_rgba;
use convlens_core::network::{
    analyse, forward, layers_to_cover, total_parameters, Architecture, LayerReport,
};
use convlens_core::{Channels, DisplayMapping, Result, Tensor};

use crate::i18n::{fill, t, Texts};
use crate::pipeline::{group_digits, input_tensor, Frame};
use crate::settings::{shorten, Settings, SettingsError};

/// The layer-stack view.
#[derive(Debug, Clone, Copy)]
pub struct Stack;

/// The stack view's part of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StackSettings {
    /// The stack of layers shown.
    pub preset: StackPreset,
    /// The layer whose feature maps are shown (0 is the first layer).
    pub layer: usize,
    /// The user's own stack, when `preset` is custom.
    pub layers: Option<Architecture>,
}

impl Default for StackSettings {
    fn default() -> Self {
        StackSettings {
            preset: StackPreset::Three3x3,
            layer: 0,
            layers: None,
        }
    }
}

impl StackSettings {
    /// The stack shown: a preset, or the user's own.
    pub fn architecture(&self) -> Architecture {
        match (&self.layers, self.preset) {
            (Some(stack), StackPreset::Custom) => stack.clone(),
            (_, preset) => preset.architecture(),
        }
    }
}

/// The stacks' URL names, in menu order.
pub fn stack_names() -> Vec<&'static str> {
    StackPreset::ALL.map(StackPreset::name).to_vec()
}

impl crate::views::View for Stack {
    fn name(&self) -> &'static str {
        "stack"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_stack
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["stack", "layers", "layer"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &["image", "size"]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["stack"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let part = &mut settings.stack;
        match key {
            "stack" => {
                part.preset = StackPreset::ALL
                    .into_iter()
                    .find(|s| s.name() == value)
                    .ok_or_else(|| SettingsError::NoStack {
                        value: shorten(value),
                    })?;
            }
            "layer" => part.layer = crate::settings::number("layer", value, 1, 999)? - 1,
            "layers" => {
                let stack = Architecture::parse(value)?;
                // Check it runs on its input before taking it.
                analyse(stack.input, &stack.layers)?;
                part.layers = Some(stack);
                part.preset = StackPreset::Custom;
            }
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        let part = &settings.stack;
        match key {
            "stack" => part.preset.name().into(),
            "layers" => part.architecture().to_string(),
            "layer" => (part.layer + 1).to_string(),
            _ => String::new(),
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
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
    let architecture = settings.stack.architecture();
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
    let note = match settings.stack.preset {
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
    let architecture = settings.stack.architecture();
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

#[cfg(target_arch = "wasm32")]
mod page {
    //! The layer-stack view on the page: the network's input, the chosen layer's maps,
    //! the table.

    use convlens_core::Tensor;
    use wasm_bindgen::JsCast;
    use web_sys::{
        Element, Event, EventTarget, HtmlCanvasElement, HtmlElement, KeyboardEvent, PointerEvent,
    };

    use super::{
        architecture_rows, draw_channel, stack_facts, stack_forward, Stack, StackFacts,
        STACK_BUDGET,
    };
    use crate::dom::{by_id, cell_under, clear, element, js_error, put_rgba, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::shell::input::scale_into;
    use crate::shell::render::{figure, place};
    use crate::shell::{Change, Page, Shell, State};

    const NAME: &str = "stack";

    /// The map shown enlarged (a click on a map toggles it).
    #[derive(Default)]
    struct Enlarged(Option<usize>);

    /// Marks the pointed cell on the map under the pointer.
    fn mark(event: &PointerEvent, cell: (usize, usize)) -> PageResult {
        for old in crate::dom::all::<Element>("#stack-maps .cell-marker")? {
            old.remove();
        }
        let Some(canvas) = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlCanvasElement>().ok())
        else {
            return Ok(());
        };
        let Some(figure) = canvas.parent_element() else {
            return Ok(());
        };
        let marker = element("div", "cell-marker", "")?;
        marker.set_attribute("data-testid", "stack-cell")?;
        let (y, x) = (cell.0 as i64, cell.1 as i64);
        place(
            &marker,
            convlens_core::Rect {
                top: y,
                left: x,
                bottom: y + 1,
                right: x + 1,
            },
            (canvas.height() as usize, canvas.width() as usize),
        )?;
        figure.append_child(&marker)?;
        Ok(())
    }

    /// The outputs of the stack for (stack, frame), kept while only the layer changes.
    #[derive(Default)]
    struct Outputs(Option<((String, u32), Vec<Tensor>)>);

    impl Page for Stack {
        fn wire(&self, shell: &Shell) -> PageResult {
            let table: Element = by_id("stack-table")?;
            let choose = |shell: &Shell, target: Option<EventTarget>| -> PageResult<Change> {
                let row = target
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|e| e.closest("tr[data-layer]").ok().flatten());
                let Some(layer) = row
                    .and_then(|r| r.get_attribute("data-layer"))
                    .and_then(|l| l.parse::<usize>().ok())
                else {
                    return Ok(Change::None);
                };
                shell.state.borrow_mut().settings.stack.layer = layer;
                Ok(Change::Settings)
            };
            shell.on(&table, "click", move |shell, event: Event| {
                choose(shell, event.target())
            })?;
            shell.on(&table, "keydown", move |shell, event: KeyboardEvent| {
                if event.key() == "Enter" || event.key() == " " {
                    event.prevent_default();
                    return choose(shell, event.target());
                }
                Ok(Change::None)
            })?;
            let grid: Element = by_id("stack-maps")?;
            // One click enlarges a map; another puts it back.
            shell.on(&grid, "click", |shell, event: Event| {
                let channel = event
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|e| e.get_attribute("data-testid"))
                    .and_then(|id| id.strip_prefix("stack-map-").and_then(|n| n.parse().ok()));
                let Some(channel) = channel else {
                    return Ok(Change::None);
                };
                let mut state = shell.state.borrow_mut();
                let part = state.part::<Enlarged>(NAME);
                part.0 = if part.0 == Some(channel) {
                    None
                } else {
                    Some(channel)
                };
                Ok(Change::Redraw)
            })?;
            // A tap (touch, pen) sends pointerdown without a move.
            for kind in ["pointermove", "pointerdown"] {
                shell.on(&grid, kind, |shell, event: PointerEvent| {
                    let canvas = event
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlCanvasElement>().ok());
                    let Some(cell) = canvas.and_then(|canvas| cell_under(&event, &canvas)) else {
                        return Ok(Change::None);
                    };
                    let state = shell.state.borrow();
                    let facts = stack_facts(&state.settings).map_err(crate::dom::core_error)?;
                    window_of(&facts, state.settings.stack.layer, cell)?;
                    mark(&event, cell)?;
                    Ok(Change::None)
                })?;
            }
            Ok(())
        }

        fn draw(&self, state: &mut State) -> PageResult {
            if state.frame.rgba.is_empty() {
                return Ok(());
            }
            let enlarged = state.part::<Enlarged>(NAME).0;
            let drawn = run(state)?;
            if let Some(channel) = enlarged {
                let testid = format!("[data-testid=stack-map-{channel}]");
                if let Some(canvas) = crate::dom::all::<Element>(&testid)?.first() {
                    if let Some(figure) = canvas.closest("figure")? {
                        figure.class_list().add_1("enlarged")?;
                    }
                }
            }
            match drawn {
                Ok(()) => state.say(None),
                Err(error) => state.say(Some(Message::Error(error))),
            }
        }

        /// The architecture table is filled once per language: empty it.
        fn language(&self, _: &State) -> PageResult {
            let table = by_id::<Element>("architectures")?
                .query_selector("tbody")?
                .ok_or_else(|| js_error("the architecture table has no body"))?;
            clear(&table);
            Ok(())
        }
    }

    /// The frame scaled to the network's input, the forward pass (cached while only the
    /// chosen layer changes), the table and the chosen layer's maps. The outer result is
    /// the page's own failure, the inner one the core's.
    fn run(state: &mut State) -> PageResult<convlens_core::Result<()>> {
        let facts = match stack_facts(&state.settings) {
            Ok(facts) => facts,
            Err(error) => return Ok(Err(error)),
        };
        let (channels, height, width) = facts.architecture.input;
        let key = (
            state.settings.stack.architecture().to_string(),
            state.frame_id,
        );
        let cached = state.part::<Outputs>(NAME).0.as_ref().map(|(k, _)| k) == Some(&key);
        if !cached {
            let frame = scale_into("stack-input", width as u32, height as u32)?;
            // The input as the network takes it: gray for a one-channel network.
            if channels == 1 {
                let gray: Vec<u8> = frame
                    .rgba
                    .chunks_exact(4)
                    .flat_map(|p| {
                        let l = crate::pipeline::luminance_byte(p);
                        [l, l, l, 255]
                    })
                    .collect();
                put_rgba(&by_id("stack-input")?, width as u32, height as u32, &gray)?;
            }
            match stack_forward(&state.settings, &frame) {
                Ok(outputs) => state.part::<Outputs>(NAME).0 = Some((key, outputs)),
                Err(error) => return Ok(Err(error)),
            }
        }
        let layer = state
            .settings
            .stack
            .layer
            .min(facts.reports.len().saturating_sub(1));
        let kept = state.part::<Outputs>(NAME).0.take();
        let outputs = kept.as_ref().map(|(_, o)| o.as_slice()).unwrap_or_default();
        let drawn = table(&facts, outputs.len(), layer, channels)
            .and_then(|()| maps(&facts, outputs.get(layer), layer, &mut state.rgba));
        state.part::<Outputs>(NAME).0 = kept;
        drawn?;
        Ok(Ok(()))
    }

    /// The stack view's table, totals, note and the lecture's architecture table. Rows of
    /// layers that did not run (beyond the demo's budget, or flat) are marked.
    fn table(facts: &StackFacts, ran: usize, selected: usize, channels: usize) -> PageResult {
        let (_, height, width) = facts.architecture.input;
        let colour = if channels == 1 {
            t().stack_gray
        } else {
            t().stack_rgb
        };
        set_text("stack-input-size", &format!("{height} × {width}, {colour}"))?;
        set_text("stack-note", &facts.note)?;
        set_text("stack-total-parameters", &facts.total_parameters)?;
        set_text("stack-total-flops", &facts.total_multiply_adds)?;
        let body = by_id::<Element>("stack-table")?
            .query_selector("tbody")?
            .ok_or_else(|| js_error("the stack table has no body"))?;
        clear(&body);
        for (index, row) in facts.rows.iter().enumerate() {
            let tr = element("tr", if index < ran { "" } else { "not-run" }, "")?;
            tr.set_attribute("data-layer", &index.to_string())?;
            tr.set_attribute("tabindex", "0")?;
            if index == selected {
                tr.set_attribute("aria-current", "true")?;
            }
            let cells = [
                (index + 1).to_string(),
                row.pytorch.clone(),
                row.output.clone(),
                row.parameters.clone(),
                row.multiply_adds.clone(),
                row.receptive_field.clone(),
                row.jump.clone(),
            ];
            for (column, text) in cells.iter().enumerate() {
                let td = element("td", "", text)?;
                if column == 1 {
                    td.set_class_name("code");
                }
                tr.append_child(&td)?;
            }
            body.append_child(&tr)?;
        }
        let table = by_id::<Element>("architectures")?
            .query_selector("tbody")?
            .ok_or_else(|| js_error("the architecture table has no body"))?;
        if table.child_element_count() == 0 {
            for cells in architecture_rows() {
                let tr = element("tr", "", "")?;
                for text in cells {
                    tr.append_child(&*element("td", "", &text)?)?;
                }
                table.append_child(&tr)?;
            }
        }
        Ok(())
    }

    /// The chosen layer's feature maps (up to 16 channels), each on its own gray scale.
    fn maps(
        facts: &StackFacts,
        output: Option<&Tensor>,
        layer: usize,
        rgba: &mut Vec<u8>,
    ) -> PageResult {
        let grid: Element = by_id("stack-maps")?;
        clear(&grid);
        by_id::<HtmlElement>("stack-window")?.set_hidden(true);
        let Some(report) = facts.reports.get(layer) else {
            return Ok(());
        };
        // The words, then the layer as code.
        let title: Element = by_id("stack-maps-title")?;
        title.set_text_content(Some(&fill(t().maps_title, &[("layer", &(layer + 1))])));
        title.append_child(&*element(
            "code",
            "",
            &report.layer.pytorch(report.input.0),
        )?)?;
        let Some(output) = output else {
            let why = if report.output.1 == 1 && report.output.2 == 1 {
                fill(t().maps_vector, &[("n", &report.output.0)])
            } else {
                fill(
                    t().maps_not_run,
                    &[("budget", &crate::pipeline::group_digits(STACK_BUDGET))],
                )
            };
            return set_text("stack-maps-note", &why);
        };
        let shown = output.channels().min(16);
        set_text(
            "stack-maps-note",
            &fill(
                t().maps_note,
                &[
                    ("shown", &shown),
                    ("total", &output.channels()),
                    ("height", &output.height()),
                    ("width", &output.width()),
                ],
            ),
        )?;
        for channel in 0..shown {
            draw_channel(output, channel, rgba).map_err(crate::dom::core_error)?;
            let label = fill(t().map_channel, &[("n", &(channel + 1))]);
            let testid = format!("stack-map-{channel}");
            grid.append_child(&*figure(output, rgba, &label, &testid)?)?;
        }
        Ok(())
    }

    /// Outlines, on the network's input, what cell `cell` of layer `layer` sees.
    fn window_of(facts: &StackFacts, layer: usize, cell: (usize, usize)) -> PageResult {
        let window: HtmlElement = by_id("stack-window")?;
        let field = facts.reports.get(layer).and_then(|r| r.receptive_field);
        let rect = field.and_then(|f| f.rect(cell));
        let (_, height, width) = facts.architecture.input;
        match rect {
            Some(rect) => {
                window.set_hidden(false);
                place(&window, rect, (height, width))?;
                set_text(
                    "stack-note",
                    &fill(
                        t().stack_window,
                        &[
                            ("layer", &(layer + 1)),
                            ("y", &cell.0),
                            ("x", &cell.1),
                            ("top", &rect.top),
                            ("bottom", &(rect.bottom - 1)),
                            ("left", &rect.left),
                            ("right", &(rect.right - 1)),
                            ("height", &rect.height()),
                            ("width", &rect.width()),
                        ],
                    ),
                )
            }
            None => {
                window.set_hidden(true);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_facts_match_torchvision_and_the_lecture() {
        let mut settings = Settings {
            stack: StackSettings {
                preset: StackPreset::Alexnet,
                ..StackSettings::default()
            },
            ..Settings::default()
        };
        let facts = stack_facts(&settings).unwrap();
        assert_eq!(facts.total_parameters, "61\u{2009}100\u{2009}840");
        assert_eq!(facts.rows[0].output, "64 × 55 × 55");
        assert_eq!(facts.rows[0].receptive_field, "11 × 11");
        assert_eq!(facts.rows[14].output, "9\u{2009}216");
        assert_eq!(facts.rows[14].receptive_field, "whole image");
        settings.stack.preset = StackPreset::Vgg16;
        assert_eq!(
            stack_facts(&settings).unwrap().total_parameters,
            "138\u{2009}357\u{2009}544"
        );
        settings.stack.preset = StackPreset::Three3x3;
        let facts = stack_facts(&settings).unwrap();
        assert!(
            facts
                .note
                .starts_with("Three 3×3 layers see a 7×7 window with 27 weights"),
            "{}",
            facts.note
        );
        settings.stack.preset = StackPreset::Deep3x3;
        assert!(stack_facts(&settings)
            .unwrap()
            .note
            .contains("= 50 layers (receptive field 101)"));
    }

    #[test]
    fn stack_forward_runs_the_small_stacks_whole() {
        let settings = Settings {
            stack: StackSettings {
                preset: StackPreset::Lenet5,
                ..StackSettings::default()
            },
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
}
