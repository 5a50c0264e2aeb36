//! The transposed-convolution view on the page: the input, the kernel, the output
//! growing stamp by stamp, the sums, the matrix, and the checkerboard on the photo.

use convlens_core::{Channels, DisplayMapping, Tensor};
use std::fmt::Write as _;
use wasm_bindgen::JsCast;

use web_sys::{Element, Event, EventTarget, HtmlElement, HtmlInputElement};

use super::{
    cell_sum, checkerboard, counts_text, stamp_text, transposed_facts, Transposed, TransposedFacts,
    CHECKER_PYTORCH,
};
use crate::dom::{by_id, event_value, set_text, PageResult};
use crate::i18n::{fill, t};
use crate::message::Message;
use crate::pipeline::{input_tensor, number};
use crate::shell::maps::put_map;
use crate::shell::{Change, Page, Shell, State, Track};

const NAME: &str = "transposed";

/// What the view keeps between redraws: the output cell pointed at, and the frame the
/// checkerboard was drawn from.
#[derive(Default)]
struct Kept {
    pointed: Option<(usize, usize)>,
    checkered: Option<u32>,
    /// The checkerboard's overlap counts, as written.
    counts: Option<(String, String)>,
}

impl Page for Transposed {
    fn wire(&self, shell: &Shell) -> PageResult {
        for (id, forward) in [("transposed-back", false), ("transposed-next", true)] {
            shell.on(
                &by_id::<EventTarget>(id)?,
                "click",
                move |shell, _: Event| TRACK.step(shell, forward),
            )?;
        }
        shell.on(
            &by_id::<EventTarget>("transposed-play")?,
            "click",
            |shell, _: Event| {
                TRACK.toggle(shell)?;
                Ok(Change::None)
            },
        )?;
        shell.on(
            &by_id::<EventTarget>("transposed-scrubber")?,
            "input",
            |shell, event: Event| {
                let value = event_value(&event);
                let mut state = shell.state.borrow_mut();
                Ok(match state.settings.set("tstep", &value) {
                    Ok(()) => Change::Settings,
                    Err(_) => Change::None,
                })
            },
        )?;
        let output: Element = by_id("transposed-output")?;
        for kind in ["pointerover", "click", "focusin"] {
            shell.on(&output, kind, move |shell, event: Event| {
                let cell = event
                    .target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|e| e.closest("td[data-r]").ok().flatten())
                    .map(|e| {
                        (
                            crate::dom::index_of(&e, "data-r"),
                            crate::dom::index_of(&e, "data-c"),
                        )
                    });
                let Some(cell) = cell else {
                    return Ok(Change::None);
                };
                let mut state = shell.state.borrow_mut();
                let kept = state.part::<Kept>(NAME);
                if kept.pointed == Some(cell) {
                    return Ok(Change::None);
                }
                kept.pointed = Some(cell);
                drop(state);
                say_cell(&shell.state.borrow(), cell)?;
                Ok(Change::None)
            })?;
        }
        Ok(())
    }

    fn draw(&self, state: &mut State) -> PageResult {
        match transposed_facts(&state.settings) {
            Ok(facts) => {
                show(&facts)?;
                let pointed = state.part::<Kept>(NAME).pointed;
                let pointed = pointed.filter(|&(r, c)| r < facts.drawn.0 && c < facts.drawn.1);
                match pointed {
                    Some(cell) => say_cell(state, cell)?,
                    None => set_text("transposed-cell", "")?,
                }
                state.say(None)?;
            }
            Err(error) => state.say(Some(Message::Error(error)))?,
        }
        draw_checkerboard(state)
    }

    fn track(&self) -> Option<&'static Track> {
        Some(&TRACK)
    }

    fn language(&self, state: &State) -> PageResult {
        // The captions with numbers in them are written by draw: say them again.
        if let Some(kept) = state.part_ref::<Kept>(NAME) {
            if let Some(cell) = kept.pointed {
                say_cell(state, cell)?;
            }
            say_counts(kept)?;
        }
        Ok(())
    }
}

/// The player: Play / Pause, one stamp a tick (its part apart from the view's [`Kept`]).
static TRACK: Track = Track {
    part: "transposed-player",
    button: "transposed-play",
    speed: None,
    position: |settings| {
        let stamps = transposed_facts(settings).map_or(1, |f| f.stamps);
        (settings.transposed.step, stamps)
    },
    go: |settings, step| settings.transposed.step = step,
};

/// The sum of the pointed output cell.
fn say_cell(state: &State, cell: (usize, usize)) -> PageResult {
    match transposed_facts(&state.settings) {
        Ok(facts) => set_text("transposed-cell", &cell_sum(&state.settings, &facts, cell)),
        Err(_) => Ok(()),
    }
}

/// One table cell: its attributes (class and the like, written by this module: numbers
/// and fixed names only) and its content.
fn cell(html: &mut String, attributes: &str, content: &str) {
    let _ = write!(html, "<td{attributes}>{content}</td>");
}

/// Puts a table, row by row, into element `id`: `cell(y, x, html)` writes each cell.
fn table(
    id: &str,
    (rows, columns): (usize, usize),
    cell: &mut dyn FnMut(usize, usize, &mut String),
) -> PageResult {
    let mut html = String::from("<table>");
    for y in 0..rows {
        html.push_str("<tr>");
        for x in 0..columns {
            cell(y, x, &mut html);
        }
        html.push_str("</tr>");
    }
    html.push_str("</table>");
    by_id::<Element>(id)?.set_inner_html(&html);
    Ok(())
}

fn show(facts: &TransposedFacts) -> PageResult {
    let (h, w) = (facts.input.height(), facts.input.width());
    table("transposed-input", (h, w), &mut |y, x, html| {
        let class = match (y * w + x).cmp(&facts.step) {
            std::cmp::Ordering::Less => " class=\"done\"",
            std::cmp::Ordering::Equal => " class=\"current\"",
            std::cmp::Ordering::Greater => "",
        };
        let value = number(facts.input.get(0, 0, y, x).unwrap_or(0.0));
        cell(
            html,
            &format!("{class} title=\"x[{},{}]\"", y + 1, x + 1),
            &value,
        );
    })?;
    set_text("transposed-input-size", &format!("{h} × {w}"))?;
    let weight = &facts.weight;
    let (kh, kw) = (weight.height(), weight.width());
    table("transposed-kernel", (kh, kw), &mut |m, n, html| {
        let value = number(weight.get(0, 0, m, n).unwrap_or(0.0));
        cell(html, &format!(" title=\"w[{},{}]\"", m + 1, n + 1), &value);
    })?;
    set_text("transposed-kernel-size", &format!("{kh} × {kw}"))?;
    let (out_h, out_w) = (facts.output.height(), facts.output.width());
    let crop = facts.crop;
    table("transposed-output", facts.drawn, &mut |r, c, html| {
        let inside = r >= crop && r < crop + out_h && c >= crop && c < crop + out_w;
        let mut class = String::from(if inside { "" } else { "pad" });
        // Drawn cells no stamp has reached yet show a dot.
        let reached = facts.overlaps.get(0, 0, r, c).unwrap_or(0.0) > 0.0;
        let mut content = if reached {
            number(facts.stamped.get(0, 0, r, c).unwrap_or(0.0))
        } else {
            class.push_str(" future");
            "·".into()
        };
        if let Some(p) = facts.stamp.iter().find(|p| p.at == (r, c)) {
            class.push_str(" tap");
            let _ = write!(
                content,
                "<sub>+{}·{}</sub>",
                number(p.value),
                number(p.weight)
            );
        }
        let attributes = format!(
            " class=\"{}\" data-r=\"{r}\" data-c=\"{c}\" tabindex=\"0\"",
            class.trim()
        );
        cell(html, &attributes, &content);
    })?;
    set_text("transposed-output-size", &format!("{out_h} × {out_w}"))?;
    set_text("transposed-stamp", &stamp_text(facts))?;
    set_text("transposed-formula-h", &facts.formulas[0])?;
    set_text("transposed-formula-w", &facts.formulas[1])?;
    set_text("transposed-pytorch", &facts.pytorch)?;
    set_text(
        "transposed-parameters",
        &fill(t().transposed_parameters, &[("weights", &facts.parameters)]),
    )?;
    set_text(
        "transposed-flops",
        &fill(
            t().transposed_flops,
            &[
                ("cells", &facts.stamps),
                ("weights", &facts.parameters),
                ("total", &facts.multiply_adds),
            ],
        ),
    )?;
    let scrubber: HtmlInputElement = by_id("transposed-scrubber")?;
    scrubber.set_max(&facts.stamps.to_string());
    scrubber.set_value(&(facts.step + 1).to_string());
    show_matrix(facts)
}

/// The layer's matrix, each weight in its colour, the column of the stamp shown marked.
fn show_matrix(facts: &TransposedFacts) -> PageResult {
    let (h, w) = (facts.input.height(), facts.input.width());
    let (out_h, out_w) = (facts.output.height(), facts.output.width());
    let Some(matrix) = &facts.matrix else {
        let sizes: [(&str, &dyn std::fmt::Display); 2] =
            [("outputs", &(out_h * out_w)), ("inputs", &(h * w))];
        set_text(
            "transposed-matrix-note",
            &fill(t().transposed_matrix_too_large, &sizes),
        )?;
        set_text("transposed-conv", "")?;
        by_id::<Element>("transposed-matrix")?.set_inner_html("");
        return Ok(());
    };
    let note = fill(
        t().transposed_matrix_note,
        &[
            ("outputs", &(out_h * out_w)),
            ("inputs", &(h * w)),
            ("out_h", &out_h),
            ("out_w", &out_w),
            ("h", &h),
            ("w", &w),
        ],
    );
    set_text("transposed-matrix-note", &note)?;
    set_text("transposed-conv", &facts.convolution)?;
    let kw = facts.weight.width();
    let marked = |j: usize| if j == facts.step { " stamping" } else { "" };
    // The header row, then one row per output cell, its name first.
    table(
        "transposed-matrix",
        (matrix.len() + 1, h * w + 1),
        &mut |i, j, html| match (i, j) {
            (0, 0) => html.push_str("<th></th>"),
            (0, j) => {
                let _ = write!(
                    html,
                    "<th class=\"{}\">x[{},{}]</th>",
                    marked(j - 1),
                    (j - 1) / w + 1,
                    (j - 1) % w + 1
                );
            }
            (i, 0) => {
                let _ = write!(
                    html,
                    "<th>y[{},{}]</th>",
                    (i - 1) / out_w + 1,
                    (i - 1) % out_w + 1
                );
            }
            (i, j) => match matrix[i - 1][j - 1] {
                Some((m, n)) => cell(
                    html,
                    &format!(" class=\"w{}{}\"", (m * kw + n) % 7, marked(j - 1)),
                    &format!("w[{},{}]", m + 1, n + 1),
                ),
                None => cell(html, &format!(" class=\"zero{}\"", marked(j - 1)), "0"),
            },
        },
    )
}

/// The checkerboard on the photo, once per input frame.
fn draw_checkerboard(state: &mut State) -> PageResult {
    let frame_id = state.frame_id;
    if state.frame.width == 0 || state.part::<Kept>(NAME).checkered == Some(frame_id) {
        return Ok(());
    }
    let gray = match input_tensor(&state.frame, Channels::Gray) {
        Ok(gray) => gray,
        Err(error) => return state.say(Some(Message::Error(error))),
    };
    let board = match checkerboard(&gray) {
        Ok(board) => board,
        Err(error) => return state.say(Some(Message::Error(error))),
    };
    // Counts on one scale for both: 4 stamps white, none black.
    let scaled = |counts: &Tensor| {
        let mut scaled = counts.clone();
        scaled.data_mut().iter_mut().for_each(|v| *v *= 255.0 / 4.0);
        scaled
    };
    let maps: [(&str, Tensor); 6] = [
        ("checker-photo", board.small.clone()),
        ("checker-uneven", board.uneven.clone()),
        ("checker-uneven-counts", scaled(&board.uneven_counts)),
        ("checker-even", board.even.clone()),
        ("checker-even-counts", scaled(&board.even_counts)),
        ("checker-resized", board.resized.clone()),
    ];
    for (id, map) in &maps {
        if let Err(error) = crate::pipeline::draw(map, DisplayMapping::Clamp, &mut state.rgba) {
            return state.say(Some(Message::Error(error)));
        }
        put_map(id, map, &state.rgba, t().checker_aria)?;
    }
    for (id, line) in [
        "checker-pytorch-3",
        "checker-pytorch-4",
        "checker-pytorch-resize",
    ]
    .into_iter()
    .zip(CHECKER_PYTORCH)
    {
        set_text(id, line)?;
    }
    let kept = state.part::<Kept>(NAME);
    kept.checkered = Some(frame_id);
    kept.counts = Some((
        counts_text(&board.uneven_counts),
        counts_text(&board.even_counts),
    ));
    say_counts(kept)
}

/// The overlap counts under the two count maps, in the language in use.
fn say_counts(kept: &Kept) -> PageResult {
    let Some((uneven, even)) = &kept.counts else {
        return Ok(());
    };
    for (id, template, counts) in [
        (
            "checker-uneven-counts-text",
            t().checker_uneven_counts,
            uneven,
        ),
        ("checker-even-counts-text", t().checker_even_counts, even),
    ] {
        let holder: HtmlElement = by_id(id)?;
        holder.set_attribute("data-counts", counts)?;
        holder.set_text_content(Some(&fill(template, &[("counts", counts)])));
    }
    Ok(())
}
