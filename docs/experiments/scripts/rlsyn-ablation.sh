#!/usr/bin/env bash
# RLSyn ablations: fit RLSyn with the given `rlsyn fit` flags on several stratified splits, evaluate each with
# `rlsyn evaluate`, and print one line per seed plus the mean of the key figures.
#
#   bash docs/experiments/scripts/rlsyn-ablation.sh DATA.csv OUTCOME SEEDS [rlsyn fit flags…]
#   bash docs/experiments/scripts/rlsyn-ablation.sh examples/data/nhefs.csv death 3 --discriminator-learning-rate 0.005
#   bash docs/experiments/scripts/rlsyn-ablation.sh examples/data/nhefs.csv death 3 --config <(echo '{"encoding": {"dequantizeLevels": false}}')
#
# DATA is taken relative to the calling directory, else to the repository root. A `--config FILE` (expert settings,
# docs/rlsyn.md) is copied once, so process substitution works for every seed.
#
# Needs the release build (swift build -c release), or another binary in RLSYN_BIN (paired comparisons). Work files go to ${ABLATION_DIR:-/tmp/rlsyn-ablation}.
set -euo pipefail
data=$1 outcome=$2 seeds=$3
shift 3
[ -f "$data" ] && data=$(realpath "$data")
dir=${ABLATION_DIR:-/tmp/rlsyn-ablation}/$(basename "$data" .csv)
mkdir -p "$dir"
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--config" ]; then cp "$2" "$dir/config.json"; args+=(--config "$dir/config.json"); shift 2; else args+=("$1"); shift; fi
done
set -- "${args[@]+"${args[@]}"}"
cd "$(dirname "$0")/../../.."
B=${RLSYN_BIN:-.build/release/rlsyn}
echo "flags: ${*:-(defaults)}"
for ((s = 0; s < seeds; s++)); do
  [ -f "$dir/split$s/train.csv" ] || $B split "$data" --outcome "$outcome" --seed "$s" --output-dir "$dir/split$s" >/dev/null
  rows=$(($(wc -l <"$dir/split$s/train.csv") - 1))
  t0=$(date +%s.%N)
  $B fit "$dir/split$s/train.csv" --model "$dir/m$s.rlsyn" --seed "$s" --quiet "$@"
  t1=$(date +%s.%N)
  $B sample "$dir/m$s.rlsyn" --rows "$rows" --seed "$s" --output "$dir/syn$s.csv"
  $B evaluate --train "$dir/split$s/train.csv" --holdout "$dir/split$s/holdout.csv" --synthetic "$dir/syn$s.csv" \
    --outcome "$outcome" --seed "$s" --json "$dir/eval$s.json" >/dev/null
  python3 - "$dir/eval$s.json" "$s" "$(echo "$t1 - $t0" | bc)" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
keys = ["ratio_lr", "ratio_gb", "DET", "DWD", "NMI", "MIA", "DCR5", "EXACT"]
print(f"seed {sys.argv[2]}  fit {float(sys.argv[3]):5.1f}s  " + "  ".join(f"{k} {m[k]:.3f}" if m.get(k) is not None else f"{k} –" for k in keys))
PY
done | tee "$dir/last.txt"
python3 - "$dir/last.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("seed")]
names = rows[0][4::2]
means = {n: statistics.mean(float(r[5 + 2 * i]) for r in rows) for i, n in enumerate(names)}
fit = statistics.mean(float(r[3].rstrip("s")) for r in rows)
print(f"mean    fit {fit:5.1f}s  " + "  ".join(f"{n} {v:.3f}" for n, v in means.items()))
PY
