#!/usr/bin/env python3
"""Markdown summary of smartnoise-baselines.sh's runs.tsv: one table per dataset, mean ± sd over seeds.

    python3 smartnoise-summary.py runs.tsv [versions.txt] > summary.md

Standard library only. sd is the sample standard deviation (n − 1); a cell with one run shows no sd. Runs whose
status is not ok count in the `runs` column (ok/all) and are left out of the means.
"""
import csv
import statistics
import sys
from collections import defaultdict

ORDER = {"dpctgan": 0, "patectgan": 1, "mst": 2, "aim": 3}
NAMES = {"dpctgan": "DPCTGAN", "patectgan": "PATECTGAN", "mst": "MST", "aim": "AIM"}
DATASETS = {"nhefs": "NHEFS (outcome death)", "support2": "SUPPORT2 (outcome death_180d)"}


def cell(values, digits):
    if not values:
        return "—"
    m = statistics.fmean(values)
    if len(values) == 1:
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    groups = defaultdict(list)
    for r in rows:
        groups[(r["dataset"], r["synthesizer"], float(r["epsilon"]))].append(r)
    print("# smartnoise-synth DP synthesizers, scored by `rlsyn evaluate`\n")
    print("Made by `docs/experiments/scripts/smartnoise-baselines.sh`; mean ± sd over seeds (sample sd). "
          "Ratio = S2R/R2R AUC (train on synthetic vs. on real, both tested on the holdout). δ = 1e-5. "
          "Continuous columns' bounds are train.csv's min/max, declared to smartnoise as public: "
          "**read from the data without DP** (no ε spent on them), as are category sets. "
          "Fit seconds are wall-clock of `fit()` alone, one thread, on a shared 2-core machine. "
          "ε spent: DPCTGAN's discriminator by opacus' RDP analysis (it checks the budget only before each epoch, "
          "so it ends a little over ε, or under ε when its epochs run out first); the others spend ε by "
          "construction.\n")
    if len(sys.argv) > 2:
        print("Versions and settings: " + "; ".join(l.strip() for l in open(sys.argv[2]) if l.strip()) + "\n")
    for ds in sorted({k[0] for k in groups}, key=lambda d: (d not in DATASETS, d)):
        print(f"## {DATASETS.get(ds, ds)}\n")
        print("| synthesizer | ε | ratio LR | ratio GB | S2R LR | S2R GB | fit s | runs ok | ε spent |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        keys = sorted((k for k in groups if k[0] == ds), key=lambda k: (k[2], ORDER.get(k[1], 9), k[1]))
        for k in keys:
            rs = groups[k]
            ok = [r for r in rs if r["status"] == "ok"]
            col = lambda name: [float(r[name]) for r in ok]
            fits = [float(r["fit_seconds"]) for r in rs if r["fit_seconds"].replace(".", "", 1).isdigit()]
            eps = f"{k[2]:g}"
            spent = sorted({r.get("epsilon_spent") or "NA" for r in ok} - {"NA"})
            spent = "/".join(f"{float(v):.2f}" for v in spent) if spent else "—"
            print(f"| {NAMES.get(k[1], k[1])} | {eps} | {cell(col('ratio_lr'), 3)} | {cell(col('ratio_gb'), 3)} | "
                  f"{cell(col('S2R_lr'), 3)} | {cell(col('S2R_gb'), 3)} | {cell(fits, 0)} | {len(ok)}/{len(rs)} | {spent} |")
        print()
        failed = [r for r in rows if r["dataset"] == ds and r["status"] != "ok"]
        if failed:
            print("Failed runs: " + ", ".join(
                f"{NAMES.get(r['synthesizer'], r['synthesizer'])} ε={r['epsilon']} seed {r['seed']} ({r['status']})"
                for r in failed) + ".\n")


if __name__ == "__main__":
    main()
