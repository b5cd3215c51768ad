#!/usr/bin/env bash
# RLSyn experiments: every (configuration × table × seed) of a plan, fitted, sampled and scored with
# `rlsyn evaluate`; one TSV line per run, appended to the results file (runs already in it are skipped, so an
# interrupted plan resumes). `docs/experiments/scripts/rlsyn-summary.py RESULTS` prints the means per configuration and table.
#
#   bash docs/experiments/scripts/rlsyn-experiments.sh PLAN RESULTS
#
# PLAN has one line per configuration: `name<TAB>rlsyn fit flags[<TAB>JSON]` (lines starting with # are skipped),
# and lines `table<TAB>name<TAB>CSV<TAB>OUTCOME<TAB>SEEDS` naming the tables. The optional JSON is an
# expert-settings object for `rlsyn fit --config` (docs/rlsyn.md, "Expert settings"), written to a file per
# configuration. CSV paths are relative to the repository root (or absolute); VALIDATION_DIR in a CSV path is
# replaced by $VALIDATION_DIR when set (the output directory of validation-tables.sh). Example:
#   table	nhefs	examples/data/nhefs.csv	death	3
#   default
#   dlr1e-3	--discriminator-learning-rate 0.001
#   lrf0.3		{"rlsyn": {"finalLearningRateFraction": 0.3}}
# Needs the release build (swift build -c release). Work files go to ${EXPERIMENT_DIR:-/tmp/rlsyn-experiments}.
# THREADS=N passes --threads N to every fit (results do not depend on it; THREADS=1 runs several plans side by
# side without BLAS threads spinning against each other, and the fit column is then single-core time).
set -euo pipefail
# PLAN and RESULTS are taken relative to the directory the script is called from.
plan=$(realpath "$1") results=$(realpath -m "$2")
cd "$(dirname "$0")/../../.."
B=${RLSYN:-.build/release/rlsyn}
work=${EXPERIMENT_DIR:-/tmp/rlsyn-experiments}
mkdir -p "$work"
touch "$results"
tables=() configs=()
while IFS= read -r line || [ -n "$line" ]; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  if [[ "$line" == table$'\t'* ]]; then tables+=("${line#table$'\t'}"); else configs+=("$line"); fi
done <"$plan"
for t in "${tables[@]}"; do
  IFS=$'\t' read -r tname csv outcome seeds <<<"$t"
  [ -n "${VALIDATION_DIR:-}" ] && csv=${csv//VALIDATION_DIR/$VALIDATION_DIR}
  for ((s = 0; s < seeds; s++)); do
    split="$work/$tname/split$s"
    [ -f "$split/train.csv" ] || "$B" split "$csv" --outcome "$outcome" --seed "$s" --output-dir "$split" >/dev/null
    rows=$(($(wc -l <"$split/train.csv") - 1))
    for c in "${configs[@]}"; do
      name=${c%%$'\t'*}
      flags=""; [[ "$c" == *$'\t'* ]] && flags=${c#*$'\t'}
      json=""; [[ "$flags" == *$'\t'* ]] && { json=${flags#*$'\t'}; flags=${flags%%$'\t'*}; }
      if [ -n "$json" ]; then printf '%s\n' "$json" >"$work/$name.config.json"; flags="$flags --config $work/$name.config.json"; fi
      grep -q "^$name	$tname	$s	" "$results" && continue
      run="$work/$tname/$name.$s"
      t0=$(date +%s.%N)
      # shellcheck disable=SC2086
      if ! "$B" fit "$split/train.csv" --model "$run.rlsyn" --seed "$s" --quiet ${THREADS:+--threads $THREADS} $flags 2>"$run.err"; then
        echo "$name $tname seed $s: fit failed: $(tail -1 "$run.err")" >&2; continue
      fi
      t1=$(date +%s.%N)
      "$B" sample "$run.rlsyn" --rows "$rows" --seed "$s" --output "$run.csv"
      "$B" evaluate --train "$split/train.csv" --holdout "$split/holdout.csv" --synthetic "$run.csv" \
        --outcome "$outcome" --seed "$s" --json "$run.json" >/dev/null
      python3 - "$run.json" "$name" "$tname" "$s" "$(echo "$t1 - $t0" | bc)" >>"$results" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
keys = ["ratio_lr", "ratio_gb", "DET", "DWD", "KS_TV", "NMI", "CORR", "MIA", "DCR5", "EXACT"]
vals = ["nan" if m.get(k) is None else f"{m[k]:.4f}" for k in keys]
print("\t".join(sys.argv[2:5] + [f"{float(sys.argv[5]):.1f}"] + vals))
PY
      tail -1 "$results" >&2
      rm -f "$run.rlsyn" "$run.csv"
    done
  done
done
