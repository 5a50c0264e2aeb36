//! The convlens page: state, controls and canvas drawing, compiled to WebAssembly.
//!
//! Layering: [`settings`] (the URL is the state), [`pipeline`] (maps, numbers and
//! arithmetic) and [`i18n`] (every string, in English and Russian) are plain Rust over
//! `convlens-core` and are tested natively; `app` owns
//! the page's state and events, `render` writes it into the DOM, and `dom` holds the
//! web-sys helpers (those three exist only in the wasm32 build). For the lecture hall,
//! [`figure`] draws exported figures pixel by pixel and [`gif`] encodes the step-by-step
//! animation (both plain Rust), while `embed` (embed and projector modes, the iframe
//! snippet) and `export` (the downloads) are wasm-only. [`i18n`] holds every word in
//! English and Russian, [`meter`] times frames. JavaScript only loads the module and
//! calls `start`. The live frame engines are another module (`convlens-web-frames`,
//! loaded when the webcam starts), so that this one, which draws the first map, stays
//! small.

pub mod figure;
pub mod gif;
pub mod i18n;
pub mod message;
pub mod meter;
pub mod pipeline;
pub mod settings;
pub mod shortcuts;
pub mod views;

#[cfg(target_arch = "wasm32")]
pub mod dom;
#[cfg(target_arch = "wasm32")]
pub mod shell;

#[cfg(all(target_arch = "wasm32", feature = "start"))]
pub use entry::{start, stats};

#[cfg(all(target_arch = "wasm32", feature = "start"))]
mod entry {
    use wasm_bindgen::prelude::*;

    /// Starts the page: installs the panic hook, reads the URL, wires every control and
    /// loads the first image. `www/main.js` calls it once after loading the module.
    #[wasm_bindgen]
    pub fn start() -> Result<(), JsValue> {
        install_panic_hook();
        crate::shell::start()
    }

    /// Webcam frames processed so far and the module's memory in bytes, as
    /// `{ frames, memoryBytes }`: what the soak test watches.
    #[wasm_bindgen]
    pub fn stats() -> Result<JsValue, JsValue> {
        crate::shell::stats()
    }

    /// A panic is a bug: print it to the console and also on the page, so that a frozen
    /// demo in front of a lecture hall says what happened instead of going silent.
    fn install_panic_hook() {
        std::panic::set_hook(Box::new(|info| {
            #[cfg(feature = "console_error_panic_hook")]
            console_error_panic_hook::hook(info);
            let _ =
                crate::shell::render::message(Some(crate::message::Message::Bug(info.to_string())));
        }));
    }
}
