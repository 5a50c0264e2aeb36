#!/usr/bin/env bash
# Builds the page's modules with wasm-pack: `wasm-pack build --target web` of each crate
# below, twice, with wasm SIMD (simd128) and without, into www/pkg/ with one JavaScript
# glue file per module (identical for both builds; checked):
#   www/pkg/convlens_web.js + convlens_web_bg.wasm (SIMD) + convlens_web_scalar_bg.wasm
#       crates/web: the page, which draws the first map (www/main.js picks the build)
#   www/pkg/convlens_frames.js + convlens_frames_bg.wasm + convlens_frames_scalar_bg.wasm
#       crates/web-frames: the live frame engines, loaded when the webcam starts
#   www/pkg/convlens_train.js + convlens_train_bg.wasm + convlens_train_scalar_bg.wasm
#       crates/web-train: the training view's engine, run by www/train-worker.js
#   www/pkg/convlens_detect.js + convlens_detect_bg.wasm + convlens_detect_scalar_bg.wasm
#       crates/web-detect: the face detector and template matching, loaded when the
#       detector view opens
# Each build variant has its own target directory (shared by the crates, which share
# their dependencies), so neither invalidates the other. wasm-pack runs the wasm-bindgen
# on PATH (scripts/setup.sh installs the version in Cargo.lock) and then the first
# wasm-opt on PATH: Binaryen 132 from npm (tools/node_modules/.bin, put first below;
# Debian's 108 cannot parse wasm-bindgen's output), with the flags in each crate's
# [package.metadata.wasm-pack.profile.release]. Release builds' sizes are reported, and
# each module must stay under its ceiling below: if one is over, the files are still
# written but the script exits with status 3 (other failures: 1). PROFILE=dev builds
# unoptimised (`wasm-pack build --dev`).
# Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
profile=${PROFILE:-release}
# Each module's ceiling in bytes and gzipped bytes (gzip -9): over it, the build fails.
# The first module's is the issue's budget for it, 300 KB and 100 KB gzipped (issue 17):
# missed today and reported, so its ceiling is what it is not to grow past while that is
# worked on; the frame engines' is theirs with some room.
# 2026-12-02: the training, detector, block-tree, why-residual, pool-option and player
# views together took it from 681,521 to 791,827 bytes (285,757 to 330,969 gzipped, the
# scalar build); ceiling raised to 800 / 336 KB until views move out of the first module
# (issue 17: the torchvision builders and the views' texts are the first candidates).
declare -A max_bytes=([web]=$((800 * 1024)) [frames]=$((352 * 1024)) [train]=$((512 * 1024)) [detect]=$((320 * 1024)))
declare -A max_gzip=([web]=$((336 * 1024)) [frames]=$((120 * 1024)) [train]=$((192 * 1024)) [detect]=$((120 * 1024)))
budget_bytes=$((300 * 1024))
budget_gzip=$((100 * 1024))

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

# build CRATE NAME VARIANT RUSTFLAGS: wasm-pack builds crates/CRATE into target/VARIANT/
# and writes the glue and the optimised module into target/VARIANT/pkg-NAME/.
# `--mode no-install`: wasm-pack uses the tools on PATH and never downloads one.
build() {
  local crate=$1 name=$2 variant=$3 rustflags=$4 dir=$root/target/$3
  say "$name, $variant: wasm-pack build crates/$crate --target web --$profile (RUSTFLAGS='$rustflags')"
  rm -rf "$dir/pkg-$name"
  RUSTFLAGS=$rustflags wasm-pack --quiet build "crates/$crate" --mode no-install --target web \
    "--$profile" --no-typescript --no-pack --no-gitignore --out-dir "$dir/pkg-$name" \
    --out-name "convlens_$name" -- --locked --target-dir "$dir"
}

modules="web:web frames:web-frames train:web-train detect:web-detect"
for module in $modules; do
  build "${module#*:}" "${module%%:*}" simd "-C target-feature=+simd128"
  build "${module#*:}" "${module%%:*}" scalar ""
done

mkdir -p www/pkg
rm -f www/pkg/*
for module in $modules; do
  name=${module%%:*}
  simd=target/simd/pkg-$name scalar=target/scalar/pkg-$name
  if ! cmp -s "$simd/convlens_$name.js" "$scalar/convlens_$name.js"; then
    echo "[build] the SIMD and scalar builds of $name have different JavaScript glue; one" \
      "file cannot serve both:" >&2
    diff "$simd/convlens_$name.js" "$scalar/convlens_$name.js" | head -20 >&2
    exit 1
  fi
  cp "$simd/convlens_$name.js" "www/pkg/convlens_$name.js"
  cp "$simd/convlens_${name}_bg.wasm" "www/pkg/convlens_${name}_bg.wasm"
  cp "$scalar/convlens_${name}_bg.wasm" "www/pkg/convlens_${name}_scalar_bg.wasm"
done

over=0
for module in $modules; do
  name=${module%%:*}
  for wasm in "www/pkg/convlens_${name}_bg.wasm" "www/pkg/convlens_${name}_scalar_bg.wasm"; do
    size=$(stat -c %s "$wasm")
    gz=$(gzip -9c "$wasm" | wc -c)
    say "$wasm: $size bytes ($gz gzipped); ceiling ${max_bytes[$name]} (${max_gzip[$name]} gzipped)"
    if [ "$name" = web ] && { [ "$size" -gt "$budget_bytes" ] || [ "$gz" -gt "$budget_gzip" ]; }; then
      say "$wasm: the first module is over its 300 KB / 100 KB budget (see bench/README.md)"
    fi
    if [ "$profile" = release ] && { [ "$size" -gt "${max_bytes[$name]}" ] || [ "$gz" -gt "${max_gzip[$name]}" ]; }; then
      echo "[build] $wasm is over its ceiling" >&2
      over=3
    fi
  done
done
exit "$over"
