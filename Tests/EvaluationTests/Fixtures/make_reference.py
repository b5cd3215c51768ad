#!/usr/bin/env python3
"""Reference values for the evaluation cross-check (run once; the output is committed).

usage: python make_reference.py [SCORE_PY] [DATA_DIR]
  SCORE_PY  the independent scorer (default ../../../../shared/tools/score.py, i.e. /work/shared/tools/score.py)
  DATA_DIR  folder with nhefs.csv and support2.csv (default: the package's examples/data)

For each bundled dataset it
  1. makes the stratified 70/30 split of /work/shared/tools/split.py
     (sklearn train_test_split(test_size=0.3, stratify=outcome, random_state=0)) and records the
     original row numbers of both parts, in sklearn's order -> splits.json;
  2. builds two synthetic tables from the training part:
       copy    = the training rows unchanged,
       rotated = column j (0-based, file order) cyclically shifted: row r takes the value of
                 training row (r + (j + 1) * 7919) mod n  (a column-wise "shuffle" that Swift can
                 reproduce without sharing a random generator);
  3. runs score.py --json on (train, holdout, synthetic) and records its numbers
     -> reference.json, together with the library versions.

Tested with pandas 2.3.3, scikit-learn 1.9.1, scipy 1.17.1, numpy 2.4.6 (Python 3.11). score.py needs
pandas < 3: with pandas 3, `astype(str)` keeps NaN as a float and `sorted(set(...))` fails on
columns with missing categorical cells (NHEFS `income`).
"""
import json, os, subprocess, sys, tempfile
import numpy as np, pandas as pd, sklearn, scipy
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SCORE = sys.argv[1] if len(sys.argv) > 1 else os.path.abspath(os.path.join(ROOT, "..", "shared", "tools", "score.py"))
DATA = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "examples", "data")
DATASETS = [("nhefs", "death"), ("support2", "death_180d")]
STEP = 7919

def rotated(tr):
    n = len(tr)
    out = tr.copy()
    for j, c in enumerate(tr.columns):
        shift = ((j + 1) * STEP) % n
        out[c] = np.roll(tr[c].values, -shift)   # out[r] = tr[(r + shift) % n]
    return out

def main():
    splits, ref = {}, {"versions": {"pandas": pd.__version__, "sklearn": sklearn.__version__,
                                    "scipy": scipy.__version__, "numpy": np.__version__},
                       "rotation_step": STEP, "results": {}}
    for name, outcome in DATASETS:
        d = pd.read_csv(os.path.join(DATA, name + ".csv"))
        tr, ho = train_test_split(d, test_size=0.3, stratify=d[outcome], random_state=0)
        splits[name] = {"outcome": outcome, "train": [int(i) for i in tr.index], "holdout": [int(i) for i in ho.index]}
        tr = tr.reset_index(drop=True); ho = ho.reset_index(drop=True)
        with tempfile.TemporaryDirectory() as tmp:
            p_tr, p_ho = os.path.join(tmp, "train.csv"), os.path.join(tmp, "holdout.csv")
            tr.to_csv(p_tr, index=False); ho.to_csv(p_ho, index=False)
            for scen, sy in (("copy", tr), ("rotated", rotated(tr))):
                p_sy = os.path.join(tmp, f"{scen}.csv"); sy.to_csv(p_sy, index=False)
                out = subprocess.run([sys.executable, SCORE, p_tr, p_ho, p_sy, outcome, "--json"],
                                     check=True, capture_output=True, text=True).stdout
                ref["results"][f"{name}/{scen}"] = json.loads(out)
                print(name, scen, out.strip(), flush=True)
    with open(os.path.join(HERE, "splits.json"), "w") as f:
        json.dump(splits, f, separators=(",", ":"))
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)

if __name__ == "__main__":
    main()
