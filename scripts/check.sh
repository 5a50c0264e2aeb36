#!/usr/bin/env bash
# Does what CI does, on a machine that has what scripts/setup.sh --browser installs:
# formatting, clippy with warnings denied (native and wasm32), docs with warnings
# denied, native tests, the frame engines with WebAssembly SIMD (in Node), wasm tests
# (wasm-pack test) in headless Chromium and Firefox, then the end-to-end tests of the
# built page in headless Chromium and Firefox.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm32)"
cargo clippy -p convlens-web --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "native tests"
cargo test --workspace --locked

step "frame engines with WebAssembly SIMD (wasm32-wasip1 in Node)"
RUSTFLAGS="-C target-feature=+simd128" \
  CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/scripts/wasi-run.mjs" \
  cargo test --release --locked -p convlens-core --target wasm32-wasip1 --target-dir target/wasi \
  --test frame

# The drivers on PATH, never downloaded (crates/web/webdriver.json names the browsers).
step "wasm tests (wasm-pack test --headless --chrome)"
wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" crates/web --locked
step "wasm tests (wasm-pack test --headless --firefox)"
wasm-pack test --headless --firefox --geckodriver "$(command -v geckodriver)" crates/web --locked

step "build the page and the test oracle"
bash scripts/build.sh
cargo build --release --locked -p convlens-web --example oracle
cargo build --release --locked -p convlens-cli  # tests/e2e/cli.test.js runs target/release/convlens

cd tests
step "end-to-end tests (headless Chromium)"
npm run --silent test:chromium
step "end-to-end tests (headless Firefox ESR)"
npm run --silent test:firefox
