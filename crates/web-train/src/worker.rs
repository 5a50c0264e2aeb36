//! The training view's Web Worker: `www/train-worker.js` loads this module and hands
//! every message of the page to [`Engine::receive`]. The worker fetches the digits,
//! trains in slices of about 40 ms (yielding to its event loop between them through a
//! `MessageChannel`, so that pause and the page's other requests are read at once),
//! evaluates the test digits, draws every picture on `OffscreenCanvas`es and posts them
//! to the page as `ImageBitmap`s, with a status of plain numbers the page puts into
//! words (in English or Russian, `convlens-web`'s `i18n`).
//!
//! The page sends `{do: NAME, ...}`:
//! - `setup` (`net`, `optimizer`, `lr`, `batch`, `epochs`, `seed`): a fresh model,
//!   paused at step 0 (the page checked the settings);
//! - `start` (or resume), `pause`, `reset` (the same settings from step 0);
//! - `choose` (`index`: a test digit, from 0), `pick` (`x`, `y`: a point on the
//!   misclassified digits' picture, in its pixels), `draw` (`pixels`, `width`,
//!   `height`: a drawing, 0 background and 255 ink, made like an MNIST digit first);
//! - `kernel` (`index`, from 0) or `kernel_at` (`x`: a point on the first layer's
//!   kernels picture, in its pixels): the first layer's filter chosen (outlined);
//!   `apply`: that filter's weights, for the convolution view.
//!
//! It answers `{kind: 'status', ...}`, `{kind: 'pictures', NAME: ImageBitmap, ...}`,
//! `{kind: 'kernel', weights, index, step}` (to `apply`: `weights` in the kernel syntax,
//! each weight rounded to 4 decimals; input channel 0 of the
//! filter, its bias left out) and `{kind: 'error', error: 'diverged', step, loss}` (or
//! `error: 'other', text`).

use std::cell::RefCell;
use std::rc::Rc;

use convlens_core::image::diverging_colour;
use convlens_core::network::{Architecture, Layer};
use convlens_core::nn::drawn::like_mnist;
use convlens_core::nn::{
    argmax, softmax, Digits, Evaluation, Method, Settings, TrainSettings, Trainer,
};
use convlens_core::{Error, PoolFunction, Tensor};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{
    DedicatedWorkerGlobalScope, ImageData, MessageChannel, MessagePort, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d, Response,
};

/// How long one slice of training runs before the worker reads its messages, in ms.
const SLICE_MS: f64 = 40.0;
/// How often the pictures are drawn while training, in ms.
const PICTURES_MS: f64 = 250.0;
/// Test evaluations per epoch (each at the end of its part of the epoch).
const EVALUATIONS_PER_EPOCH: usize = 2;
/// Training steps averaged into one point of the loss curve.
const CURVE_STEPS: usize = 10;
/// The most misclassified digits shown.
const MAX_WRONG: usize = 60;
/// Misclassified digits per row of their picture, and a tile's side.
const WRONG_COLUMNS: usize = 10;
const WRONG_TILE: usize = 60;

/// What the page asked for.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    net: String,
    optimizer: String,
    lr: f32,
    batch: usize,
    epochs: usize,
    seed: u64,
}

/// The digit whose probabilities and maps are shown.
#[derive(Debug, Clone, PartialEq)]
enum Chosen {
    /// A test digit, by its index among the test digits.
    Test(usize),
    /// A drawing, made like an MNIST digit.
    Drawn(Vec<u8>),
}

/// The curves so far: `(step, value)`.
#[derive(Debug, Default)]
struct Curves {
    loss: Vec<(f32, f32)>,
    train: Vec<(f32, f32)>,
    test: Vec<(f32, f32)>,
    /// The steps not yet averaged into a point: loss sum, correct, seen, steps.
    pending: (f64, usize, usize, usize),
}

/// One training run.
struct Run {
    trainer: Trainer,
    curves: Curves,
    evaluation: Option<Evaluation>,
    /// The largest filter gradient norm seen in each of the first two convolutions.
    gradient_max: [f32; 2],
    /// Milliseconds spent training, and examples trained on.
    busy: f64,
    examples: usize,
    /// The last finished epoch's milliseconds of training (and its evaluations).
    epoch_ms: f64,
    /// [`Run::busy`] when the current epoch started.
    epoch_started: f64,
}

struct Inner {
    scope: DedicatedWorkerGlobalScope,
    /// The port the worker posts to itself on, to run the next slice.
    port: MessagePort,
    digits: Option<Digits>,
    failed: Option<String>,
    plan: Option<Plan>,
    run: Option<Run>,
    running: bool,
    scheduled: bool,
    chosen: Chosen,
    /// The first layer's filter chosen to apply to a photo, from 0.
    kernel: usize,
    pictures_at: f64,
}

/// The worker's engine: one per worker.
#[wasm_bindgen]
pub struct Engine {
    inner: Rc<RefCell<Inner>>,
    _tick: Closure<dyn FnMut(JsValue)>,
    _loaded: Closure<dyn FnMut(JsValue)>,
    _failed: Closure<dyn FnMut(JsValue)>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &key.into(), &value.into());
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or(f64::NAN)
}

#[wasm_bindgen]
impl Engine {
    /// The engine of this worker: it starts fetching the digits (`data/mnist.bin`, next
    /// to the worker's script).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Engine, JsError> {
        let scope: DedicatedWorkerGlobalScope = js_sys::global()
            .dyn_into()
            .map_err(|_| JsError::new("not a dedicated worker"))?;
        let channel = MessageChannel::new().map_err(|_| JsError::new("no MessageChannel"))?;
        let inner = Rc::new(RefCell::new(Inner {
            scope: scope.clone(),
            port: channel.port2(),
            digits: None,
            failed: None,
            plan: None,
            run: None,
            running: false,
            scheduled: false,
            chosen: Chosen::Test(0),
            kernel: 0,
            pictures_at: f64::NEG_INFINITY,
        }));
        let tick = {
            let inner = inner.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| tick(&inner))
        };
        channel
            .port1()
            .set_onmessage(Some(tick.as_ref().unchecked_ref()));
        let loaded = {
            let inner = inner.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |buffer: JsValue| {
                let bytes = Uint8Array::new(&buffer).to_vec();
                let mut s = inner.borrow_mut();
                match Digits::decode(&bytes) {
                    Ok(digits) => {
                        s.digits = Some(digits);
                        let plan = s.plan.clone();
                        if let Some(plan) = plan {
                            s.setup(plan);
                        }
                    }
                    Err(error) => s.fail(&error.to_string()),
                }
            })
        };
        let failed = {
            let inner = inner.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |error: JsValue| {
                let text = error
                    .as_string()
                    .or_else(|| get(&error, "message").as_string())
                    .unwrap_or_else(|| "the digits did not load".into());
                inner.borrow_mut().fail(&text);
            })
        };
        // fetch, then the response's bytes, then `loaded` (or `failed` at any stage).
        let (on_bytes, on_error): (js_sys::Function, js_sys::Function) = (
            loaded.as_ref().unchecked_ref::<js_sys::Function>().clone(),
            failed.as_ref().unchecked_ref::<js_sys::Function>().clone(),
        );
        let response = {
            let inner = inner.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |r: JsValue| {
                let response: Response = r.unchecked_into();
                let bytes = match response.ok() {
                    true => response.array_buffer().ok(),
                    false => None,
                };
                let Some(bytes) = bytes else {
                    let text = format!("data/mnist.bin: HTTP {}", response.status());
                    inner.borrow_mut().fail(&text);
                    return;
                };
                let then = get(&bytes, "then");
                if let Ok(then) = then.dyn_into::<js_sys::Function>() {
                    let _ = then.call2(&bytes, &on_bytes, &on_error);
                }
            })
        };
        let _ = scope
            .fetch_with_str("data/mnist.bin")
            .then2(&response, &failed);
        response.forget();
        Ok(Engine {
            inner,
            _tick: tick,
            _loaded: loaded,
            _failed: failed,
        })
    }

    /// One message of the page (see the module's documentation).
    pub fn receive(&self, message: JsValue) {
        let what = get(&message, "do").as_string().unwrap_or_default();
        let mut s = self.inner.borrow_mut();
        match what.as_str() {
            "setup" => {
                let plan = Plan {
                    net: get(&message, "net").as_string().unwrap_or_default(),
                    optimizer: get(&message, "optimizer").as_string().unwrap_or_default(),
                    lr: number(&message, "lr") as f32,
                    batch: number(&message, "batch") as usize,
                    epochs: number(&message, "epochs") as usize,
                    seed: number(&message, "seed") as u64,
                };
                s.setup(plan);
            }
            "reset" => {
                if let Some(plan) = s.plan.clone() {
                    s.setup(plan);
                }
            }
            "start" => {
                let done = s.run.as_ref().is_none_or(|r| r.trainer.finished());
                if !done {
                    s.running = true;
                    s.schedule();
                }
                s.status();
            }
            "pause" => {
                // The paused model's test results: its confusion matrix and mistakes are
                // the ones a click on them shows.
                if std::mem::replace(&mut s.running, false) {
                    if let Some(run) = s.run.as_mut() {
                        if let Ok(evaluation) = run.trainer.evaluate_test() {
                            let steps = run.trainer.steps() as f32;
                            run.curves.test.push((steps, evaluation.accuracy()));
                            run.evaluation = Some(evaluation);
                        }
                    }
                }
                s.pictures(true);
                s.status();
            }
            "choose" => {
                s.chosen = Chosen::Test(number(&message, "index").max(0.0) as usize);
                s.pictures(false);
                s.status();
            }
            "pick" => {
                let (x, y) = (number(&message, "x"), number(&message, "y"));
                if let Some(index) = s.wrong_at(x, y) {
                    s.chosen = Chosen::Test(index);
                    s.pictures(false);
                    s.status();
                }
            }
            "draw" => {
                let pixels = Uint8Array::new(&get(&message, "pixels")).to_vec();
                let (width, height) = (
                    number(&message, "width") as usize,
                    number(&message, "height") as usize,
                );
                let size = s.run.as_ref().map_or((28, 28), |r| {
                    let (_, h, w) = r.trainer.model().input();
                    (h, w)
                });
                if let Ok(Some(digit)) = like_mnist(&pixels, width, height, size) {
                    s.chosen = Chosen::Drawn(digit);
                    s.pictures(false);
                    s.status();
                }
            }
            "kernel" | "kernel_at" => {
                let filters = s.run.as_ref().and_then(first_kernels).map_or(1, |k| k.0);
                let index = if what == "kernel" {
                    number(&message, "index")
                } else {
                    let (_, cell_w, _) = kernel_cells(s.run.as_ref().and_then(first_kernels));
                    (number(&message, "x") - 1.0) / cell_w as f64
                };
                if index >= 0.0 {
                    s.kernel = (index as usize).min(filters - 1);
                    s.pictures(true);
                    s.status();
                }
            }
            "apply" => s.apply(),
            _ => {}
        }
    }
}

/// The first convolution's filters, input channels, kernel height and width, and its
/// layer's index.
fn first_kernels(run: &Run) -> Option<(usize, usize, usize, usize, usize)> {
    let model = run.trainer.model();
    let layer = model
        .reports()
        .iter()
        .position(|r| matches!(r.layer, Layer::Conv { .. }))?;
    let shape = model.weight(layer)?.value.shape();
    Some((
        shape.batch,
        shape.channels,
        shape.height,
        shape.width,
        layer,
    ))
}

/// The kernels picture's scale and one filter's cell width and height.
fn kernel_cells(kernels: Option<(usize, usize, usize, usize, usize)>) -> (usize, usize, usize) {
    let (filters, _, kh, kw, _) = kernels.unwrap_or((1, 1, 1, 1, 0));
    let scale = (60 / kh.max(kw).max(1))
        .clamp(2, 12)
        .min(if filters > 8 { 6 } else { 12 });
    (scale, kw * scale + 3, kh * scale + 3)
}

/// A kernel's weights in the kernel syntax (`a,b;c,d`), each rounded to 4 decimals
/// (as the convolution view's kernel cells show weights; it computes with these).
fn kernel_text(weights: &[f32], width: usize) -> String {
    let text = |v: &f32| {
        let text = format!("{v:.4}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" { "0" } else { text }.to_string()
    };
    weights
        .chunks(width.max(1))
        .map(|row| row.iter().map(text).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join(";")
}

impl Default for Engine {
    fn default() -> Self {
        match Engine::new() {
            Ok(engine) => engine,
            Err(_) => wasm_bindgen::throw_str("convlens-web-train: not in a dedicated worker"),
        }
    }
}

/// One slice of training, then the pictures if they are due, then the next slice.
fn tick(inner: &Rc<RefCell<Inner>>) {
    let mut s = inner.borrow_mut();
    s.scheduled = false;
    if !s.running {
        return;
    }
    let started = now();
    let mut evaluated = false;
    let mut failure = None;
    if let Some(run) = s.run.as_mut() {
        let per_epoch = run.trainer.steps_per_epoch();
        let every = per_epoch.div_ceil(EVALUATIONS_PER_EPOCH).max(1);
        while now() - started < SLICE_MS && !run.trainer.finished() {
            let step = match run.trainer.step() {
                Ok(step) => step,
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            };
            run.examples += step.size;
            let pending = &mut run.curves.pending;
            pending.0 += f64::from(step.loss) * step.size as f64;
            pending.1 += step.correct;
            pending.2 += step.size;
            pending.3 += 1;
            let steps = run.trainer.steps() as f32;
            if pending.3 >= CURVE_STEPS || step.ends_epoch {
                let (sum, correct, seen, _) = *pending;
                run.curves.loss.push((steps, (sum / seen as f64) as f32));
                run.curves.train.push((steps, correct as f32 / seen as f32));
                *pending = (0.0, 0, 0, 0);
            }
            if step.ends_epoch {
                let busy = run.busy + (now() - started);
                run.epoch_ms = busy - run.epoch_started;
                run.epoch_started = busy;
            }
            let in_epoch = (run.trainer.steps() as usize) % per_epoch;
            if step.ends_epoch || in_epoch % every == 0 {
                match run.trainer.evaluate_test() {
                    Ok(evaluation) => {
                        run.curves.test.push((steps, evaluation.accuracy()));
                        run.evaluation = Some(evaluation);
                        evaluated = true;
                    }
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
        }
        run.busy += now() - started;
    }
    if let Some(error) = failure {
        s.running = false;
        s.error(&error);
    }
    let finished = s.run.as_ref().is_some_and(|r| r.trainer.finished());
    if finished {
        s.running = false;
    }
    if evaluated || finished || !s.running || now() - s.pictures_at >= PICTURES_MS {
        s.pictures(true);
        s.status();
    }
    if s.running {
        s.schedule();
    }
}

impl Inner {
    fn post(&self, message: &Object, transfer: &Array) {
        let _ = self.scope.post_message_with_transfer(message, transfer);
    }

    fn schedule(&mut self) {
        if !self.scheduled {
            self.scheduled = true;
            let _ = self.port.post_message(&JsValue::NULL);
        }
    }

    fn fail(&mut self, text: &str) {
        self.failed = Some(text.into());
        let message = Object::new();
        set(&message, "kind", "error");
        set(&message, "error", "other");
        set(&message, "text", text);
        self.post(&message, &Array::new());
    }

    fn error(&mut self, error: &Error) {
        let message = Object::new();
        set(&message, "kind", "error");
        match *error {
            Error::Diverged { step, loss } => {
                set(&message, "error", "diverged");
                set(&message, "step", step as f64);
                set(&message, "loss", loss);
            }
            ref other => {
                set(&message, "error", "other");
                set(&message, "text", other.to_string());
            }
        }
        self.post(&message, &Array::new());
    }

    /// A fresh run of `plan`, paused at step 0 (its pictures and status posted).
    fn setup(&mut self, plan: Plan) {
        self.running = false;
        self.plan = Some(plan.clone());
        let Some(digits) = self.digits.clone() else {
            self.status();
            return;
        };
        match build(&plan, digits) {
            Ok(trainer) => {
                let mut run = Run {
                    curves: Curves::default(),
                    evaluation: None,
                    gradient_max: [0.0; 2],
                    busy: 0.0,
                    examples: 0,
                    epoch_ms: 0.0,
                    epoch_started: 0.0,
                    trainer,
                };
                if let Ok(evaluation) = run.trainer.evaluate_test() {
                    run.curves.test.push((0.0, evaluation.accuracy()));
                    run.evaluation = Some(evaluation);
                }
                self.run = Some(run);
                self.pictures(true);
            }
            Err(error) => {
                self.run = None;
                self.error(&error);
            }
        }
        self.status();
    }

    /// Posts the chosen first-layer filter's weights (its first input channel's).
    fn apply(&self) {
        let Some(run) = &self.run else { return };
        let Some((filters, inputs, kh, kw, layer)) = first_kernels(run) else {
            return;
        };
        let Some(weight) = run.trainer.model().weight(layer) else {
            return;
        };
        let index = self.kernel.min(filters - 1);
        let at = index * inputs * kh * kw;
        let message = Object::new();
        set(&message, "kind", "kernel");
        set(
            &message,
            "weights",
            kernel_text(&weight.value.data()[at..at + kh * kw], kw),
        );
        set(&message, "index", index as f64);
        set(&message, "step", run.trainer.steps() as f64);
        self.post(&message, &Array::new());
    }

    /// The state and the numbers, for the page's words.
    fn status(&self) {
        let message = Object::new();
        set(&message, "kind", "status");
        let state = match (&self.failed, &self.run) {
            (Some(_), _) => "failed",
            (None, None) if self.digits.is_none() => "loading",
            (None, None) => "idle",
            (None, Some(run)) if run.trainer.finished() => "done",
            (None, Some(_)) if self.running => "running",
            (None, Some(run)) if run.trainer.steps() > 0 => "paused",
            (None, Some(_)) => "ready",
        };
        set(&message, "state", state);
        if let Some(run) = &self.run {
            let trainer = &run.trainer;
            set(&message, "epoch", trainer.epochs_done() as f64);
            set(&message, "epochs", trainer.settings().epochs as f64);
            set(&message, "step", trainer.steps() as f64);
            set(
                &message,
                "steps",
                (trainer.settings().epochs * trainer.steps_per_epoch()) as f64,
            );
            set(
                &message,
                "parameters",
                trainer.model().parameter_count() as f64,
            );
            if let Some((filters, ..)) = first_kernels(run) {
                set(&message, "kernel", self.kernel.min(filters - 1) as f64);
                set(&message, "kernels", filters as f64);
            }
            if let Some(&(_, loss)) = run.curves.loss.last() {
                set(&message, "loss", loss);
            }
            if let Some(&(_, train)) = run.curves.train.last() {
                set(&message, "train", train);
            }
            if let Some(&(_, test)) = run.curves.test.last() {
                set(&message, "test", test);
            }
            if run.busy > 0.0 {
                set(&message, "speed", run.examples as f64 / run.busy * 1000.0);
            }
            if run.epoch_ms > 0.0 {
                set(&message, "epoch_seconds", run.epoch_ms / 1000.0);
            }
            if let Some(chosen) = self.prediction(run) {
                set(&message, "source", chosen.0);
                set(&message, "index", chosen.1);
                set(&message, "label", chosen.2);
                set(&message, "predicted", chosen.3 as f64);
                set(&message, "confidence", chosen.4);
            }
        }
        self.post(&message, &Array::new());
    }

    /// The chosen digit: its pixels and its label (none for a drawing).
    fn chosen_digit<'a>(&'a self, run: &'a Run) -> Option<(&'a [u8], Option<u8>, usize)> {
        let digits = run.trainer.digits();
        match &self.chosen {
            Chosen::Test(index) => {
                let test = digits.test();
                let index = (*index).min(test.len().saturating_sub(1));
                let at = test.start + index;
                Some((digits.image(at)?, digits.label(at), index))
            }
            Chosen::Drawn(pixels) => Some((pixels, None, 0)),
        }
    }

    /// `(source, index, label or -1, predicted class, its probability)`.
    fn prediction(&self, run: &Run) -> Option<(&'static str, f64, f64, usize, f32)> {
        let (pixels, label, index) = self.chosen_digit(run)?;
        let probabilities = forward(run, pixels).ok()?.1;
        let predicted = argmax(&probabilities);
        let source = if label.is_some() { "test" } else { "drawn" };
        Some((
            source,
            index as f64,
            label.map_or(-1.0, f64::from),
            predicted,
            probabilities.get(predicted).copied().unwrap_or(0.0),
        ))
    }

    /// The misclassified test digit drawn at `(x, y)` of its picture.
    fn wrong_at(&self, x: f64, y: f64) -> Option<usize> {
        if !(x >= 0.0 && y >= 0.0) {
            return None;
        }
        let (column, row) = (x as usize / WRONG_TILE, y as usize / WRONG_TILE);
        if column >= WRONG_COLUMNS {
            return None;
        }
        let run = self.run.as_ref()?;
        wrong(run).get(row * WRONG_COLUMNS + column).copied()
    }

    /// Draws the pictures and posts them: all of them when `all`, else the chosen
    /// digit's only.
    fn pictures(&mut self, all: bool) {
        let chosen = self.kernel;
        let Some(run) = self.run.as_mut() else {
            return;
        };
        let message = Object::new();
        set(&message, "kind", "pictures");
        let transfer = Array::new();
        let add = |name: &str, canvas: Option<OffscreenCanvas>| {
            if let Some(bitmap) = canvas.and_then(|c| c.transfer_to_image_bitmap().ok()) {
                set(&message, name, bitmap.clone());
                transfer.push(&bitmap);
            }
        };
        if all {
            add("curves", draw_curves(run).ok());
            let convolutions: Vec<usize> = run
                .trainer
                .model()
                .reports()
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r.layer, Layer::Conv { .. }))
                .map(|(i, _)| i)
                .take(2)
                .collect();
            for (slot, name) in ["kernels1", "kernels2"].into_iter().enumerate() {
                let canvas = convolutions
                    .get(slot)
                    .and_then(|&layer| draw_kernels(run, layer, slot, chosen).ok());
                add(name, canvas.or_else(|| blank().ok()));
            }
            add("confusion", draw_confusion(run).ok());
            add("wrong", draw_wrong(run).ok());
            self.pictures_at = now();
        }
        let Some(run) = self.run.as_ref() else {
            return;
        };
        if let Some((pixels, label, _)) = self.chosen_digit(run) {
            if let Ok((activations, probabilities)) = forward(run, pixels) {
                add("digit", draw_digit(pixels, run).ok());
                add(
                    "probabilities",
                    draw_probabilities(&probabilities, label).ok(),
                );
                add("maps", draw_maps(run, &activations).ok());
            }
        }
        self.post(&message, &transfer);
    }
}

/// A trainer for `plan`: the page's defaults (those of `convlens train`) for the rest.
fn build(plan: &Plan, digits: Digits) -> convlens_core::Result<Trainer> {
    let architecture = Architecture::parse(&plan.net)?;
    let method = if plan.optimizer == "sgd" {
        Method::Sgd { momentum: 0.9 }
    } else {
        Method::ADAM
    };
    let defaults = TrainSettings::default();
    let settings = TrainSettings {
        epochs: plan.epochs,
        batch: plan.batch,
        seed: plan.seed,
        optimizer: Settings {
            method,
            learning_rate: plan.lr,
            ..defaults.optimizer
        },
        ..defaults
    };
    Trainer::new(&architecture, digits, settings)
}

/// The test digits the model gets wrong, by their index among the test digits.
fn wrong(run: &Run) -> Vec<usize> {
    let Some(evaluation) = &run.evaluation else {
        return Vec::new();
    };
    let digits = run.trainer.digits();
    let start = digits.test().start;
    evaluation
        .predictions
        .iter()
        .enumerate()
        .filter(|&(i, &p)| digits.label(start + i) != Some(p))
        .map(|(i, _)| i)
        .take(MAX_WRONG)
        .collect()
}

/// Every layer's output for one digit, and the class probabilities.
fn forward(
    run: &Run,
    pixels: &[u8],
) -> convlens_core::Result<(convlens_core::nn::Activations, Vec<f32>)> {
    let model = run.trainer.model();
    let (_, height, width) = model.input();
    let data = pixels
        .iter()
        .map(|&p| convlens_core::nn::digits::normalise(p))
        .collect();
    let input = Tensor::with_batch(1, 1, height, width, data)?;
    let activations = model.forward(&input)?;
    let probabilities = softmax(activations.scores().map_or(&[][..], |s| s.data()));
    Ok((activations, probabilities))
}

type Drawn = Result<OffscreenCanvas, JsValue>;

fn canvas(
    width: usize,
    height: usize,
) -> Result<(OffscreenCanvas, OffscreenCanvasRenderingContext2d), JsValue> {
    let canvas = OffscreenCanvas::new(width.max(1) as u32, height.max(1) as u32)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from("no 2d context"))?
        .dyn_into()?;
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, width as f64, height as f64);
    context.set_font("12px system-ui, sans-serif");
    context.set_text_baseline("middle");
    Ok((canvas, context))
}

fn blank() -> Drawn {
    Ok(canvas(1, 1)?.0)
}

/// `rgba` (`width x height`) at `(x, y)`, each pixel a `scale x scale` square.
fn put(
    context: &OffscreenCanvasRenderingContext2d,
    rgba: &[u8],
    width: usize,
    height: usize,
    scale: usize,
    (x, y): (usize, usize),
) -> Result<(), JsValue> {
    let (w, h) = (width * scale, height * scale);
    let mut scaled = vec![0u8; w * h * 4];
    for row in 0..h {
        for column in 0..w {
            let from = ((row / scale) * width + column / scale) * 4;
            let to = (row * w + column) * 4;
            scaled[to..to + 4].copy_from_slice(&rgba[from..from + 4]);
        }
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&scaled), w as u32, h as u32)?;
    context.put_image_data(&image, x as f64, y as f64)
}

/// Grey levels (0..255 ink) as RGBA, ink dark on white as the page shows digits.
fn digit_rgba(pixels: &[u8]) -> Vec<u8> {
    pixels
        .iter()
        .flat_map(|&p| {
            let v = 255 - p;
            [v, v, v, 255]
        })
        .collect()
}

/// Values mapped from their own range to black..white (a constant map is mid-grey).
fn grey_rgba(values: &[f32]) -> Vec<u8> {
    let (low, high) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let range = high - low;
    values
        .iter()
        .flat_map(|&v| {
            let g = if range > 0.0 {
                ((v - low) / range * 255.0).round() as u8
            } else {
                128
            };
            [g, g, g, 255]
        })
        .collect()
}

fn text(context: &OffscreenCanvasRenderingContext2d, what: &str, x: f64, y: f64) {
    let _ = context.fill_text(what, x, y);
}

/// The loss (left) and the training and test accuracy (right) against the steps, the
/// epochs marked along the bottom.
fn draw_curves(run: &Run) -> Drawn {
    const W: f64 = 300.0;
    const H: f64 = 200.0;
    let (canvas, context) = canvas(2 * W as usize, H as usize + 30)?;
    // Shown at about two thirds of its size: large type.
    context.set_font("15px system-ui, sans-serif");
    let trainer = &run.trainer;
    let per_epoch = trainer.steps_per_epoch() as f64;
    let total = (trainer.settings().epochs as f64 * per_epoch).max(1.0);
    let top_loss = run
        .curves
        .loss
        .iter()
        .map(|p| f64::from(p.1))
        .fold(0.5f64, f64::max)
        .min(3.0)
        .ceil();
    for (panel, (high, ticks)) in [(top_loss, 4), (1.0, 4)].into_iter().enumerate() {
        let left = panel as f64 * W + 50.0;
        let (right, top, bottom) = (panel as f64 * W + W - 10.0, 10.0, H);
        let x = |step: f32| left + f64::from(step) / total * (right - left);
        let y = move |v: f64| bottom - (v / high).clamp(0.0, 1.0) * (bottom - top);
        context.set_stroke_style_str("#d8d8d8");
        context.set_line_width(1.0);
        context.set_fill_style_str("#555555");
        context.set_text_align("right");
        for tick in 0..=ticks {
            let v = high * tick as f64 / ticks as f64;
            context.begin_path();
            context.move_to(left, y(v));
            context.line_to(right, y(v));
            context.stroke();
            let label = if panel == 0 {
                format!("{v:.1}")
            } else {
                format!("{:.0}%", v * 100.0)
            };
            text(&context, &label, left - 6.0, y(v));
        }
        context.set_text_align("center");
        for epoch in 0..=trainer.settings().epochs {
            let at = x((epoch as f64 * per_epoch) as f32);
            context.begin_path();
            context.move_to(at, bottom);
            context.line_to(at, bottom + 4.0);
            context.stroke();
            text(&context, &epoch.to_string(), at, bottom + 17.0);
        }
        let lines: Vec<(&[(f32, f32)], &str)> = if panel == 0 {
            vec![(&run.curves.loss, "#c0392b")]
        } else {
            vec![
                (&run.curves.train, "#2471a3"),
                (&run.curves.test, "#e67e22"),
            ]
        };
        for (points, colour) in lines {
            context.set_stroke_style_str(colour);
            context.set_fill_style_str(colour);
            context.set_line_width(2.0);
            context.begin_path();
            for (i, &(step, value)) in points.iter().enumerate() {
                let (px, py) = (x(step), y(f64::from(value)));
                if i == 0 {
                    context.move_to(px, py);
                } else {
                    context.line_to(px, py);
                }
            }
            context.stroke();
            if let Some(&(step, value)) = points.last() {
                context.fill_rect(x(step) - 2.5, y(f64::from(value)) - 2.5, 5.0, 5.0);
            }
        }
    }
    Ok(canvas)
}

/// A convolution's kernels: one column per filter (one row per input channel), blue
/// negative, red positive (scaled by the layer's largest weight), and under each filter
/// a bar: the size of its gradient in the last step, against the largest seen.
/// The first layer's picture outlines the filter `chosen` (the one to apply to a photo).
fn draw_kernels(run: &mut Run, layer: usize, slot: usize, chosen: usize) -> Drawn {
    let model = run.trainer.model();
    let weight = model
        .weight(layer)
        .ok_or_else(|| JsValue::from("no weights"))?;
    let shape = weight.value.shape();
    let (filters, inputs, kh, kw) = (shape.batch, shape.channels, shape.height, shape.width);
    let inputs_shown = inputs.min(16);
    let (scale, cell_w, cell_h) = kernel_cells(Some((filters, inputs, kh, kw, layer)));
    let bar = 24;
    let (canvas, context) = canvas(filters * cell_w + 1, inputs_shown * cell_h + bar + 4)?;
    let values = weight.value.data();
    let largest = values.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-12);
    let size = kh * kw;
    let mut norms = Vec::with_capacity(filters);
    for f in 0..filters {
        for c in 0..inputs_shown {
            let at = (f * inputs + c) * size;
            let rgba: Vec<u8> = values[at..at + size]
                .iter()
                .flat_map(|&v| {
                    let [r, g, b] = diverging_colour(v / largest);
                    [r, g, b, 255]
                })
                .collect();
            put(
                &context,
                &rgba,
                kw,
                kh,
                scale,
                (f * cell_w + 2, c * cell_h + 2),
            )?;
        }
        let gradient = &weight.gradient[f * inputs * size..(f + 1) * inputs * size];
        norms.push(gradient.iter().map(|g| g * g).sum::<f32>().sqrt());
    }
    let most = norms.iter().fold(0.0f32, |m, &n| m.max(n));
    run.gradient_max[slot] = run.gradient_max[slot].max(most);
    let reference = run.gradient_max[slot].max(1e-12);
    context.set_fill_style_str("#8e44ad");
    let base = (inputs_shown * cell_h + bar + 2) as f64;
    for (f, norm) in norms.iter().enumerate() {
        let height = f64::from(norm / reference) * bar as f64;
        context.fill_rect(
            (f * cell_w + 2) as f64,
            base - height,
            (cell_w - 4) as f64,
            height.max(1.0),
        );
    }
    if slot == 0 && chosen < filters {
        context.set_stroke_style_str("#222222");
        context.set_line_width(1.0);
        let height = (inputs_shown * cell_h) as f64;
        context.stroke_rect((chosen * cell_w) as f64 + 0.5, 0.5, cell_w as f64, height);
    }
    Ok(canvas)
}

/// The chosen digit as the network sees it.
fn draw_digit(pixels: &[u8], run: &Run) -> Drawn {
    let (_, height, width) = run.trainer.model().input();
    let scale = 4;
    let (canvas, context) = canvas(width * scale, height * scale)?;
    put(&context, &digit_rgba(pixels), width, height, scale, (0, 0))?;
    Ok(canvas)
}

/// The ten class probabilities as bars, the most likely class highlighted (green when
/// it is the digit's label, red when not, blue for a drawing).
fn draw_probabilities(probabilities: &[f32], label: Option<u8>) -> Drawn {
    let classes = probabilities.len().max(1);
    let (bar_w, high) = (34.0, 150.0);
    let (canvas, context) = canvas((classes as f64 * bar_w) as usize + 8, high as usize + 44)?;
    let predicted = argmax(probabilities);
    context.set_text_align("center");
    for (class, &p) in probabilities.iter().enumerate() {
        let x = 4.0 + class as f64 * bar_w;
        let h = f64::from(p.clamp(0.0, 1.0)) * high;
        let colour = match (class == predicted, label) {
            (false, _) => "#aab7c4",
            (true, None) => "#2471a3",
            (true, Some(l)) if usize::from(l) == class => "#1e8449",
            (true, Some(_)) => "#c0392b",
        };
        context.set_fill_style_str(colour);
        context.fill_rect(x + 4.0, 16.0 + high - h, bar_w - 8.0, h.max(1.0));
        context.set_fill_style_str("#333333");
        text(&context, &class.to_string(), x + bar_w / 2.0, high + 30.0);
        if p >= 0.005 {
            context.set_font("10px system-ui, sans-serif");
            text(
                &context,
                &format!("{:.0}", p * 100.0),
                x + bar_w / 2.0,
                16.0 + high - h - 7.0,
            );
            context.set_font("12px system-ui, sans-serif");
        }
    }
    Ok(canvas)
}

/// The confusion matrix of the last test evaluation: rows the true digit, columns the
/// predicted one, each cell's count; the diagonal green, the mistakes red.
fn draw_confusion(run: &Run) -> Drawn {
    let classes = run.trainer.digits().classes();
    let cell = 30.0;
    let margin = 20.0;
    let side = margin + classes as f64 * cell + 2.0;
    let (canvas, context) = canvas(side as usize, side as usize)?;
    context.set_text_align("center");
    context.set_fill_style_str("#333333");
    for class in 0..classes {
        let middle = margin + (class as f64 + 0.5) * cell;
        text(&context, &class.to_string(), middle, margin / 2.0);
        text(&context, &class.to_string(), margin / 2.0, middle);
    }
    let Some(evaluation) = &run.evaluation else {
        return Ok(canvas);
    };
    context.set_font("11px system-ui, sans-serif");
    for (truth, row) in evaluation.confusion.iter().enumerate() {
        let total = row.iter().sum::<u32>().max(1) as f64;
        for (predicted, &count) in row.iter().enumerate() {
            let (x, y) = (
                margin + predicted as f64 * cell,
                margin + truth as f64 * cell,
            );
            let share = f64::from(count) / total;
            let colour = if truth == predicted {
                let a = (255.0 - share * 170.0) as u8;
                format!("rgb({a},{},{a})", 255 - (share * 60.0) as u8)
            } else if count > 0 {
                let a = (235.0 - (share * 8.0).min(1.0) * 120.0) as u8;
                format!("rgb(250,{a},{a})")
            } else {
                "#f7f7f7".into()
            };
            context.set_fill_style_str(&colour);
            context.fill_rect(x + 1.0, y + 1.0, cell - 2.0, cell - 2.0);
            if count > 0 {
                let ink = if truth == predicted && share > 0.6 {
                    "#ffffff"
                } else {
                    "#222222"
                };
                context.set_fill_style_str(ink);
                text(&context, &count.to_string(), x + cell / 2.0, y + cell / 2.0);
            }
        }
    }
    Ok(canvas)
}

/// The misclassified test digits (the first [`MAX_WRONG`]), each with its label and
/// the class predicted.
fn draw_wrong(run: &Run) -> Drawn {
    let wrong = wrong(run);
    let rows = wrong.len().div_ceil(WRONG_COLUMNS).max(1);
    let (canvas, context) = canvas(WRONG_COLUMNS * WRONG_TILE, rows * WRONG_TILE)?;
    let (Some(evaluation), digits) = (&run.evaluation, run.trainer.digits()) else {
        return Ok(canvas);
    };
    let (height, width) = digits.size();
    let start = digits.test().start;
    let scale = ((WRONG_TILE - 14) / height.max(width)).max(1);
    context.set_font("11px system-ui, sans-serif");
    for (slot, &index) in wrong.iter().enumerate() {
        let (x, y) = (
            (slot % WRONG_COLUMNS) * WRONG_TILE,
            (slot / WRONG_COLUMNS) * WRONG_TILE,
        );
        if let Some(pixels) = digits.image(start + index) {
            put(
                &context,
                &digit_rgba(pixels),
                width,
                height,
                scale,
                (x + 2, y + 2),
            )?;
        }
        let label = digits.label(start + index).unwrap_or(0);
        let predicted = evaluation.predictions.get(index).copied().unwrap_or(0);
        context.set_fill_style_str("#c0392b");
        context.set_text_align("left");
        text(
            &context,
            &format!("{label}→{predicted}"),
            (x + 3) as f64,
            (y + WRONG_TILE - 6) as f64,
        );
    }
    Ok(canvas)
}

/// A layer's name, short: its kind and size as the stack syntax says it.
fn layer_name(layer: &Layer) -> String {
    match *layer {
        Layer::Conv { kernel, .. } => format!("conv {}×{}", kernel.0, kernel.1),
        Layer::Relu => "ReLU".into(),
        Layer::Pool {
            function, kernel, ..
        } => {
            let name = match function {
                PoolFunction::Max => "max",
                PoolFunction::Mean => "mean",
                _ => "pool",
            };
            format!("{name} {}×{}", kernel.0, kernel.1)
        }
        Layer::AdaptiveAvgPool { output } => format!("avgpool {}×{}", output.0, output.1),
        Layer::Flatten => "flatten".into(),
        Layer::Linear { .. } => "linear".into(),
        Layer::Add { .. } => "add".into(),
    }
}

/// Every layer's output for the chosen digit, one band per layer: its maps side by side
/// (each from its own lowest to its highest value, black to white), vectors as rows of
/// cells.
fn draw_maps(run: &Run, activations: &convlens_core::nn::Activations) -> Drawn {
    const WIDTH: usize = 760;
    const LABEL: usize = 18;
    let reports = run.trainer.model().reports();
    // Each band's (scale, columns, rows of tiles, tile width, tile height).
    let mut bands = Vec::with_capacity(reports.len());
    for output in &activations.outputs {
        let shape = output.shape();
        let (c, h, w) = (shape.channels, shape.height, shape.width);
        if h * w > 1 {
            let scale = (56 / h.max(w)).clamp(1, 4);
            let (tw, th) = (w * scale + 2, h * scale + 2);
            let columns = (WIDTH / tw).max(1);
            bands.push((scale, columns, c.div_ceil(columns), tw, th));
        } else {
            // A vector: cells of `cell` pixels, as many as fit a row.
            let cell = if c <= 10 {
                24
            } else if c <= 128 {
                6
            } else {
                4
            };
            let columns = (WIDTH / cell).max(1);
            bands.push((cell, columns, c.div_ceil(columns), cell, cell));
        }
    }
    let height: usize = bands
        .iter()
        .map(|&(_, _, rows, _, th)| LABEL + rows * th + 6)
        .sum();
    let (canvas, context) = canvas(WIDTH, height)?;
    context.set_text_align("left");
    let mut y = 0;
    for ((output, report), &(scale, columns, rows, tw, th)) in
        activations.outputs.iter().zip(reports).zip(&bands)
    {
        let shape = output.shape();
        let (c, h, w) = (shape.channels, shape.height, shape.width);
        context.set_fill_style_str("#333333");
        let size = if h * w > 1 {
            format!("{c}×{h}×{w}")
        } else {
            c.to_string()
        };
        text(
            &context,
            &format!("{} · {size}", layer_name(&report.layer)),
            2.0,
            (y + LABEL / 2) as f64,
        );
        y += LABEL;
        let data = output.data();
        if h * w > 1 {
            for channel in 0..c {
                let plane = &data[channel * h * w..(channel + 1) * h * w];
                let (x0, y0) = ((channel % columns) * tw, y + (channel / columns) * th);
                put(&context, &grey_rgba(plane), w, h, scale, (x0 + 1, y0 + 1))?;
            }
        } else {
            let rgba = grey_rgba(&data[..c]);
            for (i, pixel) in rgba.chunks_exact(4).enumerate() {
                let (x0, y0) = ((i % columns) * tw, y + (i / columns) * th);
                put(
                    &context,
                    pixel,
                    1,
                    1,
                    scale.saturating_sub(1).max(1),
                    (x0, y0),
                )?;
            }
        }
        y += rows * th + 6;
    }
    Ok(canvas)
}
