//! The end-to-end tests' oracle: computes, natively and with the core crate's naive
//! reference, the map the page should draw for a query string and an input frame.
//!
//! For `view=stack` the frame is the network's input and the map is the first channel of
//! the chosen layer, run with the core's fast paths (they are tested against the
//! reference in the core crate).
//!
//! Usage: `oracle QUERY WIDTH HEIGHT < frame.rgba > map.bin`. Output: width, height and
//! channels as little-endian `u32`, then the map's RGBA bytes, then its `f32` values
//! (little-endian, CHW).

use std::io::{Read, Write};

use convlens_web::pipeline::{self, Backend, Frame};
use convlens_web::settings::Settings;
use convlens_web::views::{conv, pool, stack};

fn main() {
    if let Err(message) = run() {
        eprintln!("oracle: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, query, width, height] = args.as_slice() else {
        return Err("usage: oracle QUERY WIDTH HEIGHT < frame.rgba".into());
    };
    let width: usize = width.parse().map_err(|_| "WIDTH must be a number")?;
    let height: usize = height.parse().map_err(|_| "HEIGHT must be a number")?;
    let mut rgba = Vec::new();
    std::io::stdin()
        .read_to_end(&mut rgba)
        .map_err(|e| e.to_string())?;
    let (settings, _warnings) = Settings::from_query(query);
    let frame = Frame {
        width,
        height,
        rgba,
    };
    let mut out = Vec::new();
    let map = if settings.view == "stack" {
        // The frame is the network's input; the map is channel 1 of the chosen layer.
        let output = stack::stack_output(&settings, &frame).map_err(|e| e.to_string())?;
        let layer = &output.ok_or("the chosen layer did not run")?;
        stack::draw_channel(layer, 0, &mut out).map_err(|e| e.to_string())?;
        let plane = layer.plane(0, 0).ok_or("empty layer")?.to_vec();
        convlens_core::Tensor::new(1, layer.height(), layer.width(), plane)
            .map_err(|e| e.to_string())?
    } else {
        let input = pipeline::input_tensor(&frame, settings.channel).map_err(|e| e.to_string())?;
        let (map, display) = match settings.view {
            "pool" => (
                pool::pooled_map(&settings, &input, Backend::Reference),
                convlens_core::DisplayMapping::Clamp,
            ),
            _ => (
                conv::feature_map(&settings, &input, Backend::Reference),
                settings.display,
            ),
        };
        let map = map.map_err(|e| e.to_string())?;
        pipeline::draw(&map, display, &mut out).map_err(|e| e.to_string())?;
        map
    };
    let mut stdout = std::io::stdout().lock();
    for value in [map.width(), map.height(), map.channels()] {
        stdout
            .write_all(&(value as u32).to_le_bytes())
            .map_err(|e| e.to_string())?;
    }
    stdout.write_all(&out).map_err(|e| e.to_string())?;
    for value in map.data() {
        stdout
            .write_all(&value.to_le_bytes())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
