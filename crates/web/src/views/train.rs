//! The training view: LeNet-5 (or any stack the layer syntax allows) learns the MNIST
//! digits in a Web Worker while the page shows its loss and accuracy, its first two
//! layers' kernels with their gradients' size, the confusion matrix, the misclassified
//! test digits, and every layer's maps and the ten class probabilities for a chosen test
//! digit or for one the student draws.
//!
//! Everything heavy is in the training module (`crates/web-train`: the core's `Trainer`
//! and the pictures, drawn in the worker on `OffscreenCanvas`es): this view checks the
//! settings, starts the worker (`www/train-worker.js`, through `www/main.js`'s
//! `convlensWorker`), forwards the buttons, the chosen digit and the drawing, puts the
//! worker's pictures on the page's canvases and its numbers into words.
//!
//! The view keeps its parameters in [`Settings::extra`] (checked when set; only values
//! other than the defaults, which are those of `convlens train`).

use convlens_core::network::{analyse, total_parameters, Architecture};
use convlens_core::nn::{TrainSettings, LENET5};
use convlens_core::Error;

use crate::i18n::Texts;
use crate::settings::{shorten, Settings, SettingsError};

/// The training view.
#[derive(Debug, Clone, Copy)]
pub struct Train;

/// The optimizers, by their URL name.
pub const OPTIMIZER_NAMES: [&str; 2] = ["adam", "sgd"];

/// The images the stack must take and the classes it must score.
const INPUT: (usize, usize, usize) = (1, 28, 28);
const CLASSES: usize = 10;

/// What the worker is asked to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainPlan {
    /// The stack, as the layer syntax writes it.
    pub net: String,
    /// `adam` or `sgd` (momentum 0.9).
    pub optimizer: &'static str,
    /// The learning rate.
    pub lr: f32,
    /// Digits per step.
    pub batch: usize,
    /// Passes over the training digits.
    pub epochs: usize,
    /// The seed of the weights and of the digits' order.
    pub seed: u64,
    /// The stack's learned values.
    pub parameters: u64,
}

/// The default learning rate of an optimizer (as `convlens train`'s).
fn default_lr(optimizer: &str) -> f32 {
    if optimizer == "sgd" {
        0.01
    } else {
        TrainSettings::default().optimizer.learning_rate
    }
}

/// The default stack, as the URL writes it.
fn default_net() -> String {
    Architecture::parse(LENET5)
        .map(|a| a.to_string())
        .unwrap_or_default()
}

/// A parameter's value in use, as the URL writes it.
fn value(settings: &Settings, key: &str) -> String {
    if let Some(value) = settings.extra_value(key) {
        return value.into();
    }
    let defaults = TrainSettings::default();
    match key {
        "net" => default_net(),
        "optimizer" => OPTIMIZER_NAMES[0].into(),
        "lr" => default_lr(&value(settings, "optimizer")).to_string(),
        "batch" => defaults.batch.to_string(),
        "epochs" => defaults.epochs.to_string(),
        "seed" => defaults.seed.to_string(),
        _ => String::new(),
    }
}

/// A stack that can learn the digits: its text as the URL writes it and its parameters.
///
/// # Errors
/// A stack that cannot be read or run, or whose input is not one digit or whose output
/// is not one score per class.
pub fn check_net(text: &str) -> convlens_core::Result<(String, u64)> {
    let architecture = Architecture::parse(text)?;
    let reports = analyse(architecture.input, &architecture.layers)?;
    if architecture.input != INPUT {
        return Err(Error::TrainingInput {
            expected: INPUT,
            actual: architecture.input,
        });
    }
    let output = reports.last().map_or(architecture.input, |r| r.output);
    if output != (CLASSES, 1, 1) {
        return Err(Error::TrainingOutput {
            classes: CLASSES,
            actual: output,
        });
    }
    Ok((architecture.to_string(), total_parameters(&reports)))
}

/// A learning rate from its text.
///
/// # Errors
/// Not a number, or outside `(0, 10]`.
fn check_lr(text: &str) -> Result<f32, SettingsError> {
    let lr: f32 = text.parse().map_err(|_| SettingsError::Number {
        key: "learning rate",
        value: shorten(text),
    })?;
    let settings = convlens_core::nn::Settings {
        learning_rate: lr,
        ..TrainSettings::default().optimizer
    };
    settings.check()?;
    Ok(lr)
}

/// What the settings ask the worker to train.
///
/// # Errors
/// A stack that cannot be trained on the digits (the values were checked when set).
pub fn train_plan(settings: &Settings) -> Result<TrainPlan, SettingsError> {
    let (net, parameters) = check_net(&value(settings, "net"))?;
    let optimizer = OPTIMIZER_NAMES
        .into_iter()
        .find(|&o| o == value(settings, "optimizer"))
        .unwrap_or(OPTIMIZER_NAMES[0]);
    let whole = |key: &str| value(settings, key).parse::<usize>().unwrap_or(1);
    Ok(TrainPlan {
        net,
        optimizer,
        lr: check_lr(&value(settings, "lr"))?,
        batch: whole("batch"),
        epochs: whole("epochs"),
        seed: whole("seed") as u64,
        parameters,
    })
}

impl crate::views::View for Train {
    fn name(&self) -> &'static str {
        "train"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_train
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["net", "optimizer", "lr", "batch", "epochs", "seed"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &[]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["optimizer", "lr"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        text: &str,
    ) -> std::result::Result<(), SettingsError> {
        let text = text.trim();
        let limits = convlens_core::nn::train::MAX_BATCH;
        let (key, checked): (&'static str, String) = match key {
            "net" => ("net", check_net(text)?.0),
            "optimizer" => (
                "optimizer",
                OPTIMIZER_NAMES
                    .into_iter()
                    .find(|&o| o == text)
                    .ok_or_else(|| SettingsError::NoOptimizer {
                        value: shorten(text),
                    })?
                    .into(),
            ),
            "lr" => ("lr", check_lr(text)?.to_string()),
            "batch" => (
                "batch",
                crate::settings::number("batch size", text, 1, limits)?.to_string(),
            ),
            "epochs" => (
                "epochs",
                crate::settings::number("number of epochs", text, 1, 100)?.to_string(),
            ),
            "seed" => (
                "seed",
                crate::settings::number("seed", text, 0, u32::MAX as usize)?.to_string(),
            ),
            _ => return Err(SettingsError::UnknownParameter { key: shorten(key) }),
        };
        // Only values other than the default are kept (and written in the URL); the
        // learning rate's default follows the optimizer (0.002 for Adam, 0.01 for SGD).
        settings.extra.retain(|(k, _)| *k != key);
        if value(settings, key) != checked {
            settings.set_extra(key, &checked);
        }
        Ok(())
    }

    fn left_out(&self, settings: &Settings, key: &str) -> bool {
        settings.extra_value(key).is_none()
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        value(settings, key)
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The training view on the page: the worker, its pictures and its numbers.

    use js_sys::{Function, Object, Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, HtmlCanvasElement, HtmlInputElement, MessageEvent, PointerEvent, Worker};

    use super::{train_plan, Train, TrainPlan};
    use crate::dom::{by_id, context_2d, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::pipeline::group_digits;
    use crate::shell::{Change, Page, Shell, State};

    const NAME: &str = "train";
    /// The pictures the worker draws, each on the canvas `train-NAME`.
    const PICTURES: [&str; 8] = [
        "curves",
        "kernels1",
        "kernels2",
        "confusion",
        "wrong",
        "digit",
        "probabilities",
        "maps",
    ];

    /// What the view keeps.
    #[derive(Default)]
    struct Part {
        shell: Option<Shell>,
        worker: Option<Worker>,
        /// The plan last sent to the worker.
        sent: Option<TrainPlan>,
        /// The worker's last status.
        status: Option<JsValue>,
        /// The worker's last failure.
        failure: Option<Message>,
        /// The pen is down on the drawing pad.
        drawing: bool,
    }

    fn get(object: &JsValue, key: &str) -> JsValue {
        Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }

    fn post(part: &Part, what: &str, fields: &[(&str, JsValue)]) -> PageResult {
        let Some(worker) = &part.worker else {
            return Ok(());
        };
        let message = Object::new();
        Reflect::set(&message, &"do".into(), &what.into())?;
        for (key, value) in fields {
            Reflect::set(&message, &(*key).into(), value)?;
        }
        worker.post_message(&message)
    }

    /// Sends `what` to the worker (nothing while there is none).
    fn send(shell: &Shell, what: &str, fields: &[(&str, JsValue)]) -> PageResult<Change> {
        let mut state = shell.state.borrow_mut();
        post(state.part::<Part>(NAME), what, fields)?;
        Ok(Change::None)
    }

    impl Page for Train {
        fn wire(&self, shell: &Shell) -> PageResult {
            shell.state.borrow_mut().part::<Part>(NAME).shell = Some(shell.clone());
            shell.on(&by_id("train-start")?, "click", |shell, _: Event| {
                let state = {
                    let mut state = shell.state.borrow_mut();
                    let part = state.part::<Part>(NAME);
                    part.status
                        .as_ref()
                        .and_then(|s| get(s, "state").as_string())
                        .unwrap_or_default()
                };
                send(
                    shell,
                    if state == "running" { "pause" } else { "start" },
                    &[],
                )
            })?;
            shell.on(&by_id("train-reset")?, "click", |shell, _: Event| {
                send(shell, "reset", &[])
            })?;
            shell.on(&by_id("train-pick")?, "change", |shell, event: Event| {
                let index = crate::dom::event_value(&event)
                    .parse::<f64>()
                    .unwrap_or(1.0);
                send(shell, "choose", &[("index", (index - 1.0).max(0.0).into())])
            })?;
            let wrong: HtmlCanvasElement = by_id("train-wrong")?;
            shell.on(
                &wrong.clone(),
                "click",
                move |shell, event: PointerEvent| {
                    let (x, y) = at(&event, &wrong);
                    send(shell, "pick", &[("x", x.into()), ("y", y.into())])
                },
            )?;
            let pad: HtmlCanvasElement = by_id("train-pad")?;
            clear_pad(&pad)?;
            for kind in ["pointerdown", "pointermove", "pointerup", "pointercancel"] {
                let pad = pad.clone();
                shell.on(&pad.clone(), kind, move |shell, event: PointerEvent| {
                    pen(shell, &pad, &event)
                })?;
            }
            let kernels: HtmlCanvasElement = by_id("train-kernels1")?;
            shell.on(
                &kernels.clone(),
                "click",
                move |shell, event: PointerEvent| {
                    send(shell, "kernel_at", &[("x", at(&event, &kernels).0.into())])
                },
            )?;
            shell.on(&by_id("train-kernel")?, "change", |shell, event: Event| {
                let index = crate::dom::event_value(&event)
                    .parse::<f64>()
                    .unwrap_or(1.0);
                send(shell, "kernel", &[("index", (index - 1.0).max(0.0).into())])
            })?;
            shell.on(&by_id("train-apply")?, "click", |shell, _: Event| {
                send(shell, "apply", &[])
            })?;
            let pad = pad.clone();
            shell.on(&by_id("train-clear")?, "click", move |_, _: Event| {
                clear_pad(&pad)?;
                Ok(Change::None)
            })
        }

        fn draw(&self, state: &mut State) -> PageResult {
            let plan = match train_plan(&state.settings) {
                Ok(plan) => plan,
                Err(error) => return state.say(Some(Message::Setting(error))),
            };
            let part = state.part::<Part>(NAME);
            if part.worker.is_none() {
                part.worker = Some(start_worker(part)?);
            }
            if part.sent.as_ref() != Some(&plan) {
                let fields = [
                    ("net", JsValue::from(plan.net.as_str())),
                    ("optimizer", plan.optimizer.into()),
                    ("lr", plan.lr.into()),
                    ("batch", (plan.batch as f64).into()),
                    ("epochs", (plan.epochs as f64).into()),
                    ("seed", (plan.seed as f64).into()),
                ];
                post(part, "setup", &fields)?;
                part.sent = Some(plan);
                part.failure = None;
            }
            let failure = part.failure.clone();
            show(state)?;
            state.say(failure)
        }

        fn language(&self, state: &State) -> PageResult {
            if let Some(part) = state.part_ref::<Part>(NAME) {
                words(part)?;
            }
            Ok(())
        }

        fn close(&self, shell: &Shell) -> PageResult {
            // Training stops when another view opens (it goes on from there on return).
            send(shell, "pause", &[]).map(|_| ())
        }
    }

    /// The worker, made through `www/main.js`'s `convlensWorker('train')` (the same SIMD
    /// or scalar build as the page), its messages handled by [`received`].
    fn start_worker(part: &Part) -> PageResult<Worker> {
        let make: Function =
            Reflect::get(&js_sys::global(), &"convlensWorker".into())?.dyn_into()?;
        let worker: Worker = make.call1(&JsValue::NULL, &"train".into())?.dyn_into()?;
        if let Some(shell) = &part.shell {
            shell.on(&worker, "message", |shell, event: MessageEvent| {
                received(shell, &event.data())
            })?;
        }
        Ok(worker)
    }

    /// One message of the worker: pictures, its status or a failure.
    fn received(shell: &Shell, data: &JsValue) -> PageResult<Change> {
        let kind = get(data, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "pictures" => {
                for name in PICTURES {
                    let bitmap = get(data, name);
                    if bitmap.is_undefined() {
                        continue;
                    }
                    let canvas: HtmlCanvasElement = by_id(&format!("train-{name}"))?;
                    let number = |key| get(&bitmap, key).as_f64().unwrap_or(1.0) as u32;
                    let (width, height) = (number("width"), number("height"));
                    if canvas.width() != width || canvas.height() != height {
                        canvas.set_width(width);
                        canvas.set_height(height);
                    }
                    let context = context_2d(&canvas)?;
                    let draw: Function = get(&context, "drawImage").dyn_into()?;
                    draw.call3(&context, &bitmap, &0.into(), &0.into())?;
                    if let Ok(close) = get(&bitmap, "close").dyn_into::<Function>() {
                        close.call0(&bitmap)?;
                    }
                }
            }
            "kernel" => return apply(shell, data),
            "status" => {
                let mut state = shell.state.borrow_mut();
                let part = state.part::<Part>(NAME);
                part.status = Some(data.clone());
                words(part)?;
            }
            "error" => {
                let message = if get(data, "error").as_string().as_deref() == Some("diverged") {
                    Message::Error(convlens_core::Error::Diverged {
                        step: get(data, "step").as_f64().unwrap_or(0.0) as u64,
                        loss: get(data, "loss").as_f64().unwrap_or(f64::NAN) as f32,
                    })
                } else {
                    Message::WentWrong(get(data, "text").as_string().unwrap_or_default())
                };
                let mut state = shell.state.borrow_mut();
                state.part::<Part>(NAME).failure = Some(message.clone());
                state.say(Some(message))?;
            }
            _ => {}
        }
        Ok(Change::None)
    }

    /// A learned first-layer filter (the worker's weights, rounded to 4 decimals) opens
    /// in the convolution view on the gray image, its map normalized, with a note saying
    /// what it is.
    fn apply(shell: &Shell, data: &JsValue) -> PageResult<Change> {
        let weights = get(data, "weights").as_string().unwrap_or_default();
        let before = shell.state.borrow().settings.clone();
        let set = {
            let settings = &mut shell.state.borrow_mut().settings;
            settings
                .set("weights", &weights)
                .and_then(|()| settings.set("channel", "gray"))
                .and_then(|()| settings.set("display", "normalize"))
                .map(|()| settings.view = "conv")
        };
        if let Err(error) = set {
            shell.state.borrow_mut().settings = before;
            return crate::shell::render::message(Some(error.into())).map(|()| Change::None);
        }
        let mut state = shell.state.borrow_mut();
        let number = |key| get(data, key).as_f64().unwrap_or(0.0);
        let weights = state.settings.weight_texts.clone();
        state.notices.push(Message::LearnedKernel {
            index: number("index") as usize + 1,
            step: number("step") as u64,
            weights,
        });
        crate::shell::render::notices(&state.notices)?;
        // The dispatcher does what follows from a new view and kernel.
        state.changed_from = Some(before);
        Ok(Change::Settings)
    }

    /// The stack's size and the worker's numbers, in words.
    fn show(state: &mut State) -> PageResult {
        let part = state.part::<Part>(NAME);
        words(part)
    }

    fn words(part: &Part) -> PageResult {
        let t = t();
        if let Some(plan) = &part.sent {
            set_text(
                "train-parameters",
                &fill(
                    t.train_parameters,
                    &[("count", &group_digits(plan.parameters))],
                ),
            )?;
        }
        let Some(status) = &part.status else {
            return set_text("train-status", t.train_loading);
        };
        let text = |key| get(status, key).as_string().unwrap_or_default();
        let number = |key| get(status, key).as_f64();
        let percent = |key| number(key).map_or("–".into(), |v| format!("{:.1} %", v * 100.0));
        let state = text("state");
        let status_box: web_sys::HtmlElement = by_id("train-status")?;
        status_box.set_attribute("data-state", &state)?;
        for key in ["step", "test", "loss", "epoch"] {
            let value = number(key).map_or(String::new(), |v| v.to_string());
            status_box.set_attribute(&format!("data-{key}"), &value)?;
        }
        let line = match state.as_str() {
            "loading" | "idle" => t.train_loading.to_string(),
            "failed" => t.train_failed.to_string(),
            _ => fill(
                t.train_progress,
                &[
                    ("epoch", &number("epoch").unwrap_or(0.0)),
                    ("epochs", &number("epochs").unwrap_or(0.0)),
                    ("step", &number("step").unwrap_or(0.0)),
                    ("steps", &number("steps").unwrap_or(0.0)),
                    (
                        "loss",
                        &number("loss").map_or("–".into(), |v| format!("{v:.3}")),
                    ),
                    ("train", &percent("train")),
                    ("test", &percent("test")),
                ],
            ),
        };
        let speed = match (number("speed"), number("epoch_seconds")) {
            (Some(speed), Some(seconds)) => fill(
                t.train_speed_epoch,
                &[
                    ("speed", &group_digits(speed.round() as u64)),
                    ("seconds", &format!("{seconds:.1}")),
                ],
            ),
            (Some(speed), None) => fill(
                t.train_speed,
                &[("speed", &group_digits(speed.round() as u64))],
            ),
            _ => String::new(),
        };
        set_text("train-status", &line)?;
        set_text("train-speed", &speed)?;
        let button = match state.as_str() {
            "running" => t.train_pause,
            "paused" => t.train_resume,
            "done" => t.train_done,
            _ => t.train_start,
        };
        set_text("train-start", button)?;
        by_id::<web_sys::HtmlButtonElement>("train-start")?.set_disabled(matches!(
            state.as_str(),
            "done" | "loading" | "idle" | "failed"
        ));
        // The chosen digit's prediction.
        let prediction = match (text("source").as_str(), number("predicted")) {
            ("test", Some(predicted)) => fill(
                t.train_prediction_test,
                &[
                    ("index", &(number("index").unwrap_or(0.0) + 1.0)),
                    ("label", &number("label").unwrap_or(0.0)),
                    ("predicted", &predicted),
                    ("confidence", &percent("confidence")),
                ],
            ),
            ("drawn", Some(predicted)) => fill(
                t.train_prediction_drawn,
                &[
                    ("predicted", &predicted),
                    ("confidence", &percent("confidence")),
                ],
            ),
            _ => String::new(),
        };
        let box_: web_sys::HtmlElement = by_id("train-prediction")?;
        box_.set_attribute(
            "data-predicted",
            &number("predicted").map_or(String::new(), |p| p.to_string()),
        )?;
        box_.set_attribute("data-source", &text("source"))?;
        set_text("train-prediction", &prediction)?;
        if let (Some(kernel), Some(kernels)) = (number("kernel"), number("kernels")) {
            let input: HtmlInputElement = by_id("train-kernel")?;
            input.set_max(&kernels.to_string());
            input.set_value(&(kernel + 1.0).to_string());
        }
        if text("source") == "test" {
            if let Some(index) = number("index") {
                let pick: HtmlInputElement = by_id("train-pick")?;
                let shown = (index + 1.0).to_string();
                if pick.value() != shown {
                    pick.set_value(&shown);
                }
            }
        }
        Ok(())
    }

    /// A pointer's place on `canvas`, in its pixels.
    fn at(event: &PointerEvent, canvas: &HtmlCanvasElement) -> (f64, f64) {
        let rect = canvas.get_bounding_client_rect();
        let x = (f64::from(event.client_x()) - rect.left()) * f64::from(canvas.width())
            / rect.width().max(1.0);
        let y = (f64::from(event.client_y()) - rect.top()) * f64::from(canvas.height())
            / rect.height().max(1.0);
        (x, y)
    }

    fn clear_pad(pad: &HtmlCanvasElement) -> PageResult {
        let context = context_2d(pad)?;
        context.set_fill_style_str("#ffffff");
        context.fill_rect(0.0, 0.0, f64::from(pad.width()), f64::from(pad.height()));
        Ok(())
    }

    /// The pen on the drawing pad: strokes while it is down; when it lifts, the drawing
    /// goes to the worker (which makes it like an MNIST digit and predicts it).
    fn pen(shell: &Shell, pad: &HtmlCanvasElement, event: &PointerEvent) -> PageResult<Change> {
        event.prevent_default();
        let (x, y) = at(event, pad);
        let context = context_2d(pad)?;
        let mut state = shell.state.borrow_mut();
        let part = state.part::<Part>(NAME);
        match event.type_().as_str() {
            "pointerdown" => {
                part.drawing = true;
                let _ = pad.set_pointer_capture(event.pointer_id());
                context.set_stroke_style_str("#000000");
                context.set_line_width(f64::from(pad.width()) / 12.0);
                context.set_line_cap("round");
                context.set_line_join("round");
                context.begin_path();
                context.move_to(x, y);
                context.line_to(x + 0.1, y);
                context.stroke();
            }
            "pointermove" if part.drawing => {
                context.line_to(x, y);
                context.stroke();
            }
            "pointerup" | "pointercancel" if part.drawing => {
                part.drawing = false;
                let (width, height) = (pad.width(), pad.height());
                let image =
                    context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
                // Ink is dark on the pad: 255 - red is the ink's amount.
                let ink: Vec<u8> = image.data().iter().step_by(4).map(|&r| 255 - r).collect();
                let fields = [
                    ("pixels", Uint8Array::from(&ink[..]).into()),
                    ("width", width.into()),
                    ("height", height.into()),
                ];
                post(part, "draw", &fields)?;
            }
            _ => {}
        }
        Ok(Change::None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_lenet5_with_its_parameters() {
        let settings = Settings::default();
        let plan = train_plan(&settings).unwrap();
        assert_eq!(plan.parameters, 61_706);
        assert_eq!(plan.optimizer, "adam");
        assert_eq!((plan.batch, plan.epochs, plan.seed), (32, 5, 1));
        assert_eq!(plan.lr, 0.002);
    }

    #[test]
    fn parameters_round_trip_and_bad_values_are_refused() {
        let query = "view=train&net=input(1,28,28);flatten;linear(100);relu;linear(10)\
                     &optimizer=sgd&lr=0.05&batch=64&epochs=3&seed=7";
        let (settings, warnings) = Settings::from_query(query);
        assert!(warnings.is_empty(), "{warnings:?}");
        let plan = train_plan(&settings).unwrap();
        assert_eq!(plan.parameters, 784 * 100 + 100 + 100 * 10 + 10);
        assert_eq!(
            (plan.optimizer, plan.lr, plan.batch, plan.epochs, plan.seed),
            ("sgd", 0.05, 64, 3, 7)
        );
        let (again, warnings) = Settings::from_query(&settings.to_query());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(again, settings);
        // The defaults stay out of the URL; SGD's learning rate default is 0.01.
        let (sgd, _) = Settings::from_query("view=train&optimizer=sgd");
        assert_eq!(train_plan(&sgd).unwrap().lr, 0.01);
        assert!(!Settings::default().to_query().contains("net="));
        for bad in [
            "lr=NaN",
            "lr=abc",
            "lr=0",
            "lr=100",
            "batch=0",
            "epochs=x",
            "optimizer=rmsprop",
            "net=input(1,28,28);conv(6,5",
            "net=input(3,28,28);flatten;linear(10)",
            "net=input(1,28,28);flatten;linear(7)",
        ] {
            let (settings, warnings) = Settings::from_query(&format!("view=train&{bad}"));
            assert_eq!(warnings.len(), 1, "{bad}");
            assert_eq!(train_plan(&settings).unwrap().parameters, 61_706, "{bad}");
            let (en, ru) = (
                warnings[0].text(&crate::i18n::EN),
                warnings[0].text(&crate::i18n::RU),
            );
            assert_ne!(en, ru, "{bad}: {en}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{bad}: {ru}");
        }
    }
}
