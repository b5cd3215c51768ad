#!/usr/bin/env bash
# Conditional sampling on the bundled NHEFS (issue 33, item 6): for each synthesizer, fit with default settings on the
# training split (rlsyn split … --outcome death --seed 0), sample 500 rows with --condition death=1, and compare the
# synthetic positives' mean age with the real positives' (training split), in units of the real positives' age sd.
#   bash scripts/conditional-check.sh [WORKDIR]        (WORKDIR default: /tmp/cond; acceptance: |difference| ≤ 0.25 sd)
# Fits are kept in WORKDIR and reused when present (delete them to refit). Exits 1 if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/cond}
ROWS=${ROWS:-500}
SYNTHESIZERS=${SYNTHESIZERS:-"rlsyn gan diffusion"}
swift build -c release --product rlsyn >/dev/null
BIN=$PWD/.build/release/rlsyn
mkdir -p "$DIR"
"$BIN" split examples/data/nhefs.csv --outcome death --seed 0 --output-dir "$DIR" >/dev/null
for s in $SYNTHESIZERS; do
  [ -f "$DIR/$s.rlsyn" ] || "$BIN" fit "$DIR/train.csv" --synthesizer "$s" --model "$DIR/$s.rlsyn" --quiet
  "$BIN" sample "$DIR/$s.rlsyn" --rows "$ROWS" --condition death=1 --seed 0 --output "$DIR/$s-death1.csv"
done
python3 - "$DIR" "$ROWS" $SYNTHESIZERS <<'PY'
import csv, statistics, sys
d, rows, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
real = [float(r["age"]) for r in csv.DictReader(open(f"{d}/train.csv")) if r["death"] == "1"]
mean, sd = statistics.mean(real), statistics.stdev(real)
ok = True
print(f"{'synthesizer':<12} {'rows':>5} {'all match':>9} {'synthetic mean age':>18} {'real mean age':>13} {'difference (sd)':>15}")
for s in names:
    out = list(csv.DictReader(open(f"{d}/{s}-death1.csv")))
    match = all(r["death"] == "1" for r in out)
    ages = [float(r["age"]) for r in out if r["age"] != ""]
    m = statistics.mean(ages)
    diff = (m - mean) / sd
    ok = ok and len(out) == rows and match and abs(diff) <= 0.25
    print(f"{s:<12} {len(out):>5} {'yes' if match else 'NO':>9} {m:>18.2f} {mean:>13.2f} {diff:>+15.3f}")
print(f"real positives (training split): {len(real)} rows, age sd {sd:.2f}")
sys.exit(0 if ok else 1)
PY
