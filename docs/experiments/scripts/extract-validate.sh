#!/usr/bin/env bash
# Runs issue 33's zero-flag path (schema, fit, sample, check) on the tables extract-tables.py writes, for each
# synthesizer, and keeps every command's output and time in OUT_DIR/logs.
#
#   /tmp/venv-val/bin/python docs/experiments/scripts/extract-tables.py /tmp/xt
#   bash docs/experiments/scripts/extract-validate.sh /tmp/xt [TABLES] [SYNTHESIZERS]
#
# TABLES defaults to "aids2 covid mimic mplsstops seattlepets seattle-weather stocks" (flights is the scale table:
# name it to include it); SYNTHESIZERS to "rlsyn gan diffusion". ITERATIONS (100), ROWS (2000), THREADS (2),
# RLSYN (the release binary of this checkout) can be set in the environment; PHASES ("fit evaluate") picks the
# parts: fit = schema, fit, sample and check on the whole table; evaluate = split, schema, fit, sample, evaluate
# and check on the training split.
set -uo pipefail
dir=${1:?OUT_DIR}
tables=${2:-aids2 covid mimic mplsstops seattlepets seattle-weather stocks}
synths=${3:-rlsyn gan diffusion}
here=$(cd "$(dirname "$0")" && pwd)
rlsyn=${RLSYN:-$here/../../../.build/release/rlsyn}
iters=${ITERATIONS:-100}; rows=${ROWS:-2000}; threads=${THREADS:-2}
mkdir -p "$dir/logs"
summary=$dir/logs/summary.txt
phases=${PHASES:-fit evaluate}
[[ " $phases " == *" fit "* ]] && for t in $tables; do
  data=$dir/$t.csv
  meta=$dir/$t.meta.json
  log=$dir/logs/$t.schema.log
  /usr/bin/time -f "TIME schema %e s, %M KB" "$rlsyn" schema "$data" --output "$meta" >"$log" 2>&1
  echo "$t schema rc=$? $(grep TIME "$log")" | tee -a "$summary"
  for s in $synths; do
    base=$dir/$t.$s
    log=$dir/logs/$t.$s.log
    : >"$log"
    /usr/bin/time -f "TIME fit %e s, %M KB" "$rlsyn" fit "$data" --model "$base.rlsyn" --synthesizer "$s" \
      --iterations "$iters" --threads "$threads" >>"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
      /usr/bin/time -f "TIME sample %e s, %M KB" "$rlsyn" sample "$base.rlsyn" --rows "$rows" --output "$base.csv" --seed 3 >>"$log" 2>&1
      rc=$?
    fi
    if [ $rc -eq 0 ]; then
      python3 "$here/extract-check.py" "$data" "$meta" "$base.csv" >"$dir/logs/$t.$s.check" 2>&1
      verdict=$(tail -1 "$dir/logs/$t.$s.check")
    else
      verdict="(no output, rc=$rc: $(grep -v TIME "$log" | tail -2 | tr '\n' ' '))"
    fi
    echo "$t $s $(grep TIME "$log" | tr '\n' ' ') $verdict" | tee -a "$summary"
  done
done
# Then the evaluation on a split: split, schema on the training split, fit, sample, evaluate (and check).
declare -A outcome=([aids2]=status [covid]=drive_thru_ind [mimic]=hospital_expire_flag [mplsstops]=problem
                    [seattlepets]=is_dog [clinical]=death_180d [flights]=)
[[ " $phases " == *" evaluate "* ]] && for t in $tables; do
  o=${outcome[$t]:-}
  [ -n "$o" ] || continue
  d=$dir/split-$t; mkdir -p "$d"
  for s in $synths; do
    log=$dir/logs/$t.$s.evaluate.log
    { "$rlsyn" split "$dir/$t.csv" --outcome "$o" --output-dir "$d" &&
      "$rlsyn" schema "$d/train.csv" --output "$d/meta.json" &&
      "$rlsyn" fit "$d/train.csv" --model "$d/$s.rlsyn" --synthesizer "$s" --iterations "$iters" --threads "$threads" &&
      "$rlsyn" sample "$d/$s.rlsyn" --rows "$rows" --output "$d/$s.csv" --seed 3 &&
      /usr/bin/time -f "TIME evaluate %e s, %M KB" "$rlsyn" evaluate --train "$d/train.csv" --holdout "$d/holdout.csv" \
        --synthetic "$d/$s.csv" --outcome "$o" --json "$d/$s.eval.json" --report "$d/$s.html"; } >"$log" 2>&1
    rc=$?
    python3 "$here/extract-check.py" "$d/train.csv" "$d/meta.json" "$d/$s.csv" >"$dir/logs/$t.$s.split.check" 2>&1
    echo "$t $s evaluate rc=$rc $(grep TIME "$log") $(tail -1 "$dir/logs/$t.$s.split.check") $([ $rc -ne 0 ] && tail -2 "$log" | tr '\n' ' ')" | tee -a "$summary"
  done
done
