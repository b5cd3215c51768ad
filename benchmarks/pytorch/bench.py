"""PyTorch side of the Swift/PyTorch comparison: the same three measurements as the Swift tools.

    python bench.py training-step --threads T [--batches 256 1024] [--steps 200]
        mirrors `rlsyn-bench training-step`: MLP 100-256-256-100, ReLU, MSE, Adam(lr 1e-3);
        20 warm-up steps, then 5 runs of steps/5 steps; prints best and median µs/step.
    python bench.py iteration TRAIN.csv SCHEMA.json [--config M.rlsyn] --threads T [--warmup 20] [--repeats 30] [--phases]
        mirrors `rlsyn-bench iteration ... --set policyWidth=256 --set batchSize=256 --set discriminatorSteps=5
        --set ppoEpochs=4 --set noiseDimension=64 --set r1Interval=1 --set concurrentDiscriminator=false`:
        warm-up iterations, optionally each phase timed separately, then the median of whole iterations.
    python bench.py fit TRAIN.csv SCHEMA.json [--config M.rlsyn] --threads T [--iterations 100] [--log-every 50]
        mirrors `rlsyn fit TRAIN --iterations N --policy-width 256 --batch-size 256 --discriminator-steps 5
        --ppo-epochs 4 --noise-dimension 64 --config SEQ.json --log-format json` (SEQ.json:
        {"rlsyn": {"r1Interval": 1, "concurrentDiscriminator": false}}):
        progress as JSON lines (the same keys as the Swift tool's), the training loop's time in elapsed_seconds.

--config takes the RLSyn configuration from a Swift model file (what the script passes: a 1-iteration fit with the
same options), so both sides run the same settings; without it, the Config defaults in rlsyn_torch.py.
Every command ends with one line `RESULT {json}` that scripts/bench-pytorch.sh collects.
Thread count: OMP/MKL environment variables and torch.set_num_threads(T), set before any work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time


def set_threads(t: int):
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(t)
    import torch
    torch.set_num_threads(t)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    return torch


def describe(torch) -> str:
    return (f"torch {torch.__version__}, {torch.get_num_threads()} intra-op thread(s), "
            f"CPU capability {torch.backends.cpu.get_cpu_capability()}, MKL {torch.backends.mkl.is_available()}, "
            f"float32, eager")


def training_step(args):
    torch = set_threads(args.threads)
    import torch.nn as nn
    print(describe(torch))
    results = {}
    for batch in args.batches:
        torch.manual_seed(0)
        mlp = nn.Sequential(nn.Linear(100, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 100))
        adam = torch.optim.Adam(mlp.parameters(), lr=1e-3)
        x = torch.randn(batch, 100)
        y = torch.randn(batch, 100)

        def step():
            adam.zero_grad()
            loss = nn.functional.mse_loss(mlp(x), y)
            loss.backward()
            adam.step()

        for _ in range(20):
            step()
        samples = []
        per_run = args.steps // 5
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(per_run):
                step()
            samples.append((time.perf_counter() - t0) * 1e6 / per_run)
        samples.sort()
        print(f"MLP 100-256-256-100 ReLU, batch {batch:4d}: {samples[0]:7.0f} µs/step "
              f"(best of 5 runs of {per_run}; median {samples[2]:.0f})")
        results[str(batch)] = {"best_us": samples[0], "median_us": samples[2]}
    print("RESULT " + json.dumps({"bench": "training-step", "threads": args.threads, "batches": results}))


def make_trainer(args, torch):
    from encoding import encode
    from rlsyn_torch import Config, RLSynTrainer, dequantize, load_config, swift_dequantization
    rows, layout = encode(args.csv, args.schema)
    data = torch.tensor(rows, dtype=torch.float32)
    overrides = {}
    if getattr(args, "iterations", None) is not None:
        overrides["iterations"] = args.iterations
    if getattr(args, "log_every", None) is not None:
        overrides["log_every"] = args.log_every
    if args.config:
        cfg, warnings = load_config(args.config, **overrides)
    else:
        cfg, warnings = Config(**overrides), []
    for w in warnings:
        print("warning: " + w, file=sys.stderr)
    if args.config:   # the Swift fit trains on dequantized scores of columns with few repeated levels
        data = dequantize(data, swift_dequantization(args.config), torch.Generator().manual_seed(args.seed + 7))
    return RLSynTrainer(cfg, layout, data, seed=args.seed), layout, data


def iteration(args):
    torch = set_threads(args.threads)
    trainer, layout, data = make_trainer(args, torch)
    cfg = trainer.cfg
    print(f"{args.csv}: {data.shape[0]} rows, {data.shape[1]} encoded columns ({layout.describe()}); batch {cfg.batch_size}, "
          f"K = {cfg.discriminator_steps}, PPO epochs {cfg.ppo_epochs}, R1 every {cfg.r1_interval}, sequential discriminator, "
          f"policy width {cfg.policy_width}, discriminator width {cfg.discriminator_width}, noise {cfg.noise_dimension}, "
          f"reward {cfg.reward}, lr {cfg.policy_learning_rate:g}/{cfg.discriminator_learning_rate:g}; "
          f"{describe(torch)}")
    for _ in range(args.warmup):
        trainer.step()
    phases = {}
    if args.phases:
        print(f"phase ({args.threads} thread{'s' if args.threads > 1 else ''}, median of {args.repeats})".ljust(52) + "ms")
        for name, seconds in trainer.time_phases(args.repeats).items():
            phases[name] = statistics.median(seconds) * 1e3
            print("  " + name.ljust(50) + f"{phases[name]:7.2f}")
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        trainer.step()
        times.append(time.perf_counter() - t0)
    ms = sorted(times)[len(times) // 2] * 1e3   # the upper median, as the Swift tool takes s[count / 2]
    print(f"whole iteration, {args.threads} thread{'s' if args.threads > 1 else ''}: median {ms:.2f} ms")
    print("RESULT " + json.dumps({"bench": "iteration", "threads": args.threads, "median_ms": ms, "phases_ms": phases,
                                  "width": int(data.shape[1]), "config": cfg.to_json()}))


def fit(args):
    t_process = time.perf_counter()
    torch = set_threads(args.threads)
    trainer, layout, data = make_trainer(args, torch)
    cfg = trainer.cfg
    if not args.quiet:
        print(f"fitting torch RLSyn on {args.csv}: {data.shape[0]} rows, {layout.describe()}; {describe(torch)}",
              file=sys.stderr)
    start = time.perf_counter()
    sums, count, last = {}, 0, None
    for it in range(1, cfg.iterations + 1):
        figures = trainer.step()
        for k, v in figures.items():
            sums[k] = sums.get(k, 0.0) + v
        count += 1
        if it % cfg.log_every == 0 or it == cfg.iterations:
            elapsed = time.perf_counter() - start
            line = {"iteration": it, "iterations": cfg.iterations, "elapsed_seconds": elapsed,
                    "remaining_seconds": elapsed / it * (cfg.iterations - it)}
            line.update({k: v / count for k, v in sums.items()})
            if not args.quiet:
                print(json.dumps(line, sort_keys=True))
            last, sums, count = line, {}, 0
    print("RESULT " + json.dumps({"bench": "fit", "threads": args.threads, "iterations": cfg.iterations,
                                  "loop_seconds": last["elapsed_seconds"],
                                  "process_seconds_after_start": time.perf_counter() - t_process, "last": last,
                                  "config": cfg.to_json()}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    ts = sub.add_parser("training-step")
    ts.add_argument("--batches", type=int, nargs="+", default=[256, 1024])
    ts.add_argument("--steps", type=int, default=200)
    ts.add_argument("--threads", type=int, default=1)
    for name in ("iteration", "fit"):
        q = sub.add_parser(name)
        q.add_argument("csv")
        q.add_argument("schema", help="the JSON `rlsyn schema CSV --output SCHEMA.json` wrote")
        q.add_argument("--threads", type=int, default=1)
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--config", help="a Swift model file (or JSON of its configuration) whose RLSyn settings to use; "
                       "default: the Config defaults in rlsyn_torch.py")
        if name == "iteration":
            q.add_argument("--warmup", type=int, default=20)
            q.add_argument("--repeats", type=int, default=30)
            q.add_argument("--phases", action="store_true", help="also time each phase (as rlsyn-bench iteration does)")
        else:
            q.add_argument("--iterations", type=int, default=None, help="default: the configuration's")
            q.add_argument("--log-every", type=int, default=None, help="default: the configuration's")
            q.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    {"training-step": training_step, "iteration": iteration, "fit": fit}[args.command](args)


if __name__ == "__main__":
    main()
