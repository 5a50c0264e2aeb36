//! A view's animation player: the Play / Pause button and the timer that moves the view
//! one position on at each tick, stopping at the last (the step-by-step view's windows,
//! the transposed view's stamps). A view names its [`Track`] in `Page::track`; the
//! shell sends it the Space, `,` and `.` keys, stops it when another view opens and
//! writes its button again when the language changes.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlSelectElement};

use crate::dom::{by_id, window, PageResult};
use crate::i18n::t;
use crate::shell::{report, Change, Shell, State, Track};

/// The running timer, while it plays.
#[derive(Default)]
struct Player {
    running: Option<(i32, Closure<dyn FnMut()>)>,
    /// The last stopped timer's closure: a timer may stop itself from inside its own
    /// closure, which must outlive that call.
    retired: Option<Closure<dyn FnMut()>>,
}

impl Track {
    /// The delay between positions without a speed control.
    pub const DELAY: i32 = 800;

    /// Whether it plays.
    pub fn playing(&self, state: &State) -> bool {
        state
            .part_ref::<Player>(self.part)
            .is_some_and(|p| p.running.is_some())
    }

    /// Plays or pauses (the Play button, the Space key).
    ///
    /// # Errors
    /// A missing element.
    pub fn toggle(&'static self, shell: &Shell) -> PageResult {
        if self.playing(&shell.state.borrow()) {
            self.stop(shell)
        } else {
            self.start(shell)
        }
    }

    /// Moves one position forward or back, stopping the player (Next, Back, the `.` and
    /// `,` keys).
    ///
    /// # Errors
    /// A missing element.
    pub fn step(&self, shell: &Shell, forward: bool) -> PageResult<Change> {
        self.stop(shell)?;
        let mut state = shell.state.borrow_mut();
        let (at, count) = (self.position)(&state.settings);
        let at = at.min(count.saturating_sub(1));
        let next = if forward {
            (at + 1).min(count.saturating_sub(1))
        } else {
            at.saturating_sub(1)
        };
        (self.go)(&mut state.settings, next);
        Ok(Change::Settings)
    }

    fn start(&'static self, shell: &Shell) -> PageResult {
        let delay = match self.speed {
            Some(id) => by_id::<HtmlSelectElement>(id)?
                .value()
                .parse()
                .unwrap_or(Self::DELAY),
            None => Self::DELAY,
        };
        // Playing from the last position starts over.
        let (at, count) = (self.position)(&shell.state.borrow().settings);
        if at + 1 >= count {
            (self.go)(&mut shell.state.borrow_mut().settings, 0);
            shell.apply(Change::Settings)?;
        }
        let ticking = shell.clone();
        let tick = Closure::<dyn FnMut()>::new(move || {
            let (at, count) = (self.position)(&ticking.state.borrow().settings);
            report(if at + 1 >= count {
                self.stop(&ticking)
            } else {
                (self.go)(&mut ticking.state.borrow_mut().settings, at + 1);
                ticking.apply(Change::Settings)
            });
        });
        let interval = window()?.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            delay,
        )?;
        shell.state.borrow_mut().part::<Player>(self.part).running = Some((interval, tick));
        self.face(true)
    }

    /// Stops the timer, if it runs (another view opened, a step by hand).
    ///
    /// # Errors
    /// A missing element.
    pub fn stop(&self, shell: &Shell) -> PageResult {
        let running = shell
            .state
            .borrow_mut()
            .part::<Player>(self.part)
            .running
            .take();
        if let Some((interval, tick)) = running {
            window()?.clear_interval_with_handle(interval);
            shell.state.borrow_mut().part::<Player>(self.part).retired = Some(tick);
        }
        self.face(false)
    }

    /// The button's face and state, in the language in use.
    ///
    /// # Errors
    /// A missing button.
    pub fn face(&self, playing: bool) -> PageResult {
        let button: HtmlElement = by_id(self.button)?;
        button.set_attribute("aria-pressed", if playing { "true" } else { "false" })?;
        button.set_text_content(Some(if playing { t().pause } else { t().play }));
        Ok(())
    }
}
