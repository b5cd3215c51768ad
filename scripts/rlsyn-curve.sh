#!/usr/bin/env bash
# RLSyn's quality-versus-time curve: fits with 100 … 30,000 iterations on one table (default: NHEFS, seed 0),
# each scored with `rlsyn evaluate`, through scripts/rlsyn-experiments.sh. Extra arguments are rlsyn fit flags
# added to every fit (e.g. the flags of a candidate default).
#
#   bash scripts/rlsyn-curve.sh RESULTS [NAME [CSV OUTCOME SEEDS]] [-- fit flags…]
#   bash scripts/rlsyn-curve.sh /tmp/curve.tsv default
#   python3 scripts/rlsyn-summary.py /tmp/curve.tsv
set -euo pipefail
cd "$(dirname "$0")/.."
results=$1; shift
name=${1:-default}; [ $# -gt 0 ] && shift
csv=examples/data/nhefs.csv outcome=death seeds=1
if [ $# -ge 3 ] && [ "$1" != "--" ]; then csv=$1 outcome=$2 seeds=$3; shift 3; fi
[ "${1:-}" = "--" ] && shift
plan=$(mktemp)
printf 'table\t%s\t%s\t%s\t%s\n' "$(basename "$csv" .csv)" "$csv" "$outcome" "$seeds" >"$plan"
for n in ${ITERATIONS:-100 200 400 800 1600 3200 6400 30000}; do
  printf '%s-it%s\t--iterations %s %s\n' "$name" "$n" "$n" "$*" >>"$plan"
done
bash scripts/rlsyn-experiments.sh "$plan" "$results"
rm -f "$plan"
