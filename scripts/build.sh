#!/usr/bin/env bash
# Builds the page with wasm-pack: `wasm-pack build --target web` of crates/web twice, with
# wasm SIMD (simd128) and without, into www/pkg/ with one JavaScript glue file:
#   www/pkg/convlens_web.js              the glue (identical for both builds; checked)
#   www/pkg/convlens_web_bg.wasm         SIMD build (what browsers with wasm SIMD load)
#   www/pkg/convlens_web_scalar_bg.wasm  scalar build (the fallback; www/main.js picks)
# Each build has its own target directory, so neither invalidates the other. wasm-pack
# runs the wasm-bindgen on PATH (scripts/setup.sh installs the version in Cargo.lock) and
# then the first wasm-opt on PATH: Binaryen 132 from npm (tools/node_modules/.bin, put
# first below; Debian's 108 cannot parse wasm-bindgen's output), with the flags in
# crates/web/Cargo.toml's [package.metadata.wasm-pack.profile.release]. Release builds'
# sizes are reported against the budget and must stay under the ceiling below: if either
# is over it, the files are still written but the script exits with status 3 (other
# failures: 1). PROFILE=dev builds unoptimised (`wasm-pack build --dev`).
# Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
profile=${PROFILE:-release}
# The issue's budget (missed today; reported) and the ceiling that fails the build (raised
# from 700 KB / 256 KB when training, graphs and the frame engines landed together; the
# module split of issue 17 brings the first module back under the budget; 850 KB / 320 KB
# since the transposed-convolution view and the pooling family landed: 823 KB, 307 KB).
budget_bytes=$((300 * 1024))
budget_gzip=$((100 * 1024))
max_bytes=$((850 * 1024))
max_gzip=$((320 * 1024))

say() { echo "[build] $*"; }
export PATH="$root/tools/node_modules/.bin:$PATH"
for tool in wasm-pack wasm-bindgen wasm-opt; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run scripts/setup.sh" >&2; exit 1; }
done
# Binaryen 132 (what tools/package.json pins) or newer.
opt_version=$(wasm-opt --version | awk '{ print $3 }')
if [ "${opt_version%%[^0-9]*}" -lt 132 ] 2>/dev/null; then
  echo "$(command -v wasm-opt) is Binaryen $opt_version, too old for wasm-bindgen's output:" \
    "run scripts/setup.sh" >&2
  exit 1
fi

# build VARIANT RUSTFLAGS: wasm-pack builds crates/web into target/VARIANT/ and writes the
# glue and the optimised module into target/VARIANT/pkg/. `--mode no-install`: wasm-pack
# uses the tools on PATH and never downloads one.
build() {
  local variant=$1 rustflags=$2 dir=$root/target/$1
  say "$variant: wasm-pack build --target web --$profile (RUSTFLAGS='$rustflags')"
  rm -rf "$dir/pkg"
  RUSTFLAGS=$rustflags wasm-pack --quiet build crates/web --mode no-install --target web \
    "--$profile" --no-typescript --no-pack --no-gitignore --out-dir "$dir/pkg" \
    --out-name convlens_web -- --locked --target-dir "$dir"
}

build simd "-C target-feature=+simd128"
build scalar ""

if ! cmp -s target/simd/pkg/convlens_web.js target/scalar/pkg/convlens_web.js; then
  echo "[build] the SIMD and scalar builds have different JavaScript glue; one file cannot" \
    "serve both:" >&2
  diff target/simd/pkg/convlens_web.js target/scalar/pkg/convlens_web.js | head -20 >&2
  exit 1
fi
mkdir -p www/pkg
rm -f www/pkg/*
cp target/simd/pkg/convlens_web.js www/pkg/convlens_web.js
cp target/simd/pkg/convlens_web_bg.wasm www/pkg/convlens_web_bg.wasm
cp target/scalar/pkg/convlens_web_bg.wasm www/pkg/convlens_web_scalar_bg.wasm

over=0
for wasm in www/pkg/convlens_web_bg.wasm www/pkg/convlens_web_scalar_bg.wasm; do
  size=$(stat -c %s "$wasm")
  gz=$(gzip -9c "$wasm" | wc -c)
  say "$wasm: $size bytes ($gz gzipped); budget $budget_bytes ($budget_gzip gzipped), ceiling $max_bytes ($max_gzip gzipped)"
  if [ "$size" -gt "$budget_bytes" ] || [ "$gz" -gt "$budget_gzip" ]; then
    say "$wasm: over the 300 KB / 100 KB budget (see bench/README.md)"
  fi
  if [ "$profile" = release ] && { [ "$size" -gt "$max_bytes" ] || [ "$gz" -gt "$max_gzip" ]; }; then
    echo "[build] $wasm is over its ceiling" >&2
    over=3
  fi
done
exit "$over"
