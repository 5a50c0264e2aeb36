#!/usr/bin/env bash
# Installs whatever convlens needs that is missing, and nothing else:
# the wasm32 targets, wasm-bindgen-cli pinned to the version in Cargo.lock,
# Debian's Binaryen (wasm-opt, which shrinks the page's module), Debian's Chromium and ChromeDriver (for the browser tests), and the npm
# packages of the end-to-end tests. Safe to run again: each step checks first.
# Usage: scripts/setup.sh [--browser]   (--browser: also Chromium and test packages)
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

# wasm-bindgen-cli must match the wasm-bindgen crate exactly.
[ -f Cargo.lock ] || cargo generate-lockfile
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "cargo install wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # --locked first; when a dependency in the CLI's own lock file has been yanked from
  # the registry, fall back to fresh resolution of its dependencies.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked --quiet ||
    cargo install wasm-bindgen-cli --version "$bindgen_version" --quiet
fi

# wasm-opt shrinks the page's module (scripts/build.sh).
command -v wasm-opt >/dev/null || apt_install binaryen

if [ "$want_browser" -eq 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  if [ ! -d tests/node_modules/playwright-core ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    say "npm ci (end-to-end test packages)"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
say "ready"
