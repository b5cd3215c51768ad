#!/usr/bin/env bash
# Runs every test of the package on a fresh machine: installs what is missing, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
