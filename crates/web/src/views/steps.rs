//! The step-by-step view: the window slid over a small grid one position at a time
//! (the lecture's 5x5 example first), the output filled in as it goes, and the sum.

use convlens_core::geometry::Pads;
use convlens_core::kernel::parse_rows;
use convlens_core::{Channels, PoolFunction, Preset, Result, Tensor};

use crate::i18n::Texts;
use crate::pipeline::{Backend, CellArithmetic};
use crate::settings::{shorten, KernelChoice, Settings, SettingsError};
use crate::views::{conv, pool};

/// The step-by-step view.
#[derive(Debug, Clone, Copy)]
pub struct Steps;

/// The step-by-step view's part of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StepsSettings {
    /// The grid, row by row.
    pub grid: Vec<Vec<f32>>,
    /// What slides over it.
    pub op: StepOperation,
    /// The window position shown (0 is the first).
    pub step: usize,
}

impl Default for StepsSettings {
    fn default() -> Self {
        StepsSettings {
            grid: LECTURE_GRID.iter().map(|row| row.to_vec()).collect(),
            op: StepOperation::Conv,
            step: 0,
        }
    }
}

/// The step-by-step operations' URL names.
pub const OPERATION_NAMES: [&str; 3] = ["conv", "max", "mean"];

impl crate::views::View for Steps {
    fn name(&self) -> &'static str {
        "steps"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_steps
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["grid", "op", "step"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &[
            "kernel",
            "weights",
            "stride",
            "padding",
            "padding_mode",
            "dilation",
            "pool_size",
            "pool_stride",
        ]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["op", "step"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let part = &mut settings.steps;
        match key {
            "grid" => {
                let grid = parse_rows(value, "grid")?;
                if grid.len() > MAX_GRID || grid[0].len() > MAX_GRID {
                    return Err(SettingsError::GridTooLarge { max: MAX_GRID });
                }
                part.grid = grid;
            }
            "op" => {
                part.op = match value {
                    "conv" => StepOperation::Conv,
                    "max" => StepOperation::Max,
                    "mean" => StepOperation::Mean,
                    _ => {
                        return Err(SettingsError::NoOperation {
                            value: shorten(value),
                        })
                    }
                }
            }
            "step" => {
                part.step = crate::settings::number("step", value, 1, MAX_GRID * MAX_GRID * 4)? - 1
            }
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        let part = &settings.steps;
        match key {
            "grid" => crate::settings::rows(&part.grid),
            "op" => part.op.name().into(),
            "step" => (part.step + 1).to_string(),
            _ => String::new(),
        }
    }

    fn hides(&self, settings: &Settings) -> &'static [&'static str] {
        match settings.steps.op {
            // Sliding the kernel: no pooling controls.
            StepOperation::Conv => &["pool_size", "pool_stride"],
            // Pooling: no kernel, padding or dilation.
            StepOperation::Max | StepOperation::Mean => &[
                "kernel",
                "weights",
                "stride",
                "padding",
                "padding_mode",
                "dilation",
            ],
        }
    }

    fn hidden_panels(&self, settings: &Settings) -> Vec<(&'static str, bool)> {
        vec![("kernel-panel", settings.steps.op != StepOperation::Conv)]
    }

    /// The step-by-step view opens on the lecture's example kernel unless the URL names
    /// one.
    fn opened(&self, settings: &mut Settings, named: &[String]) {
        if !named.iter().any(|k| k == "kernel" || k == "weights") {
            settings.kernel = KernelChoice::Preset(Preset::LectureExample);
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

/// What the step-by-step view slides over its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOperation {
    /// The kernel (with stride, padding and dilation).
    Conv,
    /// Max pooling (pool size and stride).
    Max,
    /// Mean pooling.
    Mean,
}

impl StepOperation {
    /// URL name.
    pub fn name(self) -> &'static str {
        match self {
            StepOperation::Conv => "conv",
            StepOperation::Max => "max",
            StepOperation::Mean => "mean",
        }
    }
}

/// The largest grid side of the step-by-step view.
pub const MAX_GRID: usize = 16;

/// The lecture's 5x5 binary image ("2D-свёртка").
#[rustfmt::skip]
pub const LECTURE_GRID: [[f32; 5]; 5] = [
    [1.0, 1.0, 1.0, 0.0, 0.0],
    [0.0, 1.0, 1.0, 1.0, 0.0],
    [0.0, 0.0, 1.0, 1.0, 1.0],
    [0.0, 0.0, 1.0, 1.0, 0.0],
    [0.0, 1.0, 1.0, 0.0, 0.0],
];

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
    let input = Tensor::from_rows(&settings.steps.grid)?;
    // One channel: the grid is a single plane. Pooling here slides the plain window (the
    // pooling view's padding and ceil mode are not drawn on the grid).
    let one = Settings {
        channel: Channels::Gray,
        pooling: pool::PoolingSettings::default(),
        ..settings.clone()
    };
    let (output, pads, formulas) = match settings.steps.op {
        StepOperation::Conv => {
            let facts = conv::conv_facts(&one, 1, input.height(), input.width())?;
            let output = conv::feature_map(&one, &input, Backend::Fast)?;
            (
                output,
                facts.pads,
                [facts.height_formula, facts.width_formula],
            )
        }
        StepOperation::Max | StepOperation::Mean => {
            let pool = if settings.steps.op == StepOperation::Max {
                PoolFunction::Max
            } else {
                PoolFunction::Mean
            };
            let one = Settings {
                pool,
                ..one.clone()
            };
            let facts = pool::pool_facts(&one, input.height(), input.width())?;
            let output = pool::pooled_map(&one, &input, Backend::Fast)?;
            (
                output,
                Pads::default(),
                [facts.height_formula, facts.width_formula],
            )
        }
    };
    let positions = output.height() * output.width();
    let step = settings.steps.step.min(positions - 1);
    let cell = (step / output.width(), step % output.width());
    let arithmetic = match settings.steps.op {
        StepOperation::Conv => conv::conv_arithmetic(&one, &input, &output, cell)?,
        StepOperation::Max => pool::pool_arithmetic(
            &Settings {
                pool: PoolFunction::Max,
                ..one
            },
            &input,
            &output,
            cell,
        )?,
        StepOperation::Mean => pool::pool_arithmetic(
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

#[cfg(target_arch = "wasm32")]
mod page {
    //! The step-by-step view on the page: the editable grid, the player, the output
    //! filled in position by position.

    use wasm_bindgen::JsCast;
    use web_sys::{
        Element, Event, EventTarget, HtmlElement, HtmlInputElement, HtmlSelectElement, PointerEvent,
    };

    use super::{steps_facts, StepOperation, Steps, StepsFacts, MAX_GRID};
    use crate::dom::{
        by_id, clear, document, element, event_value, index_of, property, set_text, PageResult,
    };
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::pipeline::{cell_value, number};
    use crate::settings::Settings;
    use crate::shell::render::{signed, weight_text};
    use crate::shell::{Change, Page, Shell, State, Track};

    const NAME: &str = "steps";

    /// The player: Play / Pause, a window position a tick.
    static TRACK: Track = Track {
        part: NAME,
        button: "steps-play",
        speed: Some("steps-speed"),
        position: |settings| (settings.steps.step, positions(settings)),
        go: |settings, step| settings.steps.step = step,
    };

    impl Page for Steps {
        fn wire(&self, shell: &Shell) -> PageResult {
            let grid: Element = by_id("steps-input")?;
            // Typed values apply when the cell is left (or Enter is pressed).
            shell.on(&grid, "change", |shell, event: Event| {
                let Some(input) = event
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                else {
                    return Ok(Change::None);
                };
                set_grid_cell(shell, &input, &input.value())
            })?;
            // Painting: with a paint value chosen, pressing or dragging over cells sets
            // them. Touch and pen send a drag's events to the cell it started on: the cell
            // is the one under the pointer.
            for kind in ["pointerdown", "pointerover", "pointermove"] {
                let stroke = grid.clone();
                shell.on(&grid, kind, move |shell, event: PointerEvent| {
                    let paint = document()?
                        .query_selector("input[name=paint]:checked")?
                        .map(|e| property(&e, "value"))
                        .unwrap_or_default();
                    if paint == "off" || paint.is_empty() || event.buttons() & 1 == 0 {
                        return Ok(Change::None);
                    }
                    // The grid is redrawn under the stroke: the grid itself, not a cell,
                    // follows the pointer until it is lifted.
                    if kind == "pointerdown" {
                        let _ = stroke.set_pointer_capture(event.pointer_id());
                    }
                    let under = document()?
                        .element_from_point(event.client_x() as f32, event.client_y() as f32);
                    let Some(input) = under.and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                    else {
                        return Ok(Change::None);
                    };
                    event.prevent_default();
                    set_grid_cell(shell, &input, &paint)
                })?;
            }
            shell.on(
                &by_id::<EventTarget>("grid-size")?,
                "change",
                |shell, event: Event| {
                    let value = event_value(&event);
                    Ok(set_grid_size(shell, &value))
                },
            )?;
            shell.on(
                &by_id::<EventTarget>("steps-scrubber")?,
                "input",
                |shell, event: Event| {
                    let value = event_value(&event);
                    set_step(shell, |_| {
                        value.parse::<usize>().unwrap_or(1).saturating_sub(1)
                    })
                },
            )?;
            shell.on(
                &by_id::<EventTarget>("steps-back")?,
                "click",
                |shell, _: Event| TRACK.step(shell, false),
            )?;
            shell.on(
                &by_id::<EventTarget>("steps-forward")?,
                "click",
                |shell, _: Event| TRACK.step(shell, true),
            )?;
            shell.on(
                &by_id::<EventTarget>("steps-play")?,
                "click",
                |shell, _: Event| {
                    TRACK.toggle(shell)?;
                    Ok(Change::None)
                },
            )
        }

        fn draw(&self, state: &mut State) -> PageResult {
            // The grid is the input: no image needed.
            match steps_facts(&state.settings) {
                Ok(facts) => {
                    show(&state.settings, &facts)?;
                    state.say(None)
                }
                Err(error) => state.say(Some(Message::Error(error))),
            }
        }

        fn track(&self) -> Option<&'static Track> {
            Some(&TRACK)
        }
    }

    /// Sets one grid cell from text (a number, or `a/b`).
    fn set_grid_cell(shell: &Shell, input: &HtmlInputElement, text: &str) -> PageResult<Change> {
        let (y, x) = (index_of(input, "data-y"), index_of(input, "data-x"));
        let value = match cell_value(text, "grid", y, x) {
            Ok(value) => value,
            Err(error) => {
                input.set_attribute("aria-invalid", "true")?;
                crate::shell::render::message(Some(Message::LastValidGrid(error)))?;
                return Ok(Change::None);
            }
        };
        let mut state = shell.state.borrow_mut();
        let Some(cell) = state
            .settings
            .steps
            .grid
            .get_mut(y)
            .and_then(|row| row.get_mut(x))
        else {
            return Ok(Change::None);
        };
        if *cell == value {
            return Ok(Change::None);
        }
        *cell = value;
        Ok(Change::Settings)
    }

    /// Resizes the grid to `size x size`, keeping the top-left values.
    fn set_grid_size(shell: &Shell, value: &str) -> Change {
        let Ok(size) = value.parse::<usize>() else {
            return Change::None;
        };
        let size = size.clamp(1, MAX_GRID);
        let mut state = shell.state.borrow_mut();
        let part = &mut state.settings.steps;
        let old = std::mem::take(&mut part.grid);
        part.grid = (0..size)
            .map(|y| {
                (0..size)
                    .map(|x| old.get(y).and_then(|r| r.get(x)).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        part.step = 0;
        Change::Settings
    }

    fn positions(settings: &Settings) -> usize {
        steps_facts(settings).map_or(1, |f| f.positions)
    }

    /// Moves to another window position (clamped to the last).
    fn set_step(shell: &Shell, next: impl FnOnce(usize) -> usize) -> PageResult<Change> {
        let mut state = shell.state.borrow_mut();
        let positions = positions(&state.settings);
        let part = &mut state.settings.steps;
        let current = part.step.min(positions - 1);
        part.step = next(current).min(positions - 1);
        Ok(Change::Settings)
    }

    /// The step-by-step view at its current position: the grid with the window's taps (and
    /// their weights) marked and the padding hatched, the output filled in up to this
    /// position, the products and their sum, and the formulas.
    fn show(settings: &Settings, facts: &StepsFacts) -> PageResult {
        let input = &facts.input;
        let (height, width) = (input.height(), input.width());
        let pads = facts.pads;
        let arithmetic = &facts.arithmetic;
        let channel = arithmetic.channels.first();
        // Where each tap of the window falls, and with which weight.
        let mut taps: Vec<((i64, i64), crate::pipeline::Term)> = Vec::new();
        if let Some(channel) = channel {
            let columns = channel.columns.max(1);
            for (index, term) in channel.terms.iter().enumerate() {
                let (m, n) = ((index / columns) as i64, (index % columns) as i64);
                let step = arithmetic.step as i64;
                taps.push((
                    (
                        arithmetic.window.top + m * step,
                        arithmetic.window.left + n * step,
                    ),
                    *term,
                ));
            }
        }
        let pool = settings.steps.op != StepOperation::Conv;
        let grid: Element = by_id("steps-input")?;
        clear(&grid);
        // The padded grid's rows, so that the style sheet sizes the cells to the screen.
        by_id::<HtmlElement>("steps-panels")?
            .style()
            .set_property("--rows", &(height + pads.top + pads.bottom).to_string())?;
        let table = element("table", "", "")?;
        for y in -(pads.top as i64)..(height + pads.bottom) as i64 {
            let tr = element("tr", "", "")?;
            for x in -(pads.left as i64)..(width + pads.right) as i64 {
                let inside = y >= 0 && x >= 0 && (y as usize) < height && (x as usize) < width;
                let td = element("td", if inside { "" } else { "pad" }, "")?;
                if inside {
                    let cell: HtmlInputElement = document()?.create_element("input")?.dyn_into()?;
                    cell.set_type("text");
                    cell.set_attribute("inputmode", "decimal")?;
                    cell.set_attribute("data-y", &y.to_string())?;
                    cell.set_attribute("data-x", &x.to_string())?;
                    cell.set_attribute(
                        "aria-label",
                        &fill(
                            t().grid_cell_aria,
                            &[("row", &(y + 1)), ("column", &(x + 1))],
                        ),
                    )?;
                    cell.set_value(&number(
                        input.get(0, 0, y as usize, x as usize).unwrap_or(0.0),
                    ));
                    td.append_child(&cell)?;
                } else {
                    let source = |i: i64, n: usize| settings.padding_mode.source(i as isize, n);
                    let value = match (source(y, height), source(x, width)) {
                        (Some(r), Some(c)) => input.get(0, 0, r, c).unwrap_or(0.0),
                        _ => 0.0,
                    };
                    td.set_text_content(Some(&number(value)));
                    td.set_title(&fill(
                        t().padded_title,
                        &[("mode", &t().padding_mode(settings.padding_mode))],
                    ));
                }
                if let Some((_, term)) = taps.iter().find(|(at, _)| *at == (y, x)) {
                    td.class_list().add_1("tap")?;
                    if term.chosen {
                        td.class_list().add_1("chosen")?;
                    }
                    if !pool {
                        td.append_child(&*element(
                            "sub",
                            "",
                            &format!("×{}", weight_text(term.weight)),
                        )?)?;
                    }
                }
                tr.append_child(&td)?;
            }
            table.append_child(&tr)?;
        }
        grid.append_child(&table)?;
        set_text("steps-input-size", &crate::pipeline::size_hw(height, width))?;
        by_id::<HtmlSelectElement>("grid-size")?.set_value(&height.to_string());

        let output = &facts.output;
        let out: Element = by_id("steps-output")?;
        clear(&out);
        let table = element("table", "", "")?;
        for y in 0..output.height() {
            let tr = element("tr", "", "")?;
            for x in 0..output.width() {
                let index = y * output.width() + x;
                let (class, text) = match index.cmp(&facts.step) {
                    std::cmp::Ordering::Less => ("", number(output.get(0, 0, y, x).unwrap_or(0.0))),
                    std::cmp::Ordering::Equal => {
                        ("current", number(output.get(0, 0, y, x).unwrap_or(0.0)))
                    }
                    std::cmp::Ordering::Greater => ("future", "·".to_string()),
                };
                tr.append_child(&*element("td", class, &text)?)?;
            }
            table.append_child(&tr)?;
        }
        out.append_child(&table)?;
        set_text(
            "steps-output-size",
            &crate::pipeline::size_hw(output.height(), output.width()),
        )?;

        let (y, x) = arithmetic.cell;
        set_text(
            "steps-position",
            &fill(
                t().steps_position,
                &[
                    ("step", &(facts.step + 1)),
                    ("positions", &facts.positions),
                    ("y", &y),
                    ("x", &x),
                ],
            ),
        )?;
        let sum = channel.map_or_else(String::new, |channel| {
            let result = number(channel.result);
            if pool {
                let values: Vec<String> = channel.terms.iter().map(|t| number(t.value)).collect();
                format!(
                    "{}({}) = {result}",
                    settings.steps.op.name(),
                    values.join(", ")
                )
            } else {
                let products: Vec<String> = channel
                    .terms
                    .iter()
                    .map(|t| format!("{}·{}", number(t.value), signed(&weight_text(t.weight))))
                    .collect();
                format!("{} = {result}", products.join(" + "))
            }
        });
        set_text("steps-sum", &sum)?;
        set_text("steps-formula-h", &facts.formulas[0])?;
        set_text("steps-formula-w", &facts.formulas[1])?;
        let scrubber: HtmlInputElement = by_id("steps-scrubber")?;
        scrubber.set_max(&facts.positions.to_string());
        scrubber.set_value(&(facts.step + 1).to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::PaddingChoice;

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
        let mut last = settings.clone();
        last.steps.step = 99;
        let last = steps_facts(&last).unwrap();
        assert_eq!((last.step, last.arithmetic.cell), (8, (2, 2)));
        let padded = steps_facts(&Settings {
            padding: PaddingChoice::Pixels(1),
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
        let mut pooled = settings;
        pooled.steps.op = StepOperation::Max;
        let pooled = steps_facts(&pooled).unwrap();
        assert_eq!(pooled.output.rows(0), [[1.0, 1.0], [0.0, 1.0]]);
    }
}
