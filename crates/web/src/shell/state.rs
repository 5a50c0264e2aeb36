//! What the page holds between events, and the interface views are written against.
//!
//! One [`State`] lives behind an `Rc<RefCell<_>>` shared by the event listeners. A view
//! never calls the shell's dispatcher directly: its listeners (made with [`Shell::on`])
//! return a [`Change`], and the shell carries it out (write the URL, recompute, redraw)
//! through the function the shell's start put into [`Shell`].

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use convlens_core::Tensor;
use wasm_bindgen::prelude::*;
use web_sys::{EventTarget, HtmlImageElement, HtmlVideoElement, MediaStream};

use crate::dom::{listen, PageResult};
use crate::message::Message;
use crate::meter::{GrabTrial, Meter, Timings};
use crate::pipeline::Frame;
use crate::settings::Settings;
use crate::shell::video::{Copying, VideoFrames};

/// What a change asks the shell to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing.
    None,
    /// The settings changed: write the URL, set the controls, recompute and redraw.
    Settings,
    /// The settings changed the input's source or size: load it again, then redraw.
    Source,
    /// Only what is drawn changed (a view's own pointer or selection): redraw.
    Redraw,
    /// The input frame's pixels changed: drop what was computed from the old ones and
    /// redraw.
    Frame,
    /// The selected cell changed: show it.
    Selection,
}

/// What a view's player moves: written once per view as a `static`.
#[derive(Debug)]
pub struct Track {
    /// The key of the player's part of the state (one per view, apart from the view's
    /// own part).
    pub part: &'static str,
    /// The Play / Pause button's id.
    pub button: &'static str,
    /// The id of a `select` holding the delay between positions in milliseconds; `None`
    /// for `Track::DELAY` (800 ms).
    pub speed: Option<&'static str>,
    /// The current position and the number of positions.
    pub position: fn(&Settings) -> (usize, usize),
    /// Moves to position `n` (from 0; the view clamps it).
    pub go: fn(&mut Settings, usize),
}

/// The page part of a view: how it draws and what it listens to.
pub trait Page {
    /// Wires the view's own elements, once when the page starts.
    ///
    /// # Errors
    /// A missing element.
    fn wire(&self, shell: &Shell) -> PageResult {
        let _ = shell;
        Ok(())
    }

    /// Recomputes and draws the view from the settings and the input frame. Invalid
    /// settings keep the last good picture and say why (with [`State::say`]).
    ///
    /// # Errors
    /// The page's own failures (a missing element).
    fn draw(&self, state: &mut State) -> PageResult;

    /// Draws a live webcam frame straight from its bytes, between full frames: true if
    /// it did, false when the whole way ([`Page::draw`]) is due.
    ///
    /// # Errors
    /// The page's own failures.
    fn live(&self, state: &mut State) -> PageResult<bool> {
        let _ = state;
        Ok(false)
    }

    /// Shows the selected output cell (the outline on the input and its arithmetic).
    ///
    /// # Errors
    /// The page's own failures.
    fn select(&self, state: &State) -> PageResult {
        let _ = state;
        Ok(())
    }

    /// Another view is opened: stop whatever runs (a timer).
    ///
    /// # Errors
    /// The page's own failures.
    fn close(&self, shell: &Shell) -> PageResult {
        let _ = shell;
        Ok(())
    }

    /// The view's animation player, if it has one ([`crate::shell::player`]): the
    /// Space key plays or pauses it, `,` and `.` step it, and opening another view
    /// stops it.
    fn track(&self) -> Option<&'static Track> {
        None
    }

    /// The language changed: say again what the view wrote outside [`Page::draw`].
    ///
    /// # Errors
    /// The page's own failures.
    fn language(&self, state: &State) -> PageResult {
        let _ = state;
        Ok(())
    }

    /// The id of the canvas holding the view's map, for the downloads.
    fn map_canvas(&self) -> Option<&'static str> {
        None
    }
}

/// The webcam, while it runs.
#[derive(Default)]
pub struct Camera {
    /// The stream.
    pub stream: Option<MediaStream>,
    /// The video element showing it.
    pub video: Option<HtmlVideoElement>,
    /// Whether the frame shown is frozen.
    pub frozen: bool,
    /// The requestAnimationFrame loop's closure, while the camera runs.
    pub tick: Option<Rc<Closure<dyn FnMut()>>>,
}

/// Everything the page holds between events.
pub struct State {
    /// The controls' values.
    pub settings: Settings,
    /// The current input frame (scaled to `settings.size`).
    pub frame: Frame,
    /// Counts input frames, so cached results know which frame they belong to.
    pub frame_id: u32,
    /// The frame as a tensor of the selected channels, cached between redraws.
    pub input: Option<Tensor>,
    /// Reused RGBA buffer for drawing maps.
    pub rgba: Vec<u8>,
    /// The output cell under the pointer or keyboard focus.
    pub selected: Option<(usize, usize)>,
    /// The decoded image behind the frame (sample or upload) and its name, kept to
    /// rescale it.
    pub image: Option<(HtmlImageElement, String)>,
    /// Counts image loads, so a slow load never replaces a newer one.
    pub load_generation: u32,
    /// The webcam.
    pub camera: Camera,
    /// Notices about the input or the URL (shown until the next change of input).
    pub notices: Vec<Message>,
    /// Whether the frame being drawn is a live webcam frame.
    pub live: bool,
    /// When the last full frame was drawn, and its size.
    pub full_frame: Option<(f64, usize, usize)>,
    /// The frame meter's recent frames, this frame's timings so far, and when the meter
    /// line was last written.
    pub meter: Meter,
    /// This frame's timings so far.
    pub timings: Timings,
    /// When the meter line was last written.
    pub meter_written: f64,
    /// The algorithm that computed the last map, for the frame meter.
    pub path: &'static str,
    /// Webcam frames by `VideoFrame.copyTo`: the buffers, the copy in flight (with the
    /// page's time spent starting it), the callbacks (made once, kept for the page's
    /// life), and whether this browser failed at it (then the canvas path is used).
    pub video_frames: Option<VideoFrames>,
    /// The copy in flight.
    pub copying: Option<(Copying, f64)>,
    /// The copy's callbacks.
    pub on_copy: Option<(Callback, Callback)>,
    /// Whether `VideoFrame.copyTo` failed here.
    pub video_frames_failed: bool,
    /// A kernel cell that cannot be read, `(row, column, message)`: its message stays
    /// until the cell is fixed or the kernel replaced.
    pub cell_problem: Option<(usize, usize, Message)>,
    /// The kernel before the step-by-step view opened on the lecture's example, given
    /// back when it closes.
    pub kernel_before: Option<crate::settings::KernelChoice>,
    /// Times both ways of grabbing webcam frames and keeps the faster.
    pub grab_trial: GrabTrial,
    /// The settings before a view changed them itself (the training view opening the
    /// convolution view): the dispatcher does what follows, as for a control.
    pub changed_from: Option<Settings>,
    /// The views' own state, by view name ([`State::part`]).
    parts: Vec<(&'static str, Box<dyn Any>)>,
}

/// A promise's callback.
pub type Callback = Closure<dyn FnMut(JsValue)>;

impl State {
    /// A state for `settings`, before any input.
    pub fn new(settings: Settings, notices: Vec<Message>) -> Self {
        State {
            settings,
            frame: Frame::default(),
            frame_id: 0,
            input: None,
            rgba: Vec::new(),
            selected: None,
            image: None,
            load_generation: 0,
            camera: Camera::default(),
            notices,
            live: false,
            full_frame: None,
            meter: Meter::default(),
            timings: Timings::default(),
            meter_written: f64::NEG_INFINITY,
            path: "",
            video_frames: None,
            copying: None,
            on_copy: None,
            video_frames_failed: false,
            cell_problem: None,
            kernel_before: None,
            grab_trial: GrabTrial::default(),
            changed_from: None,
            parts: Vec::new(),
        }
    }

    /// A view's own state (made with `T::default()` the first time): what it keeps
    /// between redraws (its last good map, a timer, a chosen cell).
    pub fn part<T: Default + 'static>(&mut self, view: &'static str) -> &mut T {
        let at = match self
            .parts
            .iter()
            .position(|(name, part)| *name == view && part.is::<T>())
        {
            Some(at) => at,
            None => {
                self.parts.retain(|(name, _)| *name != view);
                self.parts.push((view, Box::new(T::default())));
                self.parts.len() - 1
            }
        };
        match self.parts[at].1.downcast_mut::<T>() {
            Some(part) => part,
            None => unreachable!("the part at {at} was just checked to be a T"),
        }
    }

    /// A view's own state, if it has any yet.
    pub fn part_ref<T: 'static>(&self, view: &'static str) -> Option<&T> {
        self.parts
            .iter()
            .find(|(name, _)| *name == view)
            .and_then(|(_, part)| part.downcast_ref::<T>())
    }

    /// The input frame as a tensor of the selected channels (cached).
    ///
    /// # Errors
    /// A frame whose buffer does not match its size.
    pub fn input(&mut self) -> convlens_core::Result<&Tensor> {
        let input = match self.input.take() {
            Some(input) => input,
            None => crate::pipeline::input_tensor(&self.frame, self.settings.channel)?,
        };
        Ok(self.input.insert(input))
    }

    /// Shows a message about the view (`None` clears it).
    ///
    /// # Errors
    /// A missing element.
    pub fn say(&self, message: Option<Message>) -> PageResult {
        // An unreadable kernel cell is said until it is fixed.
        let standing = self.cell_problem.as_ref().map(|(_, _, m)| m.clone());
        crate::shell::render::message(message.or(standing))
    }
}

/// The state shared by the listeners.
pub type Shared = Rc<RefCell<State>>;

/// What a view's listeners get: the state and the way to ask for a change.
#[derive(Clone)]
pub struct Shell {
    /// The page's state.
    pub state: Shared,
    changed: fn(&Shell, Change) -> PageResult,
}

impl Shell {
    /// A shell over `state` whose changes `changed` carries out (the shell's start
    /// gives its dispatcher).
    pub fn new(state: Shared, changed: fn(&Shell, Change) -> PageResult) -> Self {
        Shell { state, changed }
    }

    /// Carries out `change`.
    ///
    /// # Errors
    /// The page's own failures.
    pub fn apply(&self, change: Change) -> PageResult {
        if change == Change::None {
            return Ok(());
        }
        (self.changed)(self, change)
    }

    /// Listens to `event` on `target` for the life of the page: `handler` gets the
    /// shell and the event and says what changed; failures are shown on the page.
    ///
    /// # Errors
    /// The browser refused the listener.
    pub fn on<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
        &self,
        target: &EventTarget,
        event: &str,
        mut handler: impl FnMut(&Shell, E) -> PageResult<Change> + 'static,
    ) -> PageResult {
        let shell = self.clone();
        listen(target, event, move |event: E| {
            report(handler(&shell, event).and_then(|change| shell.apply(change)));
        })
    }
}

/// Runs a handler step's result and shows any failure on the page rather than losing it.
pub fn report(result: PageResult) {
    if let Err(error) = result {
        let _ =
            crate::shell::render::message(Some(Message::WentWrong(crate::dom::describe(&error))));
    }
}

impl std::fmt::Debug for Camera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Camera").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell").finish_non_exhaustive()
    }
}
