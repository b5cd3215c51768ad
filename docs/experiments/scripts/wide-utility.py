#!/usr/bin/env python3
"""wide-utility.py TRAIN HOLDOUT SYNTHETIC [OUTCOME]: a quick utility check for wide binary tables (MIMIC-shaped).

Prints, as one JSON line: the S2R/R2R AUC ratios with logistic regression and gradient boosting, encoded as
../shared/tools/score.py encodes wide tables (min-max numerics, one feature per binary; at most 30,000 rows per
side); the mean absolute difference of binary-column prevalences; and the spurious-dependence measure
`spurious`: the mean |corr(outcome, binary column)| over the binary columns whose real correlation with the
outcome is within sampling noise (|r| < 3/sqrt(n)), for real and synthetic rows. A generator that invents
outcome dependencies the real table lacks shows a synthetic value above the real one (the noise floor is about
0.8/sqrt(n)); logistic regression trained on such rows puts weight on those columns and scores worse on real data.
"""
import json, sys
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

tr, ho, sy = (pd.read_csv(p) for p in sys.argv[1:4])
outcome = sys.argv[4] if len(sys.argv) > 4 else "death"
cap = 30_000
tr, ho, sy = (f.sample(cap, random_state=0) if len(f) > cap else f for f in (tr, ho, sy))
sy = sy[tr.columns]
features = [c for c in tr.columns if c != outcome]
binary = [c for c in features if set(tr[c].dropna().unique()) <= {0, 1}]

def encode(f):
    cols = []
    for c in features:
        v = pd.to_numeric(f[c], errors="coerce").astype(float)
        if c in binary:
            cols.append(v.fillna(0).values)
        else:
            r = pd.to_numeric(tr[c], errors="coerce"); lo, hi = r.min(), r.max()
            cols.append(((v.fillna(r.median()) - lo) / ((hi - lo) or 1.0)).values)
    return np.stack(cols, 1)

Xtr, Xho, Xsy = encode(tr), encode(ho), encode(sy)
ytr, yho, ysy = (f[outcome].values.astype(int) for f in (tr, ho, sy))
out = {}
for name, make in (("lr", lambda: LogisticRegression(max_iter=2000)), ("gb", lambda: HistGradientBoostingClassifier(random_state=0))):
    r2r = roc_auc_score(yho, make().fit(Xtr, ytr).predict_proba(Xho)[:, 1])
    s2r = roc_auc_score(yho, make().fit(Xsy, ysy).predict_proba(Xho)[:, 1]) if len(set(ysy)) > 1 else 0.5
    out[f"ratio_{name}"] = round(s2r / r2r, 4); out[f"S2R_{name}"] = round(s2r, 4); out[f"R2R_{name}"] = round(r2r, 4)

def outcome_corr(X, y, idx):
    B = X[:, idx]; s = B.std(0); keep = s > 0
    z = (B[:, keep] - B[:, keep].mean(0)) / s[keep]; yz = (y - y.mean()) / (y.std() or 1.0)
    r = np.zeros(len(idx)); r[keep] = z.T @ yz / len(y); return r

bidx = [features.index(c) for c in binary]
rr, rs = outcome_corr(Xtr, ytr, bidx), outcome_corr(Xsy, ysy, bidx)
null = np.abs(rr) < 3 / np.sqrt(len(ytr))
out["spurious_real"] = round(float(np.abs(rr[null]).mean()), 5)
out["spurious_syn"] = round(float(np.abs(rs[null]).mean()), 5)
out["prevalence_mad"] = round(float(np.abs(Xtr[:, bidx].mean(0) - Xsy[:, bidx].mean(0)).mean()), 5)
out["outcome_rate"] = [round(float(ytr.mean()), 4), round(float(ysy.mean()), 4)]
print(json.dumps(out))
