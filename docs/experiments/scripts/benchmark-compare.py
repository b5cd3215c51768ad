import json, sys
old, new = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
keys = [("S2R/R2R LR","ratio_lr"),("S2R/R2R GB","ratio_gb"),("KS/TV","KS_TV"),("NMI","NMI"),("DET","DET"),("MIA","MIA"),("DCR5","DCR5")]
print("| synthesizer | build | " + " | ".join(k for k,_ in keys) + " |")
print("|---|---|" + "---:|"*len(keys))
for s in ["rlsyn","gan","diffusion"]:
    for name, d in [("before (cd08e90)", old), ("after", new)]:
        row = []
        for _, k in keys:
            m = d["summary"][s].get(k)
            row.append(f"{m['mean']:.3f} ± {m['sd']:.3f}" if m else "–")
        print(f"| {s} | {name} | " + " | ".join(row) + " |")
