//! The frame meter: how long one frame takes, split into grabbing the frame, computing
//! the map and drawing it, and how many frames a second arrive. Plain Rust, so it is
//! tested natively; the page feeds it `performance.now()` readings.

use crate::i18n::{fill, t};

/// How many recent frames the averages cover.
pub const WINDOW: usize = 30;

/// One frame's timings in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Video element to the module's frame buffer (0 for a still photo).
    pub grab: f64,
    /// Frame buffer to feature map.
    pub compute: f64,
    /// Feature map to the canvas.
    pub draw: f64,
}

impl Timings {
    /// The whole per-frame path.
    pub fn total(&self) -> f64 {
        self.grab + self.compute + self.draw
    }
}

/// A ring of the last [`WINDOW`] frames. Fixed size: recording never allocates.
#[derive(Debug, Clone)]
pub struct Meter {
    timings: [Timings; WINDOW],
    /// When each of those frames started (ms), for the frame rate.
    starts: [f64; WINDOW],
    /// Frames recorded since the meter was made or reset.
    count: usize,
}

impl Default for Meter {
    fn default() -> Self {
        Meter {
            timings: [Timings::default(); WINDOW],
            starts: [0.0; WINDOW],
            count: 0,
        }
    }
}

/// The averages the page shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Mean timings over the recent frames.
    pub mean: Timings,
    /// The slowest recent frame's whole path.
    pub worst: f64,
    /// Frames per second over the recent frames (0 until two frames are in).
    pub fps: f64,
    /// Frames recorded in all.
    pub frames: usize,
}

impl Meter {
    /// Records a frame that started at `start` (ms). Non-finite or negative readings
    /// count as 0 (a clock can misbehave; the meter must not).
    pub fn record(&mut self, start: f64, timings: Timings) {
        let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
        let slot = self.count % WINDOW;
        self.timings[slot] = Timings {
            grab: clean(timings.grab),
            compute: clean(timings.compute),
            draw: clean(timings.draw),
        };
        self.starts[slot] = clean(start);
        self.count += 1;
    }

    /// Forgets every frame (when the input changes from video to photo or back).
    pub fn reset(&mut self) {
        self.count = 0;
    }

    /// Averages over the recent frames.
    pub fn summary(&self) -> Summary {
        let n = self.count.min(WINDOW);
        if n == 0 {
            return Summary::default();
        }
        let recent = || (0..n).map(|i| self.timings[(self.count - 1 - i) % WINDOW]);
        let mean = |f: fn(&Timings) -> f64| recent().map(|t| f(&t)).sum::<f64>() / n as f64;
        let newest = self.starts[(self.count - 1) % WINDOW];
        let oldest = self.starts[(self.count - n) % WINDOW];
        let fps = if n > 1 && newest > oldest {
            (n - 1) as f64 * 1000.0 / (newest - oldest)
        } else {
            0.0
        };
        Summary {
            mean: Timings {
                grab: mean(|t| t.grab),
                compute: mean(|t| t.compute),
                draw: mean(|t| t.draw),
            },
            worst: recent().map(|t| t.total()).fold(0.0, f64::max),
            fps,
            frames: self.count,
        }
    }
}

impl Summary {
    /// One line for the page, e.g. `grab 1.2 + compute 2.5 + draw 0.8 = 4.5 ms a frame
    /// (worst 6.1) · 60 frames/s · integer 3x3`, in the page's language.
    pub fn line(&self, path: &str) -> String {
        let ms = |v: f64| format!("{v:.1}");
        let texts = t();
        let mut line = fill(
            texts.meter_line,
            &[
                ("grab", &ms(self.mean.grab)),
                ("compute", &ms(self.mean.compute)),
                ("draw", &ms(self.mean.draw)),
                ("total", &ms(self.mean.total())),
                ("worst", &ms(self.worst)),
            ],
        );
        if self.fps > 0.0 {
            line += &fill(texts.meter_rate, &[("fps", &format!("{:.0}", self.fps))]);
        }
        if !path.is_empty() {
            line += " · ";
            line += algorithm(path);
        }
        line
    }
}

/// The name of the algorithm that computed a map (`FrameConv::path`, or the
/// step-by-step `conv2d` / `pool2d`), in the page's language.
pub fn algorithm(path: &str) -> &str {
    let texts = t();
    match path {
        "integer 3x3" => texts.path_integer_3x3,
        "integer" => texts.path_integer,
        "separable" => texts.path_separable,
        "box" => texts.path_box,
        "general" => texts.path_general,
        "pooling" => texts.path_pooling,
        other => other,
    }
}

/// The two ways the page grabs a webcam frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grab {
    /// WebCodecs' `VideoFrame.copyTo`, straight to RGBA bytes.
    VideoFrame,
    /// Drawing the video on the input canvas and reading it back (`getImageData`).
    Canvas,
}

impl Grab {
    /// The name the meter's `data-grab-by` attribute carries.
    pub fn name(self) -> &'static str {
        match self {
            Grab::VideoFrame => "videoframe",
            Grab::Canvas => "canvas",
        }
    }
}

/// Picks the faster way to grab webcam frames in this browser, by timing both: which is
/// faster differs (Chromium converts a `VideoFrame` to RGBA in under a millisecond, Firefox
/// 153 takes several times as long as its canvas path). Frames go one way until
/// [`GrabTrial::WARM`] + [`GrabTrial::FRAMES`] are in, then the other; the first `WARM`
/// of each are not counted; then the way with the lower mean stays.
#[derive(Debug, Clone, Default)]
pub struct GrabTrial {
    /// Frames seen and milliseconds counted, `VideoFrame` first, then canvas.
    seen: [(usize, f64); 2],
    chosen: Option<Grab>,
}

impl GrabTrial {
    /// Frames of each way not counted (the pipeline warming up).
    pub const WARM: usize = 10;
    /// Frames of each way counted.
    pub const FRAMES: usize = 30;

    /// The way to grab the next frame.
    pub fn next(&self) -> Grab {
        match self.chosen {
            Some(grab) => grab,
            None if self.seen[0].0 < Self::WARM + Self::FRAMES => Grab::VideoFrame,
            None => Grab::Canvas,
        }
    }

    /// The way chosen, once both are timed.
    pub fn chosen(&self) -> Option<Grab> {
        self.chosen
    }

    /// Records that a frame took `ms` of the page's time to grab `grab`'s way.
    pub fn record(&mut self, grab: Grab, ms: f64) {
        if self.chosen.is_some() {
            return;
        }
        let (seen, total) = &mut self.seen[usize::from(grab == Grab::Canvas)];
        *seen += 1;
        if *seen > Self::WARM {
            *total += ms;
        }
        let done = |(seen, _): (usize, f64)| seen >= Self::WARM + Self::FRAMES;
        if done(self.seen[0]) && done(self.seen[1]) {
            let mean = |(seen, total): (usize, f64)| total / (seen - Self::WARM) as f64;
            self.chosen = Some(if mean(self.seen[0]) <= mean(self.seen[1]) {
                Grab::VideoFrame
            } else {
                Grab::Canvas
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(grab: f64, compute: f64, draw: f64) -> Timings {
        Timings {
            grab,
            compute,
            draw,
        }
    }

    #[test]
    fn averages_the_recent_frames_and_counts_the_rate() {
        let mut meter = Meter::default();
        assert_eq!(meter.summary(), Summary::default());
        // 100 frames at 60 Hz; the last 30 take 1 + 2 + 3 ms, earlier ones 10 + 10 + 10.
        for i in 0..100 {
            let t = if i < 70 {
                frame(10.0, 10.0, 10.0)
            } else {
                frame(1.0, 2.0, 3.0)
            };
            meter.record(f64::from(i) * 1000.0 / 60.0, t);
        }
        let summary = meter.summary();
        assert_eq!(summary.frames, 100);
        assert_eq!(summary.mean, frame(1.0, 2.0, 3.0));
        assert_eq!(summary.worst, 6.0);
        assert!((summary.fps - 60.0).abs() < 1e-9, "{}", summary.fps);
        assert_eq!(
            summary.line("integer 3x3"),
            "grab 1.0 + compute 2.0 + draw 3.0 = 6.0 ms a frame (worst 6.0) · 60 frames/s · \
             integer 3x3"
        );
        crate::i18n::set(crate::i18n::Lang::Ru);
        let russian = summary.line("box");
        crate::i18n::set(crate::i18n::Lang::En);
        assert_eq!(
            russian,
            "захват 1.0 + вычисление 2.0 + отрисовка 3.0 = 6.0 мс на кадр (худший 6.0) · 60 \
             кадров/с · box (скользящие суммы)"
        );
    }

    #[test]
    fn a_single_frame_has_no_rate_and_bad_clocks_count_as_zero() {
        let mut meter = Meter::default();
        meter.record(f64::NAN, frame(f64::INFINITY, -1.0, 2.0));
        let summary = meter.summary();
        assert_eq!(summary.mean, frame(0.0, 0.0, 2.0));
        assert_eq!(summary.fps, 0.0);
        assert!(!summary.line("general").contains("frames/s"));
        meter.reset();
        assert_eq!(meter.summary().frames, 0);
    }

    /// Runs a trial where a `VideoFrame` grab takes `video` ms and a canvas grab `canvas`.
    fn trial(video: f64, canvas: f64) -> GrabTrial {
        let mut trial = GrabTrial::default();
        for _ in 0..2 * (GrabTrial::WARM + GrabTrial::FRAMES) {
            let grab = trial.next();
            // The warm-up frames are slow either way and must not decide.
            let warm = trial.seen[usize::from(grab == Grab::Canvas)].0 < GrabTrial::WARM;
            let ms = if warm {
                100.0
            } else if grab == Grab::VideoFrame {
                video
            } else {
                canvas
            };
            assert_eq!(trial.chosen(), None);
            trial.record(grab, ms);
        }
        trial
    }

    #[test]
    fn the_grab_trial_times_both_ways_and_keeps_the_faster() {
        let chromium = trial(0.7, 2.4);
        assert_eq!(chromium.chosen(), Some(Grab::VideoFrame));
        assert_eq!(chromium.next(), Grab::VideoFrame);
        let firefox = trial(13.0, 5.0);
        assert_eq!(firefox.chosen(), Some(Grab::Canvas));
        assert_eq!(firefox.next(), Grab::Canvas);
        // Chosen for good: later frames do not change it.
        let mut kept = firefox;
        for _ in 0..100 {
            kept.record(Grab::Canvas, 50.0);
        }
        assert_eq!(kept.chosen(), Some(Grab::Canvas));
        assert_eq!(
            (Grab::VideoFrame.name(), Grab::Canvas.name()),
            ("videoframe", "canvas")
        );
    }

    #[test]
    fn the_grab_trial_goes_videoframe_first_then_canvas() {
        let mut trial = GrabTrial::default();
        let mut order = Vec::new();
        while trial.chosen().is_none() {
            let grab = trial.next();
            order.push(grab);
            trial.record(grab, 1.0);
        }
        let each = GrabTrial::WARM + GrabTrial::FRAMES;
        assert_eq!(order.len(), 2 * each);
        assert!(order[..each].iter().all(|&g| g == Grab::VideoFrame));
        assert!(order[each..].iter().all(|&g| g == Grab::Canvas));
        // A tie keeps VideoFrame (no canvas read-back of premultiplied pixels).
        assert_eq!(trial.chosen(), Some(Grab::VideoFrame));
    }
}
