#!/usr/bin/env bash
# The main job on the bundled NHEFS example: split, fit RLSyn, sample, evaluate (outputs in out/nhefs/); then the
# same with zero flags on the bundled hospital-extract-shaped table, with identifiers, names, dates and a
# many-level code column (outputs in out/clinical/). Installs what is missing (BLAS), builds in release mode.
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

# A hospital extract: schema says what it does with each column (identifiers and personal information are made
# up, never copied; dates are modelled as numbers and written back in their format; rare codes are pooled).
CLIN=out/clinical
mkdir -p "$CLIN"
"$BIN" split examples/data/clinical.csv --outcome death_180d --seed 0 --output-dir "$CLIN"
"$BIN" schema "$CLIN/train.csv" --output "$CLIN/metadata.json"
"$BIN" fit "$CLIN/train.csv" --model "$CLIN/model.rlsyn" --metadata "$CLIN/metadata.json" --seed 0 --quiet
"$BIN" sample "$CLIN/model.rlsyn" --rows "$(($(wc -l < "$CLIN/train.csv") - 1))" --output "$CLIN/synthetic.csv" --seed 0
"$BIN" evaluate --train "$CLIN/train.csv" --holdout "$CLIN/holdout.csv" --synthetic "$CLIN/synthetic.csv" \
  --outcome death_180d --metadata "$CLIN/metadata.json" --json "$CLIN/evaluation.json" --report "$CLIN/report.html"
echo
echo "Outputs in $CLIN/: the same files for examples/data/clinical.csv, plus metadata.json (the inferred schema:"
echo "  column kinds, date formats, personal-information flags and the date inequalities every synthetic row keeps)"
