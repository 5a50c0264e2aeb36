//! The convlens page (placeholder while the page is built).
pub mod pipeline;
pub mod settings;
