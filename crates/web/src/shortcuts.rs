//! Keyboard shortcuts for what a lecturer changes live: one table, read both by the key
//! handler and by the help overlay, so the two never disagree.

use convlens_core::{Channels, Preset};

use crate::settings::{PaddingChoice, Settings, View};

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
    /// One of the views.
    View(View),
    /// Play or pause the step-by-step animation.
    Play,
    /// One window position back (`false`) or forward (`true`).
    Step(bool),
    /// Freeze or resume the webcam.
    Freeze,
    /// Projector mode on or off.
    Projector,
}

/// Every shortcut: the key (as `KeyboardEvent.key` gives it) and what it does, in words.
pub const SHORTCUTS: [(&str, Action, &str); 17] = [
    ("?", Action::Help, "show or hide this list"),
    ("k", Action::Kernel(true), "next kernel"),
    ("K", Action::Kernel(false), "previous kernel"),
    ("s", Action::Stride, "stride 1 → 2 → 3"),
    ("p", Action::Padding, "padding 0 → 1 → same → valid"),
    ("d", Action::Dilation, "dilation 1 → 2 → 3"),
    ("c", Action::Channel, "channels all → R → G → B → gray"),
    ("1", Action::View(View::Conv), "convolution"),
    ("2", Action::View(View::Pool), "pooling"),
    ("3", Action::View(View::Steps), "step by step"),
    ("4", Action::View(View::OneD), "1D"),
    ("5", Action::View(View::Channels), "channels and 1×1"),
    ("6", Action::View(View::Stack), "layer stack"),
    (" ", Action::Play, "play or pause the steps"),
    (
        ",",
        Action::Step(false),
        "one step back (then . one step forward)",
    ),
    ("f", Action::Freeze, "freeze or resume the webcam"),
    (
        "P",
        Action::Projector,
        "projector mode: large type, thick lines",
    ),
];

/// The action bound to `key`, if any (`.` is the forward step).
pub fn action(key: &str) -> Option<Action> {
    if key == "." {
        return Some(Action::Step(true));
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
        Action::View(view) => settings.view = view,
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
        assert_eq!(settings.view, View::Stack);
        assert_eq!(action("."), Some(Action::Step(true)));
        assert!(!apply(&mut settings, Action::Freeze));
        assert_eq!(action("x"), None);
        assert!(apply(&mut settings, action("P").unwrap()));
        assert!(settings.projector);
    }
}
