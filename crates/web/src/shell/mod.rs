//! The shell of the page (wasm32 only): what every view shares, and the dispatch to the
//! view shown.
//!
//! - [`state`]: the page's [`State`], the [`Shell`] handle a view's listeners get, the
//!   [`Change`]s they ask for, and the [`Page`] trait a view implements. A view (in this
//!   crate or another one) is written against these and [`render`], [`maps`], [`input`]
//!   only.
//! - `app`: the start, the shared controls (the form, the kernel grid, the language, the
//!   keys) and the dispatcher that carries out each [`Change`].
//! - [`input`]: photos, uploads and the webcam; [`maps`]: what the image views share
//!   (the map canvas, the frame engines, which [`frames`] loads as a module of their
//!   own); [`render`]: writing shared things into the
//!   page (controls, messages, the language, the selection's arithmetic).
//! - [`player`]: a view's Play / Pause button and the timer that steps its animation.
//! - `embed` (embed and projector modes, the snippet) and `export` (the downloads).
//!
//! Modules lower in this list never import those above them.

mod app;
pub(crate) mod embed;
pub(crate) mod export;
pub mod frames;
pub mod input;
pub mod layout;
pub mod maps;
pub mod player;
pub mod render;
pub mod state;
pub(crate) mod video;

pub use app::start;
pub use input::stats;
pub use state::{report, Change, Page, Shared, Shell, State, Track};
