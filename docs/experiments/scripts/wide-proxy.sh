#!/usr/bin/env bash
# A cheaper stand-in for the full MIMIC-shaped fit: fit RLSyn with the given flags on a 40,000-row slice of the
# 126,522 x 1,460 table (stratified 70/30 split, 28,000 training rows), sample as many rows, and score them with
# docs/experiments/scripts/wide-utility.py (LR/GB S2R/R2R, prevalence MAD, spurious outcome dependence). One line of JSON per run.
#
#   bash docs/experiments/scripts/wide-proxy.sh NAME THREADS [rlsyn fit flags…]
#   bash docs/experiments/scripts/wide-proxy.sh wd0.1 1 --config <(echo '{"rlsyn": {"policyWeightDecay": 0.1}}')
#
# Needs the release build (or another binary in RLSYN_BIN) and a Python with numpy, pandas, scikit-learn (PYTHON, default python3). Work files go to
# ${PROXY_DIR:-/tmp/rlsyn-wide-proxy}; the table is made once with ../shared/tools/mimic_shape.py.
set -euo pipefail
cd "$(dirname "$0")/../../.."
name=$1 threads=$2
shift 2
B=${RLSYN_BIN:-$PWD/.build/release/rlsyn}
PY=${PYTHON:-python3}
dir=${PROXY_DIR:-/tmp/rlsyn-wide-proxy}
mkdir -p "$dir"
if [ ! -f "$dir/split/train.csv" ]; then
  [ -f "$dir/mimic.csv" ] || "$PY" ../shared/tools/mimic_shape.py "$dir/mimic.csv" >/dev/null
  head -n 40001 "$dir/mimic.csv" >"$dir/slice.csv"
  "$PY" ../shared/tools/split.py "$dir/slice.csv" death "$dir/split" 0 >/dev/null
fi
t0=$(date +%s)
$B fit "$dir/split/train.csv" --model "$dir/m-$name.rlsyn" --threads "$threads" --seed 0 "$@" >"$dir/log-$name.txt" 2>&1
fit=$(($(date +%s) - t0))
$B sample "$dir/m-$name.rlsyn" --rows 28000 --output "$dir/s-$name.csv" --seed 0 >>"$dir/log-$name.txt" 2>&1
echo "$name fit ${fit}s $("$PY" docs/experiments/scripts/wide-utility.py "$dir/split/train.csv" "$dir/split/holdout.csv" "$dir/s-$name.csv" death)"
