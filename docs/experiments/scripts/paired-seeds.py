#!/usr/bin/env python3
"""Paired differences B − A of RLSyn's metrics, seed by seed, for every table folder both runs have (folders as
small-tables.sh writes them: RUN/TABLE/benchmark.json), then pooled over tables and seeds (mean ± standard error).
Also each run's per-table means.   python3 paired-seeds.py RUN_A RUN_B"""
import json, os, statistics as st, sys

a, b = sys.argv[1], sys.argv[2]
keys = ["ratio_lr", "ratio_gb", "DET", "MIA", "DCR5"]

def runs(folder):
    f = os.path.join(folder, "benchmark.json")
    return {r["seed"]: r["metrics"] for r in json.load(open(f))["runs"] if r["synthesizer"] == "rlsyn"} if os.path.exists(f) else {}

pooled = {k: [] for k in keys}
print("| table | run | " + " | ".join(keys) + " |\n|---|---|" + "---:|" * len(keys))
lines = []
for t in sorted(os.listdir(a)):
    ra, rb = runs(os.path.join(a, t)), runs(os.path.join(b, t))
    seeds = sorted(set(ra) & set(rb))
    if not seeds:
        continue
    for name, r in (("A", ra), ("B", rb)):
        print(f"| {t} | {name} | " + " | ".join(f"{st.mean(r[s][k] for s in seeds):.3f}" for k in keys) + " |")
    d = {k: [rb[s][k] - ra[s][k] for s in seeds] for k in keys}
    for k in keys:
        pooled[k] += d[k]
    lines.append(f"| {t} | B − A | " + " | ".join(f"{st.mean(d[k]):+.3f}" for k in keys) + " |")
print("\n".join(lines))
n = len(pooled["MIA"])
if n > 1:
    print(f"| pooled ({n} fits) | B − A | " + " | ".join(f"{st.mean(v):+.4f} ± {st.stdev(v) / n ** 0.5:.4f}" for v in pooled.values()) + " |")
