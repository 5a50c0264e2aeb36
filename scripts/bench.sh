#!/usr/bin/env bash
# Runs the benchmark (bench/, see bench/README.md): installs what is missing, builds the
# page's module, installs the peers' npm packages (bench/package-lock.json), then times
# our module against them in Node.js and writes bench/results.json. A few minutes.
# Options go to bench/run.mjs, e.g. `bash scripts/bench.sh --runs 50 --sizes 1280x720`.
#
# `bash scripts/bench.sh page [OPTIONS]` runs the page benchmark instead (bench/page.mjs:
# the first map after navigation and the live per-frame path with a fake webcam, in
# headless Chromium and Firefox; writes bench/page-results.json), with the browsers and
# the tests' npm packages (scripts/setup.sh --browser installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
page=false
if [ "${1:-}" = page ]; then
  page=true
  shift
fi
if $page; then bash scripts/setup.sh --browser; else bash scripts/setup.sh; fi
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "node and npm are needed: bash scripts/setup.sh installs them" >&2
  exit 1
}
# Status 3 is a module over its size budget: still the module the page loads, so measure it.
bash scripts/build.sh || [ $? -eq 3 ]
if $page; then
  # The oracle checks every measured map against the core's naive reference.
  cargo build --release --locked -p convlens-web --example oracle
  exec node bench/page.mjs "$@"
fi
if [ ! -d bench/node_modules/@techstark/opencv-js ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  echo "[bench] npm ci (the peers: OpenCV.js, TensorFlow.js, Photon)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error)
fi
cd bench && exec node run.mjs "$@"
