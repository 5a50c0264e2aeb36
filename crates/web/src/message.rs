//! What the page says about failures and the input: every message as a value, said in
//! the language in use when shown and said again on a language switch.
//!
//! Pure Rust, tested natively. The templates are in [`crate::i18n`] (`msg_` keys); the
//! core's errors and the settings' refusals are rendered there and in
//! [`crate::settings`].

use convlens_core::Error;

use crate::i18n::{fill, Texts};
use crate::settings::{Sample, SettingsError};

/// Why the webcam could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraProblem {
    /// The browser has no camera API here (not https or localhost).
    NoAccess,
    /// The user or the browser refused the permission.
    Refused,
    /// There is no camera.
    NotFound,
    /// The camera stopped.
    Stopped,
    /// It failed in another way.
    NotOpened,
    /// It stopped sending frames.
    NoFrames,
}

impl CameraProblem {
    /// The problem a `getUserMedia` rejection (its name and message) tells of.
    pub fn of(detail: &str) -> CameraProblem {
        if detail.contains("NotAllowed") {
            CameraProblem::Refused
        } else if detail.contains("NotFound") || detail.contains("Overconstrained") {
            CameraProblem::NotFound
        } else if detail.contains("stopped") {
            CameraProblem::Stopped
        } else {
            CameraProblem::NotOpened
        }
    }

    fn text(self, t: &Texts) -> &'static str {
        match self {
            CameraProblem::NoAccess => t.msg_no_camera_access,
            CameraProblem::Refused => t.msg_camera_refused,
            CameraProblem::NotFound => t.msg_camera_not_found,
            CameraProblem::Stopped => t.msg_camera_stopped,
            CameraProblem::NotOpened => t.msg_camera_not_opened,
            CameraProblem::NoFrames => t.msg_camera_no_frames,
        }
    }
}

/// A message of the page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// A failure of the core, as a sentence.
    Error(Error),
    /// Settings that do not fit the input; the last good map stays.
    LastValidOutput(Error),
    /// A kernel cell that cannot be used; the last good kernel stays.
    LastValidKernel(Error),
    /// A grid cell that cannot be used; the grid keeps its values.
    LastValidGrid(Error),
    /// A setting was refused (the URL or a control).
    Setting(SettingsError),
    /// A failure of the browser's side (its own English text, as the browser gave it).
    WentWrong(String),
    /// The face detector's module or weights could not be loaded (the browser's text).
    DetectorFailed(String),
    /// A bug (a panic), with Rust's description of it.
    Bug(String),
    /// The browser is asked for the camera.
    CameraAsking,
    /// The camera runs.
    CameraOn,
    /// The camera could not be used; `detail` is the browser's text.
    CameraFailed {
        /// What went wrong.
        problem: CameraProblem,
        /// The browser's own words.
        detail: String,
    },
    /// Something other than a file was dropped.
    DropImages,
    /// A file that is not an image.
    NotImage {
        /// Its name.
        name: String,
        /// Its MIME type.
        kind: String,
    },
    /// An image the browser could not decode; `previous` if another image stays.
    Unreadable {
        /// Its name.
        name: String,
        /// Whether the previous image stays on screen.
        previous: bool,
    },
    /// An image of no pixels.
    NoPixels {
        /// Its name.
        name: String,
    },
    /// A large image scaled down (a notice, not an error).
    ScaledDown {
        /// Its name.
        name: String,
        /// Its size, width and height.
        size: (u32, u32),
        /// The size it was scaled to.
        scaled: (u32, u32),
    },
    /// The step-by-step view has no window position (nothing to export).
    NoPositions,
    /// The kernel is a learned first-layer filter (a notice): its number from 1 and
    /// the training step.
    LearnedKernel {
        /// Its number, from 1.
        index: usize,
        /// The steps trained.
        step: u64,
        /// Its weights as the kernel cells hold them (the note goes when they change).
        weights: Vec<String>,
    },
}

impl From<SettingsError> for Message {
    fn from(error: SettingsError) -> Self {
        Message::Setting(error)
    }
}

impl Message {
    /// The message in the language of `t`.
    pub fn text(&self, t: &Texts) -> String {
        let name = |template: &str, name: &String| fill(template, &[("name", name)]);
        match self {
            Message::Error(error) => fill(t.msg_sentence, &[("why", &t.error(error))]),
            Message::LastValidOutput(error) => {
                fill(t.msg_last_valid_output, &[("why", &t.error(error))])
            }
            Message::LastValidKernel(error) => {
                fill(t.msg_last_valid_kernel, &[("why", &t.error(error))])
            }
            Message::LastValidGrid(error) => {
                fill(t.msg_last_valid_grid, &[("why", &t.error(error))])
            }
            Message::Setting(error) => error.text(t),
            Message::WentWrong(why) => fill(t.msg_went_wrong, &[("why", why)]),
            Message::DetectorFailed(why) => fill(t.msg_detector_failed, &[("why", why)]),
            Message::Bug(detail) => fill(t.msg_bug, &[("detail", detail)]),
            Message::CameraAsking => t.msg_camera_asking.into(),
            Message::CameraOn => t.msg_camera_on.into(),
            Message::CameraFailed { problem, detail } => fill(
                t.msg_camera_failed,
                &[("why", &problem.text(t)), ("detail", detail)],
            ),
            Message::DropImages => t.msg_drop_images.into(),
            Message::NotImage { name, kind } => {
                fill(t.msg_not_image, &[("name", name), ("type", kind)])
            }
            Message::Unreadable { name: n, previous } => name(
                if *previous {
                    t.msg_unreadable_previous
                } else {
                    t.msg_unreadable
                },
                n,
            ),
            Message::NoPixels { name: n } => name(t.msg_no_pixels, n),
            Message::ScaledDown { name, size, scaled } => fill(
                t.msg_scaled_down,
                &[
                    ("name", name),
                    ("width", &size.0),
                    ("height", &size.1),
                    ("scaled_width", &scaled.0),
                    ("scaled_height", &scaled.1),
                ],
            ),
            Message::NoPositions => t.msg_no_positions.into(),
            Message::LearnedKernel { index, step, .. } => {
                fill(t.msg_learned_kernel, &[("index", index), ("step", step)])
            }
        }
    }
}

/// What the input is, for its caption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputLabel {
    /// A built-in photo.
    Photo(Sample),
    /// A file the user opened, by its name.
    Upload(String),
    /// The webcam.
    Webcam,
}

impl InputLabel {
    /// The label in the language of `t`.
    pub fn text(&self, t: &Texts) -> String {
        match self {
            InputLabel::Photo(sample) => fill(t.msg_photo, &[("what", &t.noun(sample.name()))]),
            InputLabel::Upload(name) => fill(t.msg_your_image, &[("name", name)]),
            InputLabel::Webcam => t.msg_webcam.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, RU};

    #[test]
    fn messages_are_said_in_both_languages() {
        let error = Error::SameNeedsStrideOne { stride: (2, 2) };
        let message = Message::LastValidOutput(error.clone());
        assert_eq!(
            message.text(&EN),
            format!("{error}. The last valid output is still shown.")
        );
        assert!(message
            .text(&RU)
            .starts_with("отступ 'same' сохраняет размер только при шаге 1"));
        let camera = Message::CameraFailed {
            problem: CameraProblem::of("NotAllowedError: Permission denied"),
            detail: "NotAllowedError: Permission denied".into(),
        };
        assert!(camera
            .text(&RU)
            .starts_with("Веб-камера: доступ к камере запрещён"));
        assert_eq!(
            InputLabel::Photo(Sample::Astronaut).text(&RU),
            "Фото «астронавт»"
        );
        assert_eq!(
            InputLabel::Upload("a.png".into()).text(&EN),
            "Your image 'a.png'"
        );
    }
}
