#!/usr/bin/env bash
# A grid of private RLSyn benchmarks (issue 34's tuning): one `rlsyn benchmark` of RLSyn per (ε, iterations), with
# the given seeds and extra flags, each summarised in one line by dp-summary.py.
#   BIN=.build/release/rlsyn bash docs/experiments/scripts/dp-grid.sh TAG DATA OUTCOME META "EPSILONS" "ITERATIONS" SEEDS [FLAGS…]
# Outputs OUT_DIR (default /tmp/dp)/TAG-eE-iI/benchmark.{md,json}; a finished cell is not run again.
set -uo pipefail
tag=$1 data=$2 outcome=$3 meta=$4 epsilons=$5 iterations=$6 seeds=$7; shift 7
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../../../.build/release/rlsyn}
out=${OUT_DIR:-/tmp/dp}
mkdir -p "$out"
for e in $epsilons; do for it in $iterations; do
  d=$out/$tag-e$e-i$it
  [ -f "$d/benchmark.json" ] || "$bin" benchmark "$data" --outcome "$outcome" --synthesizers rlsyn --seeds "$seeds" \
    --threads "${THREADS:-2}" --quiet --metadata "$meta" --epsilon "$e" --delta 1e-5 --rlsyn-iterations "$it" \
    --output "$d" "$@" > "$d.log" 2>&1
  python3 "$here/dp-summary.py" "$d"
done; done
