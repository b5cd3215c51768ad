#!/usr/bin/env python3
"""Issue 35's bars from `rlsyn benchmark` folders: per table, each synthesizer's mean LR/GB ratio, detection, MIA,
DCR5, exact copies and fit seconds, and whether RLSyn holds the bars (ratios ≥ best baseline − 0.01, detection ≤ best
baseline + 0.02, MIA ≤ 0.55, no exact copies, fit ≤ 2 × diffusion's; RLSyn-only folders: DCR5 ≤ 0.08, MIA ≤ 0.53,
ratios ≥ 0.95; tables under 1,000 training rows are held to these small-table bars whatever ran).   python3 issue35-summary.py OUT_DIR"""
import json, os, statistics as st, sys

root = sys.argv[1]
print("| table | synthesizer | LR ratio | GB ratio | DET | MIA | DCR5 | EXACT | fit s | bars |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
for table in ["nhefs", "support2", "loanapp", "fertil2", "alcohol", "card", "schooling", "injury", "nhefs500", "s2-700", "mroz",
              "sleep75", "fringe", "wage1", "nhefs1000", "s2-1000", "htv", "bwght", "nhefs1400", "s2-1400"]:
    f = os.path.join(root, table, "benchmark.json")
    if not os.path.exists(f):
        continue
    runs = json.load(open(f))["runs"]
    names = sorted({r["synthesizer"] for r in runs}, key=["rlsyn", "gan", "diffusion"].index)
    mean = {s: {} for s in names}
    for s in names:
        rs = [r for r in runs if r["synthesizer"] == s]
        for k in ["ratio_lr", "ratio_gb", "DET", "MIA", "DCR5", "EXACT"]:
            mean[s][k] = st.mean(r["metrics"][k] for r in rs)
        mean[s]["fit"] = st.mean(r["fitSeconds"] for r in rs)
    r = mean["rlsyn"]
    base = [s for s in names if s != "rlsyn"]
    if base and min(r["trainRows"] for r in runs) >= 1_000:
        checks = {
            "LR": r["ratio_lr"] >= max(mean[s]["ratio_lr"] for s in base) - 0.01,
            "GB": r["ratio_gb"] >= max(mean[s]["ratio_gb"] for s in base) - 0.01,
            "DET": r["DET"] <= min(mean[s]["DET"] for s in base) + 0.02,
            "MIA": r["MIA"] <= 0.55, "EXACT": r["EXACT"] == 0,
            "time": "diffusion" in mean and r["fit"] <= 2 * mean["diffusion"]["fit"],
        }
    else:
        checks = {"DCR5": r["DCR5"] <= 0.08, "MIA": r["MIA"] <= 0.53, "LR": r["ratio_lr"] >= 0.95, "GB": r["ratio_gb"] >= 0.95}
    verdict = "all hold" if all(checks.values()) else "fails " + ", ".join(k for k, ok in checks.items() if not ok)
    for s in names:
        m = mean[s]
        print(f"| {table} | {s} | {m['ratio_lr']:.3f} | {m['ratio_gb']:.3f} | {m['DET']:.3f} | {m['MIA']:.3f} | "
              f"{m['DCR5']:.3f} | {m['EXACT']:.3f} | {m['fit']:.1f} | {verdict if s == 'rlsyn' else ''} |")
