#!/usr/bin/env python3
"""What dropping synthetic rows close to a training row would do to membership and utility (an analysis; rlsyn does
not do this). For every split of a `rlsyn benchmark` folder RUN, a larger sample SAMPLES/seed<s>.csv of a model fitted
on that split's training rows is filtered: rows closer to a training row than the q-th percentile of the training
rows' distances to their nearest other training row are dropped, and the first n (training rows) kept. Prints, per q,
the mean MIA, a scikit-learn logistic-regression S2R/R2R ratio and the share dropped.
    for s in 0 1 2 3 4; do rlsyn fit RUN/runs/seed$s-train.csv --model m$s.rlsyn --seed $s
      rlsyn sample m$s.rlsyn --rows 3500 --seed 1 --output SAMPLES/seed$s.csv; done
    python3 proximity-filter.py RUN SAMPLES OUTCOME
Needs numpy, pandas and scikit-learn; encoding and MIA as membership-reference.py."""
import glob, importlib.util, os, re, sys
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

spec = importlib.util.spec_from_file_location("reference", os.path.join(os.path.dirname(os.path.abspath(__file__)), "membership-reference.py"))
reference = importlib.util.module_from_spec(spec); spec.loader.exec_module(reference)

run, samples, outcome = sys.argv[1], sys.argv[2], sys.argv[3]
seeds = sorted(int(re.search(r"seed(\d+)\.csv", f).group(1)) for f in glob.glob(os.path.join(samples, "seed*.csv")))
results = {}
for seed in seeds:
    train = pd.read_csv(os.path.join(run, "runs", f"seed{seed}-train.csv"))
    holdout = pd.read_csv(os.path.join(run, "runs", f"seed{seed}-holdout.csv"))
    sample = pd.read_csv(os.path.join(samples, f"seed{seed}.csv"))[train.columns]
    n = len(train)
    enc_train, (enc_holdout, enc_sample) = reference.encode(train, [holdout, sample], outcome)
    leave_one_out = NearestNeighbors(n_neighbors=2).fit(enc_train).kneighbors(enc_train)[0][:, 1]
    to_train = NearestNeighbors(n_neighbors=1).fit(enc_train).kneighbors(enc_sample)[0][:, 0]
    features = [c for c in train.columns if c != outcome]
    x_train, (x_holdout, x_sample) = reference.encode(train[features], [holdout[features], sample[features]], None)
    positive = sorted(train[outcome].astype(str).unique())[-1]
    label = lambda t: (t[outcome].astype(str) == positive).astype(int).values
    def auc(x, y):
        return roc_auc_score(label(holdout), LogisticRegression(max_iter=3000).fit(x, y).predict_proba(x_holdout)[:, 1])
    r2r = auc(x_train, label(train))
    for q in [0, 10, 20, 30]:
        threshold = np.percentile(leave_one_out, q) if q > 0 else -1.0
        kept = np.where(to_train > threshold)[0][:n]
        if len(kept) < n:
            continue
        results.setdefault(q, []).append((reference.mia(enc_train, enc_holdout, enc_sample[kept]),
                                          auc(x_sample[kept], label(sample.iloc[kept])) / r2r, float(np.mean(to_train <= threshold))))
print("| q | MIA | LR ratio | dropped | splits |\n|---:|---:|---:|---:|---:|")
for q, rows in results.items():
    m = np.mean(rows, axis=0)
    print(f"| {q} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {len(rows)} |")
