#!/usr/bin/env bash
# Issue 34's empirical check on a small table: RLSyn at ε = 1 (δ = 1e-5) and at the non-private default on 500 rows
# drawn from the bundled NHEFS (every 3rd row from the 2nd: a fixed, public choice), 3 seeds, membership AUC and
# DCR5 from `rlsyn benchmark` (train 70 % = 350 rows, holdout 150).
#   bash docs/experiments/scripts/dp-small-table.sh OUTDIR
set -euo pipefail
OUT=$1
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
BIN=${BIN:-$ROOT/.build/release/rlsyn}
THREADS=${THREADS:-2}
mkdir -p "$OUT"
awk 'NR == 1 || (NR % 3 == 2 && n < 500) { print; if (NR > 1) n++ }' "$ROOT/examples/data/nhefs.csv" > "$OUT/nhefs500.csv"
"$BIN" schema "$OUT/nhefs500.csv" --output "$OUT/meta.json" >/dev/null 2>&1
"$BIN" benchmark "$OUT/nhefs500.csv" --outcome death --synthesizers rlsyn --seeds 3 --threads "$THREADS" --quiet \
  --metadata "$OUT/meta.json" --epsilon 1 --delta 1e-5 --output "$OUT/eps-1" > "$OUT/eps-1.log" 2>&1
"$BIN" benchmark "$OUT/nhefs500.csv" --outcome death --synthesizers rlsyn --seeds 3 --threads "$THREADS" --quiet \
  --output "$OUT/non-private" > "$OUT/non-private.log" 2>&1
for run in eps-1 non-private; do
  echo "$run: $(grep -E '^\| (MIA, membership AUC|DCR5|S2R / R2R)' "$OUT/$run/benchmark.md" | cut -d'|' -f2,3 | tr -s ' ' | tr '\n' ';')"
done
