//! The training view's engine, built as its own WebAssembly module so that the page
//! loads it only when the training view opens: the Web Worker that trains runs it
//! (`Engine`, driven by `www/train-worker.js`), and the benchmark (`bench/train.mjs`)
//! drives it through `Lab`; the block views' "why residual connections" runs
//! `Residual` on the page's thread, a step at a time (wasm32 only).
//!
//! All the mathematics is `convlens_core::nn`; this crate only hands numbers across the
//! JavaScript boundary and draws the training view's pictures.

#[cfg(target_arch = "wasm32")]
mod lab;
#[cfg(target_arch = "wasm32")]
mod residual;
#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
pub use lab::Lab;
#[cfg(target_arch = "wasm32")]
pub use residual::Residual;
#[cfg(target_arch = "wasm32")]
pub use worker::Engine;
