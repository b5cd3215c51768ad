#!/usr/bin/env bash
# smartnoise-synth's DP synthesizers (DPCTGAN, PATECTGAN, MST, AIM) on the bundled tables, scored by our own
# `rlsyn evaluate`: the baseline table that issue 34 (differential privacy) asks RLSyn to match.
#
#   bash docs/experiments/scripts/smartnoise-baselines.sh [WORK_DIR]      # default /tmp/rlsyn-smartnoise
#
# For each dataset (NHEFS, outcome death; SUPPORT2, outcome death_180d) and seed s the script makes the split
# with `rlsyn split DATA --outcome OUT --seed s` (train.csv/holdout.csv) and the column kinds with
# `rlsyn schema train.csv` (binary/categorical → categorical; integer/continuous → continuous), fits each
# synthesizer on train.csv at each ε with δ = 1e-5 (Synthesizer.create(name, epsilon=ε, delta=δ); all other
# hyperparameters are smartnoise's defaults unless SN_EPOCHS is set), samples as many rows as train.csv, writes
# syn.csv and runs `rlsyn evaluate --json eval.json`.
#
# NOT DIFFERENTIALLY PRIVATE in these runs, and the same for every synthesizer: the bounds of continuous columns
# are meta.json's min/max, read from train.csv by `rlsyn schema` without DP, and passed to smartnoise as declared
# (public) bounds, so no ε is spent on them (smartnoise would otherwise need preprocessor_eps > 0). Category sets
# and which columns have missing cells are also read from the data. MST and AIM take categorical data only: each
# continuous column is cut into 20 equal-width bins over [min, max] and mapped back to the bin's midpoint (see
# smartnoise-fit.py).
#
# Settings (environment):
#   SN_DATASETS   "nhefs support2"               SN_SYNTHS   "dpctgan patectgan mst aim"
#   SN_EPSILONS   "1 3 10"                       SN_SEEDS    "0 1 2"            SN_DELTA  1e-5
#   SN_EPOCHS     DPCTGAN epochs, empty = the package default (300; it stops earlier when ε is spent).
#                 PATECTGAN has no epoch limit: it trains until its ε is spent.
#   SN_AIM_ROUNDS AIM's `rounds`, empty = the package default (16 × columns)
#   SN_TIMEOUT    seconds per fit before it is killed and logged as a failure (default 5400)
#   SN_JOBS       fits run at once (default 1; each uses one thread)
#   SN_VENV       throw-away virtual environment (default /tmp/venv-smartnoise)
#   SN_VERSION    smartnoise-synth version (default 1.0.8)
#   SN_RESULTS    where the TSV and Markdown go (default docs/experiments/results/smartnoise)
#   RLSYN         the CLI (default .build/release/rlsyn; built with `swift build -c release --product rlsyn`)
#
# Outputs: $SN_RESULTS/runs.tsv (dataset, synthesizer, epsilon, seed, ratio_lr, ratio_gb, S2R_lr, S2R_gb,
# fit_seconds, status, epsilon_spent: DPCTGAN's ε actually spent, which is less than ε when its epochs run out first
# and a little more when it stops on the budget, see smartnoise-fit.py), $SN_RESULTS/summary.md (mean ± sd over seeds), $SN_RESULTS/failures.log,
# $SN_RESULTS/versions.txt. A run whose eval.json already exists in WORK_DIR is not fitted again, so the script
# can be stopped and started again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=${1:-/tmp/rlsyn-smartnoise}
venv=${SN_VENV:-/tmp/venv-smartnoise}
datasets=${SN_DATASETS:-nhefs support2}
synths=${SN_SYNTHS:-dpctgan patectgan mst aim}
epsilons=${SN_EPSILONS:-1 3 10}
seeds=${SN_SEEDS:-0 1 2}
delta=${SN_DELTA:-1e-5}
epochs=${SN_EPOCHS:-}
aim_rounds=${SN_AIM_ROUNDS:-}
timeout_s=${SN_TIMEOUT:-5400}
jobs=${SN_JOBS:-1}
version=${SN_VERSION:-1.0.8}
results=${SN_RESULTS:-$root/docs/experiments/results/smartnoise}
rlsyn=${RLSYN:-$root/.build/release/rlsyn}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONWARNINGS=ignore

data_of() { case $1 in nhefs) echo "$root/examples/data/nhefs.csv death";;
                       support2) echo "$root/examples/data/support2.csv death_180d";;
                       *) echo "unknown dataset $1" >&2; return 1;; esac; }

# One fit + evaluation; called as `smartnoise-baselines.sh --one DATASET SYNTH EPS SEED` by the loop below.
if [ "${1:-}" = "--one" ]; then
  shift; ds=$1 syn=$2 eps=$3 seed=$4
  work=${SN_WORK:?}
  read -r data outcome < <(data_of "$ds")
  split="$work/$ds/seed$seed" run="$split/$syn-eps$eps"
  mkdir -p "$run"
  row() { printf '%s\t%s\t%s\t%s\t%s\n' "$ds" "$syn" "$eps" "$seed" "$1" > "$run/row.tsv"; }
  if [ -s "$run/eval.json" ] && [ -s "$run/fit.json" ]; then :; else
    rm -f "$run/eval.json"
    if [ ! -s "$run/fit.json" ] || [ ! -s "$run/syn.csv" ]; then   # a finished fit is only evaluated again
      rm -f "$run/fit.json" "$run/syn.csv"
      extra=()
      [ "$syn" = dpctgan ] && [ -n "$epochs" ] && extra=(--epochs "$epochs")
      [ "$syn" = aim ] && [ -n "$aim_rounds" ] && extra=(--rounds "$aim_rounds")
      echo "$(date +%T) fit $ds $syn ε=$eps seed=$seed"
      timeout "$timeout_s" "$venv/bin/python" "$here/smartnoise-fit.py" --train "$split/train.csv" \
        --metadata "$split/meta.json" --synth "$syn" --epsilon "$eps" --delta "$delta" --seed "$seed" \
        --output "$run/syn.csv" --info "$run/fit.json" "${extra[@]}" > "$run/fit.log" 2>&1
      rc=$?
      if [ $rc -ne 0 ]; then
        status=fit-failed; [ $rc -eq 124 ] && status=timeout-${timeout_s}s
        fs=NA; [ $rc -eq 124 ] && fs=">$timeout_s"
        row "$(printf 'NA\tNA\tNA\tNA\t%s\t%s\tNA' "$fs" "$status")"
        { echo "$ds $syn eps=$eps seed=$seed: $status (exit $rc)"; tail -n 3 "$run/fit.log" | sed 's/^/    /'; } >> "$work/failures.log"
        echo "$(date +%T) FAILED $ds $syn ε=$eps seed=$seed ($status)"; exit 0
      fi
    fi
    if ! "$rlsyn" evaluate --train "$split/train.csv" --holdout "$split/holdout.csv" --synthetic "$run/syn.csv" \
         --outcome "$outcome" --json "$run/eval.json" > "$run/eval.log" 2>&1; then
      rm -f "$run/eval.json"
      fs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fit_seconds"])' "$run/fit.json")
      row "$(printf 'NA\tNA\tNA\tNA\t%s\teval-failed\tNA' "$fs")"
      { echo "$ds $syn eps=$eps seed=$seed: eval-failed"; tail -n 3 "$run/eval.log" | sed 's/^/    /'; } >> "$work/failures.log"
      echo "$(date +%T) FAILED evaluate $ds $syn ε=$eps seed=$seed"; exit 0
    fi
  fi
  python3 - "$run/eval.json" "$run/fit.json" > "$run/row.part" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
f = json.load(open(sys.argv[2]))
spent = f.get("epsilon_spent")  # DPCTGAN only: what opacus' analysis says its discriminator spent
print("\t".join(f"{m[k]:.4f}" for k in ("ratio_lr", "ratio_gb", "S2R_lr", "S2R_gb")) + f"\t{f['fit_seconds']:.1f}\tok\t"
      + (f"{spent:.3f}" if spent is not None else "NA"))
PY
  row "$(cat "$run/row.part")"; rm -f "$run/row.part"
  echo "$(date +%T) done $ds $syn ε=$eps seed=$seed: $(cut -f5-10 "$run/row.tsv" | tr '\t' ' ')"
  exit 0
fi

[ -x "$rlsyn" ] || { echo "no $rlsyn: run 'swift build -c release --product rlsyn' first (or set RLSYN)" >&2; exit 1; }
mkdir -p "$work" "$results"

# The venv: CPU-only torch (this machine's pip finds a +cpu wheel in /opt/wheels; elsewhere `pip install torch`
# may bring the CUDA build, which works on CPU too), then smartnoise-synth (opacus 0.14, mbi 1.x on jax, …).
# smartnoise's CTGAN code imports `packaging` without declaring it.
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import snsynth, torch, packaging' 2>/dev/null; then
  python3 -m venv "$venv"
  cpu_whl=$(ls /opt/wheels/torch-*+cpu-cp3*.whl 2>/dev/null | head -n 1)
  "$venv/bin/pip" install -q ${cpu_whl:-torch} || exit 1
  "$venv/bin/pip" install -q "smartnoise-synth==$version" packaging || exit 1
fi
"$venv/bin/python" - > "$results/versions.txt" <<'PY'
import platform
from importlib.metadata import version
print(f"python {platform.python_version()}")
for p in ("smartnoise-synth", "torch", "opacus", "mbi", "jax", "numpy", "pandas"):
    print(p, version(p))
PY
echo "rlsyn $("$rlsyn" --version 2>/dev/null)" >> "$results/versions.txt"
echo "delta $delta; DPCTGAN epochs ${epochs:-package default}; AIM rounds ${aim_rounds:-package default}; timeout ${timeout_s}s; jobs $jobs" >> "$results/versions.txt"

list=$(mktemp "$work/runs.XXXXXX.list")   # one per invocation: several may share WORK_DIR (different seeds)
for ds in $datasets; do
  read -r data outcome < <(data_of "$ds") || exit 1
  for seed in $seeds; do
    split="$work/$ds/seed$seed"
    if [ ! -s "$split/meta.json" ]; then
      "$rlsyn" split "$data" --outcome "$outcome" --seed "$seed" --output-dir "$split" > /dev/null || exit 1
      "$rlsyn" schema "$split/train.csv" --outcome "$outcome" --output "$split/meta.json" > /dev/null || exit 1
    fi
    for syn in $synths; do for eps in $epsilons; do
      echo "$ds $syn $eps $seed" >> "$list"
    done; done
  done
done

SN_WORK=$work xargs -P "$jobs" -L 1 bash "$0" --one < "$list"
rm -f "$list"

{ printf 'dataset\tsynthesizer\tepsilon\tseed\tratio_lr\tratio_gb\tS2R_lr\tS2R_gb\tfit_seconds\tstatus\tepsilon_spent\n'
  find "$work" -name row.tsv -exec cat {} + | sort -t$'\t' -k1,1 -k2,2 -k3,3g -k4,4n; } > "$results/runs.tsv"
[ -f "$work/failures.log" ] && cp "$work/failures.log" "$results/failures.log"
python3 "$here/smartnoise-summary.py" "$results/runs.tsv" "$results/versions.txt" > "$results/summary.md"
cat "$results/summary.md"
