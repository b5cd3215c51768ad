#!/usr/bin/env bash
# The scale benchmark (issue 12): every step of the main job on a MIMIC-IV-shaped table (the paper's large data
# set: 126,522 rows × 1,460 columns, 1,455 sparse binary codes), with the wall time and peak RSS of each step.
#
#   bash scripts/bench-scale.sh [OUT_DIR] [ROWS] [CODES]     # default /tmp/rlsyn-scale, 126522, 1455
#
# Steps: generate the table with ../shared/tools/mimic_shape.py (or $MIMIC_SHAPE), gzip it, `rlsyn schema` on
# the .csv and on the .csv.gz, `rlsyn split` (stratified 70/30, seed 0), the default `rlsyn fit`, `rlsyn sample`
# of as many rows as the table has, `rlsyn evaluate --report --json`; then score.py (../shared/tools/score.py or
# $SCORE_PY, when found) and the mean absolute difference of code prevalences between training and synthetic
# rows. BENCHMARK=1 adds `rlsyn benchmark` with all three synthesizers and 1 seed (about half an hour).
# Installs numpy, pandas, scipy and scikit-learn into a throw-away virtual environment ($VALIDATION_VENV).
# Needs the release build (swift build -c release). Prints one line per step: wall seconds and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/rlsyn-scale}
rows=${2:-126522}
codes=${3:-1455}
B=${RLSYN:-.build/release/rlsyn}
venv=${VALIDATION_VENV:-/tmp/rlsyn-validation-venv}
shape=${MIMIC_SHAPE:-../shared/tools/mimic_shape.py}
score=${SCORE_PY:-../shared/tools/score.py}
mkdir -p "$out"
[ -x "$B" ] || { echo "no release build at $B (run: swift build -c release)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q numpy pandas scipy scikit-learn
py="$venv/bin/python"

# Runs a command; prints its wall time and the peak resident memory of the process tree it started.
step() {
  local name=$1; shift
  "$py" - "$name" "$@" <<'PY'
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t0 = time.time()
done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
wall = time.time() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024  # KiB -> GiB
tail = [l for l in done.stdout.splitlines() if l.strip()][-1:] if done.stdout else []
print(f"{name:28s} {wall:8.1f} s   peak RSS {rss:5.2f} GB   {tail[0][:110] if tail else ''}", flush=True)
if done.returncode != 0:
    print(done.stdout[-4000:], file=sys.stderr)
    sys.exit(done.returncode)
PY
}

csv="$out/mimic.csv"
if [ ! -f "$csv" ]; then
  step "generate (mimic_shape.py)" "$py" "$shape" "$csv" "$rows" "$codes"
fi
[ -f "$csv.gz" ] || step "gzip" sh -c "gzip -1 -c \"\$0\" > \"\$0.gz\"" "$csv"
step "schema (.csv)" "$B" schema "$csv" --outcome death --output "$out/schema.json"
step "schema (.csv.gz)" "$B" schema "$csv.gz" --outcome death --output "$out/schema-gz.json"
step "split (70/30)" "$B" split "$csv" --outcome death --seed 0 --output-dir "$out/split"
step "fit (rlsyn, default)" "$B" fit "$out/split/train.csv" --model "$out/rlsyn.model" --log-every 500
n=$(($(wc -l <"$csv") - 1))
step "sample ($n rows)" "$B" sample "$out/rlsyn.model" --rows "$n" --output "$out/synthetic.csv"
step "evaluate --report" "$B" evaluate --train "$out/split/train.csv" --holdout "$out/split/holdout.csv" \
  --synthetic "$out/synthetic.csv" --outcome death --json "$out/evaluation.json" --report "$out/report.html"
ls -l "$out/report.html" | awk '{printf "report size %.1f MB\n", $5 / 1e6}'
if [ -f "$score" ]; then
  step "score.py" sh -c '"$0" "$1" "$2" "$3" "$4" death --json > "$5"' "$py" "$score" "$out/split/train.csv" \
    "$out/split/holdout.csv" "$out/synthetic.csv" "$out/score.json"
  cat "$out/score.json"; echo
fi
"$py" - "$out/split/train.csv" "$out/synthetic.csv" <<'PY'
import sys
import pandas as pd
train, syn = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
codes = [c for c in train.columns if c.startswith("code_")]
diff = (train[codes].mean() - syn[codes].mean()).abs()
print(f"code prevalence: mean |train - synthetic| {diff.mean():.5f} (max {diff.max():.4f}) over {len(codes)} codes; "
      f"mean prevalence {train[codes].values.mean():.4f} train, {syn[codes].values.mean():.4f} synthetic")
PY
if [ "${BENCHMARK:-0}" = 1 ]; then
  step "benchmark (3 synthesizers, 1 seed)" "$B" benchmark "$csv" --outcome death --seeds 1 --output "$out/benchmark"
fi
