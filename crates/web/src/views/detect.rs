//! The detector view (`view=detect`): the lecture's "kid detector" made real. MTCNN's
//! trained P-Net slides over the photo or webcam frame (an image pyramid), R-Net checks
//! its proposals, and the page draws the face probability and the boxes.
//!
//! The arithmetic is the core's `detect`, in its own WebAssembly module
//! (`crates/web-detect`, loaded when the view first draws, with the weights
//! `data/mtcnn.bin`); this module holds the view's settings and its drawing.

use convlens_core::detect::Settings as DetectSettings;

use crate::i18n::Texts;
use crate::settings::{shorten, Settings, SettingsError};

/// The detector view.
#[derive(Debug, Clone, Copy)]
pub struct Detect;

/// The view's parameters: name, default, smallest and largest (whole numbers).
const PARAMETERS: [(&str, usize, usize, usize); 3] = [
    // The smallest face looked for, in pixels (the pyramid starts at 12 / min_face).
    ("min_face", 20, 12, 400),
    // The last stage's threshold, in percent of face probability.
    ("face_threshold", 95, 0, 100),
    // R-Net checks P-Net's proposals (1) or not (0).
    ("rnet", 1, 0, 1),
];

fn parameter(key: &str) -> Option<&'static (&'static str, usize, usize, usize)> {
    PARAMETERS.iter().find(|p| p.0 == key)
}

/// A parameter's value: the URL's, else its default.
pub fn value(settings: &Settings, key: &str) -> usize {
    let default = parameter(key).map_or(0, |p| p.1);
    settings
        .extra_value(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The core's settings for the view's parameters (what `convlens detect --min-face PX
/// --threshold T --stages rnet|pnet` gives).
pub fn detect_settings(settings: &Settings) -> DetectSettings {
    DetectSettings::answer(
        value(settings, "min_face") as f32,
        value(settings, "rnet") == 1,
        Some(value(settings, "face_threshold") as f32 / 100.0),
    )
}

impl crate::views::View for Detect {
    fn name(&self) -> &'static str {
        "detect"
    }

    fn tab(&self, t: &Texts) -> &'static str {
        t.tab_detect
    }

    fn parameters(&self) -> &'static [&'static str] {
        &["min_face", "face_threshold", "rnet"]
    }

    fn uses(&self) -> &'static [&'static str] {
        &["image", "size"]
    }

    fn embed_controls(&self) -> &'static [&'static str] {
        &["min_face", "face_threshold", "rnet"]
    }

    fn set(
        &self,
        settings: &mut Settings,
        key: &str,
        text: &str,
    ) -> std::result::Result<(), SettingsError> {
        let Some(&(key, default, low, high)) = parameter(key) else {
            return Err(SettingsError::UnknownParameter { key: shorten(key) });
        };
        let text = text.trim();
        let number = if key == "rnet" {
            match text {
                "0" => 0,
                "1" => 1,
                _ => {
                    return Err(SettingsError::Flag {
                        key,
                        value: shorten(text),
                    })
                }
            }
        } else {
            crate::settings::number(key, text, low, high)?
        };
        // Only values other than the default are kept (and written in the URL).
        if number == default {
            settings.extra.retain(|(k, _)| *k != key);
        } else {
            settings.set_extra(key, &number.to_string());
        }
        Ok(())
    }

    fn describe(&self, settings: &Settings, key: &str) -> String {
        value(settings, key).to_string()
    }

    fn left_out(&self, settings: &Settings, key: &str) -> bool {
        settings.extra_value(key).is_none()
    }

    fn follows_video(&self) -> bool {
        true
    }

    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page {
        self
    }
}

/// One face as the page lists it (the numbers as `convlens detect` prints them).
pub fn box_line(t: &Texts, face: &[f32]) -> String {
    let n = |v: f32| format!("{v:.1}");
    crate::i18n::fill(
        t.detect_box,
        &[
            ("x", &n(face[0])),
            ("y", &n(face[1])),
            ("width", &n(face[2])),
            ("height", &n(face[3])),
            ("score", &format!("{:.4}", face[4])),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::View;

    #[test]
    fn the_parameters_round_trip_and_make_the_cores_settings() {
        let mut settings = Settings::default();
        assert_eq!(
            detect_settings(&settings),
            DetectSettings::answer(20.0, true, Some(0.95))
        );
        Detect.set(&mut settings, "min_face", "40").unwrap();
        Detect.set(&mut settings, "face_threshold", "60").unwrap();
        Detect.set(&mut settings, "rnet", "0").unwrap();
        let core = detect_settings(&settings);
        assert_eq!(
            (core.min_face, core.pnet_threshold, core.rnet),
            (40.0, 0.6, false)
        );
        settings.view = "detect";
        let (back, problems) = Settings::from_query(&settings.to_query());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(back, settings);
        // Back to the default: left out of the URL.
        Detect.set(&mut settings, "min_face", "20").unwrap();
        assert!(Detect.left_out(&settings, "min_face"));
        assert!(matches!(
            Detect.set(&mut settings, "min_face", "8"),
            Err(SettingsError::WholeNumber {
                key: "min_face",
                low: 12,
                ..
            })
        ));
        assert!(matches!(
            Detect.set(&mut settings, "rnet", "yes"),
            Err(SettingsError::Flag { key: "rnet", .. })
        ));
        let line = box_line(
            crate::i18n::t(),
            &[177.172, 59.13, 88.04, 113.26, 0.999_256],
        );
        assert_eq!(
            line,
            "x 177.2  y 59.1  width 88.0  height 113.3  score 0.9993"
        );
    }
}

#[cfg(target_arch = "wasm32")]
mod page {
    //! The detector view on the page: the frame with the heat map and the boxes, the
    //! list of faces, and the detector's module loaded on first use.

    use std::cell::RefCell;

    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlCanvasElement};

    use super::{box_line, detect_settings, Detect};
    use crate::dom::{by_id, clear, element, put_rgba, set_text, PageResult};
    use crate::i18n::{fill, t};
    use crate::message::Message;
    use crate::shell::{Change, Page, Shell, State};

    #[wasm_bindgen]
    extern "C" {
        /// `www/main.js`: the page's other modules, loaded on demand.
        #[wasm_bindgen(js_name = convlensModule, catch)]
        fn load_module(name: &str) -> Result<Promise, JsValue>;

        /// convlens-web-detect's `Detector`.
        type Detector;
        #[wasm_bindgen(method, catch)]
        #[allow(clippy::too_many_arguments)]
        fn detect(
            this: &Detector,
            rgba: &[u8],
            width: u32,
            height: u32,
            min_face: f32,
            threshold: f32,
            rnet: bool,
        ) -> Result<Vec<f32>, JsValue>;
        #[wasm_bindgen(method, catch)]
        fn draw(
            this: &Detector,
            rgba: &[u8],
            width: u32,
            height: u32,
            out: &mut [u8],
        ) -> Result<(), JsValue>;
        #[wasm_bindgen(method)]
        fn proposals(this: &Detector) -> u32;
        #[wasm_bindgen(method)]
        fn levels(this: &Detector) -> u32;
    }

    /// Where the detector is.
    enum Loaded {
        NotAsked,
        Loading,
        Ready(Detector),
        Failed(String),
    }

    thread_local! {
        static DETECTOR: RefCell<Loaded> = const { RefCell::new(Loaded::NotAsked) };
        /// The shell, to redraw once the detector is in.
        static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
    }

    /// Starts loading the module and the weights; redraws when they are in (or not).
    fn start_loading() {
        let Ok(module) = load_module("detect") else {
            failed(JsValue::from_str("no module loader"));
            return;
        };
        let loaded = Closure::<dyn FnMut(JsValue)>::once(|exports: JsValue| {
            // Detector.load(url): a promise of the detector with its weights.
            let load = || -> Result<Promise, JsValue> {
                let class = Reflect::get(&exports, &"Detector".into())?;
                let load: Function = Reflect::get(&class, &"load".into())?.dyn_into()?;
                load.call1(&class, &"data/mtcnn.bin".into())?.dyn_into()
            };
            match load() {
                Ok(promise) => {
                    let done = Closure::<dyn FnMut(JsValue)>::once(|detector: JsValue| {
                        DETECTOR
                            .with(|d| *d.borrow_mut() = Loaded::Ready(detector.unchecked_into()));
                        redraw();
                    });
                    let refused = Closure::<dyn FnMut(JsValue)>::once(failed);
                    let _ = promise.then2(&done, &refused);
                    // Exactly one of the two runs, once.
                    done.forget();
                    refused.forget();
                }
                Err(error) => failed(error),
            }
        });
        let refused = Closure::<dyn FnMut(JsValue)>::once(failed);
        let _ = module.then2(&loaded, &refused);
        loaded.forget();
        refused.forget();
    }

    /// The module or the weights did not load: say why, and keep the photo shown.
    fn failed(error: JsValue) {
        let why = crate::dom::describe(&error);
        DETECTOR.with(|d| *d.borrow_mut() = Loaded::Failed(why));
        redraw();
    }

    fn redraw() {
        let shell = SHELL.with(|s| s.borrow().clone());
        if let Some(shell) = shell {
            crate::shell::state::report(shell.apply(Change::Redraw));
        }
    }

    impl Page for Detect {
        fn wire(&self, shell: &Shell) -> PageResult {
            SHELL.with(|s| *s.borrow_mut() = Some(shell.clone()));
            Ok(())
        }

        fn draw(&self, state: &mut State) -> PageResult {
            if state.frame.rgba.is_empty() {
                return Ok(());
            }
            let asked = DETECTOR.with(|d| matches!(*d.borrow(), Loaded::NotAsked));
            if asked {
                DETECTOR.with(|d| *d.borrow_mut() = Loaded::Loading);
                start_loading();
            }
            let settings = detect_settings(&state.settings);
            let threshold = if settings.rnet {
                settings.rnet_threshold
            } else {
                settings.pnet_threshold
            };
            let (width, height) = (state.frame.width, state.frame.height);
            let frame = &state.frame;
            let mut out = std::mem::take(&mut state.rgba);
            out.resize(frame.rgba.len(), 0);
            let result = DETECTOR.with(|d| -> Result<Option<(Vec<f32>, u32, u32)>, String> {
                match &*d.borrow() {
                    Loaded::NotAsked | Loaded::Loading => Ok(None),
                    Loaded::Failed(why) => Err(why.clone()),
                    Loaded::Ready(detector) => {
                        let boxes = detector
                            .detect(
                                &frame.rgba,
                                width as u32,
                                height as u32,
                                settings.min_face,
                                threshold,
                                settings.rnet,
                            )
                            .map_err(|e| crate::dom::describe(&e))?;
                        detector
                            .draw(&frame.rgba, width as u32, height as u32, &mut out)
                            .map_err(|e| crate::dom::describe(&e))?;
                        Ok(Some((boxes, detector.proposals(), detector.levels())))
                    }
                }
            });
            let canvas: HtmlCanvasElement = by_id("detect-canvas")?;
            let texts = t();
            let shown = match result {
                Ok(Some((boxes, proposals, levels))) => {
                    put_rgba(&canvas, width as u32, height as u32, &out)?;
                    let list: Element = by_id("detect-boxes")?;
                    clear(&list);
                    for face in boxes.chunks_exact(5) {
                        let item = element("li", "", &box_line(texts, face))?;
                        let exact: Vec<String> = face.iter().map(|v| v.to_string()).collect();
                        item.set_attribute("data-box", &exact.join(","))?;
                        list.append_child(&item)?;
                    }
                    set_text(
                        "detect-summary",
                        &fill(
                            texts.detect_summary,
                            &[
                                ("faces", &(boxes.len() / 5)),
                                ("proposals", &proposals),
                                ("levels", &levels),
                            ],
                        ),
                    )?;
                    state.say(None)
                }
                Ok(None) => {
                    put_rgba(&canvas, width as u32, height as u32, &state.frame.rgba)?;
                    set_text("detect-summary", texts.detect_loading)?;
                    Ok(())
                }
                Err(why) => state.say(Some(Message::DetectorFailed(why))),
            };
            state.rgba = out;
            shown
        }

        fn map_canvas(&self) -> Option<&'static str> {
            Some("detect-canvas")
        }
    }
}
