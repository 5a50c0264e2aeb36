//! The module's boundary, in a real browser: what `start` does with and without the
//! page, and the core's fast paths compiled to WebAssembly against the reference.
#![cfg(target_arch = "wasm32")]

use convlens_core::{Channels, Preset};
use convlens_web::pipeline::{self, Backend, Frame};
use convlens_web::settings::{KernelChoice, PaddingChoice, Settings};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

#[wasm_bindgen_test]
fn start_without_the_page_is_an_error_not_a_panic() {
    // The test runner's own page has none of the demo's elements.
    let error = convlens_web::start().expect_err("no controls to wire");
    let message = error
        .dyn_into::<js_sys::Error>()
        .expect("a JavaScript Error")
        .message();
    assert!(String::from(message).contains("has no element"));
}

#[wasm_bindgen_test]
fn start_wires_the_page_and_builds_the_kernel_grid() {
    let html = include_str!("../../../www/index.html");
    let start = html
        .find("<body")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .expect("body");
    let end = html.find("</body>").expect("body end");
    // The demo's markup in a container of its own: the runner's output stays intact.
    let container = document().create_element("div").expect("a div");
    container.set_inner_html(&html[start..end]);
    document()
        .body()
        .expect("a body")
        .append_child(&container)
        .expect("appended");
    convlens_web::start().expect("the page starts");
    let cells = document()
        .query_selector_all("#kernel-grid input")
        .expect("query");
    assert_eq!(cells.length(), 9);
    let centre: web_sys::HtmlInputElement = document()
        .query_selector("[data-testid=kernel-cell-1-1]")
        .expect("query")
        .expect("centre cell")
        .dyn_into()
        .expect("an input");
    assert_eq!(centre.value(), "8");
    let menu = document()
        .query_selector_all("#kernel option")
        .expect("query");
    assert_eq!(menu.length() as usize, Preset::ALL.len() + 1);
    let search = web_sys::window()
        .expect("window")
        .location()
        .search()
        .expect("search");
    assert!(search.contains("kernel=edges"), "{search}");
    container.remove();
}

#[wasm_bindgen_test]
fn fast_paths_compiled_to_wasm_match_the_reference() {
    let (width, height) = (23, 17);
    let rgba = (0..width * height)
        .flat_map(|i| {
            [
                (i * 7 % 256) as u8,
                (i * 31 % 256) as u8,
                (i * 101 % 256) as u8,
                255,
            ]
        })
        .collect();
    let frame = Frame {
        width,
        height,
        rgba,
    };
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
                    pipeline::feature_map(&settings, &input, Backend::Fast),
                    pipeline::feature_map(&settings, &input, Backend::Reference),
                    "{settings:?}"
                );
                assert_eq!(
                    pipeline::pooled_map(&settings, &input, Backend::Fast),
                    pipeline::pooled_map(&settings, &input, Backend::Reference),
                );
            }
        }
    }
}
