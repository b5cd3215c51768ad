#!/usr/bin/env python3
"""Reference epsilons from Google's dp-accounting RdpAccountant, for the Privacy module's tests.

usage (the output is committed as Tests/PrivacyTests/Fixtures/dp-accounting-reference.json):
  python3 -m venv /tmp/venv-dp && /tmp/venv-dp/bin/pip install dp-accounting
  /tmp/venv-dp/bin/python docs/experiments/scripts/dp-accounting-reference.py \
      > Tests/PrivacyTests/Fixtures/dp-accounting-reference.json

For every q, sigma, steps and delta of the grid below: a fresh RdpAccountant() (default orders, add-or-remove-one
neighbours) composes PoissonSampledDpEvent(q, GaussianDpEvent(sigma)) `steps` times (SelfComposedDpEvent) and
get_epsilon(delta) is recorded.
"""
import itertools, json, sys
from importlib.metadata import version

import dp_accounting
from dp_accounting import dp_event
from dp_accounting.rdp import rdp_privacy_accountant as rdp

QS = [0.001, 0.01, 0.05, 0.1, 0.5, 1.0]
SIGMAS = [0.5, 0.8, 1.0, 2.0, 5.0]
STEPS = [1, 100, 1000, 10000]
DELTAS = [1e-5, 1e-6]


def epsilon(q, sigma, steps, delta):
    accountant = rdp.RdpAccountant()
    event = dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma))
    accountant.compose(dp_event.SelfComposedDpEvent(event, steps))
    return accountant.get_epsilon(delta)


points = [
    {"q": q, "sigma": s, "steps": t, "delta": d, "epsilon": epsilon(q, s, t, d)}
    for q, s, t, d in itertools.product(QS, SIGMAS, STEPS, DELTAS)
]
json.dump({
    "generator": "docs/experiments/scripts/dp-accounting-reference.py",
    "command": "/tmp/venv-dp/bin/python docs/experiments/scripts/dp-accounting-reference.py",
    "package": "dp-accounting " + version("dp-accounting"),
    "python": sys.version.split()[0],
    "accountant": "dp_accounting.rdp.RdpAccountant() with its default orders, "
                  "PoissonSampledDpEvent(q, GaussianDpEvent(sigma)) self-composed `steps` times, get_epsilon(delta)",
    "points": points,
}, sys.stdout, indent=1)
sys.stdout.write("\n")
