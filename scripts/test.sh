#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: installs what is missing
# (scripts/setup.sh), then runs the same checks as CI (scripts/check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
echo "[test] setup took ${SECONDS}s"
bash scripts/check.sh
