//! Keyboard shortcuts for what a lecturer changes live: one table, read both by the key
//! handler and by the help overlay, so the two never disagree.

use convlens_core::{Channels, Preset};

use crate::i18n::Texts;
use crate::settings::{PaddingChoice, Settings};

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show or hide the list of shortcuts.
    Help,
    /// The next (or, with `false`, previous) kernel preset.
    Kernel(bool),
    /// Stride 1, 2, 3, then 1 again.
    Stride,
    /// Padding 0, 1, same, valid, then 0 again.
    Padding,
    /// Dilation 1, 2, 3, then 1 again.
    Dilation,
    /// Channels all, R, G, B, gray, then all again.
    Channel,
    /// The view at this place of the tabs (0 is the first).
    View(usize),
    /// Play or pause the step-by-step animation.
    Play,
    /// One window position back (`false`) or forward (`true`).
    Step(bool),
    /// Freeze or resume the webcam.
    Freeze,
    /// Projector mode on or off.
    Projector,
}

/// What a key does, in words of a language.
pub type Describe = fn(&Texts) -> &'static str;

/// Every shortcut: the key (as `KeyboardEvent.key` gives it), what it does, and that in
/// words (from [`crate::i18n`]).
pub const SHORTCUTS: [(&str, Action, Describe); 11] = [
    ("?", Action::Help, |t| t.shortcut_help),
    ("k", Action::Kernel(true), |t| t.shortcut_next_kernel),
    ("K", Action::Kernel(false), |t| t.shortcut_previous_kernel),
    ("s", Action::Stride, |t| t.shortcut_stride),
    ("p", Action::Padding, |t| t.shortcut_padding),
    ("d", Action::Dilation, |t| t.shortcut_dilation),
    ("c", Action::Channel, |t| t.shortcut_channels),
    (" ", Action::Play, |t| t.shortcut_play),
    (",", Action::Step(false), |t| t.shortcut_step),
    ("f", Action::Freeze, |t| t.shortcut_freeze),
    ("P", Action::Projector, |t| t.shortcut_projector),
];

/// The keys that open the views: `1` the first tab, `2` the second, ..., `0` the tenth.
pub const VIEW_KEYS: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

/// The action bound to `key`, if any (`.` is the forward step, digits open views).
pub fn action(key: &str) -> Option<Action> {
    if key == "." {
        return Some(Action::Step(true));
    }
    if let Some(index) = VIEW_KEYS.iter().position(|k| *k == key) {
        return (index < crate::views::all().len()).then_some(Action::View(index));
    }
    SHORTCUTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, action, _)| *action)
}

/// Applies a settings action (kernel, stride, padding, dilation, channel, view) and
/// says whether it did; the others are the page's to carry out.
pub fn apply(settings: &mut Settings, action: Action) -> bool {
    let cycle = |value: usize, values: &[usize]| {
        let at = values.iter().position(|&v| v == value).map_or(0, |i| i + 1);
        values[at % values.len()]
    };
    match action {
        Action::Kernel(forward) => {
            let current = match settings.kernel {
                crate::settings::KernelChoice::Preset(preset) => {
                    Preset::ALL.iter().position(|&p| p == preset)
                }
                crate::settings::KernelChoice::Custom(_) => None,
            };
            let count = Preset::ALL.len();
            let next = match (current, forward) {
                (Some(i), true) => (i + 1) % count,
                (Some(i), false) => (i + count - 1) % count,
                (None, _) => 0,
            };
            settings.kernel = crate::settings::KernelChoice::Preset(Preset::ALL[next]);
        }
        Action::Stride => settings.stride = cycle(settings.stride, &[1, 2, 3]),
        Action::Dilation => settings.dilation = cycle(settings.dilation, &[1, 2, 3]),
        Action::Padding => {
            settings.padding = match settings.padding {
                PaddingChoice::Pixels(0) => PaddingChoice::Pixels(1),
                PaddingChoice::Pixels(1) => PaddingChoice::Same,
                PaddingChoice::Same => PaddingChoice::Valid,
                _ => PaddingChoice::Pixels(0),
            }
        }
        Action::Channel => {
            let at = Channels::ALL
                .iter()
                .position(|&c| c == settings.channel)
                .map_or(0, |i| i + 1);
            settings.channel = Channels::ALL[at % Channels::ALL.len()];
        }
        Action::View(index) => match crate::views::all().get(index) {
            Some(view) => settings.view = view.name(),
            None => return false,
        },
        Action::Projector => settings.projector = !settings.projector,
        Action::Help | Action::Play | Action::Step(_) | Action::Freeze => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cycle_the_settings() {
        let mut settings = Settings::default();
        assert!(apply(&mut settings, action("k").unwrap()));
        assert_eq!(settings.kernel.name(), "blur");
        apply(&mut settings, action("K").unwrap());
        apply(&mut settings, action("K").unwrap());
        assert_eq!(settings.kernel.name(), "lecture-example");
        for expected in [2, 3, 1] {
            apply(&mut settings, Action::Stride);
            assert_eq!(settings.stride, expected);
        }
        for expected in [
            PaddingChoice::Pixels(1),
            PaddingChoice::Same,
            PaddingChoice::Valid,
            PaddingChoice::Pixels(0),
        ] {
            apply(&mut settings, Action::Padding);
            assert_eq!(settings.padding, expected);
        }
        apply(&mut settings, action("c").unwrap());
        assert_eq!(settings.channel, Channels::Red);
        apply(&mut settings, action("6").unwrap());
        assert_eq!(settings.view, "stack");
        assert_eq!(action("."), Some(Action::Step(true)));
        assert!(!apply(&mut settings, Action::Freeze));
        assert_eq!(action("x"), None);
        assert!(apply(&mut settings, action("P").unwrap()));
        assert!(settings.projector);
    }
}
