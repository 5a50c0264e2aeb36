#!/usr/bin/env bash
# Does what CI does, on a machine that has what scripts/setup.sh --browser installs:
# formatting, clippy with warnings denied (native and wasm32), docs with warnings
# denied, native tests, the frame engines with WebAssembly SIMD (in Node), wasm tests
# (wasm-pack test) in headless Chromium and Firefox, then the end-to-end tests of the
# built page in headless Chromium and Firefox.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step's wall time, printed together at the end, also when a step fails (CI time is
# issue 17's too: a fresh machine's whole run must stay under 45 minutes).
timings=()
started=$SECONDS
last_step=""
last_start=$SECONDS
finish_step() {
  if [ -n "$last_step" ]; then
    timings+=("$(printf '%5ds  %s' $((SECONDS - last_start)) "$last_step")")
  fi
}
step() {
  finish_step
  last_step=$*
  last_start=$SECONDS
  printf '\n\033[1m== %s\033[0m\n' "$*"
}
report_timings() {
  finish_step
  last_step=""
  printf '\n\033[1m== time per step (%ds in all)\033[0m\n' $((SECONDS - started))
  printf '%s\n' "${timings[@]}"
}
trap report_timings EXIT

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (wasm32)"
cargo clippy -p convlens-web -p convlens-web-frames -p convlens-web-train -p convlens-web-detect --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

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
# The frame engines' module and the core's fast paths in WebAssembly: no page, so Node.
step "wasm tests of the frame engines (wasm-pack test --node)"
wasm-pack test --node crates/web-frames --locked

step "build the page and the test oracle"
bash scripts/build.sh
cargo build --release --locked -p convlens-web --example oracle
cargo build --release --locked -p convlens-cli  # tests/e2e/cli.test.js runs target/release/convlens

cd tests
step "end-to-end tests (headless Chromium)"
npm run --silent test:chromium
step "end-to-end tests (headless Firefox ESR)"
npm run --silent test:firefox
