//! The frame engines' module against the naive reference, in Node (wasm-pack test
//! --node): the core's fast paths compiled to WebAssembly, and the `Convolver` handle
//! the page's live path and the benchmark drive, set up by its arguments or by the
//! page's query string.
#![cfg(target_arch = "wasm32")]

use convlens_core::{Channels, Preset};
use convlens_web::pipeline::{self, Backend, Frame};
use convlens_web::settings::{KernelChoice, PaddingChoice, Settings};
use convlens_web_frames::Convolver;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn fast_paths_compiled_to_wasm_match_the_reference() {
    let frame = test_frame(23, 17);
    let mut settings = Settings::default();
    for preset in Preset::ALL {
        for (stride, padding, dilation) in [
            (1, PaddingChoice::Same, 1),
            (2, PaddingChoice::Pixels(1), 2),
            (3, PaddingChoice::Valid, 1),
        ] {
            settings.kernel = KernelChoice::Preset(preset);
            (settings.stride, settings.padding, settings.dilation) = (stride, padding, dilation);
            for channel in [Channels::All, Channels::Gray] {
                settings.channel = channel;
                let input = pipeline::input_tensor(&frame, channel).expect("frame");
                assert_eq!(
                    convlens_web::views::conv::feature_map(&settings, &input, Backend::Fast),
                    convlens_web::views::conv::feature_map(&settings, &input, Backend::Reference),
                    "{settings:?}"
                );
                assert_eq!(
                    convlens_web::views::pool::pooled_map(&settings, &input, Backend::Fast),
                    convlens_web::views::pool::pooled_map(&settings, &input, Backend::Reference),
                );
            }
        }
    }
}

/// A `width x height` RGBA frame with some structure in every channel: a ramp, a
/// scramble and a checkerboard.
fn test_frame(width: usize, height: usize) -> Frame {
    let pixel = |i: usize| {
        let (x, y) = (i % width, i / width);
        let check = if (x / 4 + y / 3) % 2 == 0 { 220 } else { 30 };
        [
            (x * 255 / width) as u8,
            ((x * y * 37 + i * 11) % 256) as u8,
            check,
            255,
        ]
    };
    Frame {
        width,
        height,
        rgba: (0..width * height).flat_map(pixel).collect(),
    }
}

/// What the page draws for `query` on `frame`, computed by the naive reference.
fn reference_rgba(query: &str, frame: &Frame, pool: bool) -> (Vec<u8>, f64) {
    let (settings, warnings) = Settings::from_query(query);
    assert!(warnings.is_empty(), "{query}: {warnings:?}");
    let input = pipeline::input_tensor(frame, settings.channel).expect("frame");
    let (map, mapping) = if pool {
        let map = convlens_web::views::pool::pooled_map(&settings, &input, Backend::Reference)
            .expect("pooled");
        (map, convlens_core::DisplayMapping::Clamp)
    } else {
        let map = convlens_web::views::conv::feature_map(&settings, &input, Backend::Reference)
            .expect("map");
        (map, settings.display)
    };
    let mut rgba = Vec::new();
    pipeline::draw(&map, mapping, &mut rgba).expect("drawn");
    let sum = map.data().iter().map(|&v| f64::from(v)).sum();
    (rgba, sum)
}

/// Runs `convolver` on `frame` both ways and checks both against the reference.
fn check_convolver(mut convolver: Convolver, frame: &Frame, query: &str, pool: bool) {
    let (width, height) = (frame.width as u32, frame.height as u32);
    let (expected, sum) = reference_rgba(query, frame, pool);
    let out_width = convolver.output_width(width, height).expect("width");
    let out_height = convolver.output_height(width, height).expect("height");
    let out = js_sys::Uint8Array::new_with_length(4 * out_width * out_height);
    assert_eq!(
        out.length() as usize,
        expected.len(),
        "{query}: output size"
    );
    convolver
        .run(&frame.rgba, width, height, &out)
        .expect("run");
    assert_eq!(out.to_vec(), expected, "{query}");
    convolver
        .run_map(&frame.rgba, width, height)
        .expect("run_map");
    assert!(
        (convolver.map_sum() - sum).abs() <= 1e-3 * sum.abs().max(1.0),
        "{query}: map sum {} against {sum}",
        convolver.map_sum()
    );
    // The handle keeps working frame after frame.
    out.fill(0, 0, out.length());
    convolver
        .run(&frame.rgba, width, height, &out)
        .expect("second run");
    assert_eq!(out.to_vec(), expected, "{query}: second frame");
    assert!(!convolver.path().is_empty());
}

#[wasm_bindgen_test]
fn convolver_draws_what_the_reference_computes() {
    let frame = test_frame(29, 19);
    let cases = [
        (
            ("edges", 1, 1, 1, "zeros", "all", "clamp"),
            "kernel=edges&padding=1",
        ),
        (
            ("sobel-left", 2, 1, 1, "reflect", "rgb", "abs"),
            "kernel=sobel-left&stride=2&padding=1&padding_mode=reflect&display=abs",
        ),
        (
            ("gaussian-5", 1, 2, 3, "replicate", "gray", "normalize"),
            "kernel=gaussian-5&dilation=2&padding=3&padding_mode=replicate&channel=gray&display=normalize",
        ),
        (
            ("0.5,-1,1/4;2,0,-0.75", 3, 1, 0, "zeros", "g", "diverging"),
            "weights=0.5,-1,1/4;2,0,-0.75&stride=3&channel=g&display=diverging",
        ),
        (
            ("box-7", 1, 1, 0, "circular", "all", "clamp"),
            "kernel=box-7&padding_mode=circular",
        ),
    ];
    for ((kernel, stride, dilation, padding, mode, channels, display), query) in cases {
        let convolver = Convolver::new(kernel, stride, dilation, padding, mode, channels, display)
            .expect("valid settings");
        assert_eq!(
            convolver.channels(),
            if channels == "all" || channels == "rgb" {
                3
            } else {
                1
            }
        );
        check_convolver(convolver, &frame, query, false);
    }
    for ((function, size, stride), query) in [
        (("max", 2, 0), "view=pool&pool=max&pool_size=2"),
        (
            ("mean", 3, 2),
            "view=pool&pool=mean&pool_size=3&pool_stride=2",
        ),
        (
            ("min", 2, 1),
            "view=pool&pool=min&pool_size=2&pool_stride=1",
        ),
    ] {
        let convolver = Convolver::pool(function, size, stride, "all").expect("valid pooling");
        check_convolver(convolver, &frame, query, true);
    }
}

#[wasm_bindgen_test]
fn convolver_reports_bad_settings_and_buffers_as_errors() {
    let new = |kernel, stride, padding_mode, channels, display| {
        Convolver::new(kernel, stride, 1, 0, padding_mode, channels, display).map(|_| ())
    };
    assert!(new("edges", 1, "zeros", "all", "clamp").is_ok());
    assert!(new("sobel-diagonal", 1, "zeros", "all", "clamp").is_err());
    assert!(new("1,2;3", 1, "zeros", "all", "clamp").is_err());
    assert!(new("1,x,3", 1, "zeros", "all", "clamp").is_err());
    assert!(new("edges", 0, "zeros", "all", "clamp").is_err());
    assert!(new("edges", 1, "mirror", "all", "clamp").is_err());
    assert!(new("edges", 1, "zeros", "rgba", "clamp").is_err());
    assert!(new("edges", 1, "zeros", "all", "sepia").is_err());
    assert!(Convolver::pool("median", 2, 0, "all").is_err());
    assert!(Convolver::pool("max", 0, 0, "all").is_err());

    let frame = test_frame(8, 6);
    let mut convolver =
        Convolver::new("gaussian-7", 1, 1, 0, "zeros", "all", "clamp").expect("valid");
    // A 7x7 kernel does not fit a 6-pixel-high frame without padding.
    assert!(convolver.output_width(8, 6).is_err());
    let out = js_sys::Uint8Array::new_with_length(4 * 8 * 6);
    assert!(convolver.run(&frame.rgba, 8, 6, &out).is_err());
    assert!(convolver.run_map(&frame.rgba, 8, 6).is_err());
    let mut convolver = Convolver::new("edges", 1, 1, 1, "zeros", "all", "clamp").expect("valid");
    // The frame is not 4 * 9 * 6 bytes; the output buffer is one byte short.
    assert!(convolver.run(&frame.rgba, 9, 6, &out).is_err());
    let short = out.subarray(0, 4 * 8 * 6 - 1);
    assert!(convolver.run(&frame.rgba, 8, 6, &short).is_err());
    assert!(convolver.run(&frame.rgba, 8, 6, &out).is_ok());
}

#[wasm_bindgen_test]
fn convolver_as_the_page_plans_it_draws_what_the_reference_computes() {
    let frame = test_frame(23, 17);
    for (query, padding) in [
        ("kernel=edges&padding=same", "same"),
        (
            "weights=0.5,-1,1/4;2,0,-0.75&stride=3&channel=g&display=diverging&padding=valid",
            "valid",
        ),
        (
            "kernel=sobel-left&stride=2&padding=1&padding_mode=reflect&display=abs",
            "1",
        ),
    ] {
        let (settings, warnings) = Settings::from_query(query);
        assert!(warnings.is_empty(), "{query}: {warnings:?}");
        let kernel = settings.kernel.kernel();
        let convolver = Convolver::conv(
            kernel.weights(),
            kernel.height() as u32,
            kernel.width() as u32,
            settings.stride as u32,
            settings.dilation as u32,
            padding,
            settings.padding_mode.name(),
            settings.channel.name(),
            settings.display.name(),
        )
        .expect("valid settings");
        check_convolver(convolver, &frame, query, false);
    }
    let query = "view=pool&pool=mean&pool_size=3&pool_stride=2";
    let mut convolver = Convolver::pool("mean", 3, 2, "all").expect("valid pooling");
    convolver.run_map(&frame.rgba, 23, 17).expect("run_map");
    let shape = convolver.map_shape();
    let map = convolver.map();
    assert_eq!(shape.len(), 3);
    assert_eq!(
        map.len(),
        shape.iter().map(|&s| s as usize).product::<usize>()
    );
    let (_, sum) = reference_rgba(query, &frame, true);
    let got: f64 = map.iter().map(|&v| f64::from(v)).sum();
    assert!(
        (got - sum).abs() <= 1e-3 * sum.abs().max(1.0),
        "{got} against {sum}"
    );
    let conv = |padding| Convolver::conv(&[1.0; 9], 3, 3, 1, 1, padding, "zeros", "all", "clamp");
    assert!(conv("same").is_ok());
    assert!(conv("wide").is_err());
    assert!(Convolver::conv(&[1.0; 8], 3, 3, 1, 1, "1", "zeros", "all", "clamp").is_err());
}
