#!/usr/bin/env python3
"""One line per `rlsyn benchmark` folder: RLSyn's mean ± sd over seeds of the S2R/R2R ratios, KS/TV, detection,
membership AUC, DCR5 and fit seconds.   python3 dp-summary.py DIR [DIR …]"""
import json, os, statistics as st, sys

for path in sys.argv[1:]:
    f = os.path.join(path, "benchmark.json")
    if not os.path.exists(f):
        continue
    runs = [r for r in json.load(open(f))["runs"] if r["synthesizer"] == "rlsyn"]
    def m(k):
        v = [r["metrics"][k] for r in runs]
        return f"{st.mean(v):.3f}±{(st.stdev(v) if len(v) > 1 else 0):.3f}"
    fit = st.mean(r["fitSeconds"] for r in runs)
    print(f"{os.path.basename(path):28s} n={len(runs)} LR {m('ratio_lr')} GB {m('ratio_gb')} KS {m('KS_TV')} "
          f"DET {m('DET')} MIA {m('MIA')} DCR5 {m('DCR5')} fit {fit:.1f}")
