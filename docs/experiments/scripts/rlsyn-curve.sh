#!/usr/bin/env bash
# RLSyn's quality-versus-time curve: fits with 100 … 30,000 iterations on one table (default: NHEFS, seed 0),
# each scored with `rlsyn evaluate`, through docs/experiments/scripts/rlsyn-experiments.sh. Extra arguments are rlsyn fit flags
# added to every fit (e.g. the flags of a candidate default); `--config FILE` among them is read once and passed
# to every fit (process substitution works: `-- --config <(echo '{"rlsyn": {...}}')`).
#
#   bash docs/experiments/scripts/rlsyn-curve.sh RESULTS [NAME [CSV OUTCOME SEEDS]] [-- fit flags…]
#   bash docs/experiments/scripts/rlsyn-curve.sh /tmp/curve.tsv default
#   python3 docs/experiments/scripts/rlsyn-summary.py /tmp/curve.tsv
set -euo pipefail
results=$(realpath -m "$1"); shift
name=${1:-default}; [ $# -gt 0 ] && shift
csv=examples/data/nhefs.csv outcome=death seeds=1
if [ $# -ge 3 ] && [ "$1" != "--" ]; then csv=$1 outcome=$2 seeds=$3; shift 3; [ -f "$csv" ] && csv=$(realpath "$csv"); fi
[ "${1:-}" = "--" ] && shift
flags=() json=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--config" ]; then json=$(tr -d '\n' <"$2"); shift 2; else flags+=("$1"); shift; fi
done
cd "$(dirname "$0")/../../.."
plan=$(mktemp)
printf 'table\t%s\t%s\t%s\t%s\n' "$(basename "$csv" .csv)" "$csv" "$outcome" "$seeds" >"$plan"
for n in ${ITERATIONS:-100 200 400 800 1600 3200 6400 30000}; do
  printf '%s-it%s\t--iterations %s %s\t%s\n' "$name" "$n" "$n" "${flags[*]:-}" "$json" >>"$plan"
done
bash docs/experiments/scripts/rlsyn-experiments.sh "$plan" "$results"
rm -f "$plan"
