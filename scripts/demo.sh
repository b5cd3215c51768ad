#!/usr/bin/env bash
# The main job on the bundled NHEFS example: split, fit RLSyn, sample, evaluate.
# Installs what is missing (OpenBLAS), builds in release mode; every output goes to out/nhefs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product rlsyn
BIN=.build/release/rlsyn
OUT=out/nhefs
mkdir -p "$OUT"
"$BIN" self-check
"$BIN" split examples/data/nhefs.csv --outcome death --train-fraction 0.7 --seed 0 --output-dir "$OUT"
"$BIN" fit "$OUT/train.csv" --model "$OUT/model.rlsyn" --seed 0
"$BIN" sample "$OUT/model.rlsyn" --rows "$(($(wc -l < "$OUT/train.csv") - 1))" --output "$OUT/synthetic.csv" --seed 0
"$BIN" evaluate --train "$OUT/train.csv" --holdout "$OUT/holdout.csv" --synthetic "$OUT/synthetic.csv" --outcome death \
  --json "$OUT/evaluation.json" --report "$OUT/report.html"
echo
echo "Outputs in $OUT/:"
echo "  train.csv, holdout.csv   the stratified 70/30 split of examples/data/nhefs.csv"
echo "  model.rlsyn              the fitted RLSyn generator"
echo "  synthetic.csv            synthetic records, as many as train.csv"
echo "  evaluation.json          utility, fidelity and privacy metrics"
echo "  report.html              the same as a self-contained HTML report (open it in a browser)"
