#!/usr/bin/env bash
# RLSyn under differential privacy (issue 34): `rlsyn benchmark` of RLSyn alone at each ε, δ = 1e-5, 3 seeds, with
# the metadata `rlsyn schema` writes for the whole file declared public (kinds, levels, bounds).
#   bash docs/experiments/scripts/dp-utility.sh DATA OUTCOME OUTDIR ["1 3 10"]
# Writes OUTDIR/meta.json, OUTDIR/eps-E/benchmark.{md,json,html} per ε, and OUTDIR/non-private/ for the same seeds.
set -euo pipefail
DATA=$1 OUTCOME=$2 OUT=$3 EPSILONS=${4:-"1 3 10"}
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
BIN=${BIN:-$ROOT/.build/release/rlsyn}
THREADS=${THREADS:-1}
mkdir -p "$OUT"
"$BIN" schema "$DATA" --output "$OUT/meta.json" >/dev/null 2>&1
for e in $EPSILONS; do
  "$BIN" benchmark "$DATA" --outcome "$OUTCOME" --synthesizers rlsyn --seeds 3 --threads "$THREADS" --quiet \
    --metadata "$OUT/meta.json" --epsilon "$e" --delta 1e-5 --output "$OUT/eps-$e" > "$OUT/eps-$e.log" 2>&1
  echo "ε = $e: $(grep -E 'S2R / R2R' "$OUT/eps-$e/benchmark.md" | tr -s ' ' | cut -c1-120)"
done
if [ -z "${SKIP_NON_PRIVATE:-}" ]; then
  "$BIN" benchmark "$DATA" --outcome "$OUTCOME" --synthesizers rlsyn --seeds 3 --threads "$THREADS" --quiet \
    --output "$OUT/non-private" > "$OUT/non-private.log" 2>&1
fi
