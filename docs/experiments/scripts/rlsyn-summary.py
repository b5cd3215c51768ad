#!/usr/bin/env python3
"""Means (and sd) per configuration and table of the TSV written by docs/experiments/scripts/rlsyn-experiments.sh.

    python3 docs/experiments/scripts/rlsyn-summary.py RESULTS [--markdown] [--configs a,b,c] [--tables x,y]

Columns: configuration, table, n (seeds), fit seconds, then each metric's mean; with --sd, "mean ± sd".
The last block averages every metric over the tables each configuration ran on (only tables all listed
configurations share), which is the figure to compare configurations by.
"""
import statistics
import sys
from collections import defaultdict

KEYS = ["fit_s", "ratio_lr", "ratio_gb", "DET", "DWD", "KS_TV", "NMI", "CORR", "MIA", "DCR5", "EXACT"]


def main() -> None:
    args = sys.argv[1:]
    path = args[0]
    markdown = "--markdown" in args
    show_sd = "--sd" in args
    only_configs = only_tables = None
    if "--configs" in args:
        only_configs = args[args.index("--configs") + 1].split(",")
    if "--tables" in args:
        only_tables = args[args.index("--tables") + 1].split(",")
    runs = defaultdict(list)
    order, table_order = [], []
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3 + len(KEYS):
            continue
        name, table, _seed = parts[:3]
        if only_configs and name not in only_configs or only_tables and table not in only_tables:
            continue
        runs[(name, table)].append([float(v) for v in parts[3:3 + len(KEYS)]])
        if name not in order:
            order.append(name)
        if table not in table_order:
            table_order.append(table)
    if only_configs:
        order = [c for c in only_configs if c in order]

    def fmt(values, key):
        values = [v for v in values if v == v]
        if not values:
            return "–"
        digits = 1 if key == "fit_s" else 3
        mean = statistics.mean(values)
        if show_sd and len(values) > 1:
            return f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"
        return f"{mean:.{digits}f}"

    header = ["config", "table", "n"] + KEYS
    rows = []
    for table in table_order:
        for name in order:
            r = runs.get((name, table))
            if r:
                rows.append([name, table, str(len(r))] + [fmt([x[i] for x in r], k) for i, k in enumerate(KEYS)])
    shared = [t for t in table_order if all((c, t) in runs for c in order)]
    if len(shared) > 1:
        for name in order:
            per_table = [[statistics.mean(x[i] for x in runs[(name, t)]) for i in range(len(KEYS))] for t in shared]
            rows.append([name, "mean of " + "+".join(shared), str(len(shared))]
                        + [fmt([p[i] for p in per_table], k) for i, k in enumerate(KEYS)])
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
        for r in [header] + rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


if __name__ == "__main__":
    main()
