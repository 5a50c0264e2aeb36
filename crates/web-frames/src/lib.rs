//! The page's live frame engines as their own WebAssembly module: the core's
//! `frame::FrameConv` and `FramePool` (integer, separable, box and general kernels,
//! whole-frame pooling; a third of the page's code) behind one handle, `Convolver`.
//! The page's first module draws the first map without them (photos go through the
//! views' step-by-step path); `shell::maps` loads this module when the first live webcam
//! frame arrives (`www/main.js`'s `convlensModule('frames')`) and then sends every frame
//! through it. The benchmark (`bench/`) drives the same handle.

#[cfg(target_arch = "wasm32")]
mod convolver;

#[cfg(target_arch = "wasm32")]
pub use convolver::Convolver;
