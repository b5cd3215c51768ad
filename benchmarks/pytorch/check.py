"""Numerical checks of the PyTorch reimplementation, on its own and against a Swift model file.

    python check.py TRAIN.csv SCHEMA.json [--swift-model M.rlsyn] [--swift-progress P.jsonl]

On its own (float64 where it matters):
  * grouped log-softmax: every group's probabilities sum to 1;
  * log pi and the closed-form entropy against torch.distributions (Normal / Bernoulli / Categorical),
    with missing Gaussian values left out of both;
  * sampling: empirical frequencies of a large sample against the policy's probabilities;
  * R1: the double-backprop penalty against per-record gradients from torch.func, and the gradient of the
    penalty with respect to one discriminator weight against a central finite difference.
With --swift-model (a file from `rlsyn fit TRAIN --iterations 1 ...` with the benchmark's settings):
  * the encoded layout and every quantile knot score against the Swift encoder stored in the file;
  * the head biases of the torch policy's marginal initialisation against the Swift policy after one
    iteration (each of its PPO epochs is one Adam step, which moves a bias by about the learning rate at most;
    columns the Swift encoder dequantizes are dequantized here with torch's own draws, so their Gaussian heads
    may also differ by 4 times their spread over 8 torch streams);
  * the Swift policy's weights loaded into the torch policy: its closed-form entropy on fresh noise
    against the entropy the Swift fit reported at iteration 1 (--swift-progress, JSON lines).
Prints one line per check and exits with status 1 if one fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

from encoding import encode  # noqa: E402
from rlsyn_torch import (Config, Discriminator, RLSynTrainer, dequantize, load_config, read_swift_model,  # noqa: E402
                         swift_dequantization)

failures = []


def report(name, ok, detail):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        failures.append(name)


def standalone_checks(trainer):
    torch.manual_seed(1)
    pol = trainer.policy.double()
    L = pol.layout
    z = torch.randn(512, trainer.cfg.noise_dimension, dtype=torch.float64)
    # make the heads less trivial than the marginal initialisation
    with torch.no_grad():
        pol.heads.weight.mul_(20)
    o = pol(z)
    g = torch.Generator().manual_seed(2)
    x = pol.sample({k: v.detach() for k, v in o.items()}, g)
    lp = o["categorical_log_probabilities"]
    sums = torch.stack([s.exp().sum(1) for s in torch.split(lp, pol.group_softmax.sizes, dim=1)], 1)
    report("grouped log-softmax", (sums - 1).abs().max().item() < 1e-12, f"max |sum p - 1| = {(sums - 1).abs().max().item():.1e}")

    presence = pol.presence_mask(x)
    normal = torch.distributions.Normal(o["mean"], o["log_std"].exp())
    ref = (normal.log_prob(x[:, L.gaussian.start:L.gaussian.stop]) * presence).sum(1)
    ref = ref + torch.distributions.Bernoulli(logits=o["bernoulli_logits"]).log_prob(
        x[:, L.bernoulli.start:L.bernoulli.stop]).sum(1)
    ent = (normal.entropy() * presence).sum(1) + torch.distributions.Bernoulli(logits=o["bernoulli_logits"]).entropy().sum(1)
    xc = x[:, L.categorical.start:L.categorical.stop]
    for s, xs in zip(torch.split(lp, pol.group_softmax.sizes, dim=1), torch.split(xc, pol.group_softmax.sizes, dim=1)):
        cat = torch.distributions.Categorical(logits=s)
        ref = ref + cat.log_prob(xs.argmax(1))
        ent = ent + cat.entropy()
    mine = pol.log_probability(x, o).squeeze(1)
    report("log pi vs torch.distributions", torch.allclose(mine, ref, atol=1e-9),
           f"max diff {(mine - ref).abs().max().item():.1e}; mean log pi {mine.mean().item():.2f}")
    mine_h = pol.entropy(o, presence).squeeze(1)
    report("closed-form entropy vs torch.distributions", torch.allclose(mine_h, ent, atol=1e-9),
           f"max diff {(mine_h - ent).abs().max().item():.1e}; mean entropy {mine_h.mean().item():.2f}")

    # sampling frequencies for one noise vector repeated
    n = 200_000
    one = {k: v[:1].detach().expand(n, -1) for k, v in o.items()}
    xs = pol.sample(one, torch.Generator().manual_seed(3))
    pb = torch.sigmoid(one["bernoulli_logits"][0])
    nonind = [k for k, j in enumerate(L.bernoulli) if j not in set(m for m in L.missing_indicator_for_gaussian if m is not None)]
    fb = xs[:, L.bernoulli.start:L.bernoulli.stop].mean(0)
    pc = one["categorical_log_probabilities"][0].exp()
    fc = xs[:, L.categorical.start:L.categorical.stop].mean(0)
    se = 4 * math.sqrt(0.25 / n)
    worst = max((fb - pb).abs().max().item(), (fc - pc).abs().max().item())
    gm = xs[:, L.gaussian.start:L.gaussian.stop]
    pres = pol.presence_mask(xs) > 0
    zstat = max(abs(((gm[pres[:, j], j].mean() - one["mean"][0, j]) / (one["log_std"][0, j].exp() / math.sqrt(pres[:, j].sum().item()))).item())
                for j in range(len(L.gaussian)))
    missing_ok = bool(((gm == 0) | pres).all())
    report("sampling frequencies", worst < se and zstat < 5 and missing_ok,
           f"max |freq - p| = {worst:.4f} (4 s.e. = {se:.4f}), max |z| of Gaussian means {zstat:.1f}, "
           f"missing slots hold 0: {missing_ok}; {len(nonind)} Bernoulli value columns")
    pol.float()

    # R1 against torch.func per-record gradients, and its parameter gradient against finite differences
    D = Discriminator(L.width, 16).double()
    real = torch.randn(64, L.width, dtype=torch.float64)
    fake = torch.randn(64, L.width, dtype=torch.float64)
    gamma = 5.0
    total, bce, r1 = D.loss(real, fake, gamma)
    per = torch.func.vmap(torch.func.grad(lambda xi: D(xi.unsqueeze(0)).sum()))(real)
    r1_ref = gamma / 2 * per.square().sum(1).mean().item()
    report("R1 value vs torch.func", abs(r1 - r1_ref) < 1e-10 * max(1, r1_ref), f"{r1:.6g} vs {r1_ref:.6g}")
    w = D.network[0].weight
    gw, = torch.autograd.grad(total, w)
    eps, (i, j) = 1e-6, (3, 7)
    with torch.no_grad():
        w[i, j] += eps
    up = D.loss(real, fake, gamma)[0].item()
    with torch.no_grad():
        w[i, j] -= 2 * eps
    down = D.loss(real, fake, gamma)[0].item()
    with torch.no_grad():
        w[i, j] += eps
    fd = (up - down) / (2 * eps)
    report("d(BCE + R1)/dW by double backprop vs finite difference", abs(gw[i, j].item() - fd) < 1e-6 * max(1, abs(fd)),
           f"{gw[i, j].item():.8g} vs {fd:.8g}")


def swift_checks(trainer, layout, model_path, progress_path, data):
    meta, tensors = read_swift_model(model_path)
    c = trainer.cfg
    print(f"     configuration from the Swift model: batch {c.batch_size}, noise {c.noise_dimension}, widths "
          f"{c.policy_width}/{c.discriminator_width}, K = {c.discriminator_steps}, PPO epochs {c.ppo_epochs}, "
          f"R1 every {c.r1_interval} (γ = {c.r1_gamma:g}), lr {c.policy_learning_rate:g}/{c.discriminator_learning_rate:g}, "
          f"reward {c.reward}, λm {c.mean_penalty:g} ({c.mean_penalty_scope}), entropy {c.entropy_estimate}")
    enc = meta["encoder"]
    sl = enc["layout"]
    groups = [range(a, b) for a, b in sl["categoricalGroups"]]
    same = (list(sl["gaussianColumns"]) == [layout.gaussian.start, layout.gaussian.stop]
            and list(sl["bernoulliColumns"]) == [layout.bernoulli.start, layout.bernoulli.stop]
            and groups == layout.categorical_groups
            and sl["missingIndicatorForGaussian"] == layout.missing_indicator_for_gaussian
            and sl["width"] == layout.width)
    report("layout vs the Swift encoder", same, layout.describe())

    # knot scores: our score of each training value against the stored Float knot score
    worst, columns = 0.0, 0
    data = trainer.data
    for coder in enc["coders"]:
        if "gaussian" not in coder:
            continue
        t = coder["transform"]
        col = data[:, coder["gaussian"]]
        ind = layout.missing_indicator_for_gaussian[coder["gaussian"]]
        present = col if ind is None else col[data[:, ind] < 0.5]
        knots = torch.tensor(t["knotScores"], dtype=torch.float32)
        mine = torch.unique(present)
        if mine.numel() != knots.numel():
            worst = float("inf")
            continue
        worst = max(worst, (mine - knots).abs().max().item())
        columns += 1
    report("quantile scores vs the Swift knots", worst <= 1e-6, f"{columns} columns, max |diff| = {worst:.1e}")

    # The Swift fit trains on dequantized scores, drawn from its own stream: for those columns the torch policy
    # starts from other draws of the same distribution. Their Gaussian biases may differ by the draws' own spread,
    # measured here over 8 torch streams: 4 standard deviations of a bias from stream to stream.
    dequantized = swift_dequantization(model_path)
    draws = [RLSynTrainer(trainer.cfg, layout, dequantize(data, dequantized, torch.Generator().manual_seed(7 + r)),
                          seed=0).policy.heads.bias.detach().double() for r in range(8)]
    spread = torch.stack(draws).std(0)
    bias = tensors["policy.heads.bias"].squeeze(0).double()
    d = (bias - draws[0]).abs()
    dg, db = len(layout.gaussian), len(layout.bernoulli)
    step_bound = 1.5 * trainer.cfg.ppo_epochs * trainer.cfg.policy_learning_rate
    allowed = step_bound + 4 * spread * math.sqrt(1 + 1 / len(draws))
    parts = {"means": slice(0, dg), "log-std": slice(dg, 2 * dg), "Bernoulli": slice(2 * dg, 2 * dg + db),
             "categorical": slice(2 * dg + db, d.numel() - 1), "value": slice(d.numel() - 1, d.numel())}
    detail = ", ".join(f"{k} {d[r].max().item():.4f} (bound {allowed[r].max().item():.4f})" for k, r in parts.items())
    report(f"marginal initialisation vs the Swift policy after 1 iteration (|bias diff| < {step_bound:.4f}, plus 4 sd of "
           f"the draws for the {len(dequantized)} dequantized columns' Gaussian heads)", bool((d < allowed).all()), detail)

    # the Swift weights in the torch policy
    pol = trainer.policy
    with torch.no_grad():
        for lname in ("hidden1", "hidden2", "heads"):
            getattr(pol, lname).weight.copy_(tensors[f"policy.{lname}.weight"].t())
            getattr(pol, lname).bias.copy_(tensors[f"policy.{lname}.bias"].squeeze(0))
        z = torch.randn(4096, trainer.cfg.noise_dimension, generator=torch.Generator().manual_seed(5))
        o = pol(z)
        x = pol.sample(o, torch.Generator().manual_seed(6))
        h = pol.entropy(o, pol.presence_mask(x)).mean().item()
        lp = pol.log_probability(x, o).mean().item()
    if progress_path:
        first = json.loads(open(progress_path).readline())
        report("closed-form entropy of the Swift policy (torch formula) vs Swift's iteration-1 figure",
               abs(h - first["entropy"]) < 0.1, f"{h:.3f} vs {first['entropy']:.3f}; mean log pi of its own samples {lp:.2f}")
    else:
        print(f"     entropy of the Swift policy under the torch formula: {h:.3f}; mean log pi {lp:.2f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("csv")
    p.add_argument("schema")
    p.add_argument("--swift-model")
    p.add_argument("--swift-progress")
    a = p.parse_args()
    torch.set_num_threads(1)
    rows, layout = encode(a.csv, a.schema)
    data = torch.tensor(rows, dtype=torch.float32)
    cfg = load_config(a.swift_model)[0] if a.swift_model else Config()
    standalone_checks(RLSynTrainer(cfg, layout, data, seed=0))
    if a.swift_model:
        swift_checks(RLSynTrainer(cfg, layout, data, seed=0), layout, a.swift_model, a.swift_progress, data)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
