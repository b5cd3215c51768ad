#!/usr/bin/env bash
# Does a fit collapse when another process keeps a core busy? For each case (RLSyn concurrent, RLSyn sequential
# (`--config` with {"rlsyn": {"concurrentDiscriminator": false}}),
# GAN, diffusion, and `rlsyn evaluate`) this times the command twice per round: once alone on one idle core
# (`taskset -c 0`, the reference), once on the whole machine with `yes > /dev/null` holding a core. The issue's
# bar: busy ≤ 1.3 × one idle core. Rounds are interleaved; the table gives medians (wall seconds).
#
#   bash scripts/bench-busy.sh            # ROUNDS=3 ITERATIONS=300 OUT=/tmp/rlsyn-bench-busy
#
# Run it on an otherwise idle machine with at least 2 cores. Needs taskset (util-linux) and the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-300}
OUT=${OUT:-/tmp/rlsyn-bench-busy}
B=${SWIFT_BIN:-.build/release}/rlsyn
[ -x "$B" ] || swift build -c release
mkdir -p "$OUT"
"$B" split examples/data/nhefs.csv --outcome death --seed 0 --output-dir "$OUT/data" >/dev/null
"$B" fit "$OUT/data/train.csv" --model "$OUT/eval.rlsyn" --seed 0 --iterations 200 --quiet
"$B" sample "$OUT/eval.rlsyn" --rows 1140 --seed 0 --output "$OUT/eval.csv"
echo '{"rlsyn": {"concurrentDiscriminator": false}}' >"$OUT/sequential.json"
cases=("rlsyn" "rlsyn-sequential" "gan" "diffusion" "evaluate")
command_for() { # $1 = case; prints the command, one word per line
  if [ "$1" = rlsyn-sequential ]; then
    printf '%s\n' "$B" fit "$OUT/data/train.csv" --model "$OUT/m.rlsyn" --seed 0 --iterations "$ITERATIONS" --quiet --synthesizer rlsyn \
      --config "$OUT/sequential.json"
  elif [ "$1" = evaluate ]; then
    printf '%s\n' "$B" evaluate --train "$OUT/data/train.csv" --holdout "$OUT/data/holdout.csv" --synthetic "$OUT/eval.csv" --outcome death --seed 0
  else
    # shellcheck disable=SC2086
    printf '%s\n' "$B" fit "$OUT/data/train.csv" --model "$OUT/m.rlsyn" --seed 0 --iterations "$ITERATIONS" --quiet --synthesizer $1
  fi
}
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
: >"$OUT/times.tsv"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${cases[@]}"; do
    mapfile -t cmd < <(command_for "$c")
    idle=$(seconds taskset -c 0 "${cmd[@]}")
    yes >/dev/null &
    hog=$!
    busy=$(seconds "${cmd[@]}")
    kill "$hog"; wait "$hog" 2>/dev/null || true
    printf '%s\t%s\t%s\n' "$c" "$idle" "$busy" | tee -a "$OUT/times.tsv" >&2
  done
done
python3 - "$OUT/times.tsv" "$ITERATIONS" <<'PY'
import statistics, sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    c, idle, busy = line.rstrip("\n").split("\t")
    rows[c].append((float(idle), float(busy)))
print(f"NHEFS training split, {sys.argv[2]} iterations per fit; medians over {len(next(iter(rows.values())))} rounds (wall s)\n")
print("| command | one idle core | 2 cores, one held by `yes` | busy / idle |")
print("|---|---:|---:|---:|")
for c, v in rows.items():
    i = statistics.median(x for x, _ in v); b = statistics.median(y for _, y in v)
    name = {"evaluate": "rlsyn evaluate", "rlsyn-sequential": "rlsyn fit --synthesizer rlsyn --config sequential.json"}.get(c, f"rlsyn fit --synthesizer {c}")
    print(f"| `{name}` | {i:.2f} | {b:.2f} | {b / i:.2f} |")
PY
