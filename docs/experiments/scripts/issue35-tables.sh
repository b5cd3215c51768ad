#!/usr/bin/env bash
# Issue 35's measurement: `rlsyn benchmark` (3 seeds, every synthesizer) on NHEFS, SUPPORT2 and the three public
# mixed-type tables of 25–80 columns, then RLSyn alone on the three tables of 300–1,000 training rows.
#
#   bash docs/experiments/scripts/wide-tables.sh /work/data      # loanapp, fertil2, alcohol, mroz, card, injury, …
#   bash docs/experiments/scripts/validation-tables.sh /work/data # schooling (and the validation tables)
#   bash docs/experiments/scripts/issue35-tables.sh /work/data OUT_DIR
#   python3 docs/experiments/scripts/issue35-summary.py OUT_DIR
#
# The small tables: nhefs500 (every 3rd NHEFS row from the 2nd, 500 rows) and s2-700 (700 SUPPORT2 rows), written
# here from the bundled data, and mroz. Run on an otherwise idle machine: the fit times are compared within each run.
# RLSYN_ARGS (optional) is passed to every benchmark, e.g. RLSYN_ARGS="--policy-width 64" for a candidate default.
set -euo pipefail
data=${1:?data folder (wide-tables.sh output)}
out=${2:?output folder}
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${BIN:-$root/.build/release/rlsyn}
mkdir -p "$out"
awk 'NR == 1 || (NR % 3 == 2 && n < 500) { print; if (NR > 1) n++ }' "$root/examples/data/nhefs.csv" > "$out/nhefs500.csv"
awk 'NR == 1 || (NR % 12 == 5 && n < 700) { print; if (NR > 1) n++ }' "$root/examples/data/support2.csv" > "$out/s2-700.csv"
for t in "nhefs500 $out/nhefs500.csv death" "s2-700 $out/s2-700.csv death_180d" "mroz $data/mroz.csv inlf"; do
  set -- $t
  [ -f "$out/$1/benchmark.json" ] || "$bin" benchmark "$2" --outcome "$3" --seeds 3 --synthesizers rlsyn --quiet ${RLSYN_ARGS:-} --output "$out/$1"
done
for t in "nhefs $root/examples/data/nhefs.csv death" "support2 $root/examples/data/support2.csv death_180d" \
         "loanapp $data/loanapp.csv approve" "fertil2 $data/fertil2.csv usemeth" "alcohol $data/alcohol.csv employ" \
         "card $data/card.csv enroll" "injury $data/injury.csv hosp" "schooling $data/schooling.csv enroll76"; do
  set -- $t
  [ -f "$out/$1/benchmark.json" ] || "$bin" benchmark "$2" --outcome "$3" --seeds 3 --quiet ${RLSYN_ARGS:-} --output "$out/$1"
done
