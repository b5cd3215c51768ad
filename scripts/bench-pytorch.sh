#!/usr/bin/env bash
# Swift vs PyTorch, side by side, on the same machine and thread counts (benchmarks/pytorch/README.md).
#
#   bash scripts/bench-pytorch.sh
#
# 1. PyTorch into a throw-away venv (${TORCH_VENV:-/tmp/rlsyn-torch-venv}, reused when it already imports torch):
#    `pip install torch numpy` from PyPI (several GB: the PyPI wheel brings CUDA libraries it does not use here);
#    set TORCH_INDEX_URL (e.g. PyTorch's CPU wheel index) to install from there instead.
# 2. The Swift release binaries, built only if missing (`swift build -c release`); SWIFT_BIN (default
#    .build/release) points at another build, e.g. a copy that a concurrent rebuild cannot replace mid-run.
# 3. The NHEFS split (`rlsyn split`, seed 0) and its schema (`rlsyn schema`), in $OUT/data.
# 4. A 1-iteration Swift fit with the benchmark's options. Its model file holds the Swift configuration
#    (preset defaults + options); every torch run reads its RLSyn settings from it (bench.py --config), so both
#    sides run the same configuration whatever the Swift defaults are, and the torch side refuses settings
#    it does not mirror. Then the numerical checks (benchmarks/pytorch/check.py) against that model file.
# 5. ROUNDS interleaved rounds; in each, for every T in THREADS: Swift MLP step, torch MLP step, Swift
#    iteration, torch iteration, Swift fit, torch fit. Swift gets --threads T; `rlsyn-bench iteration` does
#    not cap its matrix-product threads for its whole-iteration figure, so for T = 1 it also gets
#    RLSYN_BLAS_THREADING=openblas OPENBLAS_NUM_THREADS=1 (a single-threaded OpenBLAS, the same work as our
#    own threading with one thread); the script checks that it then reports 1 thread. torch gets
#    torch.set_num_threads(T) and OMP/MKL_NUM_THREADS=T.
# 6. Markdown tables of medians and torch / Swift ratios (benchmarks/pytorch/compare.py), also in $OUT/results.md.
#
# Settings of the iteration and fit comparisons: policy width 256, batch 256, K = 5 discriminator steps,
# 4 PPO epochs, noise 64, R1 on every step, the sequential order; the rest (discriminator width 128,
# learning rates, reward form, ...) are the Swift `small` preset's, whatever they are in the build.
# Estimated 6–8 minutes on 2 idle cores with the defaults below (27 on a busy one: run it on an idle machine).
#
# Environment: TORCH_VENV, TORCH_INDEX_URL, SWIFT_BIN, OUT (default /tmp/rlsyn-bench-pytorch), ROUNDS (5),
# THREADS ("1 2"), FIT_ITERATIONS (100), ITER_WARMUP (20), ITER_REPEATS (30), MLP_STEPS (200),
# TORCH_OMP_WAIT_POLICY (unset: torch's default; PASSIVE stops its OpenMP threads spinning at barriers, which
# on a machine where another process holds a core makes torch's 2-thread figures 10-100x slower).
# Run it on an idle machine: with a busy core every 2-thread figure mostly measures the other process.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TORCH_VENV:-/tmp/rlsyn-torch-venv}
OUT=${OUT:-/tmp/rlsyn-bench-pytorch}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-"1 2"}
FIT_ITERATIONS=${FIT_ITERATIONS:-100}
ITER_WARMUP=${ITER_WARMUP:-20}
ITER_REPEATS=${ITER_REPEATS:-30}
MLP_STEPS=${MLP_STEPS:-200}
export PYTHONDONTWRITEBYTECODE=1
if [ -n "${TORCH_OMP_WAIT_POLICY:-}" ]; then TORCH_ENV=(env OMP_WAIT_POLICY="$TORCH_OMP_WAIT_POLICY"); else TORCH_ENV=(env); fi
started=$(date +%s)

# 1. PyTorch
PY="$VENV/bin/python"
TPY=("${TORCH_ENV[@]}" "$PY")
if ! { [ -x "$PY" ] && "$PY" -c 'import torch, numpy' 2>/dev/null; }; then
  echo "Installing PyTorch into $VENV (from ${TORCH_INDEX_URL:-PyPI}; several GB) ..." >&2
  python3 -m venv "$VENV"
  "$PY" -m pip install --quiet --upgrade pip
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "$PY" -m pip install --quiet torch --index-url "$TORCH_INDEX_URL"
    "$PY" -m pip install --quiet numpy
  else
    "$PY" -m pip install --quiet torch numpy
  fi
fi

# 2. Swift binaries
bash scripts/install-deps.sh
SWIFT_BIN=${SWIFT_BIN:-.build/release}
if [ ! -x "$SWIFT_BIN/rlsyn" ] || [ ! -x "$SWIFT_BIN/rlsyn-bench" ]; then
  [ "$SWIFT_BIN" = .build/release ] || { echo "error: no rlsyn and rlsyn-bench in SWIFT_BIN=$SWIFT_BIN" >&2; exit 1; }
  swift build -c release
fi
RLSYN=$SWIFT_BIN/rlsyn
BENCH=$SWIFT_BIN/rlsyn-bench
TORCH_BENCH=benchmarks/pytorch/bench.py

# 3. Data
DATA="$OUT/data"
RAW="$OUT/raw"
mkdir -p "$DATA"
rm -rf "$RAW"
mkdir -p "$RAW"
"$RLSYN" split examples/data/nhefs.csv --outcome death --seed 0 --output-dir "$DATA" >/dev/null
TRAIN="$DATA/train.csv"
SCHEMA="$DATA/schema.json"
"$RLSYN" schema "$TRAIN" --output "$SCHEMA" >/dev/null

# R1 on every step and the sequential order are expert settings (`--config`, docs/rlsyn.md).
echo '{"rlsyn": {"r1Interval": 1, "concurrentDiscriminator": false}}' >"$OUT/sequential.json"
SWIFT_FIT_OPTIONS=(--policy-width 256 --batch-size 256 --discriminator-steps 5 --ppo-epochs 4 --noise-dimension 64
                   --config "$OUT/sequential.json" --seed 0)
SWIFT_SET=(--set policyWidth=256 --set batchSize=256 --set discriminatorSteps=5 --set ppoEpochs=4
           --set noiseDimension=64 --set r1Interval=1 --set concurrentDiscriminator=false)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

{
  echo "## Swift vs PyTorch: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Swift: binaries in $SWIFT_BIN of $(date -u -r "$BENCH" '+%Y-%m-%d %H:%M UTC'); this checkout $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (Sources/ has uncommitted changes)'); $("$BENCH" training-step --batches 2 --steps 5 | sed -n 1p)"
  echo "- PyTorch: $("$PY" -c 'import torch; print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, MKL {torch.backends.mkl.is_available()}, eager, float32")' 2>/dev/null)"
  echo "- environment: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; OMP_WAIT_POLICY for torch: ${TORCH_OMP_WAIT_POLICY:-torch default}"
  echo "- settings: ROUNDS=$ROUNDS THREADS=\"$THREADS\" FIT_ITERATIONS=$FIT_ITERATIONS ITER_WARMUP=$ITER_WARMUP ITER_REPEATS=$ITER_REPEATS MLP_STEPS=$MLP_STEPS; discriminator width 128"
} | tee "$OUT/header.md"
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v n="$(nproc)" 'BEGIN { exit !(l > 0.25 * n) }'; then
  echo "warning: the machine is busy (load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores): timings will be noisy," \
       "and multi-threaded figures (torch's above all: its OpenMP threads spin at barriers) can be far slower than on an idle machine" >&2
fi

# 4. The Swift configuration, and the numerical checks against its model file
echo
echo "### Numerical checks"
echo
CONFIG="$OUT/check.rlsyn"
"$RLSYN" fit "$TRAIN" --model "$CONFIG" --iterations 1 "${SWIFT_FIT_OPTIONS[@]}" --threads 1 \
  --log-format json > "$OUT/check-swift.jsonl"
echo '```'
"$PY" benchmarks/pytorch/check.py "$TRAIN" "$SCHEMA" --swift-model "$OUT/check.rlsyn" --swift-progress "$OUT/check-swift.jsonl" \
  | tee "$OUT/checks.txt" || echo "WARNING: a numerical check failed (see above); timing anyway" | tee -a "$OUT/checks.txt"
echo '```'
echo
echo "Figures at iterations 1, 2, 5 and 10 (one thread, seed 0; different random streams, so only the ranges can agree):"
echo
"$RLSYN" fit "$TRAIN" --model "$OUT/figures.rlsyn" --iterations 10 "${SWIFT_FIT_OPTIONS[@]}" \
  --threads 1 --log-every 1 --log-format json > "$OUT/figures-swift.jsonl"
"${TPY[@]}" "$TORCH_BENCH" fit "$TRAIN" "$SCHEMA" --config "$CONFIG" --iterations 10 --log-every 1 --threads 1 2>/dev/null \
  | grep '^{' > "$OUT/figures-torch.jsonl"
"$PY" - "$OUT/figures-swift.jsonl" "$OUT/figures-torch.jsonl" <<'EOF' | tee "$OUT/figures.md"
import json, sys
names = ["mean_reward", "discriminator_loss", "r1_penalty", "policy_loss", "entropy"]
print("| iteration | implementation | " + " | ".join(n.replace("_", " ") for n in names) + " |")
print("|---|---|" + "---|" * len(names))
runs = {impl: {l["iteration"]: l for l in map(json.loads, open(path))} for impl, path in zip(["Swift", "PyTorch"], sys.argv[1:])}
for it in (1, 2, 5, 10):
    for impl, lines in runs.items():
        if it in lines:
            print(f"| {it} | {impl} | " + " | ".join(f"{lines[it][n]:.4f}" for n in names) + " |")
EOF

# 5. Interleaved rounds
for r in $(seq 1 "$ROUNDS"); do
  for t in $THREADS; do
    echo "round $r/$ROUNDS, $t thread(s): MLP step, iteration, fit (Swift, then PyTorch) ..." >&2
    "$BENCH" training-step --threads "$t" --steps "$MLP_STEPS" > "$RAW/swift-mlp-T$t-r$r.txt"
    "${TPY[@]}" "$TORCH_BENCH" training-step --threads "$t" --steps "$MLP_STEPS" > "$RAW/torch-mlp-T$t-r$r.txt" 2> "$RAW/torch-mlp-T$t-r$r.err"

    cap=(env); phases=()
    if [ "$t" = 1 ]; then cap=(env RLSYN_BLAS_THREADING=openblas OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1); phases=(--phases); fi
    "${cap[@]}" "$BENCH" iteration "$TRAIN" "${SWIFT_SET[@]}" --threads "$t" \
      --warmup "$ITER_WARMUP" --repeats "$ITER_REPEATS" > "$RAW/swift-iteration-T$t-r$r.txt"
    if [ "$t" = 1 ] && ! grep -q 'threads 1$' "$RAW/swift-iteration-T$t-r$r.txt"; then
      echo "warning: rlsyn-bench iteration did not report 1 thread: its 1-thread figure may use more" >&2
    fi
    "${TPY[@]}" "$TORCH_BENCH" iteration "$TRAIN" "$SCHEMA" --config "$CONFIG" --threads "$t" \
      --warmup "$ITER_WARMUP" --repeats "$ITER_REPEATS" \
      "${phases[@]}" > "$RAW/torch-iteration-T$t-r$r.txt" 2> "$RAW/torch-iteration-T$t-r$r.err"

    a=$(now)
    "$RLSYN" fit "$TRAIN" --model "$OUT/fit-swift.rlsyn" --iterations "$FIT_ITERATIONS" \
      "${SWIFT_FIT_OPTIONS[@]}" --threads "$t" --log-format json > "$RAW/swift-fit-T$t-r$r.txt"
    echo "wall_seconds $(elapsed "$a" "$(now)")" >> "$RAW/swift-fit-T$t-r$r.txt"
    a=$(now)
    "${TPY[@]}" "$TORCH_BENCH" fit "$TRAIN" "$SCHEMA" --config "$CONFIG" --iterations "$FIT_ITERATIONS" --threads "$t" \
      > "$RAW/torch-fit-T$t-r$r.txt" 2> "$RAW/torch-fit-T$t-r$r.err"
    echo "wall_seconds $(elapsed "$a" "$(now)")" >> "$RAW/torch-fit-T$t-r$r.txt"
  done
done

# 6. Tables
echo
echo "### Timings"
echo
"$PY" benchmarks/pytorch/compare.py "$RAW" --fit-iterations "$FIT_ITERATIONS" | tee "$OUT/timings.md"
echo
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); total $(( $(date +%s) - started )) s"
cat "$OUT/header.md" <(echo; echo "### Numerical checks"; echo; echo '```'; cat "$OUT/checks.txt"; echo '```'; echo; cat "$OUT/figures.md") \
  <(echo; echo "### Timings"; echo; cat "$OUT/timings.md"; echo; echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)") \
  > "$OUT/results.md"
echo "(tables also in $OUT/results.md; raw outputs in $RAW)"
