#!/usr/bin/env python3
"""Fit one smartnoise-synth DP synthesizer on a training CSV and write a synthetic CSV of the same size.

Called by smartnoise-baselines.sh, once per (dataset, synthesizer, epsilon, seed), in the venv that script makes:

    python smartnoise-fit.py --train train.csv --metadata meta.json --synth dpctgan \
        --epsilon 3 --delta 1e-5 --seed 0 --output syn.csv [--epochs N] [--info fit.json]

Column kinds come from `rlsyn schema` (meta.json): binary/categorical → categorical; integer/continuous →
continuous. What is read from the training data without differential privacy, besides what the synthesizer
itself measures under its ε:
  * the bounds of every continuous column: meta.json's min/max, which `rlsyn schema` takes from train.csv.
    smartnoise needs bounds for continuous columns (MinMaxTransformer for DPCTGAN/PATECTGAN; the bins for MST/AIM)
    and would otherwise spend part of ε on them (preprocessor_eps); we declare them as if public, the way RLSyn's
    `--epsilon` lets a user declare `min`/`max` in metadata. They are NOT differentially private here.
  * the category sets of categorical columns (smartnoise's LabelTransformer learns them from the data; for
    MST/AIM also which of the 20 bins occur), and whether a column has missing cells.
MST and AIM take categorical data only: each continuous column is cut into 20 equal-width bins over the
declared [min, max] (no quantiles), a missing cell is its own category, and synthetic bins are mapped back to
the bin's midpoint (rounded for integer columns). DPCTGAN/PATECTGAN get continuous columns min-max scaled with
a null indicator where the column has missing cells. Integer columns are rounded and every continuous output is
clipped to [min, max].
"""
import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
import pandas as pd
import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

from snsynth import Synthesizer
from snsynth.transform import ChainTransformer, LabelTransformer, MinMaxTransformer, OneHotEncoder

NA = "__NA__"  # missing cell of a categorical column, as its own category
BINS = 20


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--train", required=True)
    p.add_argument("--metadata", required=True, help="meta.json from `rlsyn schema train.csv`")
    p.add_argument("--synth", required=True, choices=["dpctgan", "patectgan", "mst", "aim"])
    p.add_argument("--epsilon", type=float, required=True)
    p.add_argument("--delta", type=float, default=1e-5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=None, help="DPCTGAN only; default: the package's (300)")
    p.add_argument("--rounds", type=int, default=None, help="AIM only; default: the package's (16 × columns)")
    p.add_argument("--output", required=True)
    p.add_argument("--info", default=None, help="write fit seconds and settings as JSON here")
    return p.parse_args()


def column_kinds(meta_path, columns):
    meta = json.load(open(meta_path))["columns"]
    kinds = {}
    for c in columns:
        m = meta[c]
        kind = m.get("kind")
        if kind in ("binary", "categorical"):
            kinds[c] = ("categorical", None)
        elif kind in ("integer", "continuous"):
            if "min" not in m or "max" not in m:
                raise SystemExit(f"column {c}: metadata has no min/max")
            kinds[c] = (kind, (float(m["min"]), float(m["max"])))
        else:
            raise SystemExit(f"column {c}: unsupported kind {kind!r}")
    return kinds


def read_train(path, kinds):
    # Categorical cells are kept as the exact strings of the CSV so that they are written back unchanged.
    dtypes = {c: (str if k == "categorical" else float) for c, (k, _) in kinds.items()}
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=True, na_values=[""])
    for c, (k, _) in kinds.items():
        if k == "categorical":
            df[c] = df[c].fillna(NA).astype(object)
    return df


def edges(lo, hi):
    return np.linspace(lo, hi, BINS + 1) if hi > lo else np.array([lo, lo + 1.0])


def to_bins(df, kinds):
    out = df.copy()
    for c, (k, bounds) in kinds.items():
        if k == "categorical":
            continue
        e = edges(*bounds)
        x = df[c].to_numpy(dtype=float)
        b = np.clip(np.searchsorted(e, x, side="right") - 1, 0, len(e) - 2)
        out[c] = np.where(np.isnan(x), NA, b.astype(str)).astype(object)
    return out


def from_bins(df, kinds):
    out = df.copy()
    for c, (k, bounds) in kinds.items():
        if k == "categorical":
            continue
        e = edges(*bounds)
        mids = (e[:-1] + e[1:]) / 2

        def back(v):
            if v is None or v == NA or (isinstance(v, float) and np.isnan(v)):
                return np.nan
            return mids[int(v)]

        out[c] = [back(v) for v in df[c]]
    return out


def gan_transformer(df, kinds):
    t = {}
    for c, (k, bounds) in kinds.items():
        if k == "categorical":
            t[c] = ChainTransformer([LabelTransformer(nullable=False), OneHotEncoder()])
        else:
            t[c] = MinMaxTransformer(lower=bounds[0], upper=bounds[1], nullable=bool(df[c].isna().any()))
    return t


def finish(syn, columns, kinds):
    syn = pd.DataFrame(syn, columns=columns) if not isinstance(syn, pd.DataFrame) else syn
    syn.columns = columns
    out = pd.DataFrame(index=range(len(syn)))
    for c, (k, bounds) in kinds.items():
        if k == "categorical":
            out[c] = [("" if (v is None or v == NA or (isinstance(v, float) and np.isnan(v))) else v) for v in syn[c]]
        else:
            x = pd.to_numeric(syn[c], errors="coerce").to_numpy(dtype=float)
            x = np.clip(x, bounds[0], bounds[1])
            if k == "integer":
                out[c] = pd.array(np.round(x), dtype="Float64").astype("Int64")
            else:
                out[c] = x
    return out


def dpctgan_epsilon(n, batch_size, sigma, epochs, delta):
    """ε that DPCTGAN's discriminator spent, by opacus' own RDP analysis (the one DPCTGAN checks against).

    DPCTGAN calls the discriminator's optimizer.step() twice per batch (fake, then real records), and opacus
    counts both; it tests the budget only before each epoch and stops at the first epoch whose *start* is over
    it, so a fit that stopped on the budget has spent slightly more than ε (one epoch's worth)."""
    from opacus import privacy_analysis
    orders = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))
    steps = epochs * max(n // batch_size, 1) * 2
    if steps == 0:
        return 0.0
    rdp = privacy_analysis.compute_rdp(batch_size / n, sigma, steps, orders)
    return float(privacy_analysis.get_privacy_spent(orders, rdp, delta)[0])


def main():
    a = parse_args()
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)

    columns = list(pd.read_csv(a.train, nrows=0).columns)
    kinds = column_kinds(a.metadata, columns)
    df = read_train(a.train, kinds)
    n = len(df)
    settings = {}

    if a.synth in ("mst", "aim"):
        data = to_bins(df, kinds)
        kw = {"rounds": a.rounds} if (a.synth == "aim" and a.rounds is not None) else {}
        synth = Synthesizer.create(a.synth, epsilon=a.epsilon, delta=a.delta, **kw)
        t0 = time.perf_counter()
        synth.fit(data, categorical_columns=columns)
        fit_s = time.perf_counter() - t0
        syn = from_bins(pd.DataFrame(synth.sample(n), columns=columns), kinds)
        settings["bins"] = BINS
        if a.synth == "aim":
            settings["rounds"] = synth.rounds or 16 * len(columns)
    else:
        kw = dict(epsilon=a.epsilon, delta=a.delta, verbose=False, cuda=False)
        if a.synth == "dpctgan" and a.epochs is not None:
            kw["epochs"] = a.epochs
        synth = Synthesizer.create(a.synth, **kw)
        t0 = time.perf_counter()
        synth.fit(df, transformer=gan_transformer(df, kinds), preprocessor_eps=0.0)
        fit_s = time.perf_counter() - t0
        syn = synth.sample(n)
        gan = getattr(synth, "gan", synth)
        if a.synth == "dpctgan":
            settings["epochs_planned"] = gan._epochs
            eps = [float(e) for e in getattr(gan, "epsilon_list", [])]
            # epsilon_list holds the ε spent before each epoch; training stops at the first one above the budget
            settings["epochs_run"] = len(eps) - 1 if eps and eps[-1] > a.epsilon else len(eps)
            settings["epsilon_spent"] = dpctgan_epsilon(n, gan._batch_size, gan.sigma, settings["epochs_run"], a.delta)
            settings["sigma"] = gan.sigma
            settings["batch_size"] = gan._batch_size
    out = finish(syn, columns, kinds)
    out.to_csv(a.output, index=False)

    info = {
        "synthesizer": a.synth, "epsilon": a.epsilon, "delta": a.delta, "seed": a.seed, "rows": n,
        "fit_seconds": round(fit_s, 3), "bounds": "declared from train.csv min/max without DP",
        **settings,
    }
    if a.info:
        json.dump(info, open(a.info, "w"), indent=1)
    print(json.dumps(info))


if __name__ == "__main__":
    sys.exit(main())
