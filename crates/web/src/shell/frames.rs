//! The live frame engines, in their own WebAssembly module (`convlens-web-frames`): the
//! core's whole-frame convolution and pooling are a third of the page's code, and the
//! first map (a photo) never needs them. The first live webcam frame starts loading that
//! module (`www/main.js`'s `convlensModule('frames')`: the same SIMD or scalar build as
//! this one); until it is in, or if it cannot load, live frames take the views'
//! step-by-step path, which draws the same map more slowly.
//!
//! An [`Engine`] is one of the module's `Convolver` handles, planned from the page's
//! parsed settings (the kernel's weights, the names of the modes). A frame goes in as a
//! view of this module's memory (copied once into the other's) and comes back into a
//! JavaScript buffer that an `ImageData` shares, which goes on the canvas as it is: one
//! copy each way, as many as when the engines were in this module.

use std::cell::RefCell;

use js_sys::{Array, Float32Array, Function, Promise, Reflect, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::ImageData;

use crate::settings::{PaddingChoice, Settings};

#[wasm_bindgen]
extern "C" {
    /// `www/main.js`: imports `./pkg/convlens_NAME.js`, initialises it with the build
    /// (SIMD or scalar) the page runs, and resolves to its exports.
    #[wasm_bindgen(js_name = convlensModule, catch)]
    fn load_module(name: &str) -> Result<Promise, JsValue>;

    /// convlens-web-frames' `Convolver`.
    type Convolver;
    #[wasm_bindgen(method, catch)]
    fn run(
        this: &Convolver,
        rgba: &[u8],
        width: u32,
        height: u32,
        out: &Uint8Array,
    ) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn run_map(this: &Convolver, rgba: &[u8], width: u32, height: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn output_width(this: &Convolver, width: u32, height: u32) -> Result<u32, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn output_height(this: &Convolver, width: u32, height: u32) -> Result<u32, JsValue>;
    #[wasm_bindgen(method)]
    fn map_shape(this: &Convolver) -> Vec<u32>;
    #[wasm_bindgen(method)]
    fn map(this: &Convolver) -> Vec<f32>;
    #[wasm_bindgen(method)]
    fn path(this: &Convolver) -> String;
    #[wasm_bindgen(method)]
    fn free(this: &Convolver);
}

/// Where a module is.
enum Module {
    Loading,
    Ready(JsValue),
    Failed,
}

thread_local! {
    /// The modules asked for, by name.
    static MODULES: RefCell<Vec<(&'static str, Module)>> = const { RefCell::new(Vec::new()) };
    /// The engines' path names, kept once each (the page shows a `&'static str`).
    static PATHS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// The frames module's exports once loaded; the first call starts loading it.
fn module() -> Option<JsValue> {
    exports(
        "frames",
        "the frame engines did not load; live frames take the step-by-step path",
    )
}

/// The exports of the module `convlens_NAME` (`www/main.js`'s `convlensModule`, in the
/// page's build) once loaded, `None` while it loads or if it failed (`why` is said on
/// the console then); the first call starts loading it.
pub fn exports(name: &'static str, why: &'static str) -> Option<JsValue> {
    let set = move |state: Module| {
        MODULES.with(|modules| {
            let mut modules = modules.borrow_mut();
            modules.retain(|(n, _)| *n != name);
            modules.push((name, state));
        });
    };
    let known = MODULES.with(|modules| {
        modules
            .borrow()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| match m {
                Module::Ready(exports) => Some(exports.clone()),
                Module::Loading | Module::Failed => None,
            })
    });
    if let Some(known) = known {
        return known;
    }
    let Ok(promise) = load_module(name) else {
        set(Module::Failed);
        return None;
    };
    set(Module::Loading);
    let ready = Closure::<dyn FnMut(JsValue)>::once(move |exports: JsValue| {
        set(Module::Ready(exports));
    });
    let failed = Closure::<dyn FnMut(JsValue)>::once(move |error: JsValue| {
        web_sys::console::warn_2(&format!("convlens: {why}:").into(), &error);
        set(Module::Failed);
    });
    let _ = promise.then2(&ready, &failed);
    // Exactly one of the two runs, once.
    ready.forget();
    failed.forget();
    None
}

/// Whether the module `name` failed to load.
pub fn failed(name: &str) -> bool {
    MODULES.with(|modules| {
        modules
            .borrow()
            .iter()
            .any(|(n, m)| *n == name && matches!(m, Module::Failed))
    })
}

/// `name` as a `&'static str`, each distinct name kept once.
fn interned(name: String) -> &'static str {
    PATHS.with(|paths| {
        let mut paths = paths.borrow_mut();
        if let Some(kept) = paths.iter().find(|kept| **kept == name) {
            return *kept;
        }
        let kept: &'static str = Box::leak(name.into_boxed_str());
        paths.push(kept);
        kept
    })
}

/// One convolution or pooling of whole frames, in the frames module.
pub struct Engine {
    convolver: Convolver,
    /// The output for the last input size: that size, the output's (height, width),
    /// the buffer the module writes and an `ImageData` over the same bytes.
    output: Option<Output>,
}

struct Output {
    input: (usize, usize),
    size: (usize, usize),
    bytes: Uint8Array,
    image: ImageData,
}

impl Engine {
    /// The engine for `settings` (pooling when `pool`), or `None` while the frames module
    /// is not loaded or cannot plan these settings (the step-by-step path says why).
    pub fn plan(settings: &Settings, pool: bool) -> Option<Engine> {
        let exports = module()?;
        let class: Function = Reflect::get(&exports, &"Convolver".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let channel = settings.channel.name().into();
        let (make, arguments) = if pool {
            let stride = settings.pool_stride.unwrap_or(0);
            let arguments = [
                settings.pool.name().into(),
                JsValue::from(settings.pool_size as f64),
                JsValue::from(stride as f64),
                channel,
            ];
            ("pool", Array::from_iter(arguments))
        } else {
            let kernel = settings.kernel.kernel();
            let padding = match settings.padding {
                PaddingChoice::Pixels(pixels) => pixels.to_string(),
                PaddingChoice::Same => "same".into(),
                PaddingChoice::Valid => "valid".into(),
            };
            let arguments = [
                Float32Array::from(kernel.weights()).into(),
                JsValue::from(kernel.height() as f64),
                JsValue::from(kernel.width() as f64),
                JsValue::from(settings.stride as f64),
                JsValue::from(settings.dilation as f64),
                padding.into(),
                settings.padding_mode.name().into(),
                channel,
                settings.display.name().into(),
            ];
            ("conv", Array::from_iter(arguments))
        };
        let make: Function = Reflect::get(&class, &make.into()).ok()?.dyn_into().ok()?;
        let convolver = Reflect::apply(&make, &class, &arguments).ok()?;
        Some(Engine {
            convolver: convolver.unchecked_into(),
            output: None,
        })
    }

    /// The output buffers for a `width x height` frame, made again when the size changes.
    fn output(&mut self, width: u32, height: u32) -> Option<&Output> {
        let input = (width as usize, height as usize);
        if self
            .output
            .as_ref()
            .is_none_or(|output| output.input != input)
        {
            let out_w = self.convolver.output_width(width, height).ok()?;
            let out_h = self.convolver.output_height(width, height).ok()?;
            let bytes = Uint8Array::new_with_length(out_w.checked_mul(out_h)?.checked_mul(4)?);
            let clamped = Uint8ClampedArray::new(&bytes.buffer());
            let image =
                ImageData::new_with_js_u8_clamped_array_and_sh(&clamped, out_w, out_h).ok()?;
            self.output = Some(Output {
                input,
                size: (out_h as usize, out_w as usize),
                bytes,
                image,
            });
        }
        self.output.as_ref()
    }

    /// Draws `rgba` (`width x height`) as RGBA: the picture, to put on a canvas as it is,
    /// and its (height, width).
    pub fn run(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
    ) -> Option<(&ImageData, (usize, usize))> {
        let (w, h) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
        self.output(w, h)?;
        let output = self.output.as_ref()?;
        self.convolver.run(rgba, w, h, &output.bytes).ok()?;
        Some((&output.image, output.size))
    }

    /// The feature map of `rgba` (`width x height`), in 0..255 units.
    pub fn run_map(
        &mut self,
        rgba: &[u8],
        width: usize,
        height: usize,
    ) -> Option<convlens_core::Tensor> {
        let (w, h) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
        self.convolver.run_map(rgba, w, h).ok()?;
        let shape = self.convolver.map_shape();
        let [channels, height, width] = shape[..] else {
            return None;
        };
        convlens_core::Tensor::new(
            channels as usize,
            height as usize,
            width as usize,
            self.convolver.map(),
        )
        .ok()
    }

    /// The name of the algorithm that computes the map.
    pub fn path(&self) -> &'static str {
        interned(self.convolver.path())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // The handle's memory is the frames module's: give it back now, not at the next
        // garbage collection.
        self.convolver.free();
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}
