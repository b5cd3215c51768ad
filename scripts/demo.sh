#!/usr/bin/env bash
# The main job on the bundled NHEFS example: fit RLSyn, sample a synthetic table.
# Installs what is missing (OpenBLAS), builds in release mode; outputs go to out/nhefs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product rlsyn
BIN=.build/release/rlsyn
OUT=out/nhefs
mkdir -p "$OUT"
"$BIN" self-check
"$BIN" fit examples/data/nhefs.csv --model "$OUT/model.rlsyn" --seed 0
"$BIN" sample "$OUT/model.rlsyn" --rows 1629 --output "$OUT/synthetic.csv" --seed 0
echo
echo "Outputs in $OUT/: model.rlsyn (the fitted generator), synthetic.csv (1,629 synthetic records)."
