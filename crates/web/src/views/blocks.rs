//! The block views, one per slide of the lecture: a residual block (`y = F(x) + x`, the
//! projection shortcut, the gradient identity with numbers), an Inception block (four
//! branches, the saving of each 1x1 reduction and of `n x 1` then `1 x n`), and a dense
//! block (growth rate, concatenation, transition). Each is the core's graph
//! (`convlens_core::graph::blocks`, built by the same functions as the torchvision
//! presets), drawn as boxes and arrows; a box picked shows its layers as PyTorch writes
//! them with their counts.
//!
//! The view keeps its parameters in [`Settings::extra`] (checked when set): the block
//! shown and each block's own numbers.

use convlens_core::graph::blocks::{self, factorised, gradient_paths, reduction};
use convlens_core::graph::{Graph, Merge, NodeReport, Op};
use convlens_core::pool::PoolFunction;
use convlens_core::Result;

use crate::i18n::{fill, t, Texts};
use crate::pipeline::group_digits;
use crate::settings::{shorten, Settings, SettingsError};

/// The block views.
#[derive(Debug, Clone, Copy)]
pub struct Blocks;

/// The blocks, by their URL name.
pub const BLOCK_NAMES: [&str; 4] = ["residual", "inception", "dense", "why"];

/// Each parameter with its default, its smallest and largest value (`branches` is a list
/// of six channel counts, each from 1 to 1024; `block` one of [`BLOCK_NAMES`]).
const PARAMETERS: [(&str, &str, usize, usize); 11] = [
    ("block", "residual", 0, 0),
    // Residual: ResNet-50's layer1.0 on 256 x 56 x 56 (planes 64: the identity shortcut).
    ("planes", "64", 1, 512),
    ("block_stride", "1", 1, 2),
    ("bottleneck", "1", 0, 1),
    // The gradient identity: the branch's derivative in hundredths, and the depth.
    ("gain", "50", 0, 300),
    ("depth", "20", 1, 200),
    // Inception: GoogLeNet's inception3a on 192 x 28 x 28, and the factorised kernel.
    ("branches", "64,96,128,16,32,32", 1, 1024),
    ("factor", "3", 2, 11),
    // Dense: DenseNet-121's first block on 64 x 56 x 56 (it has 6 layers; 4 fit a screen).
    ("growth", "32", 1, 64),
    ("dense_layers", "4", 1, 12),
    // Why residual connections: blocks of two 3x3 convolutions in each stack.
    ("why_blocks", "6", 2, 12),
];

/// The inputs of the three blocks, as in the networks they come from.
pub const RESIDUAL_INPUT: (usize, usize, usize) = (256, 56, 56);
/// GoogLeNet's inception3a input.
pub const INCEPTION_INPUT: (usize, usize, usize) = (192, 28, 28);
/// DenseNet-121's first dense block input.
pub const DENSE_INPUT: (usize, usize, usize) = (64, 56, 56);

fn parameter(key: &str) -> Option<&'static (&'static str, &'static str, usize, usize)> {
    PARAMETERS.iter().find(|p| p.0 == key)
}

/// A parameter's value in use (its default when the URL gave none).
fn value<'a>(settings: &'a Settings, key: &str) -> &'a str {
    settings
        .extra_value(key)
        .or_else(|| parameter(key).map(|p| p.1))
        .unwrap_or_default()
}

/// A whole-number parameter in use (checked when set).
fn whole(settings: &Settings, key: &str) -> usize {
    value(settings, key).parse().unwrap_or(1)
}

/// Inception's six channel counts, `(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj)`.
fn branches(text: &str) -> Option<[usize; 6]> {
    let numbers: Vec<usize> = text
        .split(',')
        .map(|n| n.trim().parse().ok().filter(|n| (1..=1024).contains(n)))
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

impl crate::views::View for Blocks {
    fn name(&self) -> &'static str {
        "blocks"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_blocks
    }

    fn parameters(&self) -> &'static [&'static str] {
        &[
            "block",
            "planes",
            "block_stride",
            "bottleneck",
            "gain",
            "depth",
            "branches",
            "factor",
            "growth",
            "dense_layers",
            "why_blocks",
        ]
    }

    fn uses(&self) -> &'static [&'static str] {
        &[]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["block"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        text: &str,
    ) -> std::result::Result<(), SettingsError> {
        let Some(&(key, _, low, high)) = parameter(key) else {
            return Err(SettingsError::UnknownParameter { key: shorten(key) });
        };
        let text = text.trim();
        let checked = match key {
            "block" => BLOCK_NAMES
                .iter()
                .find(|&&n| n == text)
                .map(|n| n.to_string())
                .ok_or_else(|| SettingsError::NoBlock {
                    value: shorten(text),
                })?,
            "branches" => branches(text)
                .map(|b| b.map(|n| n.to_string()).join(","))
                .ok_or_else(|| SettingsError::Branches {
                    value: shorten(text),
                })?,
            _ => crate::settings::number(key, text, low, high)?.to_string(),
        };
        // Only values other than the default are kept (and written in the URL).
        if parameter(key).is_some_and(|p| p.1 == checked) {
            settings.extra.retain(|(k, _)| *k != key);
        } else {
            settings.set_extra(key, &checked);
        }
        Ok(())
    }

    fn left_out(&self, settings: &Settings, key: &str) -> bool {
        settings.extra_value(key).is_none()
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        value(settings, key).into()
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

/// What a box of the drawing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// The block's input `x`.
    Input,
    /// A convolution (with its normalisation and activation).
    Conv,
    /// A pooling layer.
    Pool,
    /// `F(x) + x`.
    Add,
    /// Concatenation along channels.
    Concat,
    /// Anything else (normalisation and activation alone).
    Other,
}

/// One box of the drawing: a convolution with the normalisation and activation that
/// follow it, a pooling layer, a merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Its nodes (indices into the graph), in order.
    pub nodes: Vec<usize>,
    /// Its row (the longest path from the input, in boxes).
    pub row: usize,
    /// Its column within the row.
    pub column: usize,
    /// What it is.
    pub kind: UnitKind,
    /// Its operations, short (`conv 3×3, 64 · BN · ReLU`).
    pub label: String,
    /// Its output, `C×H×W`.
    pub output: String,
    /// It lies on a shortcut (a projection), not on `F`.
    pub shortcut: bool,
}

/// A block as boxes and arrows.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The boxes.
    pub units: Vec<Unit>,
    /// The arrows, `(from, to)` between boxes.
    pub edges: Vec<(usize, usize)>,
    /// Rows and the most boxes in one row.
    pub size: (usize, usize),
}

/// Normalisation, activation and dropout: drawn inside the box before them.
fn element_wise(op: &Op) -> bool {
    matches!(
        op,
        Op::BatchNorm | Op::Activation(_) | Op::Dropout { .. } | Op::StochasticDepth { .. }
    )
}

/// An operation in a few characters, for a box.
pub fn short(op: &Op) -> String {
    let by = |(a, b): (usize, usize)| {
        if a == b {
            format!("{a}×{a}")
        } else {
            format!("{a}×{b}")
        }
    };
    match op {
        Op::Input(_) => "x".into(),
        Op::Conv(conv) => {
            let stride = if conv.stride.0 > 1 {
                format!("/{}", conv.stride.0)
            } else {
                String::new()
            };
            format!("conv {}{stride}, {}", by(conv.kernel), conv.out_channels)
        }
        Op::BatchNorm => "BN".into(),
        Op::Activation(a) => a
            .pytorch()
            .trim_start_matches("nn.")
            .trim_end_matches("()")
            .into(),
        Op::Dropout { .. } | Op::StochasticDepth { .. } => "dropout".into(),
        Op::Pool(pool) => {
            let function = match pool.function {
                PoolFunction::Max => "max",
                PoolFunction::Mean => "avg",
                _ => "min",
            };
            format!("{function} pool {}/{}", by(pool.kernel), pool.stride.0)
        }
        Op::AdaptiveAvgPool { .. } => "global avg".into(),
        Op::Flatten => "flatten".into(),
        Op::Linear { out_features, .. } => format!("linear {out_features}"),
        Op::Merge(Merge::Add) => "+".into(),
        Op::Merge(Merge::Concat) => "concat".into(),
        Op::Merge(Merge::Scale) => "×".into(),
    }
}

/// A shape as a box writes it.
pub fn shape_text((c, h, w): (usize, usize, usize)) -> String {
    format!("{c}×{h}×{w}")
}

/// The block as boxes and arrows: a normalisation or activation joins the box of the node
/// before it (when it is that node's only reader, in the same torchvision module); rows
/// are the longest path from the input.
pub fn diagram(graph: &Graph, reports: &[NodeReport]) -> Diagram {
    let count = graph.nodes.len();
    let mut readers = vec![0usize; count];
    for node in &graph.nodes {
        for &i in &node.inputs {
            readers[i] += 1;
        }
    }
    let mut unit_of = vec![0usize; count];
    let mut units: Vec<Unit> = Vec::new();
    for (index, node) in graph.nodes.iter().enumerate() {
        let joins = match node.inputs[..] {
            [from] if index > 0 && from > 0 => {
                element_wise(&node.op)
                    && readers[from] == 1
                    && graph.nodes[from].block == node.block
            }
            _ => false,
        };
        if joins {
            let unit = unit_of[node.inputs[0]];
            unit_of[index] = unit;
            units[unit].nodes.push(index);
            continue;
        }
        let kind = match node.op {
            Op::Input(_) => UnitKind::Input,
            Op::Conv(_) => UnitKind::Conv,
            Op::Pool(_) | Op::AdaptiveAvgPool { .. } => UnitKind::Pool,
            Op::Merge(Merge::Add) => UnitKind::Add,
            Op::Merge(Merge::Concat) => UnitKind::Concat,
            _ => UnitKind::Other,
        };
        unit_of[index] = units.len();
        units.push(Unit {
            nodes: vec![index],
            row: 0,
            column: 0,
            kind,
            label: String::new(),
            output: String::new(),
            shortcut: node.name.contains("downsample"),
        });
    }
    let mut edges = Vec::new();
    for (index, node) in graph.nodes.iter().enumerate() {
        for &i in &node.inputs {
            let edge = (unit_of[i], unit_of[index]);
            if edge.0 != edge.1 && !edges.contains(&edge) {
                edges.push(edge);
            }
        }
    }
    // Units are made in node order, so every arrow points forward.
    for u in 0..units.len() {
        let row = edges
            .iter()
            .filter(|e| e.1 == u)
            .map(|e| units[e.0].row + 1)
            .max()
            .unwrap_or(0);
        units[u].row = row;
    }
    let rows = units.iter().map(|u| u.row + 1).max().unwrap_or(0);
    let mut columns = vec![0usize; rows];
    for unit in &mut units {
        unit.column = columns[unit.row];
        columns[unit.row] += 1;
        unit.label = unit
            .nodes
            .iter()
            .map(|&n| short(&graph.nodes[n].op))
            .collect::<Vec<_>>()
            .join(" · ");
        if let Some(report) = unit.nodes.last().and_then(|&n| reports.get(n)) {
            unit.output = shape_text(report.output);
        }
    }
    Diagram {
        units,
        edges,
        size: (rows, columns.into_iter().max().unwrap_or(0)),
    }
}

/// The numbers of a block: what it is, what it costs, what its slide says.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockFacts {
    /// The block's graph.
    pub graph: Graph,
    /// Its nodes' reports.
    pub reports: Vec<NodeReport>,
    /// The drawing.
    pub diagram: Diagram,
    /// The block's title (`Bottleneck: 256×56×56 → 256×56×56`).
    pub title: String,
    /// The slide's statements with this block's numbers, one paragraph each.
    pub lines: Vec<String>,
}

/// A number with up to `digits` significant digits, plainly for ordinary sizes and in
/// scientific notation for tiny or huge ones (`9.5·10^-7`).
fn float(value: f64) -> String {
    if !value.is_finite() {
        return "∞".into();
    }
    if value != 0.0 && !(1e-3..1e6).contains(&value.abs()) {
        let exponent = value.abs().log10().floor() as i32;
        let mantissa = value / 10f64.powi(exponent);
        return format!("{mantissa:.2}·10^{exponent}");
    }
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').into()
}

/// The share saved going from `before` to `after`, in whole percent.
fn saving(before: u64, after: u64) -> u64 {
    if before == 0 {
        return 0;
    }
    (before.saturating_sub(after) * 100 + before / 2) / before
}

/// Works out the block the settings show.
///
/// # Errors
/// A block whose layers do not fit its input (a stride that leaves nothing), or counts
/// too large to hold.
pub fn block_facts(settings: &Settings) -> Result<BlockFacts> {
    let (graph, lines) = match value(settings, "block") {
        "inception" => inception(settings)?,
        "dense" => dense(settings)?,
        _ => residual(settings)?,
    };
    let reports = graph.analyse()?;
    let totals = graph.totals(&reports);
    let diagram = diagram(&graph, &reports);
    let title = format!(
        "{}: {} → {}",
        title_of(&graph),
        shape_text(graph.input()),
        shape_text(totals.output)
    );
    let mut all = vec![fill(
        t().blocks_totals,
        &[
            ("parameters", &group_digits(totals.parameters)),
            ("multiply_adds", &group_digits(totals.multiply_adds)),
            (
                "field",
                &totals
                    .receptive_field
                    .map_or_else(|| "–".into(), |f| format!("{}×{}", f.size.0, f.size.1)),
            ),
        ],
    )];
    all.extend(lines);
    Ok(BlockFacts {
        graph,
        reports,
        diagram,
        title,
        lines: all,
    })
}

/// The block's name as the page writes it: torchvision's class, or "Dense block".
fn title_of(graph: &Graph) -> String {
    match graph.name {
        "dense" => t().block_dense.into(),
        _ => graph.blocks.get(1).map_or("", |b| b.kind.class()).into(),
    }
}

fn residual(settings: &Settings) -> Result<(Graph, Vec<String>)> {
    let (planes, stride) = (whole(settings, "planes"), whole(settings, "block_stride"));
    let bottleneck = whole(settings, "bottleneck") == 1;
    let graph = blocks::residual(RESIDUAL_INPUT, planes, stride, bottleneck);
    let reports = graph.analyse()?;
    let output = reports.last().map_or((0, 0, 0), |r| r.output);
    let (branch, shortcut): (Vec<_>, Vec<_>) = graph
        .nodes
        .iter()
        .zip(&reports)
        .skip(1)
        .partition(|(node, _)| !node.name.contains("downsample"));
    let sum = |part: &[(&convlens_core::graph::Node, &NodeReport)]| -> (u64, u64) {
        part.iter().fold((0, 0), |(p, m), (_, r)| {
            (p + r.parameters, m + r.multiply_adds)
        })
    };
    let convs = branch
        .iter()
        .filter(|(n, _)| matches!(n.op, Op::Conv(_)))
        .count();
    let (f_parameters, f_multiply_adds) = sum(&branch);
    let mut lines = vec![fill(
        t().blocks_residual_f,
        &[
            ("convs", &convs),
            ("parameters", &group_digits(f_parameters)),
            ("multiply_adds", &group_digits(f_multiply_adds)),
        ],
    )];
    lines.push(if shortcut.is_empty() {
        fill(
            t().blocks_identity,
            &[("shape", &shape_text(RESIDUAL_INPUT))],
        )
    } else {
        fill(
            t().blocks_projection,
            &[
                ("from", &shape_text(RESIDUAL_INPUT)),
                ("to", &shape_text(output)),
                ("stride", &stride),
                ("parameters", &group_digits(sum(&shortcut).0)),
            ],
        )
    });
    let (gain, depth) = (whole(settings, "gain"), whole(settings, "depth"));
    let g = gain as f64 / 100.0;
    let paths = gradient_paths(depth, g)?;
    let one = paths.by_branches.get(1).copied().unwrap_or((0.0, 0.0));
    lines.push(fill(
        t().blocks_gradient,
        &[
            ("g", &float(g)),
            ("depth", &depth),
            ("plain", &float(paths.plain)),
            ("g1", &float(g + 1.0)),
            ("residual", &float(paths.residual)),
            ("one", &float(one.0)),
            ("one_total", &float(one.1)),
        ],
    ));
    Ok((graph, lines))
}

fn inception(settings: &Settings) -> Result<(Graph, Vec<String>)> {
    let ch = branches(value(settings, "branches")).unwrap_or([64, 96, 128, 16, 32, 32]);
    let [c1, red3, c3, red5, c5, cp] = ch;
    let graph = blocks::inception(INCEPTION_INPUT, ch);
    let (inputs, h, w) = INCEPTION_INPUT;
    let mut lines = vec![fill(
        t().blocks_inception_branches,
        &[
            ("input", &shape_text(INCEPTION_INPUT)),
            ("c1", &c1),
            ("red3", &red3),
            ("c3", &c3),
            ("red5", &red5),
            ("c5", &c5),
            ("cp", &cp),
            ("out", &(c1 + c3 + c5 + cp)),
        ],
    )];
    for (k, reduced, outputs) in [(3, red3, c3), (5, red5, c5)] {
        let r = reduction(inputs, reduced, outputs, k, (h, w))?;
        lines.push(fill(
            t().blocks_reduction,
            &[
                ("k", &k),
                ("inputs", &inputs),
                ("reduced", &reduced),
                ("outputs", &outputs),
                ("direct", &group_digits(r.direct)),
                ("with", &group_digits(r.reduced)),
                ("percent", &saving(r.direct, r.reduced)),
                ("macs_direct", &group_digits(r.multiply_adds.0)),
                ("macs_with", &group_digits(r.multiply_adds.1)),
                ("h", &h),
                ("w", &w),
            ],
        ));
    }
    let n = whole(settings, "factor");
    let (full, factored) = factorised(n)?;
    lines.push(fill(
        t().blocks_factorised,
        &[
            ("n", &n),
            ("full", &full),
            ("factored", &factored),
            ("percent", &saving(full, factored)),
        ],
    ));
    Ok((graph, lines))
}

fn dense(settings: &Settings) -> Result<(Graph, Vec<String>)> {
    let (k, layers) = (whole(settings, "growth"), whole(settings, "dense_layers"));
    let graph = blocks::dense(DENSE_INPUT, layers, k, 4);
    let reports = graph.analyse()?;
    let c0 = DENSE_INPUT.0;
    let growth: Vec<String> = (0..=layers).map(|l| (c0 + l * k).to_string()).collect();
    let total = c0 + layers * k;
    let transition_start = graph
        .blocks
        .iter()
        .find(|b| b.name == "transition")
        .map_or(graph.nodes.len(), |b| b.nodes.start);
    let transition: u64 = reports[transition_start.min(reports.len())..]
        .iter()
        .map(|r| r.parameters)
        .sum();
    let output = reports.last().map_or((0, 0, 0), |r| r.output);
    Ok((
        graph,
        vec![
            fill(
                t().blocks_dense_growth,
                &[
                    ("k", &k),
                    ("c0", &c0),
                    ("layers", &layers),
                    ("total", &total),
                    ("list", &growth.join(" → ")),
                ],
            ),
            fill(
                t().blocks_dense_layer,
                &[("k", &k), ("bottleneck", &(4 * k))],
            ),
            fill(
                t().blocks_transition,
                &[
                    ("channels", &total),
                    ("half", &(total / 2)),
                    ("out", &shape_text(output)),
                    ("parameters", &group_digits(transition)),
                ],
            ),
        ],
    ))
}

/// The drawing's geometry, in canvas pixels: box size, gaps, margins (the right margin
/// holds the arrows that skip rows).
pub mod geometry {
    use super::Diagram;

    /// A box's width.
    pub const BOX_W: f64 = 200.0;
    /// A box's height.
    pub const BOX_H: f64 = 40.0;
    /// Between boxes of one row.
    pub const GAP_X: f64 = 24.0;
    /// Between rows.
    pub const GAP_Y: f64 = 22.0;
    /// Around the drawing.
    pub const MARGIN: f64 = 12.0;
    /// Between the arrows that skip rows, in the right margin.
    pub const LANE: f64 = 7.0;

    /// The canvas size for a diagram: `(width, height)`.
    pub fn size(diagram: &Diagram) -> (f64, f64) {
        let (rows, columns) = diagram.size;
        let lanes = skips(diagram).len() as f64;
        (
            2.0 * MARGIN + columns as f64 * (BOX_W + GAP_X) + lanes * LANE + 16.0,
            2.0 * MARGIN + rows as f64 * (BOX_H + GAP_Y),
        )
    }

    /// The box `unit`'s top-left corner.
    pub fn corner(diagram: &Diagram, unit: usize) -> (f64, f64) {
        let u = &diagram.units[unit];
        (
            MARGIN + u.column as f64 * (BOX_W + GAP_X),
            MARGIN + u.row as f64 * (BOX_H + GAP_Y),
        )
    }

    /// The arrows that skip at least one row (drawn around the boxes, on the right).
    pub fn skips(diagram: &Diagram) -> Vec<usize> {
        (0..diagram.edges.len())
            .filter(|&e| {
                let (a, b) = diagram.edges[e];
                diagram.units[b].row > diagram.units[a].row + 1
            })
            .collect()
    }

    /// The box under a point of the canvas.
    pub fn unit_at(diagram: &Diagram, (x, y): (f64, f64)) -> Option<usize> {
        (0..diagram.units.len()).find(|&u| {
            let (left, top) = corner(diagram, u);
            (left..=left + BOX_W).contains(&x) && (top..=top + BOX_H).contains(&y)
        })
    }
}

/// The layers of box `unit`, one line each: torchvision's name and the layer as PyTorch
/// writes it (code), then its output, parameters and multiply-adds (words).
pub fn unit_lines(facts: &BlockFacts, unit: usize) -> Vec<(String, String)> {
    let Some(unit) = facts.diagram.units.get(unit) else {
        return Vec::new();
    };
    node_lines(&facts.graph, &facts.reports, &unit.nodes)
}

/// Nodes `nodes` of `graph`, one line each, as [`unit_lines`] writes them.
pub fn node_lines(graph: &Graph, reports: &[NodeReport], nodes: &[usize]) -> Vec<(String, String)> {
    nodes
        .iter()
        .filter_map(|&n| {
            let node = graph.nodes.get(n)?;
            let report = reports.get(n)?;
            Some((
                format!("{}: {}", node.name, node.op.pytorch(report.in_channels)),
                fill(
                    t().blocks_node,
                    &[
                        ("output", &shape_text(report.output)),
                        ("parameters", &group_digits(report.parameters)),
                        ("multiply_adds", &group_digits(report.multiply_adds)),
                    ],
                ),
            ))
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub(crate) mod page {
    //! The block views on the page: the drawing, the picked box's layers, the numbers.

    use web_sys::{CanvasRenderingContext2d, Element, Event, HtmlCanvasElement, PointerEvent};

    use super::geometry::{corner, size, skips, unit_at, BOX_H, BOX_W, GAP_Y, LANE};
    use super::{block_facts, unit_lines, BlockFacts, Blocks, Diagram, UnitKind};
    use crate::dom::{
        by_id, cell_under, clear, context_2d, element, property, set_text, PageResult,
    };
    use crate::message::Message;
    use crate::shell::render;
    use crate::shell::{Change, Page, Shell, State};

    const NAME: &str = "blocks";

    /// The picked box, and the block it belongs to.
    #[derive(Default)]
    struct Picked(Option<(String, usize)>);

    impl Page for Blocks {
        /// Another view: the training pauses.
        fn close(&self, _: &Shell) -> PageResult {
            crate::views::why::page::stop()
        }

        fn wire(&self, shell: &Shell) -> PageResult {
            // The block's controls sit in the panel, outside the form, so their events
            // do not reach the shell's form listener.
            let controls: Element = by_id("blocks-controls")?;
            for kind in ["change", "input"] {
                shell.on(&controls, kind, |shell, event: Event| {
                    let Some(target) = event.target() else {
                        return Ok(Change::None);
                    };
                    let (name, kind) = (property(&target, "name"), property(&target, "type"));
                    // Typed fields apply on `change`, sliders and choices at once.
                    if event.type_() == "input" && matches!(kind.as_str(), "number" | "text") {
                        return Ok(Change::None);
                    }
                    let value = if kind == "checkbox" {
                        let on = js_sys::Reflect::get(&target, &"checked".into())?.is_truthy();
                        String::from(if on { "1" } else { "0" })
                    } else {
                        property(&target, "value")
                    };
                    if !crate::views::View::parameters(&Blocks).contains(&name.as_str()) {
                        return Ok(Change::None);
                    }
                    let result = shell.state.borrow_mut().settings.set(&name, &value);
                    if let Err(error) = result {
                        render::message(Some(error.into()))?;
                        // Back to the value in use.
                        render::sync_controls(&shell.state.borrow().settings)?;
                        return Ok(Change::None);
                    }
                    Ok(Change::Settings)
                })?;
            }
            let run: Element = by_id("why-run")?;
            shell.on(&run, "click", |_, _: Event| {
                crate::views::why::page::toggle()?;
                Ok(Change::None)
            })?;
            let canvas: HtmlCanvasElement = by_id("blocks-diagram")?;
            shell.on(&canvas, "pointerdown", |shell, event: PointerEvent| {
                let canvas: HtmlCanvasElement = by_id("blocks-diagram")?;
                // The canvas pixel under the pointer (one "cell" per pixel).
                let Some((y, x)) = cell_under(&event, &canvas) else {
                    return Ok(Change::None);
                };
                let point = (x as f64 + 0.5, y as f64 + 0.5);
                let mut state = shell.state.borrow_mut();
                let Ok(facts) = block_facts(&state.settings) else {
                    return Ok(Change::None);
                };
                let key = facts.graph.name.to_string();
                state.part::<Picked>(NAME).0 = unit_at(&facts.diagram, point).map(|u| (key, u));
                Ok(Change::Redraw)
            })
        }

        fn draw(&self, state: &mut State) -> PageResult {
            let why = super::value(&state.settings, "block") == "why";
            for element in crate::dom::all::<web_sys::HtmlElement>(".blocks-why")? {
                element.set_hidden(!why);
            }
            for element in crate::dom::all::<web_sys::HtmlElement>(".blocks-not-why")? {
                element.set_hidden(why);
            }
            if why {
                for id in ["residual", "inception", "dense"] {
                    for control in
                        crate::dom::all::<web_sys::HtmlElement>(&format!(".blocks-{id}"))?
                    {
                        control.set_hidden(true);
                    }
                }
                set_text("blocks-title", crate::i18n::t().block_why)?;
                state.say(None)?;
                return crate::views::why::page::show(super::whole(&state.settings, "why_blocks"));
            }
            crate::views::why::page::stop()?;
            match block_facts(&state.settings) {
                Ok(facts) => {
                    let picked = match &state.part::<Picked>(NAME).0 {
                        Some((name, unit)) if name == facts.graph.name => Some(*unit),
                        _ => None,
                    };
                    show(&facts, picked)?;
                    state.say(None)
                }
                Err(error) => state.say(Some(Message::Error(error))),
            }
        }
    }

    /// The title, the numbers, the drawing and the picked box's layers.
    fn show(facts: &BlockFacts, picked: Option<usize>) -> PageResult {
        set_text("blocks-title", &facts.title)?;
        let numbers: Element = by_id("blocks-numbers")?;
        clear(&numbers);
        for line in &facts.lines {
            numbers.append_child(&*element("p", "", line)?)?;
        }
        for id in ["residual", "inception", "dense"] {
            let shown = facts.graph.name == id;
            for control in crate::dom::all::<web_sys::HtmlElement>(&format!(".blocks-{id}"))? {
                control.set_hidden(!shown);
            }
        }
        draw_diagram("blocks-diagram", &facts.diagram, picked)?;
        let lines = picked.map(|u| unit_lines(facts, u)).unwrap_or_default();
        layer_list("blocks-picked", &lines, crate::i18n::t().blocks_pick)
    }

    /// Layers as [`super::node_lines`] writes them, one item each (code, then words) in
    /// the list `id`; `hint` when there are none.
    pub(crate) fn layer_list(id: &str, lines: &[(String, String)], hint: &str) -> PageResult {
        let list: Element = by_id(id)?;
        clear(&list);
        if lines.is_empty() {
            list.append_child(&*element("li", "hint", hint)?)?;
        }
        for (code, words) in lines {
            let item = element("li", "layer", "")?;
            item.append_child(&*element("code", "", code)?)?;
            item.append_child(&*element("span", "", &format!(" {words}"))?)?;
            list.append_child(&item)?;
        }
        Ok(())
    }

    /// Boxes coloured by kind, arrows between them, the arrows that skip rows on the
    /// right (the shortcut of a residual block, the concatenations of a dense block).
    pub(crate) fn draw_diagram(id: &str, diagram: &Diagram, picked: Option<usize>) -> PageResult {
        let canvas: HtmlCanvasElement = by_id(id)?;
        let (width, height) = size(diagram);
        canvas.set_width(width as u32);
        canvas.set_height(height as u32);
        let c: CanvasRenderingContext2d = context_2d(&canvas)?;
        c.set_fill_style_str("#ffffff");
        c.fill_rect(0.0, 0.0, width, height);
        c.set_line_width(1.5);
        let skipping = skips(diagram);
        let right = width - 16.0 - skipping.len() as f64 * LANE;
        for (e, &(a, b)) in diagram.edges.iter().enumerate() {
            let (ax, ay) = corner(diagram, a);
            let (bx, by) = corner(diagram, b);
            let shortcut = diagram.units[a].kind == UnitKind::Input
                && diagram.units[b].kind == UnitKind::Add
                || diagram.units[b].shortcut
                || diagram.units[a].shortcut;
            c.set_stroke_style_str(if shortcut { "#c0392b" } else { "#555555" });
            c.begin_path();
            let from = (ax + BOX_W / 2.0, ay + BOX_H);
            let to = (bx + BOX_W / 2.0, by);
            if let Some(lane) = skipping.iter().position(|&s| s == e) {
                // Down the right margin, into the target's right side.
                let x = right + lane as f64 * LANE;
                c.move_to(ax + BOX_W, ay + BOX_H / 2.0);
                c.line_to(x, ay + BOX_H / 2.0);
                c.line_to(x, by + BOX_H / 2.0);
                c.line_to(bx + BOX_W, by + BOX_H / 2.0);
                c.stroke();
                arrow_head(&c, (bx + BOX_W, by + BOX_H / 2.0), (-1.0, 0.0));
            } else {
                c.move_to(from.0, from.1);
                let middle = from.1 + GAP_Y / 2.0;
                c.line_to(from.0, middle);
                c.line_to(to.0, middle);
                c.line_to(to.0, to.1);
                c.stroke();
                arrow_head(&c, to, (0.0, 1.0));
            }
        }
        for (u, unit) in diagram.units.iter().enumerate() {
            let (x, y) = corner(diagram, u);
            let fill = match unit.kind {
                UnitKind::Input => "#eeeeee",
                UnitKind::Conv if unit.shortcut => "#f5c6c0",
                UnitKind::Conv => "#cfe0f5",
                UnitKind::Pool => "#f8dfb8",
                UnitKind::Add => "#f5c6c0",
                UnitKind::Concat => "#cdebc9",
                UnitKind::Other => "#e6e0f0",
            };
            c.set_fill_style_str(fill);
            c.fill_rect(x, y, BOX_W, BOX_H);
            c.set_stroke_style_str(if picked == Some(u) {
                "#000000"
            } else {
                "#777777"
            });
            c.set_line_width(if picked == Some(u) { 3.0 } else { 1.0 });
            c.stroke_rect(x, y, BOX_W, BOX_H);
            c.set_line_width(1.5);
            c.set_fill_style_str("#111111");
            c.set_font("12px sans-serif");
            c.fill_text_with_max_width(&unit.label, x + 6.0, y + 16.0, BOX_W - 12.0)?;
            c.set_fill_style_str("#444444");
            c.set_font("11px monospace");
            c.fill_text_with_max_width(&unit.output, x + 6.0, y + 32.0, BOX_W - 12.0)?;
        }
        canvas.set_attribute("data-units", &diagram.units.len().to_string())?;
        Ok(())
    }

    /// A small filled triangle at `tip`, pointing along `direction`.
    fn arrow_head(c: &CanvasRenderingContext2d, tip: (f64, f64), direction: (f64, f64)) {
        let (dx, dy) = direction;
        let (nx, ny) = (-dy, dx);
        c.begin_path();
        c.move_to(tip.0, tip.1);
        c.line_to(tip.0 - 7.0 * dx + 4.0 * nx, tip.1 - 7.0 * dy + 4.0 * ny);
        c.line_to(tip.0 - 7.0 * dx - 4.0 * nx, tip.1 - 7.0 * dy - 4.0 * ny);
        c.close_path();
        c.set_fill_style_str("#555555");
        c.fill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::View;

    /// Line `line` of the block's numbers says `needle`.
    fn says(facts: &BlockFacts, line: usize, needle: &str) {
        let text = &facts.lines[line];
        assert!(text.contains(needle), "{text}");
    }

    fn with(pairs: &[(&str, &str)]) -> Settings {
        let mut settings = Settings::default();
        for (key, text) in pairs {
            Blocks.set(&mut settings, key, text).unwrap();
        }
        settings
    }

    #[test]
    fn the_residual_block_shows_its_shortcut_and_the_gradient_identity() {
        let facts = block_facts(&Settings::default()).unwrap();
        assert_eq!(facts.title, "Bottleneck: 256×56×56 → 256×56×56");
        // ResNet-50's layer1.1: 64·256 + 64·64·9 + 256·64 weights, BN 2·(64 + 64 + 256).
        let parameters = 64 * 256 + 64 * 64 * 9 + 256 * 64 + 2 * (64 + 64 + 256);
        says(&facts, 0, &group_digits(parameters));
        assert!(
            facts.lines[2].starts_with("Shortcut: the identity"),
            "{}",
            facts.lines[2]
        );
        // 0.5^20 and 1.5^20.
        says(&facts, 3, "0.5^20 = 9.54·10^-7");
        says(&facts, 3, "1.5^20 = 3325.2567");
        // The drawing: x, three convolutions, the sum (with its ReLU), and the identity
        // arrow from x to the sum skipping rows.
        let d = &facts.diagram;
        assert_eq!(d.units.len(), 5);
        assert_eq!(d.units[4].kind, UnitKind::Add);
        assert_eq!(d.units[4].label, "+ · ReLU");
        assert_eq!(d.units[1].label, "conv 1×1, 64 · BN · ReLU");
        assert!(d.edges.contains(&(0, 4)));
        assert_eq!(geometry::skips(d).len(), 1);
        // Stride 2: the projection, drawn beside the first convolution.
        let facts = block_facts(&with(&[("block_stride", "2"), ("planes", "128")])).unwrap();
        assert_eq!(facts.title, "Bottleneck: 256×56×56 → 512×28×28");
        says(&facts, 2, "projection");
        says(&facts, 2, "1×1 convolution with stride 2");
        let projection = facts.diagram.units.iter().find(|u| u.shortcut).unwrap();
        assert_eq!((projection.row, projection.column), (1, 1));
        assert_eq!(projection.label, "conv 1×1/2, 512 · BN");
        let basic = block_facts(&with(&[("bottleneck", "0")])).unwrap();
        assert_eq!(basic.title, "BasicBlock: 256×56×56 → 64×56×56");
    }

    #[test]
    fn the_inception_block_counts_its_savings() {
        let facts = block_facts(&with(&[("block", "inception")])).unwrap();
        assert_eq!(facts.title, "Inception: 192×28×28 → 256×28×28");
        // 192·64 + 192·96 + 96·128·9 + 192·16 + 16·32·9 + 192·32 weights, BN 2·(64 + 96 +
        // 128 + 16 + 32 + 32): torchvision's inception3a.
        says(&facts, 0, "155\u{2009}872");
        // 192·128·9 = 221,184 against 192·96 + 96·128·9 = 129,024.
        says(&facts, 2, "221\u{2009}184");
        says(&facts, 2, "129\u{2009}024");
        says(&facts, 2, "42 %");
        // The paper's 5x5: 153,600 against 15,872 (90 % fewer).
        says(&facts, 3, "153\u{2009}600");
        says(&facts, 3, "90 %");
        says(&facts, 4, "9 → 6");
        let d = &facts.diagram;
        // Four branches: four boxes on the first row after x, one concatenation last.
        assert_eq!(d.units.iter().filter(|u| u.row == 1).count(), 4);
        assert_eq!(d.units.last().unwrap().kind, UnitKind::Concat);
        let seven = block_facts(&with(&[("block", "inception"), ("factor", "7")])).unwrap();
        says(&seven, 4, "49 → 14");
    }

    #[test]
    fn the_dense_block_grows_by_k_per_layer() {
        let facts = block_facts(&with(&[("block", "dense"), ("dense_layers", "6")])).unwrap();
        assert_eq!(facts.title, "Dense block: 64×56×56 → 128×28×28");
        says(&facts, 1, "64 → 96 → 128 → 160 → 192 → 224 → 256");
        says(&facts, 3, "256 to 128");
        // Each layer's concatenation reads every earlier layer: 1 + 2 + ... + 6 arrows in,
        // plus the closing one.
        let d = &facts.diagram;
        let concats: Vec<usize> = (0..d.units.len())
            .filter(|&u| d.units[u].kind == UnitKind::Concat)
            .collect();
        assert_eq!(concats.len(), 7);
        let last = *concats.last().unwrap();
        assert_eq!(d.edges.iter().filter(|e| e.1 == last).count(), 7);
        let lines = unit_lines(&facts, 2);
        assert_eq!(
            lines[0].0,
            "denseblock.denselayer1.conv1: nn.Conv2d(64, 128, kernel_size=1, bias=False)"
        );
        assert_eq!(
            lines[0].1,
            "→ 128×56×56, 8\u{2009}192 parameters, 25\u{2009}690\u{2009}112 multiply-adds"
        );
    }

    #[test]
    fn parameters_round_trip_and_bad_values_are_refused() {
        let settings = with(&[
            ("block", "dense"),
            ("branches", " 1, 2,3,4,5,6"),
            ("growth", "12"),
        ]);
        assert_eq!(Blocks.describe(&settings, "branches"), "1,2,3,4,5,6");
        assert_eq!(Blocks.describe(&settings, "planes"), "64");
        let (read, warnings) = Settings::from_query(&settings.to_query());
        assert_eq!(warnings, []);
        for key in Blocks.parameters() {
            assert_eq!(Blocks.describe(&read, key), Blocks.describe(&settings, key));
        }
        let mut s = Settings::default();
        assert!(matches!(
            Blocks.set(&mut s, "block", "vgg"),
            Err(SettingsError::NoBlock { .. })
        ));
        assert!(matches!(
            Blocks.set(&mut s, "branches", "1,2,3"),
            Err(SettingsError::Branches { .. })
        ));
        assert!(Blocks.set(&mut s, "block_stride", "3").is_err());
        assert!(Blocks.set(&mut s, "gain", "-1").is_err());
        assert_eq!(s, Settings::default());
    }
}
