#!/usr/bin/env python3
"""wide-spurious-by-prevalence.py TRAIN SYNTHETIC [OUTCOME]: where a wide synthetic table's invented outcome
dependence sits (docs/rlsyn.md, "Why LR utility lags").

Over the binary `code_*` columns whose real correlation with the outcome is within sampling noise (|r| < 3/sqrt(n)),
prints the mean |corr(code, outcome)| and |corr(code, age)| of the real and the synthetic rows by prevalence band,
how the synthetic code-outcome correlations follow the code-age ones, and the outcome's correlation with age and
length of stay. Needs numpy and pandas.
"""
import sys
import numpy as np
import pandas as pd

train = pd.read_csv(sys.argv[1])
synthetic = pd.read_csv(sys.argv[2])[train.columns]
outcome = sys.argv[3] if len(sys.argv) > 3 else "death"
codes = [c for c in train.columns if c.startswith("code_")]


def correlations(frame, columns, target):
    x = frame[columns].to_numpy(float)
    y = frame[target].to_numpy(float)
    x = x - x.mean(0)
    y = y - y.mean()
    return (x * y[:, None]).sum(0) / np.sqrt((x ** 2).sum(0) * (y ** 2).sum() + 1e-12)


real_outcome, syn_outcome = correlations(train, codes, outcome), correlations(synthetic, codes, outcome)
real_age, syn_age = correlations(train, codes, "age"), correlations(synthetic, codes, "age")
prevalence = train[codes].mean().to_numpy()
null = np.abs(real_outcome) < 3 / np.sqrt(len(train))
print(f"{null.sum()} codes without real {outcome} dependence: mean |corr| real {np.abs(real_outcome[null]).mean():.4f}, "
      f"synthetic {np.abs(syn_outcome[null]).mean():.4f}")
for lo, hi in [(0, 0.003), (0.003, 0.01), (0.01, 0.03), (0.03, 1)]:
    band = null & (prevalence >= lo) & (prevalence < hi)
    if band.any():
        print(f"prevalence [{lo}, {hi}) {band.sum()} codes: |corr({outcome})| real {np.abs(real_outcome[band]).mean():.4f} "
              f"synthetic {np.abs(syn_outcome[band]).mean():.4f}; |corr(age)| real {np.abs(real_age[band]).mean():.4f} "
              f"synthetic {np.abs(syn_age[band]).mean():.4f}")
print(f"corr over those codes of corr({outcome}) with corr(age): real {np.corrcoef(real_outcome[null], real_age[null])[0, 1]:.2f}, "
      f"synthetic {np.corrcoef(syn_outcome[null], syn_age[null])[0, 1]:.2f}")
for column in ("age", "los_days"):
    if column in train.columns:
        print(f"corr({outcome}, {column}): real {correlations(train, [column], outcome)[0]:.3f}, "
              f"synthetic {correlations(synthetic, [column], outcome)[0]:.3f}")
