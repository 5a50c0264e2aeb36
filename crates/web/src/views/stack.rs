//! The layer-stack view: a network's input as the network takes it, the chosen layer's
//! feature maps, and the table of shapes, parameters, multiply-adds and receptive fields.

use convlens_core::graph::forward::Pass;
use convlens_core::graph::{torchvision, BlockKind, Field, Graph, Node, NodeReport};
use convlens_core::image::tensor_to_rgba;
use convlens_core::network::{
    analyse, layers_to_cover, stack_graph, total_parameters, Architecture, LayerReport,
};
use convlens_core::{Channels, DisplayMapping, ReceptiveField, Result, Tensor};

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

    /// The network shown as a graph: torchvision's, or the stack as a chain.
    ///
    /// # Errors
    /// A stack whose shortcut goes around more layers than come before it.
    pub fn graph(&self) -> Result<Graph> {
        if let StackPreset::Network(name) = self.preset {
            if let Some(graph) = torchvision::preset(name) {
                return Ok(graph);
            }
        }
        let architecture = self.architecture();
        stack_graph(architecture.input, &architecture.layers)
    }

    /// The stack in the layers syntax, or nothing for a network with branches.
    pub fn layers_text(&self) -> String {
        match self.preset {
            StackPreset::Network(_) => String::new(),
            _ => self.architecture().to_string(),
        }
    }
}

/// The stacks' URL names, in menu order.
pub fn stack_names() -> Vec<&'static str> {
    StackPreset::all()
        .into_iter()
        .map(StackPreset::name)
        .collect()
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
                part.preset = StackPreset::all()
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
            "layers" => part.layers_text(),
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
    /// A network with branches and merges as torchvision builds it, by torchvision's
    /// name (one of `torchvision::NAMES`): a graph, not a stack the layers syntax can
    /// write.
    Network(&'static str),
    /// The user's own stack (`layers=`).
    Custom,
}

impl StackPreset {
    /// Every stack, in menu order: the stacks of layers, torchvision's other networks
    /// (as graphs), your own.
    pub fn all() -> Vec<StackPreset> {
        let stacks = [
            StackPreset::Three3x3,
            StackPreset::One7x7,
            StackPreset::Deep3x3,
            StackPreset::Lenet5,
            StackPreset::Alexnet,
            StackPreset::Vgg16,
        ];
        let networks = torchvision::NAMES
            .into_iter()
            .filter(|name| !stacks.iter().any(|s| s.name() == *name))
            .map(StackPreset::Network);
        stacks
            .into_iter()
            .chain(networks)
            .chain([StackPreset::Custom])
            .collect()
    }

    /// URL name.
    pub fn name(self) -> &'static str {
        match self {
            StackPreset::Three3x3 => "three-3x3",
            StackPreset::One7x7 => "one-7x7",
            StackPreset::Deep3x3 => "deep-3x3",
            StackPreset::Lenet5 => "lenet5",
            StackPreset::Alexnet => "alexnet",
            StackPreset::Vgg16 => "vgg16",
            StackPreset::Network(name) => name,
            StackPreset::Custom => "custom",
        }
    }

    /// The layers and their input (a custom stack starts as three 3x3 layers; a network
    /// with branches has no stack of layers, and gives three 3x3 layers too).
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
            StackPreset::Network(_) | StackPreset::Custom => Architecture::three_3x3(),
        }
    }
}

/// The most multiply-adds the stack view spends on one forward pass (a few seconds in
/// the browser, in slices between which the page stays usable: every network but VGG
/// runs whole at its usual size); later layers are listed but not run.
pub const STACK_BUDGET: u64 = 6_000_000_000;

/// The multiply-adds of one slice of the page's forward pass (some tens of
/// milliseconds).
pub const STACK_SLICE: u64 = 60_000_000;

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
    let rows = reports
        .iter()
        .map(|report| {
            row(
                report.layer.pytorch(report.input.0),
                report.output,
                (report.parameters, report.multiply_adds),
                report.receptive_field,
            )
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

/// A shape as the table writes it: `C × H × W`, or the number of features.
fn shape_text((c, h, w): (usize, usize, usize)) -> String {
    if h == 1 && w == 1 {
        group_digits(c as u64)
    } else {
        format!("{c} × {h} × {w}")
    }
}

/// One row of the table: the layer, its output, `(parameters, multiply-adds)` and the
/// receptive field of its cells (`None` once it mixes the whole image).
fn row(
    pytorch: String,
    output: (usize, usize, usize),
    (parameters, multiply_adds): (u64, u64),
    field: Option<ReceptiveField>,
) -> StackRow {
    StackRow {
        pytorch,
        output: shape_text(output),
        parameters: group_digits(parameters),
        multiply_adds: group_digits(multiply_adds),
        receptive_field: field.map_or_else(
            || t().whole_image.into(),
            |f| format!("{} × {}", f.size.0, f.size.1),
        ),
        jump: field.map_or_else(|| "–".into(), |f| f.jump.0.to_string()),
    }
}

/// A receptive field in a few characters: `35×35`, `+ whole image` when a path
/// (squeeze-and-excitation) sees everything, or the whole image alone.
pub fn field_text(field: &Field) -> String {
    match (field.window, field.whole_image) {
        (Some(f), false) => format!("{}×{}", f.size.0, f.size.1),
        (Some(f), true) => format!("{}×{} + {}", f.size.0, f.size.1, t().whole_image),
        (None, _) => t().whole_image.into(),
    }
}

/// One row of the stack view's list of blocks: a block, or a group of blocks
/// ("Bottleneck ×3").
#[derive(Debug, Clone, PartialEq)]
pub struct BlockLine {
    /// torchvision's module name (`layer1`, `layer1.0`), or the layer's number.
    pub name: String,
    /// What it is: torchvision's class (`Bottleneck`, `Bottleneck ×3`), or its layers
    /// in short (`conv 3×3, 64 · ReLU`).
    pub what: String,
    /// Output, `C×H×W`.
    pub output: String,
    /// Learned parameters.
    pub parameters: String,
    /// Multiply-adds for one image.
    pub multiply_adds: String,
    /// The receptive field of its output's cells.
    pub receptive_field: String,
    /// The blocks it holds (indices into [`Graph::blocks`]).
    pub blocks: std::ops::Range<usize>,
    /// Its last node: picking the row shows that node's maps.
    pub node: usize,
}

/// Everything the stack view shows of a network as a graph: the blocks, the layers,
/// the totals.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkFacts {
    /// The network (a typed stack is a chain).
    pub graph: Graph,
    /// Every node's report.
    pub reports: Vec<NodeReport>,
    /// The list of blocks: one row per group of blocks (`layer1`: Bottleneck ×3), after
    /// the input.
    pub groups: Vec<BlockLine>,
    /// One row per block (`layer1.0`), every block but the input.
    pub blocks: Vec<BlockLine>,
    /// The table: one row per node after the input (row `i` is node `i + 1`).
    pub rows: Vec<StackRow>,
    /// Total parameters.
    pub total_parameters: String,
    /// Total multiply-adds (at inference: auxiliary classifiers do not run).
    pub total_multiply_adds: String,
    /// What the network teaches, with its numbers.
    pub note: String,
    /// The node whose maps are shown (`settings.stack.layer + 1`, within the graph).
    pub selected: usize,
}

impl NetworkFacts {
    /// The block the shown node belongs to.
    pub fn selected_block(&self) -> usize {
        self.graph.nodes.get(self.selected).map_or(0, |n| n.block)
    }

    /// The input `(channels, height, width)`.
    pub fn input(&self) -> (usize, usize, usize) {
        self.graph.input()
    }
}

/// Whether a block is one of torchvision's classes (a `Bottleneck`) rather than plain
/// layers (a convolution and its ReLU), which the list writes out.
fn named(kind: BlockKind) -> bool {
    !matches!(
        kind,
        BlockKind::Input
            | BlockKind::Conv
            | BlockKind::Norm
            | BlockKind::Activation
            | BlockKind::Merge
            | BlockKind::Pool
            | BlockKind::Classifier
    )
}

/// Works out the stack view's blocks, table and totals for the network shown.
///
/// # Errors
/// A stack whose layers do not fit (none of the presets).
pub fn network_facts(settings: &Settings) -> Result<NetworkFacts> {
    let graph = settings.stack.graph()?;
    let reports = graph.analyse()?;
    let totals = graph.totals(&reports);
    let chain = !matches!(settings.stack.preset, StackPreset::Network(_));
    let reports_of = graph.block_reports(&reports);
    let line = |name: &str, what: String, blocks: std::ops::Range<usize>| {
        let inside = reports_of.get(blocks.clone()).unwrap_or_default();
        let last = inside.last();
        BlockLine {
            name: name.into(),
            what,
            output: last.map_or_else(String::new, |r| super::blocks::shape_text(r.output)),
            parameters: group_digits(inside.iter().map(|r| r.parameters).sum()),
            multiply_adds: group_digits(inside.iter().map(|r| r.multiply_adds).sum()),
            receptive_field: last.map_or_else(String::new, |r| field_text(&r.field)),
            node: graph
                .blocks
                .get(blocks.end.saturating_sub(1))
                .map_or(0, |b| b.nodes.end.saturating_sub(1)),
            blocks,
        }
    };
    let what = |index: usize| -> String {
        let block = &graph.blocks[index];
        if named(block.kind) {
            return block.kind.class().into();
        }
        let ops: Vec<String> = graph.nodes[block.nodes.clone()]
            .iter()
            .map(|n: &Node| super::blocks::short(&n.op))
            .collect();
        ops.join(" · ")
    };
    let blocks: Vec<BlockLine> = (1..graph.blocks.len())
        .map(|b| line(&graph.blocks[b].name, what(b), b..b + 1))
        .collect();
    let groups: Vec<BlockLine> = graph
        .groups()
        .into_iter()
        .filter(|g| g.blocks.start > 0)
        .map(|group| {
            let count = group.blocks.len();
            let text = if count == 1 {
                what(group.blocks.start)
            } else {
                let mut text = format!("{} ×{}", group.kind.class(), group.repeats);
                for b in group.blocks.clone() {
                    let kind = graph.blocks[b].kind;
                    if kind != group.kind {
                        text += &format!(" + {}", kind.class());
                    }
                }
                text
            };
            line(&group.name, text, group.blocks)
        })
        .collect();
    let rows = graph
        .nodes
        .iter()
        .zip(&reports)
        .skip(1)
        .map(|(node, report)| {
            let code = node.op.pytorch(report.in_channels);
            row(
                if chain {
                    code
                } else {
                    format!("{}: {code}", node.name)
                },
                report.output,
                (report.parameters, report.multiply_adds),
                report.field.window,
            )
        })
        .collect();
    let (_, height, width) = graph.input();
    let note = if chain {
        stack_facts(settings)?.note
    } else {
        fill(
            t().note_preset,
            &[
                ("name", &graph.title),
                ("parameters", &group_digits(totals.parameters)),
                ("multiply_adds", &group_digits(totals.multiply_adds)),
                ("height", &height),
                ("width", &width),
            ],
        )
    };
    let selected = (settings.stack.layer + 1).min(graph.nodes.len().saturating_sub(1));
    Ok(NetworkFacts {
        total_parameters: group_digits(totals.parameters),
        total_multiply_adds: group_digits(totals.multiply_adds),
        graph,
        reports,
        groups,
        blocks,
        rows,
        note,
        selected,
    })
}

/// The inside of block `block` as its own graph, for the block drawing: the nodes it
/// reads from outside become inputs (named as in the network), then its nodes. Returns
/// the graph, its nodes' reports (the network's), and the network's index of each node.
pub fn inside(facts: &NetworkFacts, block: usize) -> (Graph, Vec<NodeReport>, Vec<usize>) {
    let graph = &facts.graph;
    let nodes = graph.blocks.get(block).map_or(0..0, |b| b.nodes.clone());
    let mut origin: Vec<usize> = Vec::new();
    for index in nodes.clone() {
        for &i in &graph.nodes[index].inputs {
            if !nodes.contains(&i) && !origin.contains(&i) {
                origin.push(i);
            }
        }
    }
    let outside = origin.len();
    origin.extend(nodes.clone());
    let mut sub = Graph {
        name: graph.name,
        title: graph.title,
        nodes: Vec::with_capacity(origin.len()),
        blocks: Vec::new(),
    };
    for (position, &index) in origin.iter().enumerate() {
        let node = &graph.nodes[index];
        let report = &facts.reports[index];
        let own = position >= outside;
        sub.nodes.push(Node {
            name: node.name.clone(),
            op: if own {
                node.op
            } else {
                convlens_core::graph::Op::Input(report.output)
            },
            inputs: if own {
                node.inputs
                    .iter()
                    .filter_map(|i| origin.iter().position(|o| o == i))
                    .collect()
            } else {
                Vec::new()
            },
            block: usize::from(own),
        });
    }
    for (b, range) in [(0, 0..outside), (1, outside..origin.len())] {
        sub.blocks.push(convlens_core::graph::Block {
            name: graph
                .blocks
                .get(block)
                .map_or_else(String::new, |x| x.name.clone()),
            kind: if b == 0 {
                BlockKind::Input
            } else {
                graph.blocks.get(block).map_or(BlockKind::Input, |x| x.kind)
            },
            group: String::new(),
            nodes: range,
            auxiliary: false,
        });
    }
    let reports = origin.iter().map(|&i| facts.reports[i]).collect();
    (sub, reports, origin)
}

/// A pass of the network shown on a frame already scaled to its input size, within
/// [`STACK_BUDGET`], that keeps the outputs of the nodes for which `keep` holds (not run
/// yet: [`Pass::run`] runs it, a slice at a time if wanted).
///
/// # Errors
/// A frame of the wrong size.
pub fn network_pass(
    facts: &NetworkFacts,
    frame: &Frame,
    keep: impl Fn(usize) -> bool,
) -> Result<Pass> {
    let channel = if facts.input().0 == 1 {
        Channels::Gray
    } else {
        Channels::All
    };
    let input = input_tensor(frame, channel)?;
    Pass::new(&facts.graph, &input, STACK_BUDGET, keep)
}

/// The lecture's table of architectures, with what this page counts for each, as
/// torchvision builds it (`graph::torchvision::lecture_network`): `[name, year,
/// parameters, top-1, counted here]`.
pub fn architecture_rows() -> Vec<[String; 5]> {
    use convlens_core::graph::torchvision::{lecture_network, rounds_to};
    convlens_core::network::LECTURE_TABLE
        .iter()
        .enumerate()
        .map(|(row, &(name, year, parameters, top1))| {
            let graph = lecture_network(row);
            let counted = graph
                .and_then(|graph| {
                    let reports = graph.analyse().ok()?;
                    let totals = graph.totals(&reports);
                    let (_, height, width) = graph.input();
                    let rounding = match rounds_to(totals.parameters, parameters) {
                        Some(true) => t().architecture_rounds,
                        _ => t().architecture_paper,
                    };
                    Some(fill(
                        t().architecture_counted,
                        &[
                            ("parameters", &group_digits(totals.parameters)),
                            ("multiply_adds", &group_digits(totals.multiply_adds)),
                            ("height", &height),
                            ("width", &width),
                            (
                                "field",
                                &totals.receptive_field.map_or_else(
                                    || "–".into(),
                                    |f| format!("{}×{}", f.size.0, f.size.1),
                                ),
                            ),
                            ("preset", &graph.name),
                            ("rounding", &fill(rounding, &[("figure", &parameters)])),
                        ],
                    ))
                })
                .unwrap_or_else(|| "–".to_string());
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

/// The output of the node the settings show (`layer`), for a frame already scaled to
/// the network's input size; `None` when it does not run here (beyond
/// [`STACK_BUDGET`], or flat).
///
/// # Errors
/// A frame of the wrong size, or a stack that does not fit.
pub fn stack_output(settings: &Settings, frame: &Frame) -> Result<Option<Tensor>> {
    let facts = network_facts(settings)?;
    let selected = facts.selected;
    let mut pass = network_pass(&facts, frame, |i| i == selected)?;
    pass.run(u64::MAX)?;
    Ok(pass.into_forward().outputs.swap_remove(selected))
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
    //! The layer-stack view on the page: the network's input, the chosen node's maps,
    //! the list of blocks (groups that open and close), the picked block's inside, and
    //! the table of layers.

    use convlens_core::graph::forward::Pass;
    use wasm_bindgen::prelude::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{
        Element, Event, EventTarget, HtmlCanvasElement, HtmlElement, KeyboardEvent, PointerEvent,
    };

    use super::{
        architecture_rows, draw_channel, inside, network_facts, network_pass, BlockLine,
        NetworkFacts, Stack, STACK_BUDGET, STACK_SLICE,
    };
    use crate::dom::{by_id, cell_under, clear, element, js_error, put_rgba, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::shell::input::scale_into;
    use crate::shell::render::{figure, place};
    use crate::shell::{Change, Page, Shell, State};
    use crate::views::blocks::geometry::unit_at;
    use crate::views::blocks::page::{draw_diagram, layer_list};
    use crate::views::blocks::{diagram, node_lines};

    const NAME: &str = "stack";

    /// The view's own state (a view has one part): the map shown enlarged (a click on
    /// a map toggles it), the open groups, the forward pass.
    #[derive(Default)]
    struct Part {
        enlarged: Option<usize>,
        open: Open,
        running: Running,
    }

    /// The groups of blocks shown open, for the network `network` (another network
    /// starts with the group of the shown block open).
    #[derive(Default)]
    struct Open {
        network: String,
        groups: Vec<String>,
    }

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

    /// The forward pass for (network, frame), run in slices: the outputs of every
    /// block's last node and of the shown node. `generation` tells a slice scheduled for
    /// an older pass to stop.
    #[derive(Default)]
    struct Running {
        key: (String, u32),
        pass: Option<Pass>,
        generation: u32,
        scheduled: bool,
        shell: Option<Shell>,
    }

    /// The network's name in the cache keys: the preset, or the typed stack.
    fn network_key(state: &State) -> String {
        let part = &state.settings.stack;
        format!("{}:{}", part.preset.name(), part.layers_text())
    }

    /// The attribute `name` of the nearest element at or above `target` that has it.
    fn attribute(target: Option<EventTarget>, name: &str) -> Option<String> {
        let element = target.and_then(|t| t.dyn_into::<Element>().ok())?;
        element
            .closest(&format!("[{name}]"))
            .ok()
            .flatten()?
            .get_attribute(name)
    }

    /// Shows node `node`'s maps (the table's rows count layers from 0: node 1 is layer 0).
    fn show_node(shell: &Shell, node: Option<usize>) -> PageResult<Change> {
        let Some(node) = node.filter(|&n| n > 0) else {
            return Ok(Change::None);
        };
        shell.state.borrow_mut().settings.stack.layer = node - 1;
        Ok(Change::Settings)
    }

    impl Page for Stack {
        fn wire(&self, shell: &Shell) -> PageResult {
            shell.state.borrow_mut().part::<Part>(NAME).running.shell = Some(shell.clone());
            let table: Element = by_id("stack-table")?;
            let layer = |target: Option<EventTarget>| {
                attribute(target, "data-layer").and_then(|l| l.parse::<usize>().ok())
            };
            shell.on(&table, "click", move |shell, event: Event| {
                show_node(shell, layer(event.target()).map(|l| l + 1))
            })?;
            shell.on(&table, "keydown", move |shell, event: KeyboardEvent| {
                if event.key() == "Enter" || event.key() == " " {
                    event.prevent_default();
                    return show_node(shell, layer(event.target()).map(|l| l + 1));
                }
                Ok(Change::None)
            })?;
            // The list of blocks: a group's button opens or closes it, a block's row
            // shows its inside and its output's maps.
            let list: Element = by_id("stack-blocks")?;
            let node = |target: Option<EventTarget>| {
                attribute(target, "data-node").and_then(|n| n.parse::<usize>().ok())
            };
            shell.on(&list, "click", move |shell, event: Event| {
                if let Some(group) = attribute(event.target(), "data-toggle") {
                    let mut state = shell.state.borrow_mut();
                    let open = &mut state.part::<Part>(NAME).open;
                    if let Some(at) = open.groups.iter().position(|g| *g == group) {
                        open.groups.remove(at);
                    } else {
                        open.groups.push(group);
                    }
                    return Ok(Change::Redraw);
                }
                show_node(shell, node(event.target()))
            })?;
            shell.on(&list, "keydown", move |shell, event: KeyboardEvent| {
                let on_row = event
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .is_some_and(|e| e.tag_name() == "TR");
                if on_row && (event.key() == "Enter" || event.key() == " ") {
                    event.prevent_default();
                    return show_node(shell, node(event.target()));
                }
                Ok(Change::None)
            })?;
            // A box of the picked block's drawing shows its maps.
            let canvas: HtmlCanvasElement = by_id("stack-inside")?;
            shell.on(&canvas, "pointerdown", |shell, event: PointerEvent| {
                let canvas: HtmlCanvasElement = by_id("stack-inside")?;
                let Some((y, x)) = cell_under(&event, &canvas) else {
                    return Ok(Change::None);
                };
                let picked = {
                    let state = shell.state.borrow();
                    let Ok(facts) = network_facts(&state.settings) else {
                        return Ok(Change::None);
                    };
                    let (graph, reports, origin) = inside(&facts, facts.selected_block());
                    let drawing = diagram(&graph, &reports);
                    unit_at(&drawing, (x as f64 + 0.5, y as f64 + 0.5))
                        .and_then(|u| drawing.units[u].nodes.last().copied())
                        .map(|n| origin[n])
                };
                show_node(shell, picked)
            })?;
            let grid: Element = by_id("stack-maps")?;
            // One click enlarges a map; another puts it back.
            shell.on(&grid, "click", |shell, event: Event| {
                let channel = attribute(event.target(), "data-testid")
                    .and_then(|id| id.strip_prefix("stack-map-").and_then(|n| n.parse().ok()));
                let Some(channel) = channel else {
                    return Ok(Change::None);
                };
                let mut state = shell.state.borrow_mut();
                let part = &mut state.part::<Part>(NAME).enlarged;
                *part = if *part == Some(channel) {
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
                    let facts = network_facts(&state.settings).map_err(crate::dom::core_error)?;
                    window_of(&facts, cell)?;
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
            let enlarged = state.part::<Part>(NAME).enlarged;
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

        /// Another view: the pass stops (it starts again when the view comes back).
        fn close(&self, shell: &Shell) -> PageResult {
            let mut state = shell.state.borrow_mut();
            let running = &mut state.part::<Part>(NAME).running;
            running.pass = None;
            running.generation = running.generation.wrapping_add(1);
            Ok(())
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

    /// Runs the next slice of the pass of `generation` (if it is still the one wanted),
    /// then redraws when the shown node's output or the end came, or schedules the next.
    fn slice(shell: &Shell, generation: u32) -> PageResult {
        let redraw = {
            let mut state = shell.state.borrow_mut();
            let selected = state.settings.stack.layer + 1;
            let running = &mut state.part::<Part>(NAME).running;
            running.scheduled = false;
            let Some(pass) = running
                .pass
                .as_mut()
                .filter(|_| running.generation == generation)
            else {
                return Ok(());
            };
            let waiting = pass.visited() <= selected;
            let finished = pass.run(STACK_SLICE).map_err(crate::dom::core_error)?;
            let (visited, count) = (pass.visited(), pass.forward().done.len());
            if finished || (waiting && pass.visited() > selected) {
                true
            } else {
                schedule(running, generation)?;
                progress(visited, count)?;
                false
            }
        };
        if redraw {
            shell.apply(Change::Redraw)?;
        }
        Ok(())
    }

    /// Schedules the next slice of the pass of `generation` (once).
    fn schedule(running: &mut Running, generation: u32) -> PageResult {
        if running.scheduled {
            return Ok(());
        }
        let Some(shell) = running.shell.clone() else {
            return Ok(());
        };
        let next = Closure::once_into_js(move || {
            crate::shell::report(slice(&shell, generation));
        });
        crate::dom::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0)?;
        running.scheduled = true;
        Ok(())
    }

    /// Says how far the pass is, in the maps' note.
    fn progress(visited: usize, count: usize) -> PageResult {
        set_text(
            "stack-maps-note",
            &fill(t().stack_running, &[("done", &visited), ("total", &count)]),
        )
    }

    /// The frame scaled to the network's input, the forward pass (started again for
    /// another network, frame, or a shown node it did not keep; run in slices), the list
    /// of blocks, the picked block's inside, the table and the shown node's maps. The
    /// outer result is the page's own failure, the inner one the core's.
    fn run(state: &mut State) -> PageResult<convlens_core::Result<()>> {
        let facts = match network_facts(&state.settings) {
            Ok(facts) => facts,
            Err(error) => return Ok(Err(error)),
        };
        let (channels, height, width) = facts.input();
        let key = (network_key(state), state.frame_id);
        let selected = facts.selected;
        let running = &mut state.part::<Part>(NAME).running;
        let fresh = running.pass.as_ref().is_some_and(|pass| {
            let forward = pass.forward();
            running.key == key
                && (forward.outputs.get(selected).is_some_and(Option::is_some)
                    || pass.visited() <= selected
                    || !forward.done.get(selected).copied().unwrap_or(false))
        });
        if !fresh {
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
            let ends: Vec<usize> = facts
                .graph
                .blocks
                .iter()
                .map(|b| b.nodes.end.saturating_sub(1))
                .collect();
            let pass = match network_pass(&facts, &frame, |i| i == selected || ends.contains(&i)) {
                Ok(pass) => pass,
                Err(error) => return Ok(Err(error)),
            };
            let running = &mut state.part::<Part>(NAME).running;
            running.key = key;
            running.pass = Some(pass);
            running.generation = running.generation.wrapping_add(1);
            running.scheduled = false;
        }
        // The group of the shown block is open when another network is chosen.
        let network = network_key(state);
        let block = facts.selected_block();
        let open = &mut state.part::<Part>(NAME).open;
        if open.network != network {
            open.network = network;
            open.groups = facts
                .groups
                .iter()
                .filter(|g| g.blocks.contains(&block))
                .map(|g| g.name.clone())
                .collect();
        }
        let open = open.groups.clone();
        let running = &mut state.part::<Part>(NAME).running;
        let generation = running.generation;
        let Some(pass) = running.pass.take() else {
            return Ok(Ok(()));
        };
        let forward = pass.forward();
        let visited = pass.visited();
        // Not run yet counts as run: the list marks what the budget leaves out.
        let done =
            |node: usize| node >= visited || forward.done.get(node).copied().unwrap_or(false);
        let output = forward.outputs.get(selected).and_then(Option::as_ref);
        // The rows are made again: the focused one (a row of the list or of the table, a
        // group's button) keeps the focus.
        let focused = crate::dom::document()?.active_element().and_then(|e| {
            ["data-layer", "data-node", "data-toggle"]
                .iter()
                .find_map(|name| {
                    let value = e.get_attribute(name)?;
                    let list = e
                        .closest("#stack-blocks, #stack-table")
                        .ok()
                        .flatten()?
                        .id();
                    Some(format!("#{list} [{name}=\"{value}\"]"))
                })
        });
        let drawn = list(&facts, &open, &done)
            .and_then(|()| inside_of(&facts))
            .and_then(|()| table(&facts, &done, channels))
            .and_then(|()| maps(&facts, output, &mut state.rgba));
        let waiting = visited <= selected;
        let finished = pass.finished();
        let running = &mut state.part::<Part>(NAME).running;
        running.pass = Some(pass);
        drawn?;
        if let Some(selector) = focused {
            if let Some(element) = crate::dom::all::<HtmlElement>(&selector)?.first() {
                element.focus()?;
            }
        }
        // Whether the maps are still being computed (the list is drawn again when done).
        by_id::<Element>("stack-blocks")?
            .set_attribute("data-pass", if finished { "done" } else { "running" })?;
        if !finished {
            schedule(running, generation)?;
        }
        if waiting {
            progress(visited, facts.graph.nodes.len())?;
        }
        Ok(Ok(()))
    }

    /// One row of the list of blocks. A group of several blocks gets a button that opens
    /// or closes it; a block (or a group of one) picks itself.
    fn list_row(
        line: &BlockLine,
        toggle: Option<bool>,
        member: bool,
        current: bool,
    ) -> PageResult<HtmlElement> {
        let tr = element("tr", if member { "member" } else { "" }, "")?;
        let name = element("td", "", "")?;
        match toggle {
            Some(open) => {
                tr.set_class_name("block-group");
                let button = element("button", "toggle", "")?;
                button.set_attribute("type", "button")?;
                button.set_attribute("data-toggle", &line.name)?;
                button.set_attribute("aria-expanded", if open { "true" } else { "false" })?;
                button.set_attribute("data-testid", &format!("group-{}", line.name))?;
                button.append_child(&*element("span", "arrow", if open { "▾ " } else { "▸ " })?)?;
                button.append_child(&*element("span", "", &line.name)?)?;
                name.append_child(&button)?;
            }
            None => {
                tr.set_attribute("data-node", &line.node.to_string())?;
                tr.set_attribute("data-testid", &format!("block-{}", line.name))?;
                tr.set_attribute("tabindex", "0")?;
                name.append_child(&*element("span", "", &line.name)?)?;
            }
        }
        name.append_child(&*element("code", "what", &line.what)?)?;
        if current {
            tr.set_attribute("aria-current", "true")?;
        }
        tr.append_child(&name)?;
        for text in [
            &line.output,
            &line.parameters,
            &line.multiply_adds,
            &line.receptive_field,
        ] {
            tr.append_child(&*element("td", "", text)?)?;
        }
        Ok(tr)
    }

    /// The list of blocks: groups (open ones with their blocks), the shown block marked,
    /// blocks that did not run here marked.
    fn list(facts: &NetworkFacts, open: &[String], done: &dyn Fn(usize) -> bool) -> PageResult {
        let body = by_id::<Element>("stack-blocks")?
            .query_selector("tbody")?
            .ok_or_else(|| js_error("the list of blocks has no body"))?;
        clear(&body);
        let shown = facts.selected_block();
        for group in &facts.groups {
            let many = group.blocks.len() > 1;
            let is_open = many && open.contains(&group.name);
            let holds = group.blocks.contains(&shown);
            let row = list_row(group, many.then_some(is_open), false, holds && !is_open)?;
            if !done(group.node) {
                row.class_list().add_1("not-run")?;
            }
            body.append_child(&row)?;
            if is_open {
                for b in group.blocks.clone() {
                    let Some(line) = facts.blocks.get(b - 1) else {
                        continue;
                    };
                    let row = list_row(line, None, true, b == shown)?;
                    if !done(line.node) {
                        row.class_list().add_1("not-run")?;
                    }
                    body.append_child(&row)?;
                }
            }
        }
        set_text("stack-blocks-total-parameters", &facts.total_parameters)?;
        set_text("stack-blocks-total-flops", &facts.total_multiply_adds)
    }

    /// The shown block drawn as boxes and arrows (the shown node's box outlined), with
    /// its layers as PyTorch writes them.
    fn inside_of(facts: &NetworkFacts) -> PageResult {
        let block = facts.selected_block();
        let (graph, reports, origin) = inside(facts, block);
        let drawing = diagram(&graph, &reports);
        let picked = drawing
            .units
            .iter()
            .position(|u| u.nodes.iter().any(|&n| origin[n] == facts.selected));
        draw_diagram("stack-inside", &drawing, picked)?;
        // "Inside", then the block's name and class as code (torchvision's names).
        let title: Element = by_id("stack-inside-title")?;
        title.set_text_content(Some(&format!("{} ", t().stack_inside)));
        if let Some(b) = facts.graph.blocks.get(block) {
            let what = facts
                .blocks
                .get(block.wrapping_sub(1))
                .map_or("", |l| l.what.as_str());
            title.append_child(&*element("code", "", &b.name)?)?;
            title.append_child(&*element("span", "", ": ")?)?;
            title.append_child(&*element("code", "", what)?)?;
        }
        let own: Vec<usize> = (0..graph.nodes.len())
            .filter(|&n| graph.nodes[n].block == 1)
            .collect();
        layer_list(
            "stack-inside-layers",
            &node_lines(&graph, &reports, &own),
            "",
        )
    }

    /// The table of layers, its totals and note, and the lecture's architecture table.
    /// Rows of layers that did not run here (beyond the demo's budget, or flat) are
    /// marked.
    fn table(facts: &NetworkFacts, done: &dyn Fn(usize) -> bool, channels: usize) -> PageResult {
        let (_, height, width) = facts.input();
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
            let tr = element("tr", if done(index + 1) { "" } else { "not-run" }, "")?;
            tr.set_attribute("data-layer", &index.to_string())?;
            tr.set_attribute("tabindex", "0")?;
            if index + 1 == facts.selected {
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

    /// The shown node's feature maps (up to 16 channels), each on its own gray scale.
    fn maps(
        facts: &NetworkFacts,
        output: Option<&convlens_core::Tensor>,
        rgba: &mut Vec<u8>,
    ) -> PageResult {
        let grid: Element = by_id("stack-maps")?;
        clear(&grid);
        by_id::<HtmlElement>("stack-window")?.set_hidden(true);
        let layer = facts.selected.saturating_sub(1);
        let (Some(report), Some(row)) = (facts.reports.get(facts.selected), facts.rows.get(layer))
        else {
            return Ok(());
        };
        // The words, then the layer as code.
        let title: Element = by_id("stack-maps-title")?;
        title.set_text_content(Some(&fill(t().maps_title, &[("layer", &(layer + 1))])));
        title.append_child(&*element("code", "", &row.pytorch)?)?;
        let Some(output) = output else {
            let why = if report.flat || (report.output.1 == 1 && report.output.2 == 1) {
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

    /// Outlines, on the network's input, what cell `cell` of the shown node sees.
    fn window_of(facts: &NetworkFacts, cell: (usize, usize)) -> PageResult {
        let window: HtmlElement = by_id("stack-window")?;
        let field = facts
            .reports
            .get(facts.selected)
            .and_then(|r| r.field.window);
        let rect = field.and_then(|f| f.rect(cell));
        let (_, height, width) = facts.input();
        match rect {
            Some(rect) => {
                window.set_hidden(false);
                place(&window, rect, (height, width))?;
                set_text(
                    "stack-note",
                    &fill(
                        t().stack_window,
                        &[
                            ("layer", &facts.selected),
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
    use crate::views::View;

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
    fn stack_output_runs_the_small_stacks_whole() {
        let mut settings = Settings {
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
        let first = stack_output(&settings, &frame).unwrap().unwrap();
        assert_eq!(first.channels(), 6);
        let mut rgba = Vec::new();
        draw_channel(&first, 5, &mut rgba).unwrap();
        assert_eq!(rgba.len(), 28 * 28 * 4);
        assert!(draw_channel(&first, 6, &mut rgba).is_err());
        // Layer 6 (the second pooling) runs; the flat layers after it are counted only.
        settings.stack.layer = 5;
        let pooled = stack_output(&settings, &frame).unwrap().unwrap();
        assert_eq!((pooled.channels(), pooled.height()), (16, 5));
        settings.stack.layer = 7;
        assert_eq!(stack_output(&settings, &frame).unwrap(), None);
    }

    fn network(name: &'static str) -> Settings {
        let mut settings = Settings::default();
        Stack.set(&mut settings, "stack", name).unwrap();
        settings
    }

    #[test]
    fn networks_are_listed_block_by_block_and_group_by_group() {
        let facts = network_facts(&network("resnet50")).unwrap();
        assert_eq!(facts.total_parameters, "25\u{2009}557\u{2009}032");
        let names: Vec<&str> = facts.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(
            names,
            ["conv1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]
        );
        let layer1 = &facts.groups[2];
        assert_eq!(layer1.what, "Bottleneck ×3");
        assert_eq!(layer1.output, "256×56×56");
        // torchvision's layer1: 215,808 parameters (75,008 + 70,400 + 70,400).
        assert_eq!(layer1.parameters, "215\u{2009}808");
        assert_eq!(facts.blocks[layer1.blocks.start - 1].name, "layer1.0");
        assert_eq!(
            facts.blocks[layer1.blocks.start - 1].parameters,
            "75\u{2009}008"
        );
        assert_eq!(facts.groups[0].what, "conv 7×7/2, 64 · BN · ReLU");
        // The sums of the rows are the totals.
        let sum = |lines: &[BlockLine]| -> u64 {
            lines
                .iter()
                .map(|l| l.parameters.replace('\u{2009}', "").parse::<u64>().unwrap())
                .sum()
        };
        assert_eq!(sum(&facts.groups), 25_557_032);
        assert_eq!(sum(&facts.blocks), 25_557_032);
        assert_eq!(facts.rows.len(), facts.graph.nodes.len() - 1);
        assert!(facts.rows[0]
            .pytorch
            .starts_with("conv1: nn.Conv2d(3, 64, kernel_size=7"));
        // A row's last node is the block's output: layer1's is layer1.2's ReLU.
        assert_eq!(facts.graph.nodes[layer1.node].name, "layer1.2.relu");
        let dense = network_facts(&network("densenet121")).unwrap();
        let block1 = dense
            .groups
            .iter()
            .find(|g| g.name == "features.denseblock1")
            .unwrap();
        assert_eq!(block1.what, "_DenseLayer ×6 + _DenseBlock");
        assert_eq!(block1.output, "256×56×56");
        let efficient = network_facts(&network("efficientnet_b0")).unwrap();
        assert!(
            efficient
                .groups
                .iter()
                .any(|g| g.receptive_field.ends_with("+ whole image")),
            "squeeze-and-excitation sees the whole image"
        );
        // A typed stack is a chain: one block per layer, the table as before.
        let settings = Settings::default();
        let chain = network_facts(&settings).unwrap();
        assert_eq!(chain.rows, stack_facts(&settings).unwrap().rows);
        assert_eq!(chain.groups.len(), 3);
        assert_eq!(chain.groups[2].what, "conv 3×3, 1");
        assert_eq!(chain.groups[2].receptive_field, "7×7");
    }

    #[test]
    fn a_blocks_inside_reads_its_inputs_and_the_maps_run_on_a_photo() {
        let facts = network_facts(&network("inception_v3")).unwrap();
        let mixed = facts
            .graph
            .blocks
            .iter()
            .position(|b| b.name == "Mixed_5b")
            .unwrap();
        let (graph, reports, origin) = inside(&facts, mixed);
        // One input (maxpool2's output, 192×35×35), then the block's own nodes.
        assert_eq!(graph.nodes[0].name, "maxpool2");
        assert_eq!(reports[0].output, (192, 35, 35));
        assert_eq!(graph.nodes.len(), 1 + facts.graph.blocks[mixed].nodes.len());
        assert_eq!(origin[1], facts.graph.blocks[mixed].nodes.start);
        let drawing = super::super::blocks::diagram(&graph, &reports);
        // Four branches after the input, one concatenation at the end.
        assert_eq!(drawing.units.iter().filter(|u| u.row == 1).count(), 4);
        assert_eq!(
            drawing.units.last().unwrap().kind,
            super::super::blocks::UnitKind::Concat
        );
        // A dense layer reads every feature map before it: several inputs.
        let dense = network_facts(&network("densenet121")).unwrap();
        let third = dense
            .graph
            .blocks
            .iter()
            .position(|b| b.name == "features.denseblock1.denselayer3")
            .unwrap();
        let (graph, _, _) = inside(&dense, third);
        assert_eq!(
            graph
                .nodes
                .iter()
                .filter(|n| matches!(n.op, convlens_core::graph::Op::Input(_)))
                .count(),
            3
        );
        // The maps of a block's output on a photo: MobileNet-V2's features.3, an
        // inverted residual with its shortcut.
        let mut settings = network("mobilenet_v2");
        let facts = network_facts(&settings).unwrap();
        let third = facts
            .graph
            .blocks
            .iter()
            .position(|b| b.name == "features.3")
            .unwrap();
        settings.stack.layer = facts.graph.blocks[third].nodes.end - 2;
        let frame = Frame {
            width: 224,
            height: 224,
            rgba: (0..224 * 224 * 4).map(|i| (i * 7 % 251) as u8).collect(),
        };
        let out = stack_output(&settings, &frame).unwrap().unwrap();
        assert!(
            out.data().iter().any(|&v| v != out.data()[0]),
            "a map, not a constant"
        );
        assert_eq!((out.channels(), out.height(), out.width()), (24, 56, 56));
    }

    #[test]
    fn the_lecture_table_is_counted_for_all_seven_rows() {
        let rows = architecture_rows();
        assert_eq!(rows.len(), 7);
        for row in &rows {
            assert_ne!(row[4], "–", "{row:?}");
        }
        let plain = |text: &str| text.replace('\u{2009}', "");
        // torchvision's figures (see graph::torchvision's tests for their sources).
        for (row, parameters) in [
            (0, "61706 parameters"),
            (1, "61100840 parameters"),
            (2, "138357544 parameters"),
            (
                3,
                "25557032 parameters, 4089184256 multiply-adds at 224×224",
            ),
            (4, "23834568 parameters"),
            (5, "7978856 parameters"),
            (6, "5288548 parameters"),
        ] {
            assert!(
                plain(&rows[row][4]).starts_with(parameters),
                "{:?}",
                rows[row]
            );
        }
        assert!(rows[3][4].ends_with("the lecture's 25.6M is this count rounded"));
        assert!(rows[1][4].ends_with("the lecture's 60M is the paper's rounded figure"));
        assert!(rows[4][4].contains("at 299×299"), "{}", rows[4][4]);
    }
}
