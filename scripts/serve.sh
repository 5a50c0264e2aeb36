#!/usr/bin/env bash
# Builds the demo and serves it on http://localhost:${PORT:-8000}/ (Ctrl-C stops it).
# Installs what is missing first (scripts/setup.sh). Nothing is fetched by the page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
port=${PORT:-8000}
echo
echo "  convlens is at  http://localhost:$port/"
echo "  e.g. the lecture's demo with stride 2:  http://localhost:$port/?kernel=edges&stride=2"
echo
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
