//! "Why residual connections", a part of the block views (`view=blocks&block=why`): a
//! deep plain stack of 3x3 convolutions and the same stack with a shortcut around every
//! pair (the core's `nn::residual`), trained side by side on the digits from the same
//! weights and batches, each layer's gradient size and both losses drawn as they go.
//!
//! The training runs in the training module (`convlens-web-train`'s `Residual`, loaded
//! on demand like the frame engines), on the page's thread one step at a time between
//! timer callbacks (a step of both 6-block stacks is some tens of milliseconds), so the
//! page stays usable; the training view's worker is not used.

/// Channels of every convolution.
pub const CHANNELS: usize = 4;
/// Digits per step.
pub const BATCH: usize = 16;
/// SGD's learning rate (momentum 0.9).
pub const LEARNING_RATE: f32 = 0.02;
/// Steps of one run.
pub const STEPS: usize = 300;
/// The smallest gradient norm the log scale shows (0 is drawn there).
pub const FLOOR: f32 = 1e-8;
/// The largest.
pub const CEILING: f32 = 10.0;

/// Where a gradient norm stands on the log scale from [`FLOOR`] (0) to [`CEILING`] (1).
pub fn log_position(norm: f32) -> f64 {
    if norm.is_nan() || norm <= FLOOR {
        return 0.0;
    }
    let (low, high) = (f64::from(FLOOR).log10(), f64::from(CEILING).log10());
    ((f64::from(norm).log10() - low) / (high - low)).clamp(0.0, 1.0)
}

/// A gradient norm in a few characters: `3.2·10^-6`, `0.21`, `0`.
pub fn norm_text(norm: f32) -> String {
    if norm == 0.0 {
        return "0".into();
    }
    if norm < 0.01 {
        let exponent = f64::from(norm).log10().floor() as i32;
        let mantissa = f64::from(norm) / 10f64.powi(exponent);
        return format!("{mantissa:.1}·10^{exponent}");
    }
    format!("{norm:.2}")
}

#[cfg(target_arch = "wasm32")]
pub(crate) mod page {
    //! The run on the page: the module and the digits loaded once, a step a callback,
    //! the two charts and the status after each.

    use std::cell::RefCell;

    use js_sys::{Array, Float32Array, Function, Promise, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

    use super::{log_position, norm_text, BATCH, CHANNELS, LEARNING_RATE, STEPS};
    use crate::dom::{by_id, context_2d, set_text, window, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::shell::frames::{exports, failed};

    /// One run: the training module's handle, what it gave so far.
    #[derive(Default)]
    struct Run {
        handle: Option<JsValue>,
        blocks: usize,
        losses: Vec<(f32, f32)>,
        norms: (Vec<f32>, Vec<f32>),
        /// The norms of the first step (drawn as outlines).
        first: (Vec<f32>, Vec<f32>),
        running: bool,
        generation: u32,
        digits: Option<Uint8Array>,
        fetching: bool,
    }

    thread_local! {
        static RUN: RefCell<Run> = RefCell::new(Run::default());
    }

    const MODULE: &str = "train";

    /// Calls `method` of `target` with `arguments`.
    fn call(target: &JsValue, method: &str, arguments: &[JsValue]) -> PageResult<JsValue> {
        let function: Function = Reflect::get(target, &method.into())?.dyn_into()?;
        function.apply(target, &arguments.iter().collect::<Array>())
    }

    /// Starts fetching the digits file (once).
    fn fetch_digits() -> PageResult {
        if RUN.with(|r| r.borrow().fetching) {
            return Ok(());
        }
        RUN.with(|r| r.borrow_mut().fetching = true);
        let promise: Promise =
            call(&window()?.into(), "fetch", &["data/mnist.bin".into()])?.dyn_into()?;
        let bytes = Closure::once(|response: JsValue| {
            let kept = Closure::once(|buffer: JsValue| {
                RUN.with(|r| r.borrow_mut().digits = Some(Uint8Array::new(&buffer)));
            });
            if let Ok(buffer) =
                call(&response, "arrayBuffer", &[]).and_then(|p| p.dyn_into::<Promise>())
            {
                let _ = buffer.then(&kept);
            }
            kept.forget();
        });
        let _ = promise.then(&bytes);
        bytes.forget();
        Ok(())
    }

    /// The run's state for `blocks` blocks, drawn: the charts and the status line.
    pub(crate) fn show(blocks: usize) -> PageResult {
        RUN.with(|r| {
            let mut run = r.borrow_mut();
            if run.blocks != blocks {
                // Another depth: a new run.
                run.handle = None;
                run.losses.clear();
                run.norms = (Vec::new(), Vec::new());
                run.first = (Vec::new(), Vec::new());
                run.running = false;
                run.blocks = blocks;
            }
        });
        draw()
    }

    /// Start or pause (the button).
    pub(crate) fn toggle() -> PageResult {
        let (running, finished) =
            RUN.with(|r| (r.borrow().running, r.borrow().losses.len() >= STEPS));
        if running {
            return stop();
        }
        if finished {
            RUN.with(|r| {
                let mut run = r.borrow_mut();
                run.handle = None;
                run.losses.clear();
                run.first = (Vec::new(), Vec::new());
            });
        }
        let generation = RUN.with(|r| {
            let mut run = r.borrow_mut();
            run.running = true;
            run.generation = run.generation.wrapping_add(1);
            run.generation
        });
        schedule(generation, 0)?;
        draw()
    }

    /// Pauses the run (the view closed, another block).
    pub(crate) fn stop() -> PageResult {
        let was = RUN.with(|r| std::mem::replace(&mut r.borrow_mut().running, false));
        if was {
            draw()?;
        }
        Ok(())
    }

    fn schedule(generation: u32, delay: i32) -> PageResult {
        let next = Closure::once_into_js(move || {
            crate::shell::report(step(generation));
        });
        window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), delay)?;
        Ok(())
    }

    /// One step of both stacks (or, while the module or the digits load, a wait).
    fn step(generation: u32) -> PageResult {
        let (running, current) =
            RUN.with(|r| (r.borrow().running, r.borrow().generation == generation));
        if !running || !current {
            return Ok(());
        }
        let module = exports(MODULE, "the training module did not load");
        if failed(MODULE) {
            RUN.with(|r| r.borrow_mut().running = false);
            return crate::shell::render::message(Some(Message::WentWrong(
                "the training module did not load".into(),
            )));
        }
        fetch_digits()?;
        let digits = RUN.with(|r| r.borrow().digits.clone());
        let (Some(module), Some(digits)) = (module, digits) else {
            return schedule(generation, 50);
        };
        let handle = RUN.with(|r| r.borrow().handle.clone());
        let handle = match handle {
            Some(handle) => handle,
            None => {
                let class: Function = Reflect::get(&module, &"Residual".into())?.dyn_into()?;
                let blocks = RUN.with(|r| r.borrow().blocks);
                let arguments: Array = [
                    digits.into(),
                    JsValue::from(blocks as u32),
                    JsValue::from(CHANNELS as u32),
                    JsValue::from(LEARNING_RATE),
                    JsValue::from(BATCH as u32),
                    JsValue::from(1u32),
                ]
                .iter()
                .collect();
                let handle: JsValue = Reflect::construct(&class, &arguments)?;
                RUN.with(|r| r.borrow_mut().handle = Some(handle.clone()));
                handle
            }
        };
        let fine = call(&handle, "run", &[JsValue::from(1u32)])?.is_truthy();
        let done = RUN.with(|r| r.borrow().losses.len());
        let losses =
            Float32Array::from(call(&handle, "losses_from", &[JsValue::from(done as u32)])?)
                .to_vec();
        let plain = Float32Array::from(call(&handle, "plain_norms", &[])?).to_vec();
        let residual = Float32Array::from(call(&handle, "residual_norms", &[])?).to_vec();
        let finished = RUN.with(|r| {
            let mut run = r.borrow_mut();
            run.losses
                .extend(losses.chunks_exact(2).map(|p| (p[0], p[1])));
            if run.first.0.is_empty() {
                run.first = (plain.clone(), residual.clone());
            }
            run.norms = (plain, residual);
            if run.losses.len() >= STEPS || !fine {
                run.running = false;
            }
            !run.running
        });
        if !fine {
            let number = |method: &str| call(&handle, method, &[]).ok().and_then(|v| v.as_f64());
            crate::shell::render::message(Some(Message::Error(convlens_core::Error::Diverged {
                step: number("diverged_step").unwrap_or(0.0) as u64,
                loss: number("diverged_loss").unwrap_or(f64::NAN) as f32,
            })))?;
        }
        draw()?;
        if !finished {
            schedule(generation, 0)?;
        }
        Ok(())
    }

    /// The button, the status line and both charts.
    fn draw() -> PageResult {
        RUN.with(|r| {
            let run = r.borrow();
            let texts = t();
            set_text(
                "why-run",
                if run.running {
                    texts.why_pause
                } else if run.losses.is_empty() {
                    texts.why_start
                } else if run.losses.len() >= STEPS {
                    texts.why_again
                } else {
                    texts.why_resume
                },
            )?;
            let status = match (run.losses.last(), run.norms.0.first(), run.norms.1.first()) {
                (Some(&(plain, residual)), Some(&p0), Some(&r0)) => fill(
                    texts.why_status,
                    &[
                        ("step", &run.losses.len()),
                        ("steps", &STEPS),
                        ("plain", &format!("{plain:.3}")),
                        ("residual", &format!("{residual:.3}")),
                        ("plain_first", &norm_text(p0)),
                        ("residual_first", &norm_text(r0)),
                        (
                            "plain_last",
                            &norm_text(run.norms.0.last().copied().unwrap_or(0.0)),
                        ),
                        (
                            "residual_last",
                            &norm_text(run.norms.1.last().copied().unwrap_or(0.0)),
                        ),
                    ],
                ),
                _ if run.running => texts.why_loading.into(),
                _ => fill(
                    texts.why_idle,
                    &[("blocks", &run.blocks), ("layers", &(2 * run.blocks + 1))],
                ),
            };
            set_text("why-status", &status)?;
            losses_chart(&run.losses)?;
            norms_chart(&run.norms, &run.first)?;
            let canvas: HtmlCanvasElement = by_id("why-norms")?;
            canvas.set_attribute("data-layers", &run.norms.0.len().to_string())?;
            by_id::<HtmlCanvasElement>("why-loss")?
                .set_attribute("data-steps", &run.losses.len().to_string())
        })
    }

    const PLAIN: &str = "#2f6db5";
    const RESIDUAL: &str = "#c0392b";

    /// A white chart with its frame, and its plotting box `(left, top, width, height)`.
    fn chart(id: &str) -> PageResult<(CanvasRenderingContext2d, (f64, f64, f64, f64))> {
        let canvas: HtmlCanvasElement = by_id(id)?;
        let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
        let c = context_2d(&canvas)?;
        c.set_fill_style_str("#ffffff");
        c.fill_rect(0.0, 0.0, w, h);
        let plot = (44.0, 10.0, w - 54.0, h - 34.0);
        c.set_stroke_style_str("#999999");
        c.set_line_width(1.0);
        c.stroke_rect(plot.0, plot.1, plot.2, plot.3);
        c.set_fill_style_str("#444444");
        c.set_font("11px sans-serif");
        Ok((c, plot))
    }

    /// Both losses against the step, from 0 to 2.5 (a guess among 10 digits is ln 10 ≈ 2.3).
    fn losses_chart(losses: &[(f32, f32)]) -> PageResult {
        let (c, (left, top, width, height)) = chart("why-loss")?;
        let y = |loss: f32| top + height * (1.0 - (f64::from(loss) / 2.5).clamp(0.0, 1.0));
        for mark in [0.0f32, 1.0, 2.0, std::f32::consts::LN_10] {
            c.fill_text(&format!("{mark:.1}"), 8.0, y(mark) + 4.0)?;
        }
        c.fill_text("0", left, top + height + 16.0)?;
        c.fill_text(&STEPS.to_string(), left + width - 20.0, top + height + 16.0)?;
        let x = |step: usize| left + width * step as f64 / STEPS as f64;
        for (colour, pick) in [(PLAIN, 0), (RESIDUAL, 1)] {
            c.set_stroke_style_str(colour);
            c.set_line_width(1.5);
            c.begin_path();
            for (i, pair) in losses.iter().enumerate() {
                let loss = if pick == 0 { pair.0 } else { pair.1 };
                if i == 0 {
                    c.move_to(x(i), y(loss));
                } else {
                    c.line_to(x(i), y(loss));
                }
            }
            c.stroke();
        }
        Ok(())
    }

    /// Each layer's gradient norm on a log scale, the plain stack's bar beside the
    /// residual one's, first layer on the left; the first step's as outlines.
    fn norms_chart(
        (plain, residual): &(Vec<f32>, Vec<f32>),
        first: &(Vec<f32>, Vec<f32>),
    ) -> PageResult {
        let (c, (left, top, width, height)) = chart("why-norms")?;
        for exponent in [-8, -6, -4, -2, 0] {
            let y = top + height * (1.0 - log_position(10f32.powi(exponent)));
            c.fill_text(&format!("10^{exponent}"), 4.0, y + 4.0)?;
        }
        let layers = plain.len().max(residual.len()).max(1);
        let slot = width / layers as f64;
        for (colour, norms, offset) in [(PLAIN, plain, 0.1), (RESIDUAL, residual, 0.5)] {
            c.set_fill_style_str(colour);
            for (i, &norm) in norms.iter().enumerate() {
                let bar = height * log_position(norm);
                c.fill_rect(
                    left + slot * (i as f64 + offset),
                    top + height - bar,
                    slot * 0.4,
                    bar.max(1.0),
                );
            }
        }
        c.set_line_width(1.0);
        for (colour, norms, offset) in [(PLAIN, &first.0, 0.1), (RESIDUAL, &first.1, 0.5)] {
            c.set_stroke_style_str(colour);
            for (i, &norm) in norms.iter().enumerate() {
                let bar = height * log_position(norm);
                let x = left + slot * (i as f64 + offset) + 0.5;
                c.stroke_rect(x, top + height - bar, slot * 0.4 - 1.0, bar);
            }
        }
        c.set_fill_style_str("#444444");
        c.fill_text("1", left + slot * 0.3, top + height + 16.0)?;
        c.fill_text(
            &layers.to_string(),
            left + slot * (layers as f64 - 0.7),
            top + height + 16.0,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norms_sit_on_a_log_scale_and_read_short() {
        assert_eq!(log_position(0.0), 0.0);
        assert_eq!(log_position(CEILING * 10.0), 1.0);
        // 10^-8 … 10^1: 10^-3.5 is half-way.
        assert!((log_position(10f32.powf(-3.5)) - 0.5).abs() < 1e-6);
        assert_eq!(norm_text(0.0), "0");
        assert_eq!(norm_text(0.2195), "0.22");
        assert_eq!(norm_text(1.6156e-6), "1.6·10^-6");
    }
}
