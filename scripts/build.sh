#!/usr/bin/env bash
# Builds the page: compiles crates/web to WebAssembly and writes the JavaScript glue
# into www/pkg/. Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE:-release}
flag=$([ "$profile" = release ] && echo --release || true)
cargo build $flag --target wasm32-unknown-unknown -p convlens-web
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg \
  "target/wasm32-unknown-unknown/$profile/convlens_web.wasm"
size=$(stat -c %s www/pkg/convlens_web_bg.wasm)
gz=$(gzip -9c www/pkg/convlens_web_bg.wasm | wc -c)
echo "[build] www/pkg/convlens_web_bg.wasm: $size bytes ($gz gzipped)"
