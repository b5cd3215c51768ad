#!/usr/bin/env bash
# Same seed → same model file and same sample, byte for byte, between this tree and a base commit.
#   bash scripts/check-model-identity.sh [BASE]      (BASE default: cd08e90, the last commit before issue 32's refactor)
#   NEW_ARGS="--rare-count 1" bash scripts/check-model-identity.sh   (fit arguments for this tree's build only; k = 1
#   turns issue 33's release rules off, so the comparison isolates every other change)
# Builds BASE in a git worktree under .build-identity/, fits every synthesizer and preset briefly on the bundled
# NHEFS and SUPPORT2 tables with both builds (same seed, same thread count), and compares the model files and
# samples with cmp. Prints one line per case and exits 1 on any difference. About 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-cd08e90}
WORK=.build-identity
THREADS=${THREADS:-2}
mkdir -p "$WORK"
if [ ! -d "$WORK/base/.git" ] && [ ! -f "$WORK/base/.git" ]; then
  git worktree add --detach "$WORK/base" "$BASE" >/dev/null
else
  git -C "$WORK/base" checkout --quiet --detach "$BASE"
fi
(cd "$WORK/base" && swift build -c release --product rlsyn >/dev/null)
swift build -c release --product rlsyn >/dev/null
OLD="$WORK/base/.build/release/rlsyn" NEW=.build/release/rlsyn
# name | data | fit arguments (flags both builds accept)
CASES=(
  "rlsyn-small-nhefs|examples/data/nhefs.csv|--iterations 40"
  "rlsyn-large-nhefs|examples/data/nhefs.csv|--preset large --iterations 40"
  "rlsyn-paper-nhefs|examples/data/nhefs.csv|--preset paper --iterations 20"
  "rlsyn-large-support2|examples/data/support2.csv|--iterations 20"
  "rlsyn-paper-support2|examples/data/support2.csv|--preset paper --iterations 4"
  "rlsyn-small-support2|examples/data/support2.csv|--preset small --iterations 20"
  "gan-nhefs|examples/data/nhefs.csv|--synthesizer gan --iterations 40"
  "gan-support2|examples/data/support2.csv|--synthesizer gan --iterations 20"
  "diffusion-nhefs|examples/data/nhefs.csv|--synthesizer diffusion --iterations 60"
  "diffusion-support2|examples/data/support2.csv|--synthesizer diffusion --iterations 40"
)
failed=0
for c in "${CASES[@]}"; do
  IFS='|' read -r name data args <<<"$c"
  for side in old new; do
    bin=$OLD; [ $side = new ] && bin=$NEW
    extra=""; [ $side = new ] && extra=${NEW_ARGS:-}
    # shellcheck disable=SC2086
    "$bin" fit "$data" --model "$WORK/$name-$side.rlsyn" --seed 7 --threads "$THREADS" --quiet $args $extra
    "$bin" sample "$WORK/$name-$side.rlsyn" --rows 500 --seed 3 --output "$WORK/$name-$side.csv"
  done
  if cmp -s "$WORK/$name-old.rlsyn" "$WORK/$name-new.rlsyn" && cmp -s "$WORK/$name-old.csv" "$WORK/$name-new.csv"; then
    echo "same   $name"
  else
    echo "DIFFER $name"; failed=1
  fi
done
exit $failed
