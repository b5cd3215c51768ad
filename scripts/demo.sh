#!/usr/bin/env bash
# The main job on the bundled example data. Installs what is missing, builds in release mode, runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product rlsyn
BIN=.build/release/rlsyn
"$BIN" self-check
