#!/usr/bin/env bash
# Installs whatever convlens needs that is missing, and nothing else (each step checks
# first, so it is safe to run again):
# - the wasm32 targets (wasm32-unknown-unknown; wasm32-wasip1 for the SIMD frame tests),
#   rustfmt and clippy;
# - wasm-pack 0.15.1 (`cargo install wasm-pack --locked`) and wasm-bindgen-cli at the
#   version in Cargo.lock (wasm-pack runs the one on PATH when the versions match);
# - Node.js and npm, and Binaryen 132 from npm (tools/: its wasm-opt parses
#   wasm-bindgen's output, Debian's 108 cannot; scripts/build.sh puts it first on PATH);
# - with --browser, what the tests need: Debian's Chromium and ChromeDriver, Firefox ESR
#   and geckodriver (`cargo install geckodriver --locked`), and the npm packages of the
#   end-to-end tests (tests/).
# Usage: scripts/setup.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Rust and the wasm32 targets (wasm32-wasip1: the core's frame tests with SIMD, in Node).
command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
for target in wasm32-unknown-unknown wasm32-wasip1; do
  if ! rustup target list --installed | grep -qx "$target"; then
    say "rustup target add $target"
    rustup target add "$target"
  fi
done
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

# cargo_install CRATE VERSION COMMAND: installs CRATE at VERSION unless COMMAND --version
# already says VERSION. --locked first; when a dependency in the crate's own lock file has
# been yanked from the registry (wasm-bindgen-cli 0.2.130 today), falls back to fresh
# resolution of its dependencies.
cargo_install() {
  local crate=$1 version=$2 command=$3
  if ! "$command" --version 2>/dev/null | grep -qwF -- "$version"; then
    say "cargo install $crate $version (a few minutes, once)"
    cargo install "$crate" --version "$version" --locked --quiet ||
      cargo install "$crate" --version "$version" --quiet
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate exactly.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
cargo_install wasm-bindgen-cli "$bindgen_version" wasm-bindgen
cargo_install wasm-pack 0.15.1 wasm-pack

# Node.js runs Binaryen's wasm-opt (the build) and the end-to-end tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
# npm_ci DIR: installs DIR's npm packages as its lock file pins them, when missing or stale.
npm_ci() {
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    say "npm ci in $1/"
    (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci tools

if [ "$want_browser" -eq 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  command -v firefox-esr >/dev/null || apt_install firefox-esr
  cargo_install geckodriver 0.37.1 geckodriver
  npm_ci tests
fi
say "ready"
