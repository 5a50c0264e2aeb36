//! The module's boundary, in a real browser: what `start` does with and without the
//! page. (The core's fast paths compiled to WebAssembly are checked against the
//! reference in crates/web-frames/tests/frames.rs.)
#![cfg(target_arch = "wasm32")]

use convlens_core::Preset;
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
