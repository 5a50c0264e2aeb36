//! Where the input comes from: the built-in photos, an opened or dropped file, the
//! webcam (frames by `VideoFrame.copyTo`, or through a canvas), and the frame as the
//! views read it.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, DragEvent, Element, HtmlCanvasElement, HtmlImageElement,
    HtmlVideoElement, MediaStream, MediaStreamConstraints,
};

use crate::dom::{by_id, describe, document, js_error, listen, now, pixels, window, PageResult};
use crate::i18n::t;
use crate::message::{CameraProblem, InputLabel, Message};
use crate::meter::Grab;
use crate::pipeline::{self, Frame};
use crate::settings::{Sample, Source};
use crate::shell::render;
use crate::shell::state::{report, Camera, Change, Shell};
use crate::shell::video::VideoFrames;

type Tick = Rc<Closure<dyn FnMut()>>;

/// Webcam frames processed since the page started (read by [`stats`]).
static FRAMES: AtomicU32 = AtomicU32::new(0);

/// Counters for tests and the curious: webcam frames processed and the module's memory.
pub fn stats() -> PageResult<JsValue> {
    let stats = js_sys::Object::new();
    let memory = js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into())?;
    let bytes = js_sys::Reflect::get(&memory, &"byteLength".into())?;
    js_sys::Reflect::set(
        &stats,
        &"frames".into(),
        &FRAMES.load(Ordering::Relaxed).into(),
    )?;
    js_sys::Reflect::set(&stats, &"memoryBytes".into(), &bytes)?;
    Ok(stats.into())
}

/// The photo shown when nothing else can be.
const DEFAULT_PHOTO: &str = "samples/astronaut.png";

pub fn wire(shell: &Shell) -> PageResult {
    let panel: Element = by_id("input-panel")?;
    listen(&panel, "dragover", |event: DragEvent| {
        event.prevent_default()
    })?;
    let shared = shell.clone();
    listen(&panel, "drop", move |event: DragEvent| {
        event.prevent_default();
        let file = event
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0));
        match file {
            Some(file) => report(load_file(&shared, &file)),
            None => report(render::message(Some(Message::DropImages))),
        }
    })?;
    Ok(())
}

/// Loads the source the settings name: a sample photo, or the webcam.
pub fn load_source(shell: &Shell) -> PageResult {
    let source = shell.state.borrow().settings.source;
    match source {
        Source::Sample(sample) => {
            stop_camera(shell)?;
            load_url(
                shell,
                &format!("samples/{}.png", sample.name()),
                sample.name().into(),
            )
        }
        Source::Webcam => {
            // Show a photo while the browser asks for the camera (or if it never answers).
            if shell.state.borrow().frame.rgba.is_empty() {
                load_url(shell, DEFAULT_PHOTO, "astronaut".into())?;
            }
            start_camera(shell)
        }
        Source::Upload => {
            // Rescale the uploaded image already decoded.
            let image = shell.state.borrow().image.clone();
            match image {
                Some((image, name)) => use_image(shell, &image, &name),
                None => Ok(()),
            }
        }
    }
}

pub fn load_file(shell: &Shell, file: &web_sys::File) -> PageResult {
    let name = file.name();
    if !file.type_().starts_with("image/") && !file.type_().is_empty() {
        return render::message(Some(Message::NotImage {
            name,
            kind: file.type_(),
        }));
    }
    let url = web_sys::Url::create_object_url_with_blob(file)?;
    stop_camera(shell)?;
    shell.state.borrow_mut().settings.source = Source::Upload;
    load_url(shell, &url, name)
}

/// Decodes an image from `url` (the browser's decoder) and makes it the input.
fn load_url(shell: &Shell, url: &str, name: String) -> PageResult {
    let image = HtmlImageElement::new()?;
    let generation = {
        let mut state = shell.state.borrow_mut();
        state.load_generation += 1;
        state.load_generation
    };
    let on_load = {
        let shared = shell.clone();
        let image = image.clone();
        let name = name.clone();
        let url = url.to_string();
        Closure::once_into_js(move || {
            if url.starts_with("blob:") {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
            if shared.state.borrow().load_generation == generation {
                shared.state.borrow_mut().image = Some((image.clone(), name.clone()));
                report(use_image(&shared, &image, &name));
            }
        })
    };
    let on_error = {
        let shared = shell.clone();
        let failed_url = url.to_string();
        Closure::once_into_js(move || {
            if shared.state.borrow().load_generation != generation {
                return;
            }
            let previous = shared.state.borrow().image.is_some();
            report(render::message(Some(Message::Unreadable {
                name: name.clone(),
                previous,
            })));
            // Nothing shown yet: fall back to the default photo, unless that is what failed.
            if !previous && !failed_url.ends_with(DEFAULT_PHOTO) {
                shared.state.borrow_mut().settings.source = Source::Sample(Sample::Astronaut);
                report(load_source(&shared));
            }
        })
    };
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_onerror(Some(on_error.unchecked_ref()));
    image.set_src(url);
    Ok(())
}

/// [`pipeline::scaled_size`] in the browser's units.
fn scaled(width: u32, height: u32, size: usize) -> (u32, u32) {
    let (w, h) = pipeline::scaled_size(width as usize, height as usize, size);
    (w as u32, h as u32)
}

fn use_image(shell: &Shell, image: &HtmlImageElement, name: &str) -> PageResult {
    let (natural_w, natural_h) = (image.natural_width(), image.natural_height());
    if natural_w == 0 || natural_h == 0 {
        return render::message(Some(Message::NoPixels { name: name.into() }));
    }
    let size = shell.state.borrow().settings.size;
    let (width, height) = scaled(natural_w, natural_h, size);
    let mut notices = Vec::new();
    if size == 0 && (width, height) != (natural_w, natural_h) {
        notices.push(Message::ScaledDown {
            name: name.into(),
            size: (natural_w, natural_h),
            scaled: (width, height),
        });
    }
    let (canvas, context) = input_canvas(width, height)?;
    context.set_image_smoothing_enabled(true);
    // Transparent parts of an image show as white, not as the previous image.
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    context.draw_image_with_html_image_element_and_dw_and_dh(
        image,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let frame = grab(&context, &canvas)?;
    {
        let mut state = shell.state.borrow_mut();
        state
            .notices
            .retain(|n| !matches!(n, Message::ScaledDown { .. }));
        state.notices.extend(notices);
        render::notices(&state.notices)?;
        let label = match state.settings.source {
            Source::Sample(sample) => InputLabel::Photo(sample),
            _ => InputLabel::Upload(name.into()),
        };
        render::input_caption(label, &frame)?;
    }
    set_frame(shell, frame)
}

fn input_canvas(
    width: u32,
    height: u32,
) -> PageResult<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas: HtmlCanvasElement = by_id("input-frame")?;
    let context = readable_context(&canvas, width, height)?;
    Ok((canvas, context))
}

/// Sizes `canvas` and gives its 2D context, set up for frequent pixel reads.
pub fn readable_context(
    canvas: &HtmlCanvasElement,
    width: u32,
    height: u32,
) -> PageResult<CanvasRenderingContext2d> {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE)?;
    Ok(canvas
        .get_context_with_context_options("2d", &options)?
        .ok_or_else(|| js_error(t().msg_no_canvas))?
        .dyn_into::<CanvasRenderingContext2d>()?)
}

pub fn grab(context: &CanvasRenderingContext2d, canvas: &HtmlCanvasElement) -> PageResult<Frame> {
    let mut frame = Frame::default();
    grab_into(context, canvas, &mut frame)?;
    Ok(frame)
}

/// Reads the canvas into `frame`, reusing its buffer: one copy, from the browser's pixels
/// straight into the module's memory.
fn grab_into(
    context: &CanvasRenderingContext2d,
    canvas: &HtmlCanvasElement,
    frame: &mut Frame,
) -> PageResult {
    let (width, height) = (canvas.width(), canvas.height());
    let data = context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
    let source = pixels(&data)?;
    frame.width = width as usize;
    frame.height = height as usize;
    frame.rgba.resize(source.length() as usize, 0);
    source.copy_to(&mut frame.rgba);
    Ok(())
}

fn set_frame(shell: &Shell, frame: Frame) -> PageResult {
    shell.state.borrow_mut().frame = frame;
    frame_changed(shell)
}

/// The frame's pixels changed: drop what was computed from the old ones and recompute.
fn frame_changed(shell: &Shell) -> PageResult {
    {
        let mut state = shell.state.borrow_mut();
        state.input = None;
        state.frame_id = state.frame_id.wrapping_add(1);
    }
    shell.apply(Change::Frame)
}

/// Draws the input canvas, scaled by the browser, into canvas `id` and reads it back.
pub fn scale_into(id: &str, width: u32, height: u32) -> PageResult<Frame> {
    let source: HtmlCanvasElement = by_id("input-frame")?;
    let canvas: HtmlCanvasElement = by_id(id)?;
    let context = readable_context(&canvas, width, height)?;
    context.draw_image_with_html_canvas_element_and_dw_and_dh(
        &source,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    grab(&context, &canvas)
}

/// Asks for the webcam; on refusal, says why and goes back to a photo.
fn start_camera(shell: &Shell) -> PageResult {
    if shell.state.borrow().camera.stream.is_some() {
        return Ok(());
    }
    let devices = window()?.navigator().media_devices();
    let Ok(devices) = devices else {
        return camera_failed(shell, CameraProblem::NoAccess, String::new());
    };
    let constraints = MediaStreamConstraints::new();
    let video = js_sys::Object::new();
    js_sys::Reflect::set(&video, &"width".into(), &JsValue::from(1280))?;
    js_sys::Reflect::set(&video, &"height".into(), &JsValue::from(720))?;
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = match devices.get_user_media_with_constraints(&constraints) {
        Ok(promise) => promise,
        Err(error) => {
            let detail = describe(&error);
            return camera_failed(shell, CameraProblem::of(&detail), detail);
        }
    };
    render::notice_camera(Some(Message::CameraAsking))?;
    let shared = shell.clone();
    let on_stream = Closure::<dyn FnMut(JsValue)>::once(move |stream: JsValue| {
        report(camera_started(&shared, stream.unchecked_into()));
    });
    let shared = shell.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::once(move |error: JsValue| {
        let detail = describe(&error);
        report(camera_failed(&shared, CameraProblem::of(&detail), detail));
    });
    let _ = promise.then2(&on_stream, &on_error);
    // Exactly one of the two runs, once; both are small and live until then.
    on_stream.forget();
    on_error.forget();
    Ok(())
}

fn camera_failed(shell: &Shell, problem: CameraProblem, detail: String) -> PageResult {
    render::notice_camera(Some(Message::CameraFailed { problem, detail }))?;
    {
        let mut state = shell.state.borrow_mut();
        state.settings.source = Source::Sample(Sample::Astronaut);
    }
    shell.apply(Change::Source)
}

fn camera_started(shell: &Shell, stream: MediaStream) -> PageResult {
    // The user may have switched back to a photo while the browser asked.
    if shell.state.borrow().settings.source != Source::Webcam {
        stop_tracks(&stream);
        return Ok(());
    }
    let video: HtmlVideoElement = document()?.create_element("video")?.dyn_into()?;
    video.set_muted(true);
    video.set_attribute("playsinline", "")?;
    video.set_src_object(Some(&stream));
    let _ = video.play();
    render::notice_camera(Some(Message::CameraOn))?;
    // The frame loop's closure schedules itself; the cell breaks the cycle when the
    // camera stops.
    let tick: Rc<RefCell<Option<Tick>>> = Rc::new(RefCell::new(None));
    let shared = shell.clone();
    let this = tick.clone();
    let closure = Rc::new(Closure::<dyn FnMut()>::new(move || {
        let running = shared.state.borrow().camera.stream.is_some();
        if !running {
            this.borrow_mut().take();
            return;
        }
        report(camera_frame(&shared));
        if let Some(next) = this.borrow().as_ref() {
            let _ =
                window().map(|w| w.request_animation_frame(next.as_ref().as_ref().unchecked_ref()));
        }
    }));
    *tick.borrow_mut() = Some(closure.clone());
    {
        let mut state = shell.state.borrow_mut();
        state.camera = Camera {
            stream: Some(stream),
            video: Some(video),
            frozen: false,
            tick: Some(closure.clone()),
        };
        state.image = None;
    }
    render::camera_controls(true, false)?;
    window()?.request_animation_frame(closure.as_ref().as_ref().unchecked_ref())?;
    Ok(())
}

/// One webcam frame: grab it (unless frozen) and recompute.
fn camera_frame(shell: &Shell) -> PageResult {
    let (video, frozen, size) = {
        let state = shell.state.borrow();
        (
            state.camera.video.clone(),
            state.camera.frozen,
            state.settings.size,
        )
    };
    let Some(video) = video else { return Ok(()) };
    // Views that do not follow the video (a whole network, a grid) take the frame shown
    // when they open.
    let follows = crate::views::of(&shell.state.borrow().settings).follows_video();
    if frozen || !follows {
        return Ok(());
    }
    let stopped = shell
        .state
        .borrow()
        .camera
        .stream
        .as_ref()
        .is_some_and(|stream| {
            stream.get_video_tracks().iter().all(|track| {
                track
                    .unchecked_into::<web_sys::MediaStreamTrack>()
                    .ready_state()
                    == web_sys::MediaStreamTrackState::Ended
            })
        });
    if video.ended() || stopped {
        stop_camera(shell)?;
        return camera_failed(shell, CameraProblem::NoFrames, String::new());
    }
    if video.ready_state() < 2 || video.video_width() == 0 {
        return Ok(());
    }
    let start = now();
    let (width, height) = scaled(video.video_width(), video.video_height(), size);
    if (width, height) == (video.video_width(), video.video_height())
        && shell.state.borrow().grab_trial.next() == Grab::VideoFrame
        && copy_video_frame(shell, &video, start)?
    {
        return Ok(());
    }
    let (canvas, context) = input_canvas(width, height)?;
    context.draw_image_with_html_video_element_and_dw_and_dh(
        &video,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    )?;
    let resized = {
        let mut state = shell.state.borrow_mut();
        let before = (state.frame.width, state.frame.height);
        grab_into(&context, &canvas, &mut state.frame)?;
        crate::shell::layout::refresh(&canvas)?;
        state.timings.grab = now() - start;
        let grab = state.timings.grab;
        state.grab_trial.record(Grab::Canvas, grab);
        before != (state.frame.width, state.frame.height)
    };
    if resized {
        render::input_caption(InputLabel::Webcam, &shell.state.borrow().frame)?;
    }
    FRAMES.fetch_add(1, Ordering::Relaxed);
    shell.state.borrow_mut().live = true;
    frame_changed(shell)
}

/// Starts copying the video's frame with `VideoFrame.copyTo`; the frame is processed
/// when the copy is done. False when this browser cannot (the canvas path is used).
fn copy_video_frame(shell: &Shell, video: &HtmlVideoElement, start: f64) -> PageResult<bool> {
    let mut guard = shell.state.borrow_mut();
    let st = &mut *guard;
    if st.video_frames_failed || !VideoFrames::supported() {
        return Ok(false);
    }
    if st.copying.is_some() {
        // One copy at a time: this animation frame is skipped.
        return Ok(true);
    }
    let size = (video.video_width(), video.video_height());
    if st.video_frames.as_ref().map(|f| f.size) != Some(size) {
        st.video_frames = Some(VideoFrames::new(size.0, size.1)?);
    }
    let Some(frames) = &st.video_frames else {
        return Ok(false);
    };
    let copying = match frames.copy(video) {
        Ok(Some(copying)) => copying,
        // A frame of another size, or none yet: the canvas path copes.
        Ok(None) | Err(_) => return Ok(false),
    };
    let (on_done, on_failed) = st.on_copy.get_or_insert_with(|| {
        let shared = shell.clone();
        let done = Closure::new(move |_: JsValue| report(video_frame_copied(&shared)));
        let shared = shell.clone();
        let failed = Closure::new(move |_: JsValue| {
            let mut state = shared.state.borrow_mut();
            if let Some((copying, _)) = state.copying.take() {
                copying.close();
            }
            state.video_frames_failed = true;
        });
        (done, failed)
    });
    let _ = copying.done.then2(on_done, on_failed);
    // The browser converts the frame while the page waits; the grab counts the
    // page's own time, before and after.
    st.copying = Some((copying, now() - start));
    Ok(true)
}

/// The webcam frame is in the buffer: show it as the input and process it.
fn video_frame_copied(shell: &Shell) -> PageResult {
    let resized = {
        let mut guard = shell.state.borrow_mut();
        let st = &mut *guard;
        let resumed = now();
        let Some((copying, starting)) = st.copying.take() else {
            return Ok(());
        };
        copying.close();
        let Some(frames) = &st.video_frames else {
            return Ok(());
        };
        if st.camera.stream.is_none() || st.camera.frozen {
            return Ok(());
        }
        let before = (st.frame.width, st.frame.height);
        let (width, height) = frames.size;
        frames.read_into(&mut st.frame.rgba);
        st.frame.width = width as usize;
        st.frame.height = height as usize;
        let (canvas, context) = input_canvas(width, height)?;
        context.put_image_data(frames.image(), 0.0, 0.0)?;
        crate::shell::layout::refresh(&canvas)?;
        st.timings.grab = starting + (now() - resumed);
        st.grab_trial.record(Grab::VideoFrame, st.timings.grab);
        before != (st.frame.width, st.frame.height)
    };
    if resized {
        render::input_caption(InputLabel::Webcam, &shell.state.borrow().frame)?;
    }
    FRAMES.fetch_add(1, Ordering::Relaxed);
    shell.state.borrow_mut().live = true;
    frame_changed(shell)
}

pub fn toggle_freeze(shell: &Shell) -> PageResult {
    let frozen = {
        let mut state = shell.state.borrow_mut();
        if state.camera.stream.is_none() {
            return Ok(());
        }
        state.camera.frozen = !state.camera.frozen;
        state.camera.frozen
    };
    render::camera_controls(true, frozen)?;
    if frozen {
        // The frozen frame goes the whole way: its numbers, and the exact map.
        shell.apply(Change::Redraw)?;
    }
    Ok(())
}

fn stop_tracks(stream: &MediaStream) {
    stream.get_tracks().for_each(&mut |track, _, _| {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    });
}

fn stop_camera(shell: &Shell) -> PageResult {
    let camera = std::mem::take(&mut shell.state.borrow_mut().camera);
    if let Some(stream) = camera.stream {
        render::notice_camera(None)?;
        stop_tracks(&stream);
    }
    drop(camera.tick);
    render::camera_controls(false, false)
}
