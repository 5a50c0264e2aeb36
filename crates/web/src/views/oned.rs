//! The 1D view: `z = w ∗ x` cell by cell, and the fully connected layer it equals (its
//! matrix of shared weights and zeros).

use convlens_core::conv::conv1d_matrix;
use convlens_core::geometry::{Padding, Pads};
use convlens_core::kernel::parse_rows;
use convlens_core::{conv2d, Result, Tensor};

use crate::i18n::{fill, t, Texts};
use crate::settings::{PaddingChoice, Settings, SettingsError};

/// The 1D view.
#[derive(Debug, Clone, Copy)]
pub struct OneD;

/// The longest sequence of the 1D view.
pub const MAX_SEQUENCE: usize = 32;

/// The longest 1D kernel.
pub const MAX_TAPS: usize = 7;

/// The 1D view's part of the settings.
#[derive(Debug, Clone, PartialEq)]
pub struct OneDSettings {
    /// The input sequence `x`.
    pub sequence: Vec<f32>,
    /// The kernel `(w1, w2, w3, ...)`.
    pub taps: Vec<f32>,
}

impl Default for OneDSettings {
    fn default() -> Self {
        OneDSettings {
            sequence: vec![1.0, 3.0, 2.0, 5.0, 4.0, 1.0, 0.0, 2.0],
            taps: vec![1.0, 2.0, 1.0],
        }
    }
}

impl crate::views::View for OneD {
    fn name(&self) -> &'static str {
        "1d"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_1d
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["sequence", "taps"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &["stride", "padding", "dilation"]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["sequence", "taps", "stride", "padding"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        value: &str,
    ) -> std::result::Result<(), SettingsError> {
        let (what, limit) = match key {
            "sequence" => ("sequence", MAX_SEQUENCE),
            "taps" => ("1D kernel", MAX_TAPS),
            _ => {
                return Err(SettingsError::UnknownParameter {
                    key: crate::settings::shorten(key),
                })
            }
        };
        // One row of numbers, read like kernel weights (fractions allowed).
        let rows = parse_rows(&value.replace(' ', ""), what)?;
        let [values] =
            <[Vec<f32>; 1]>::try_from(rows).map_err(|_| SettingsError::OneRow { what, limit })?;
        if values.len() > limit {
            return Err(SettingsError::OneRow { what, limit });
        }
        if key == "sequence" {
            settings.oned.sequence = values;
        } else {
            settings.oned.taps = values;
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        match key {
            "sequence" => crate::settings::list(&settings.oned.sequence),
            "taps" => crate::settings::list(&settings.oned.taps),
            _ => String::new(),
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
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
    let (x, w) = (&settings.oned.sequence, &settings.oned.taps);
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

#[cfg(target_arch = "wasm32")]
mod page {
    //! The 1D view on the page: the padded sequence, the outputs, the chosen output's
    //! sum, and the matrix.

    use wasm_bindgen::JsCast;
    use web_sys::{Element, Event};

    use super::{one_d_facts, OneD, OneDFacts};
    use crate::dom::{by_id, clear, document, element, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::pipeline::number;
    use crate::settings::Settings;
    use crate::shell::render::{signed, weight_text};
    use crate::shell::{Change, Page, Shell, State};

    const NAME: &str = "1d";

    /// The chosen output.
    #[derive(Default)]
    struct Chosen(usize);

    impl Page for OneD {
        fn wire(&self, shell: &Shell) -> PageResult {
            let rows: Element = by_id("oned-rows")?;
            for kind in ["pointerover", "click", "focusin"] {
                shell.on(&rows, kind, move |shell, event: Event| {
                    let chosen = event
                        .target()
                        .and_then(|t| t.dyn_into::<Element>().ok())
                        .and_then(|e| e.get_attribute("data-z"))
                        .and_then(|z| z.parse::<usize>().ok());
                    let Some(chosen) = chosen else {
                        return Ok(Change::None);
                    };
                    {
                        let mut state = shell.state.borrow_mut();
                        let part = state.part::<Chosen>(NAME);
                        if part.0 == chosen {
                            return Ok(Change::None);
                        }
                        part.0 = chosen;
                    }
                    shell.apply(Change::Redraw)?;
                    // Keep keyboard focus on the chosen output after the redraw.
                    if kind == "focusin" {
                        let selector = format!("#oned-rows td[data-z=\"{chosen}\"]");
                        if let Some(cell) = document()?.query_selector(&selector)? {
                            if let Ok(cell) = cell.dyn_into::<web_sys::HtmlElement>() {
                                cell.focus()?;
                            }
                        }
                    }
                    Ok(Change::None)
                })?;
            }
            Ok(())
        }

        fn draw(&self, state: &mut State) -> PageResult {
            let chosen = state.part::<Chosen>(NAME).0;
            match one_d_facts(&state.settings) {
                Ok(facts) => {
                    show(&state.settings, &facts, chosen)?;
                    state.say(None)
                }
                Err(error) => state.say(Some(Message::Error(error))),
            }
        }
    }

    /// The 1D view: the padded sequence, the outputs, the selected output's sum, and the
    /// weight matrix of the equivalent fully connected layer.
    fn show(settings: &Settings, facts: &OneDFacts, selected: usize) -> PageResult {
        let (x, w) = (&settings.oned.sequence, &settings.oned.taps);
        let (s, d) = (settings.stride, settings.dilation);
        let selected = selected.min(facts.output.len().saturating_sub(1));
        let start = (selected * s) as i64 - facts.padding.0 as i64;
        let tap_of = |j: i64| (0..w.len()).find(|&k| start + (k * d) as i64 == j);
        let rows: Element = by_id("oned-rows")?;
        clear(&rows);
        let table = element("table", "", "")?;
        // x, with the padding drawn.
        let tr = element("tr", "", "")?;
        tr.append_child(&*element("th", "", "x")?)?;
        for j in -(facts.padding.0 as i64)..(x.len() + facts.padding.1) as i64 {
            let inside = j >= 0 && (j as usize) < x.len();
            let value = if inside { x[j as usize] } else { 0.0 };
            let td = element("td", if inside { "" } else { "pad" }, &number(value))?;
            if let Some(k) = tap_of(j) {
                td.class_list().add_1("tap")?;
                td.append_child(&*element("sub", "", &format!("×w{}", k + 1))?)?;
            }
            tr.append_child(&td)?;
        }
        table.append_child(&tr)?;
        // z, one focusable cell per output.
        let tr = element("tr", "", "")?;
        tr.append_child(&*element("th", "", "z")?)?;
        for (i, value) in facts.output.iter().enumerate() {
            let td = element(
                "td",
                if i == selected { "z current" } else { "z" },
                &number(*value),
            )?;
            td.set_attribute("data-z", &i.to_string())?;
            td.set_attribute("tabindex", "0")?;
            td.set_attribute("aria-label", &format!("z{}: {}", i + 1, number(*value)))?;
            tr.append_child(&td)?;
        }
        table.append_child(&tr)?;
        rows.append_child(&table)?;
        set_text(
            "oned-size",
            &fill(
                t().oned_size,
                &[
                    ("inputs", &x.len()),
                    ("taps", &w.len()),
                    ("outputs", &facts.output.len()),
                ],
            ),
        )?;
        // The sum for the selected output, symbol by symbol and then with numbers.
        let mut symbols = Vec::new();
        let mut numbers = Vec::new();
        for (k, &weight) in w.iter().enumerate() {
            let j = start + (k * d) as i64;
            let value = if j >= 0 && (j as usize) < x.len() {
                x[j as usize]
            } else {
                0.0
            };
            symbols.push(format!("w{}·x{}", k + 1, j + 1));
            numbers.push(format!(
                "{}·{}",
                signed(&weight_text(weight)),
                number(value)
            ));
        }
        let z = facts.output.get(selected).copied().unwrap_or(0.0);
        set_text(
            "oned-sum",
            &format!(
                "z{} = {} = {} = {}",
                selected + 1,
                symbols.join(" + "),
                numbers.join(" + "),
                number(z)
            ),
        )?;
        set_text("oned-formula", &facts.formula)?;
        set_text("oned-parameters", &facts.parameters)?;
        // The matrix: rows are outputs, columns inputs; each weight keeps its colour.
        let matrix: Element = by_id("oned-matrix")?;
        clear(&matrix);
        let table = element("table", "", "")?;
        let header = element("tr", "", "")?;
        header.append_child(&*element("th", "", "")?)?;
        for j in 0..x.len() {
            header.append_child(&*element("th", "", &format!("x{}", j + 1))?)?;
        }
        table.append_child(&header)?;
        for (i, row) in facts.matrix.iter().enumerate() {
            let tr = element("tr", if i == selected { "selected" } else { "" }, "")?;
            tr.append_child(&*element("th", "", &format!("z{}", i + 1))?)?;
            for entry in row {
                let td = match entry {
                    Some(k) => element("td", &format!("w{k}"), &format!("w{}", k + 1))?,
                    None => element("td", "zero", "0")?,
                };
                tr.append_child(&td)?;
            }
            table.append_child(&tr)?;
        }
        matrix.append_child(&table)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_d_view_matches_the_lecture_formula() {
        let settings = Settings {
            padding: PaddingChoice::Pixels(1),
            ..Settings::default()
        };
        let facts = one_d_facts(&settings).unwrap();
        let x = &settings.oned.sequence;
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
            oned: OneDSettings {
                taps: vec![1.0; 7],
                sequence: vec![1.0; 3],
            },
            ..Settings::default()
        })
        .is_err());
    }
}
