//! The page's views, one module each, and the registry the shell dispatches through.
//!
//! A view is one [`View`]: its name in the URL (`view=conv`), its tab, its own URL
//! parameters (its part of the settings) and the shared ones it reads, its facts (pure
//! Rust, tested natively; the command-line tool and the test oracle call them), and in
//! the wasm32 build its drawing and its own event listeners, written against the
//! shell's public API (`crate::shell`, wasm32 only) only. Adding a view is adding a module here and
//! one line in [`BUILT_IN`]; a view in another crate calls [`register`] before the page
//! starts. `docs/views.md` says how, step by step.

use std::cell::RefCell;

use crate::i18n::Texts;
use crate::settings::{Settings, SettingsError};

pub mod blocks;
pub mod channels;
pub mod conv;
pub mod detect;
pub mod oned;
pub mod pool;
pub mod stack;
pub mod steps;
pub mod train;
pub mod transposed;
pub mod why;

/// One view of the page.
///
/// Settings: the shell's [`Settings`] holds what views share (the input, the lecture's
/// kernel, stride, padding, dilation and channels, pooling); a view's own parameters are
/// [`View::parameters`], read by [`View::set`] and written by [`View::describe`]. The
/// built-in views keep theirs in typed parts of [`Settings`] (`settings.steps`, ...); a
/// view from another crate keeps them in [`Settings::extra`] as the URL wrote them.
pub trait View: Sync {
    /// The name in the URL (`view=NAME`) and in element ids (`NAME-panels`).
    fn name(&self) -> &'static str;

    /// The tab's label.
    fn tab(&self, t: &Texts) -> &'static str;

    /// The view's own URL parameters, in the order the URL writes them.
    fn parameters(&self) -> &'static [&'static str] {
        &[]
    }

    /// The shared parameters the view reads: the embed snippet carries only these and
    /// the view's own, and the controls of the others are hidden.
    fn uses(&self) -> &'static [&'static str];

    /// The controls a lecturer most likely wants beside this view when embedding it.
    fn embed_controls(&self) -> &'static [&'static str];

    /// Sets one of [`View::parameters`] from its URL value.
    ///
    /// # Errors
    /// What is wrong with the value; the settings are then unchanged.
    fn set(&self, settings: &mut Settings, key: &str, value: &str) -> Result<(), SettingsError> {
        let _ = (settings, value);
        Err(SettingsError::UnknownParameter { key: key.into() })
    }

    /// One of [`View::parameters`] as the URL writes it.
    fn describe(&self, settings: &Settings, key: &str) -> String {
        settings.extra_value(key).unwrap_or_default().into()
    }

    /// Whether the URL leaves out one of [`View::parameters`] (a value at its default,
    /// so that every other view's links stay short).
    fn left_out(&self, settings: &Settings, key: &str) -> bool {
        let _ = (settings, key);
        false
    }

    /// Called when a URL opens this view, with the parameters the URL named: a view
    /// can start from its own defaults for settings the URL leaves out.
    fn opened(&self, settings: &mut Settings, named: &[String]) {
        let _ = (settings, named);
    }

    /// The shared settings the view does not read in its current settings (the steps
    /// view sliding max pooling reads no kernel): their controls are hidden too.
    fn hides(&self, settings: &Settings) -> &'static [&'static str] {
        let _ = settings;
        &[]
    }

    /// Panels of the page shown or hidden by the view's settings (by element id): `true`
    /// hides it.
    fn hidden_panels(&self, settings: &Settings) -> Vec<(&'static str, bool)> {
        let _ = settings;
        Vec::new()
    }

    /// Whether the view draws from the input image (and so shows the input's controls).
    fn uses_image(&self) -> bool {
        self.uses().contains(&"image")
    }

    /// Whether the view follows a live webcam frame by frame (the others take the
    /// frame shown when they open).
    fn follows_video(&self) -> bool {
        false
    }

    /// The page part of the view (wasm32 only).
    #[cfg(target_arch = "wasm32")]
    fn page(&self) -> &dyn crate::shell::Page;
}

/// The built-in views, in tab order: the registry. A new view is one more line here.
pub const BUILT_IN: [&dyn View; 10] = [
    &conv::Conv,
    &pool::Pool,
    &steps::Steps,
    &oned::OneD,
    &channels::ChannelMixing,
    &stack::Stack,
    &blocks::Blocks,
    &transposed::Transposed,
    &train::Train,
    &detect::Detect,
];

thread_local! {
    static REGISTERED: RefCell<Vec<&'static dyn View>> = const { RefCell::new(Vec::new()) };
}

/// Adds a view from another crate after the built-in ones (before the page starts, so
/// that its URL parameters are read). A name already taken is ignored.
pub fn register(view: &'static dyn View) {
    if find(view.name()).is_none() {
        REGISTERED.with(|r| r.borrow_mut().push(view));
    }
}

/// Every view, in tab order.
pub fn all() -> Vec<&'static dyn View> {
    let mut views = BUILT_IN.to_vec();
    REGISTERED.with(|r| views.extend(r.borrow().iter().copied()));
    views
}

/// The view named `name`.
pub fn find(name: &str) -> Option<&'static dyn View> {
    all().into_iter().find(|v| v.name() == name)
}

/// The view the settings show (the first if its name is not registered).
pub fn of(settings: &Settings) -> &'static dyn View {
    find(settings.view).unwrap_or(BUILT_IN[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parameters_and_controls_are_known_and_unique() {
        let views = all();
        let mut names: Vec<&str> = views.iter().map(|v| v.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), views.len());
        let known = crate::settings::parameters();
        let mut own: Vec<&str> = views.iter().flat_map(|v| v.parameters()).copied().collect();
        let count = own.len();
        own.sort_unstable();
        own.dedup();
        assert_eq!(own.len(), count, "a parameter owned by two views");
        for view in views {
            for name in view.uses().iter().chain(view.embed_controls()) {
                assert!(known.contains(name), "{}: {name}", view.name());
            }
            assert!(!crate::i18n::EN
                .get("tab_conv")
                .unwrap_or_default()
                .is_empty());
            assert!(!view.tab(&crate::i18n::RU).is_empty());
        }
    }
}
