//! `convlens layers`: the stack view's table (output shape, parameters, multiply-adds,
//! receptive field and jump of every layer, and the totals) as text, CSV or Markdown.
//!
//! The stack is the page's (`Settings::architecture`), the rows are the page's
//! (`views::stack::stack_facts`), so the numbers are the page's.

use std::path::Path;

use convlens_web::pipeline;
use convlens_web::settings::Settings;
use convlens_web::views::stack::{stack_facts, StackFacts, StackPreset};

use crate::args::{self, Given};
use crate::{page_url, Failure};

const OPTIONS: args::Known = &["preset", "stack", "file", "url", "format"];

/// The largest stack file read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// `convlens layers --help`.
pub const HELP: &str = "\
convlens layers: print a layer stack's table, as the page's stack view shows it

USAGE
  convlens layers --preset NAME [--format text|csv|markdown]
  convlens layers --stack 'input(3,32,32); conv(16,3,1,1); relu; max(2)' [--format …]
  convlens layers --file STACK.txt [--format …]
  convlens layers --url 'view=stack&stack=alexnet' [--format …]

THE STACK (exactly one of)
  --preset NAME   the page's stacks: three-3x3, one-7x7, deep-3x3 (the fifty 3x3 layers
                  that see a 100x100 object), lenet5, alexnet, vgg16 (as torchvision
                  builds them)
  --stack TEXT    your own stack, as the page's layers= parameter writes it: layers split
                  by ';' or new lines, the input first (default input(3,64,64)):
                    input(C,H,W)  conv(filters,k[,stride[,padding[,dilation]]])  relu
                    max(k[,stride])  mean(k[,stride])  avgpool(h,w)  flatten
                    linear(outputs)
                  convolutions and linear layers have a bias, as in PyTorch
  --file FILE     the same, read from a file; '#' starts a comment to the end of a line
  --url URL       a page URL or its query string (stack= or layers=)

OUTPUT
  --format F      text (default; aligned columns, the page's numbers), csv (plain
                  numbers, one header row) or markdown (a table for notes and slides)

Columns: the layer as PyTorch writes it, its output shape (C × H × W, or the number
of features), learned parameters, multiply-adds and FLOPs (2 per multiply-add) for one
image, the receptive field of one output cell on the input, and the jump (input pixels
between neighbouring cells). The last row holds the totals.

EXIT STATUS
  0 printed; 2 a bad option or a stack that does not fit its input (the reason is
  printed).

EXAMPLES
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
    let settings = stack_settings(&given)?;
    let facts = stack_facts(&settings).map_err(|e| Failure::usage(e.to_string()))?;
    crate::print(&table(&facts, format));
    Ok(())
}

/// The page settings that choose the stack.
fn stack_settings(given: &Given) -> Result<Settings, Failure> {
    let sources: Vec<&str> = ["preset", "stack", "file", "url"]
        .into_iter()
        .filter(|o| given.has(o))
        .collect();
    let mut settings = Settings::default();
    match sources.as_slice() {
        ["preset"] => {
            let name = given.get("preset").unwrap_or_default();
            if name.trim() == StackPreset::Custom.name() {
                return Err(Failure::usage(
                    "--preset custom: give your own stack with --stack or --file",
                ));
            }
            settings.set("stack", name).map_err(|m| {
                Failure::usage(format!(
                    "--preset: {}",
                    m.to_string().replace(" or custom", "")
                ))
            })?;
        }
        ["stack"] => set_layers(
            &mut settings,
            given.get("stack").unwrap_or_default(),
            "--stack",
        )?,
        ["file"] => {
            let path = Path::new(given.get("file").unwrap_or_default());
            let text = read_stack_file(path)?;
            set_layers(&mut settings, &text, &format!("'{}'", path.display()))?;
        }
        ["url"] => {
            settings = page_url::settings(given.get("url").unwrap_or_default())?.0;
        }
        [] => {
            return Err(Failure::usage(
                "give the stack: --preset NAME, --stack TEXT, --file FILE or --url URL \
                 (see `convlens layers --help`)",
            ))
        }
        _ => {
            return Err(Failure::usage(format!(
                "give only one of --preset, --stack, --file and --url, not --{}",
                sources.join(" and --")
            )))
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

/// One row of the printed table.
struct Row {
    cells: [String; 8],
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
    let mut rows: Vec<Row> = facts
        .rows
        .iter()
        .zip(&facts.reports)
        .enumerate()
        .map(|(i, (row, report))| Row {
            cells: [
                (i + 1).to_string(),
                row.pytorch.clone(),
                row.output.clone(),
                row.parameters.clone(),
                row.multiply_adds.clone(),
                pipeline::group_digits(2 * report.multiply_adds),
                row.receptive_field.clone(),
                row.jump.clone(),
            ],
        })
        .collect();
    rows.push(Row {
        cells: [
            String::new(),
            "total".into(),
            String::new(),
            facts.total_parameters.clone(),
            facts.total_multiply_adds.clone(),
            pipeline::group_digits(2 * total_multiply_adds),
            String::new(),
            String::new(),
        ],
    });
    let name = format!("{}, input {c} × {h} × {w}", facts.architecture.name);
    let stack = facts.architecture.to_string();
    match format {
        Format::Markdown => markdown(&name, &stack, &rows, &facts.note),
        _ => text(&name, &stack, &rows, &facts.note),
    }
}

/// Numbers right-aligned, words left-aligned, two spaces between columns.
/// The stack in the form `--stack` reads, under the name, so it can be copied and edited.
fn text(name: &str, stack: &str, rows: &[Row], note: &str) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.cells[i].chars().count())
            .chain([HEADER[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..HEADER.len()).map(width).collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i] - cell.chars().count());
                if i == 1 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = format!("{name}\nstack: {stack}\n\n");
    out += &line(&HEADER);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    out += &line(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, row) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            out += &line(&rule.iter().map(String::as_str).collect::<Vec<_>>());
        }
        out += &line(&row.cells.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out + "\n" + note + "\n"
}

fn markdown(name: &str, stack: &str, rows: &[Row], note: &str) -> String {
    let escape = |cell: &str| cell.replace('|', "\\|");
    let mut out = format!(
        "**{}**: `{stack}`\n\n| {} |\n",
        escape(name),
        HEADER.join(" | ")
    );
    out += "|---:|:---|---:|---:|---:|---:|---:|---:|\n";
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .cells
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
