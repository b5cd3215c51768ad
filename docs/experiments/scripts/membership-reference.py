#!/usr/bin/env python3
"""Reference levels for the membership-inference AUC (`MIA`) of a `rlsyn benchmark` folder, seed by seed:

  synthesizers  the MIA of every synthetic table under RUN/runs (recomputed; equals benchmark.json's)
  marginals     a table of as many rows as the training split whose columns are drawn independently from the
                training split's columns (each cell a training cell of that column): the score of a generator that
                keeps every marginal and no dependence (mean of 5 draws)
  fresh         (with POPULATION) as many rows drawn from POPULATION, rows of the same population that are in
                neither split: the score of a perfect generator, i.e. the split's own level (mean of 5 draws)

Distances follow docs/evaluation.md §1 (score.py's encoding: numeric columns with more than 12 distinct values
min-max scaled plus a missing flag, every other column one-hot over the training levels, outcome included).
Needs numpy, pandas and scikit-learn.
    python3 membership-reference.py RUN OUTCOME [POPULATION.csv]"""
import glob, os, re, sys
import numpy as np, pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors


def encode(train, others, outcome):
    """score.py's encoding of `train` and of each table in `others` with the training split's scaling and levels."""
    feats, other_feats = [], [[] for _ in others]
    for c in train.columns:
        x = train[c]
        num = pd.to_numeric(x, errors="coerce")
        if c != outcome and num.notna().sum() == x.notna().sum() and num.nunique() > 12:
            lo, hi, med = num.min(), num.max(), num.median()
            span = (hi - lo) or 1.0
            def numeric(s):
                v = pd.to_numeric(s, errors="coerce")
                return [((v.fillna(med) - lo) / span).values, v.isna().astype(float).values]
            feats += numeric(x)
            for i, o in enumerate(others):
                other_feats[i] += numeric(o[c])
        else:
            def key(s):  # numeric labels compared by value, missing a level of its own
                return s.map(lambda v: "NA" if pd.isna(v) else (str(float(v)) if isinstance(v, (int, float)) else str(v)))
            kt = key(x)
            for level in sorted(kt.unique()):
                feats.append((kt == level).astype(float).values)
                for i, o in enumerate(others):
                    other_feats[i].append((key(o[c]) == level).astype(float).values)
    return np.array(feats).T, [np.array(f).T for f in other_feats]


def mia(train, holdout, synthetic):
    """AUC of −(distance to the closest synthetic row), training rows positive."""
    nn = NearestNeighbors(n_neighbors=1).fit(synthetic)
    d_train, d_holdout = nn.kneighbors(train)[0][:, 0], nn.kneighbors(holdout)[0][:, 0]
    y = np.r_[np.ones(len(d_train)), np.zeros(len(d_holdout))]
    return roc_auc_score(y, -np.r_[d_train, d_holdout])


def main():
    run, outcome = sys.argv[1], sys.argv[2]
    population = pd.read_csv(sys.argv[3]) if len(sys.argv) > 3 else None
    seeds = sorted(int(re.search(r"seed(\d+)-train", f).group(1)) for f in glob.glob(os.path.join(run, "runs", "seed*-train.csv")))
    rows = {}
    for seed in seeds:
        train = pd.read_csv(os.path.join(run, "runs", f"seed{seed}-train.csv"))
        holdout = pd.read_csv(os.path.join(run, "runs", f"seed{seed}-holdout.csv"))
        n = len(train)
        tables = {}
        for f in sorted(glob.glob(os.path.join(run, "runs", f"seed{seed}-*.csv"))):
            name = re.search(r"seed\d+-(.+)\.csv", f).group(1)
            if name not in ("train", "holdout"):
                tables[name] = [pd.read_csv(f)[train.columns]]
        rng = np.random.default_rng(seed)
        tables["marginals"] = [pd.DataFrame({c: train[c].values[rng.integers(0, n, n)] for c in train.columns}) for _ in range(5)]
        if population is not None and len(population) < n:
            sys.exit(f"{sys.argv[3]}: {len(population)} rows, fewer than the {n} training rows of seed {seed}")
        if population is not None:
            tables["fresh"] = [population.sample(n, random_state=int(rng.integers(2**31)))[train.columns] for _ in range(5)]
        for name, draws in tables.items():
            scores = []
            for table in draws:
                enc_train, (enc_holdout, enc_synthetic) = encode(train, [holdout, table], outcome)
                scores.append(mia(enc_train, enc_holdout, enc_synthetic))
            rows.setdefault(name, {})[seed] = float(np.mean(scores))
    print("| reference | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
    print("|---|" + "---:|" * (len(seeds) + 1))
    for name, by_seed in rows.items():
        print(f"| {name} | " + " | ".join(f"{by_seed[s]:.3f}" for s in seeds) + f" | **{np.mean(list(by_seed.values())):.3f}** |")


if __name__ == "__main__":
    main()
