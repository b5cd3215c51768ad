"""Reads the raw outputs scripts/bench-pytorch.sh collected and prints the Markdown tables.

    python compare.py RAW_DIR [--fit-iterations N]

RAW_DIR holds one file per run, named IMPL-BENCH-TTHREADS-rROUND.txt (IMPL swift or torch, BENCH mlp, iteration
or fit). Swift files are the tools' own output (`rlsyn-bench training-step`, `rlsyn-bench iteration`,
`rlsyn fit --log-format json`); torch files end with a `RESULT {json}` line; the script appends
`wall_seconds S` (the whole command, process start to exit) to each fit file.

Per-run figure: MLP step -- the median of the tool's 5 timed runs (µs/step); iteration -- the tool's median
whole-iteration time (ms); fit -- the training loop's time as the last progress line reports it (from the start
of the first iteration to the end of the last; no CSV reading, encoding, process start or model writing) and,
separately, the command's wall time. The tables give the median over rounds, the range, and torch / Swift.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
from collections import defaultdict

NAME = re.compile(r"^(swift|torch)-(mlp|iteration|fit)-T(\d+)-r(\d+)\.txt$")


def parse(path, impl, bench, threads):
    text = open(path, encoding="utf-8").read()
    out = {}
    wall = re.search(r"^wall_seconds ([0-9.]+)$", text, re.M)
    if wall:
        out["fit-wall"] = float(wall.group(1))
    if impl == "torch":
        res = [json.loads(l[7:]) for l in text.splitlines() if l.startswith("RESULT ")]
        if not res:
            return out
        r = res[-1]
        if bench == "mlp":
            for b, v in r["batches"].items():
                out[f"mlp-{b}"] = v["median_us"]
        elif bench == "iteration":
            out["iteration"] = r["median_ms"]
            for k, v in r["phases_ms"].items():
                out["phase:" + k] = v
        else:
            out["fit-loop"] = r["loop_seconds"]
            out["figures"] = r["last"]
        return out
    if bench == "mlp":
        for m in re.finditer(r"batch\s+(\d+)(?:, \d+ row block\(s\))?:\s+\d+ µs/step \(best of 5 runs of \d+; median (\d+)\)", text):
            out[f"mlp-{m.group(1)}"] = float(m.group(2))
    elif bench == "iteration":
        m = re.search(rf"whole iteration, {threads} threads?: median ([0-9.]+) ms", text)
        if m:
            out["iteration"] = float(m.group(1))
        for m in re.finditer(r"^  (\S.*?)\s{2,}([0-9.]+)$", text, re.M):
            if not m.group(1).startswith("sum:"):
                out["phase:" + m.group(1)] = float(m.group(2))
    else:
        lines = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
        if lines:
            out["fit-loop"] = lines[-1]["elapsed_seconds"]
            out["figures"] = lines[-1]
    return out


def fmt(v, unit):
    if v is None:
        return "–"
    if unit == "µs":
        return f"{v:,.0f} µs"
    if unit == "ms":
        return f"{v:.1f} ms"
    return f"{v:.2f} s"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("--fit-iterations", type=int, default=100)
    a = p.parse_args()
    values = defaultdict(list)          # (metric, threads, impl) -> [per-round values]
    figures = defaultdict(list)         # (threads, impl) -> [last progress line]
    rounds = set()
    for name in sorted(os.listdir(a.raw)):
        m = NAME.match(name)
        if not m:
            continue
        impl, bench, t, r = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
        rounds.add(r)
        for k, v in parse(os.path.join(a.raw, name), impl, bench, t).items():
            if k == "figures":
                figures[(t, impl)].append(v)
            else:
                values[(k, t, impl)].append(v)
    threads = sorted({k[1] for k in values})
    rows = [("mlp-256", "MLP 100-256-256-100 training step, batch 256", "µs"),
            ("mlp-1024", "MLP 100-256-256-100 training step, batch 1024", "µs"),
            ("iteration", "RLSyn iteration (NHEFS, sequential)", "ms"),
            ("fit-loop", f"RLSyn fit, {a.fit_iterations} iterations: training loop", "s"),
            ("fit-wall", f"RLSyn fit, {a.fit_iterations} iterations: whole command", "s")]
    print(f"Medians over {len(rounds)} interleaved round(s); ranges are min–max over the rounds.\n")
    print("| measurement | threads | Swift | PyTorch | PyTorch / Swift | Swift range | PyTorch range |")
    print("|---|---|---|---|---|---|---|")
    for key, label, unit in rows:
        for t in threads:
            s, q = values.get((key, t, "swift"), []), values.get((key, t, "torch"), [])
            if not s and not q:
                continue
            ms, mq = (statistics.median(s) if s else None), (statistics.median(q) if q else None)
            ratio = f"{mq / ms:.2f}" if ms and mq else "–"
            rs = f"{fmt(min(s), unit)} – {fmt(max(s), unit)}" if s else "–"
            rq = f"{fmt(min(q), unit)} – {fmt(max(q), unit)}" if q else "–"
            print(f"| {label} | {t} | {fmt(ms, unit)} | {fmt(mq, unit)} | {ratio} | {rs} | {rq} |")

    order = ["rollout", "PPO", "discriminator fakes", "one discriminator step, BCE only",
             "one discriminator step, BCE + R1"]

    def rank(key):
        return next((i for i, o in enumerate(order) if key[6:].startswith(o)), len(order))

    phases = sorted({k[0] for k in values if k[0].startswith("phase:") and k[1] == 1}, key=rank)
    if phases:
        print("\nOne iteration phase by phase, one thread (each phase timed alone; medians over rounds of the "
              "tools' medians):\n")
        print("| phase | Swift | PyTorch | PyTorch / Swift |")
        print("|---|---|---|---|")
        for ph in phases:
            s, q = values.get((ph, 1, "swift"), []), values.get((ph, 1, "torch"), [])
            ms, mq = (statistics.median(s) if s else None), (statistics.median(q) if q else None)
            ratio = f"{mq / ms:.2f}" if ms and mq else "–"
            print(f"| {ph[6:]} | {fmt(ms, 'ms')} | {fmt(mq, 'ms')} | {ratio} |")

    if figures:
        names = ["mean_reward", "discriminator_loss", "r1_penalty", "policy_loss", "entropy"]
        first = (a.fit_iterations - 1) // 50 * 50 + 1      # both tools report every 50 iterations
        print(f"\nTraining figures of the timed fits (means over iterations {first}–{a.fit_iterations}, the last "
              f"reported span; median over rounds):\n")
        print("| threads | implementation | " + " | ".join(n.replace("_", " ") for n in names) + " |")
        print("|---|---|" + "---|" * len(names))
        for (t, impl) in sorted(figures):
            fs = figures[(t, impl)]
            cells = [f"{statistics.median(f[n] for f in fs):.4f}" for n in names]
            print(f"| {t} | {'Swift' if impl == 'swift' else 'PyTorch'} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
