//! `convlens layers`: the stack view's table (output shape, parameters, multiply-adds,
//! receptive field and jump of every layer, and the totals) as text, CSV or Markdown.
//!
//! A typed stack is the page's (`Settings::architecture`), its rows are the page's
//! (`views::stack::stack_facts`), so the numbers are the page's. The torchvision networks
//! are the core's graphs (`graph::torchvision`), printed block by block.

use std::path::Path;

use convlens_core::graph::{torchvision, Graph, NodeReport};
use convlens_core::ReceptiveField;
use convlens_web::pipeline::group_digits;
use convlens_web::settings::Settings;
use convlens_web::views::stack::{stack_facts, StackFacts, StackPreset};

use crate::args::{self, Given};
use crate::{page_url, Failure};

const OPTIONS: args::Known = &["preset", "stack", "file", "url", "format", "by", "size"];

/// The largest stack file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// `convlens layers --help`.
pub const HELP: &str = "\
convlens layers: print a layer stack's table, as the page's stack view shows it

USAGE
  convlens layers --preset NAME [--by block|group|layer] [--size H[xW]] [--format …]
  convlens layers --stack 'input(3,32,32); conv(16,3,1,1); relu; max(2)' [--format …]
  convlens layers --file STACK.txt [--format …]
  convlens layers --url 'view=stack&stack=alexnet' [--format …]

THE STACK (exactly one of)
  --preset NAME   a network as torchvision builds it, with torchvision's names:
                    lenet5 alexnet vgg16 vgg16_bn resnet18 resnet34 resnet50
                    googlenet inception_v3 densenet121 mobilenet_v2 efficientnet_b0
                  googlenet and inception_v3 without their auxiliary classifiers (as at
                  inference), googlenet_aux and inception_v3_aux with them
                  (aux_logits=True); or the page's stacks: three-3x3, one-7x7, deep-3x3
                  (the fifty 3x3 layers that see a 100x100 object)
  --stack TEXT    your own stack, as the page's layers= parameter writes it: layers split
                  by ';' or new lines, the input first (default input(3,64,64)):
                    input(C,H,W)  conv(filters,k[,stride[,padding[,dilation]]])  relu
                    max(k[,stride])  mean(k[,stride])  avgpool(h,w)  flatten
                    linear(outputs)  add(n) (the residual connection around the last
                    n layers: their output plus their input)
                  convolutions and linear layers have a bias, as in PyTorch
  --file FILE     the same, read from a file; '#' starts a comment to the end of a line
  --url URL       a page URL or its query string (stack= or layers=)

OUTPUT
  --format F      text (default; aligned columns, the page's numbers), csv (plain
                  numbers, one header row) or markdown (a table for notes and slides)
  --by B          for the torchvision networks: one row per block (default: layer1.0 is
                  a Bottleneck), per group of repeated blocks (Bottleneck ×3), or per
                  layer (every module, with torchvision's module names)
  --size H[xW]    for the torchvision networks: the input's height and width (default
                  224, 299 for Inception v3, 32 for LeNet-5)

Columns: the layer as PyTorch writes it, its output shape (C × H × W, or the number
of features), learned parameters, multiply-adds and FLOPs (2 per multiply-add) for one
image, the receptive field of one output cell on the input, and the jump (input pixels
between neighbouring cells). The last row holds the totals. For the torchvision
networks the multiply-adds are those of the convolutions and linear layers at
inference (torchvision's GFLOPS column), the receptive field is the union over every
path through the branches, with its start (the first input pixel cell 0 sees), and
'+ whole image' where a path (squeeze-and-excitation) sees all of it.

EXIT STATUS
  0 printed; 2 a bad option or a stack that does not fit its input (the reason is
  printed).

EXAMPLES
  convlens layers --preset resnet50 --by group
  convlens layers --preset inception_v3 --by layer --format csv > inception.csv
  convlens layers --preset vgg16
  convlens layers --stack 'input(1,28,28);conv(8,3,1,1);relu;max(2);flatten;linear(10)' \\
      --format markdown
";

/// How the table is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Csv,
    Markdown,
}

/// Runs `convlens layers` with the arguments after the subcommand.
///
/// # Errors
/// Bad options, or a stack that cannot be read or does not fit its input.
pub fn run(arguments: &[String]) -> Result<(), Failure> {
    let given = args::read("layers", arguments, OPTIONS)?;
    if given.help {
        crate::print(HELP);
        return Ok(());
    }
    let format = match given.get("format").map(str::trim) {
        None | Some("text") => Format::Text,
        Some("csv") => Format::Csv,
        Some("markdown" | "md") => Format::Markdown,
        Some(other) => {
            return Err(Failure::usage(format!(
                "--format must be text, csv or markdown, not '{}'",
                args::shorten(other)
            )))
        }
    };
    let sources = sources(&given)?;
    let network = match sources {
        "preset" => given
            .get("preset")
            .and_then(|n| torchvision::preset(n.trim())),
        _ => None,
    };
    if let Some(graph) = network {
        let graph = match given.get("size") {
            Some(size) => {
                let (height, width) = input_size(size)?;
                graph.with_input_size(height, width)
            }
            None => graph,
        };
        let by = match given.get("by").map(str::trim) {
            None | Some("block") => By::Block,
            Some("group") => By::Group,
            Some("layer") => By::Layer,
            Some(other) => {
                return Err(Failure::usage(format!(
                    "--by must be block, group or layer, not '{}'",
                    args::shorten(other)
                )))
            }
        };
        let reports = graph
            .analyse()
            .map_err(|e| Failure::usage(format!("{} does not fit its input: {e}", graph.name)))?;
        crate::print(&graph_table(&graph, &reports, by, format));
        return Ok(());
    }
    for option in ["by", "size"] {
        if given.has(option) {
            return Err(Failure::usage(format!(
                "--{option} is for the torchvision networks (--preset resnet50 and the \
                 others); a stack is printed layer by layer at its own input"
            )));
        }
    }
    let settings = stack_settings(&given, sources)?;
    // A page URL may name a network with branches: printed block by block.
    if let StackPreset::Network(name) = settings.stack.preset {
        if let Some(graph) = torchvision::preset(name) {
            let reports = graph
                .analyse()
                .map_err(|e| Failure::usage(format!("{name} does not fit its input: {e}")))?;
            crate::print(&graph_table(&graph, &reports, By::Block, format));
            return Ok(());
        }
    }
    let facts = stack_facts(&settings).map_err(|e| Failure::usage(e.to_string()))?;
    crate::print(&table(&facts, format));
    Ok(())
}

/// The one option that names the network: preset, stack, file or url.
fn sources(given: &Given) -> Result<&'static str, Failure> {
    let sources: Vec<&str> = ["preset", "stack", "file", "url"]
        .into_iter()
        .filter(|o| given.has(o))
        .collect();
    match sources.as_slice() {
        [one] => Ok(one),
        [] => Err(Failure::usage(
            "give the stack: --preset NAME, --stack TEXT, --file FILE or --url URL \
             (see `convlens layers --help`)",
        )),
        _ => Err(Failure::usage(format!(
            "give only one of --preset, --stack, --file and --url, not --{}",
            sources.join(" and --")
        ))),
    }
}

/// The page settings that choose the stack given by `source`.
fn stack_settings(given: &Given, source: &str) -> Result<Settings, Failure> {
    let mut settings = Settings::default();
    match source {
        "preset" => {
            let name = given.get("preset").unwrap_or_default();
            if name.trim() == StackPreset::Custom.name() {
                return Err(Failure::usage(
                    "--preset custom: give your own stack with --stack or --file",
                ));
            }
            settings.set("stack", name).map_err(|_| {
                Failure::usage(format!(
                    "--preset: there is no network '{}'; use {}, three-3x3, one-7x7 or \
                     deep-3x3",
                    args::shorten(name),
                    torchvision::NAMES.join(", ")
                ))
            })?;
        }
        "stack" => set_layers(
            &mut settings,
            given.get("stack").unwrap_or_default(),
            "--stack",
        )?,
        "file" => {
            let path = Path::new(given.get("file").unwrap_or_default());
            let text = read_stack_file(path)?;
            set_layers(&mut settings, &text, &format!("'{}'", path.display()))?;
        }
        _ => {
            settings = page_url::settings(given.get("url").unwrap_or_default())?.0;
        }
    }
    Ok(settings)
}

fn set_layers(settings: &mut Settings, text: &str, source: &str) -> Result<(), Failure> {
    let stack: Vec<&str> = text
        .lines()
        .map(|line| line.split_once('#').map_or(line, |(code, _)| code))
        .collect();
    settings
        .set("layers", &stack.join("\n"))
        .map_err(|m| Failure::usage(format!("{source}: {m}")))
}

fn read_stack_file(path: &Path) -> Result<String, Failure> {
    let name = path.display();
    let cannot = |e: std::io::Error| Failure::usage(format!("cannot read the stack '{name}': {e}"));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_FILE_BYTES {
        return Err(Failure::usage(format!(
            "the stack '{name}' is {size} bytes; a stack file is at most {MAX_FILE_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("the stack '{name}' is not a text file (UTF-8)")))
}

const HEADER: [&str; 8] = [
    "#",
    "layer",
    "output",
    "parameters",
    "multiply-adds",
    "FLOPs",
    "receptive field",
    "jump",
];

/// The table in the chosen format, ending with a new line.
fn table(facts: &StackFacts, format: Format) -> String {
    let total_multiply_adds: u64 = facts.reports.iter().map(|r| r.multiply_adds).sum();
    let (c, h, w) = facts.architecture.input;
    if format == Format::Csv {
        return csv(facts, total_multiply_adds);
    }
    let mut rows: Vec<Vec<String>> = facts
        .rows
        .iter()
        .zip(&facts.reports)
        .enumerate()
        .map(|(i, (row, report))| {
            vec![
                (i + 1).to_string(),
                row.pytorch.clone(),
                row.output.clone(),
                row.parameters.clone(),
                row.multiply_adds.clone(),
                group_digits(2 * report.multiply_adds),
                row.receptive_field.clone(),
                row.jump.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        "total".into(),
        String::new(),
        facts.total_parameters.clone(),
        facts.total_multiply_adds.clone(),
        group_digits(2 * total_multiply_adds),
        String::new(),
        String::new(),
    ]);
    let name = format!("{}, input {c} × {h} × {w}", facts.architecture.name);
    let stack = format!("stack: {}", facts.architecture);
    match format {
        Format::Markdown => markdown(&name, &stack, &HEADER, &rows, &facts.note),
        _ => text(&name, &stack, &HEADER, &[1], &rows, &facts.note),
    }
}

/// Numbers right-aligned, words (the `left` columns) left-aligned, two spaces between
/// columns; the last row (the totals) under a rule. The second line says how to build
/// the network (a stack in the form `--stack` reads, so it can be copied and edited).
fn text(
    name: &str,
    build: &str,
    header: &[&str],
    left: &[usize],
    rows: &[Vec<String>],
    note: &str,
) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i].saturating_sub(cell.chars().count()));
                if left.contains(&i) {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = format!("{name}\n{build}\n\n");
    out += &line(header);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    let rule: Vec<&str> = rule.iter().map(String::as_str).collect();
    out += &line(&rule);
    for (i, row) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            out += &line(&rule);
        }
        out += &line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out + "\n" + note + "\n"
}

fn markdown(name: &str, build: &str, header: &[&str], rows: &[Vec<String>], note: &str) -> String {
    let escape = |cell: &str| cell.replace('|', "\\|");
    let mut out = format!(
        "**{}**: `{build}`\n\n| {} |\n",
        escape(name),
        header.join(" | ")
    );
    // Numbers right-aligned: every column but the words.
    let align: Vec<&str> = header
        .iter()
        .map(|h| match *h {
            "layer" | "name" | "what" => ":---",
            _ => "---:",
        })
        .collect();
    out += &format!("|{}|\n", align.join("|"));
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let c = escape(c);
                if i + 1 == rows.len() && !c.is_empty() {
                    format!("**{c}**")
                } else {
                    c
                }
            })
            .collect();
        out += &format!("| {} |\n", cells.join(" | "));
    }
    out + "\n" + note + "\n"
}

/// Plain numbers (no digit grouping), one column per number, for spreadsheets.
fn csv(facts: &StackFacts, total_multiply_adds: u64) -> String {
    let mut out = String::from(
        "index,layer,output_channels,output_height,output_width,parameters,multiply_adds,\
         flops,receptive_field,jump\n",
    );
    for (i, report) in facts.reports.iter().enumerate() {
        let (c, h, w) = report.output;
        let (field, jump) = report
            .receptive_field
            .map_or((String::new(), String::new()), |f| {
                (format!("{}x{}", f.size.0, f.size.1), f.jump.0.to_string())
            });
        out += &format!(
            "{},\"{}\",{c},{h},{w},{},{},{},{field},{jump}\n",
            i + 1,
            report.layer.pytorch(report.input.0).replace('"', "\"\""),
            report.parameters,
            report.multiply_adds,
            2 * report.multiply_adds,
        );
    }
    let total: u64 = facts.reports.iter().map(|r| r.parameters).sum();
    out + &format!(
        ",total,,,,{total},{total_multiply_adds},{},,\n",
        2 * total_multiply_adds
    )
}

/// The input size `--size` gives: `N` or `HxW`.
fn input_size(text: &str) -> Result<(usize, usize), Failure> {
    let side = |part: &str| match part.trim().parse::<usize>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err(Failure::usage(format!(
            "--size takes N or HxW with sides from 1 to 4096, not '{}'",
            args::shorten(text)
        ))),
    };
    match text.split_once(['x', '×']) {
        Some((h, w)) => Ok((side(h)?, side(w)?)),
        None => side(text).map(|n| (n, n)),
    }
}

/// The rows of a torchvision table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Block,
    Group,
    Layer,
}

/// One row of a graph's table, as numbers.
struct GraphRow {
    name: String,
    what: String,
    output: (usize, usize, usize),
    parameters: u64,
    multiply_adds: u64,
    field: Option<ReceptiveField>,
    whole_image: bool,
    auxiliary: bool,
}

const GRAPH_HEADER: [&str; 10] = [
    "#",
    "name",
    "what",
    "output",
    "parameters",
    "multiply-adds",
    "FLOPs",
    "receptive field",
    "jump",
    "start",
];

/// The rows of a graph, by block, group or layer (the input is not a row).
fn graph_rows(graph: &Graph, reports: &[NodeReport], by: By) -> Vec<GraphRow> {
    let blocks = graph.block_reports(reports);
    let auxiliary = |block: usize| graph.blocks.get(block).is_some_and(|b| b.auxiliary);
    let training = |aux: bool| if aux { " (training only)" } else { "" };
    match by {
        By::Layer => graph
            .nodes
            .iter()
            .zip(reports)
            .skip(1)
            .map(|(node, report)| GraphRow {
                name: node.name.clone(),
                what: node.op.pytorch(report.in_channels),
                output: report.output,
                parameters: report.parameters,
                multiply_adds: report.multiply_adds,
                field: report.field.window,
                whole_image: report.field.whole_image,
                auxiliary: auxiliary(node.block),
            })
            .collect(),
        By::Block => graph
            .blocks
            .iter()
            .zip(&blocks)
            .skip(1)
            .map(|(block, report)| GraphRow {
                name: block.name.clone(),
                what: format!("{}{}", block.kind.class(), training(block.auxiliary)),
                output: report.output,
                parameters: report.parameters,
                multiply_adds: report.multiply_adds,
                field: report.field.window,
                whole_image: report.field.whole_image,
                auxiliary: block.auxiliary,
            })
            .collect(),
        By::Group => graph
            .groups()
            .into_iter()
            .skip(1)
            .filter_map(|group| {
                let inside = blocks.get(group.blocks.clone())?;
                let last = inside.last()?;
                let aux = auxiliary(group.blocks.start);
                Some(GraphRow {
                    what: if group.repeats > 1 {
                        format!("{} ×{}", group.kind.class(), group.repeats)
                    } else {
                        format!("{}{}", group.kind.class(), training(aux))
                    },
                    name: group.name,
                    output: last.output,
                    parameters: inside.iter().map(|b| b.parameters).sum(),
                    multiply_adds: inside.iter().map(|b| b.multiply_adds).sum(),
                    field: last.field.window,
                    whole_image: last.field.whole_image,
                    auxiliary: aux,
                })
            })
            .collect(),
    }
}

/// A receptive field in words: `427 × 427`, `whole image`, or both with SE.
fn field_text(field: Option<ReceptiveField>, whole_image: bool) -> String {
    match (field, whole_image) {
        (Some(f), false) => format!("{} × {}", f.size.0, f.size.1),
        (Some(f), true) => format!("{} × {} + whole image", f.size.0, f.size.1),
        (None, _) => "whole image".into(),
    }
}

/// A graph's table in the chosen format: its rows, then the totals.
fn graph_table(graph: &Graph, reports: &[NodeReport], by: By, format: Format) -> String {
    let rows = graph_rows(graph, reports, by);
    let totals = graph.totals(reports);
    let (c, h, w) = graph.input();
    if format == Format::Csv {
        let mut out = String::from(
            "index,name,what,output_channels,output_height,output_width,parameters,\
             multiply_adds,flops,receptive_field,jump,start,whole_image,auxiliary\n",
        );
        let field = |f: Option<ReceptiveField>| {
            f.map_or((String::new(), String::new(), String::new()), |f| {
                (
                    format!("{}x{}", f.size.0, f.size.1),
                    f.jump.0.to_string(),
                    f.start.0.to_string(),
                )
            })
        };
        for (i, row) in rows.iter().enumerate() {
            let (oc, oh, ow) = row.output;
            let (size, jump, start) = field(row.field);
            out += &format!(
                "{},{},\"{}\",{oc},{oh},{ow},{},{},{},{size},{jump},{start},{},{}\n",
                i + 1,
                row.name,
                row.what.replace('"', "\"\""),
                row.parameters,
                row.multiply_adds,
                2 * row.multiply_adds,
                row.whole_image,
                row.auxiliary
            );
        }
        let (oc, oh, ow) = totals.output;
        let (size, jump, start) = field(totals.receptive_field);
        return out
            + &format!(
                ",total,,{oc},{oh},{ow},{},{},{},{size},{jump},{start},{},false\n",
                totals.parameters,
                totals.multiply_adds,
                2 * totals.multiply_adds,
                totals.whole_image
            );
    }
    let shape = |(c, h, w): (usize, usize, usize)| {
        if h == 1 && w == 1 {
            group_digits(c as u64)
        } else {
            format!("{c} × {h} × {w}")
        }
    };
    let signed = |v: i64| {
        if v < 0 {
            format!("\u{2212}{}", v.unsigned_abs())
        } else {
            v.to_string()
        }
    };
    let cells = |row: &GraphRow| -> Vec<String> {
        vec![
            row.name.clone(),
            row.what.clone(),
            shape(row.output),
            group_digits(row.parameters),
            group_digits(row.multiply_adds),
            group_digits(2 * row.multiply_adds),
            field_text(row.field, row.whole_image),
            row.field.map_or("–".into(), |f| f.jump.0.to_string()),
            row.field.map_or("–".into(), |f| signed(f.start.0)),
        ]
    };
    let mut table: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut line = vec![(i + 1).to_string()];
            line.extend(cells(row));
            line
        })
        .collect();
    let final_field = totals.receptive_field;
    table.push(vec![
        String::new(),
        "total".into(),
        String::new(),
        shape(totals.output),
        group_digits(totals.parameters),
        group_digits(totals.multiply_adds),
        group_digits(2 * totals.multiply_adds),
        field_text(final_field, totals.whole_image),
        final_field.map_or("–".into(), |f| f.jump.0.to_string()),
        final_field.map_or("–".into(), |f| signed(f.start.0)),
    ]);
    let mut note = format!(
        "{}: {} parameters, {} multiply-adds ({:.3} G, torchvision's \"GFLOPS\") for one \
         {h} × {w} image; the last feature map sees {} input pixels.\n\
         Multiply-adds are those of the convolutions and linear layers at inference. The \
         receptive field is the union over every path (Araujo et al., Distill 2019); start \
         is the first input pixel that cell 0 sees (negative: in the padding).",
        graph.title,
        group_digits(totals.parameters),
        group_digits(totals.multiply_adds),
        totals.multiply_adds as f64 / 1e9,
        field_text(final_field, totals.whole_image),
    );
    if totals.auxiliary_multiply_adds > 0 {
        note += &format!(
            " The auxiliary classifiers run only in training: their {} multiply-adds are not \
             in the total (their parameters are).",
            group_digits(totals.auxiliary_multiply_adds)
        );
    }
    let name = format!(
        "{} (torchvision {}), input {c} × {h} × {w}",
        graph.title, graph.name
    );
    let build = format!("model: {}", pytorch_call(graph.name));
    match format {
        Format::Markdown => markdown(&name, &build, &GRAPH_HEADER, &table, &note),
        _ => text(&name, &build, &GRAPH_HEADER, &[1, 2], &table, &note),
    }
}

/// The PyTorch line that builds the preset.
fn pytorch_call(name: &str) -> String {
    match name {
        "lenet5" => "LeNet-5 (not in torchvision: conv 5x5 6, max 2, conv 5x5 16, max 2, \
                     fc 120, 84, 10)"
            .into(),
        "googlenet" => "torchvision.models.googlenet(aux_logits=False)".into(),
        "googlenet_aux" => "torchvision.models.googlenet(aux_logits=True)".into(),
        "inception_v3" => "torchvision.models.inception_v3(aux_logits=False)".into(),
        "inception_v3_aux" => "torchvision.models.inception_v3(aux_logits=True)".into(),
        other => format!("torchvision.models.{other}()"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(stack: &str) -> StackFacts {
        let mut settings = Settings::default();
        settings.set("layers", stack).unwrap();
        stack_facts(&settings).unwrap()
    }

    #[test]
    fn csv_holds_plain_numbers() {
        let csv = table(
            &facts("input(1,8,8);conv(2,3);relu;max(2);flatten;linear(4)"),
            Format::Csv,
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 7);
        // conv: 2 filters of 3x3x1 + 2 biases = 20; 6x6x2 outputs x 9 = 648 multiply-adds.
        assert_eq!(
            lines[1],
            "1,\"nn.Conv2d(1, 2, kernel_size=3)\",2,6,6,20,648,1296,3x3,1"
        );
        assert_eq!(
            lines[3],
            "3,\"nn.MaxPool2d(kernel_size=2, stride=2)\",2,3,3,0,0,0,4x4,2"
        );
        // linear: 18 inputs x 4 + 4 = 76.
        assert_eq!(lines[5], "5,\"nn.Linear(18, 4)\",4,1,1,76,72,144,,");
        assert_eq!(lines[6], ",total,,,,96,720,1440,,");
    }

    #[test]
    fn text_columns_line_up() {
        let text = table(&facts("input(1,8,8);conv(2,3);relu"), Format::Text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Your stack, input 1 × 8 × 8");
        assert_eq!(lines[1], "stack: input(1,8,8);conv(2,3,1,0,1);relu");
        assert!(lines[3].starts_with("#  layer"), "{text}");
        assert!(
            lines[5].starts_with("1  nn.Conv2d(1, 2, kernel_size=3)"),
            "{text}"
        );
        // Right-aligned to the last column: the header, rule and rows are equally long.
        let lengths: Vec<usize> = lines[3..8].iter().map(|l| l.chars().count()).collect();
        assert!(lengths.iter().all(|&n| n == lengths[0]), "{text}");
        assert!(lines[8].contains("total"), "{text}");
    }

    #[test]
    fn markdown_is_a_table() {
        let md = table(&facts("input(1,8,8);conv(2,3)"), Format::Markdown);
        assert!(md.contains("| # | layer | output | parameters |"), "{md}");
        assert!(md.contains("| 1 | nn.Conv2d(1, 2, kernel_size=3) | 2 × 6 × 6 | 20 | 648 | 1\u{2009}296 | 3 × 3 | 1 |"), "{md}");
        assert!(
            md.contains("|  | **total** |  | **20** | **648** |"),
            "{md}"
        );
    }
}
