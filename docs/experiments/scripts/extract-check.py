#!/usr/bin/env python3
"""Checks a synthetic table against issue 33's release rules, from the training data and the metadata alone.

    python3 docs/experiments/scripts/extract-check.py TRAIN.csv META.json SYN.csv [--rare-count 5] [--examples 3]

Standard library only. One verdict line per check: `PASS`, `FAIL` (a documented rule is broken; counts towards the
exit status, 1 if any) or `WARN` (not a documented rule, but worth a look), then the check's name, the column(s)
and a count with example values. Cells that are empty or NA / N/A / NaN / NULL (any case) are missing, as in
rlsyn's CSV reader.

Checks:
  columns       the synthetic header equals the training header
  kind          (WARN) a column that is not datetime although >= 90 % of its distinct training values look like
                dates (ISO with Z or offset, YYYY/MM/DD, DD/MM/YYYY, MM/DD/YY, 12-hour times, 08-Jan-2015, Jan 1 2000)
  datetime      every non-missing synthetic value of a datetime column matches its datetime_format exactly
                (padded fields two digits, `%-m` one or two without a leading zero) and names a real date
  date-range    synthetic dates lie between the k-th smallest and k-th largest training date (docs/tabular.md)
  rare-date     (WARN) synthetic dates equal to a training date seen 1..k-1 times
  missing       (WARN) a column with no missing training cell has missing synthetic cells, or the reverse
  inequality    every Inequality constraint holds in 100 % of the synthetic rows where both cells are present
  order         (WARN) every pair of datetime columns whose order holds in all training rows where both are
                present, but which the metadata does not list, in the synthetic rows
  scalar-range  every ScalarRange constraint holds
  fixed-comb    every FixedCombinations constraint: synthetic combinations were seen in training (or are pooled)
  pii           no value of a personal-information column (pii: true or a personal sdtype) is a training value
                of that column; (WARN) shape agreement with the training values
  id-leak       no identifier value is a training value of that column; for whole-number identifiers, also
                when read as numbers (id-leak-num: '0499' is 499 to pandas, R or a spreadsheet)
  id-format     identifiers keep the format: a training shape (letters -> A/a, digits -> 9, other characters
                kept), a training length, the prefix and suffix every training value shares; unique where the
                training values were; (WARN) a leading zero where no training value has one
  rare-level    no categorical / boolean level seen 1..k-1 times in training appears
  rare-number   no numerical value seen 1..k-1 times in training appears (compared as numbers)
  rare-near     no numerical value lies within 1e-9 (relative) of a value seen 1..k-1 times in training (a value
                "moved off" a rare one by float noise, 166.10000000000002 for 166.1, is the same number to a reader)
  num-range     (WARN) numerical values outside the k-th smallest .. k-th largest training values
  constant      a column whose training cells are all missing is written empty
"""
import argparse
import bisect
import collections
import csv
import datetime as dt
import json
import re
import sys

MISSING = {"", "na", "n/a", "nan", "null"}
PERSONAL = {"name", "first_name", "last_name", "email", "phone_number", "address", "ssn", "text"}


def is_missing(v):
    return v is None or v.strip().lower() in MISSING


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cols = {name: [r[i] if i < len(r) else "" for r in body] for i, name in enumerate(header)}
    return header, cols, len(body)


class Fmt:
    """A strftime pattern turned into a strict regular expression plus a calendar check."""
    CODES = {
        "Y": (r"(?P<Y>\d{4})", "Y"), "m": (r"(?P<m>\d{2})", "m"), "d": (r"(?P<d>\d{2})", "d"),
        "H": (r"(?P<H>\d{2})", "H"), "M": (r"(?P<M>\d{2})", "M"), "S": (r"(?P<S>\d{2})", "S"),
        "-m": (r"(?P<m>[1-9]\d?)", "m"), "-d": (r"(?P<d>[1-9]\d?)", "d"), "-H": (r"(?P<H>\d{1,2})", "H"),
        "y": (r"(?P<y>\d{2})", "y"), "f": (r"(?P<f>\d{1,6})", "f"),
        "b": (r"(?P<b>[A-Za-z]{3})", "b"), "B": (r"(?P<B>[A-Za-z]+)", "B"), "z": (r"(?P<z>[+-]\d{4}|Z)", "z"),
    }
    MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    def __init__(self, pattern):
        self.pattern = pattern
        out, i = [], 0
        while i < len(pattern):
            c = pattern[i]
            if c == "%" and i + 1 < len(pattern):
                code = pattern[i + 1]
                if code == "-" and i + 2 < len(pattern):
                    code, i = "-" + pattern[i + 2], i + 3
                else:
                    i += 2
                if code == "%":
                    out.append("%")
                    continue
                if code not in self.CODES:
                    raise ValueError(f"unsupported strftime code %{code} in {pattern!r}")
                out.append(self.CODES[code][0])
            else:
                out.append(re.escape(c))
                i += 1
        self.regex = re.compile("".join(out))

    def parse(self, text):
        """A datetime, or None when the text does not match exactly or is no real date."""
        m = self.regex.fullmatch(text)
        if not m:
            return None
        g = m.groupdict()
        try:
            year = int(g["Y"]) if g.get("Y") else 2000 + int(g.get("y") or 0)
            if g.get("b") or g.get("B"):
                month = self.MONTHS.index((g.get("b") or g.get("B"))[:3].lower()) + 1
            else:
                month = int(g.get("m") or 1)
            return dt.datetime(year, month, int(g.get("d") or 1), int(g.get("H") or 0), int(g.get("M") or 0),
                               int(g.get("S") or 0), int((g.get("f") or "0").ljust(6, "0")))
        except (ValueError, TypeError):
            return None


def to_float(v):
    try:
        x = float(v)
        return x if x == x else None
    except (TypeError, ValueError):
        return None


def shape(v):
    return "".join("9" if ch.isdigit() else "A" if ch.isupper() else "a" if ch.islower() else ch for ch in v)


def common_prefix(values):
    if not values:
        return ""
    lo, hi = min(values), max(values)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[:n]


def common_suffix(values):
    return common_prefix([v[::-1] for v in values])[::-1]


class Report:
    def __init__(self, examples):
        self.examples, self.failed, self.lines = examples, 0, []

    def line(self, verdict, check, column, text, bad=()):
        ex = ""
        if bad:
            ex = "; e.g. " + ", ".join(repr(b) for b in list(bad)[: self.examples])
        msg = f"{verdict:4} {check:12} {column}: {text}{ex}"
        print(msg)
        if verdict == "FAIL":
            self.failed += 1

    def verdict(self, check, column, bad, total, what, warn=False):
        if bad:
            self.line("WARN" if warn else "FAIL", check, column, f"{len(bad)} of {total} {what}", bad)
        else:
            self.line("PASS", check, column, f"0 of {total} {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train")
    ap.add_argument("meta")
    ap.add_argument("synthetic")
    ap.add_argument("--rare-count", type=int, default=5, help="k: values seen fewer than k times are rare (5)")
    ap.add_argument("--examples", type=int, default=3)
    a = ap.parse_args()
    k = a.rare_count
    rep = Report(a.examples)

    meta = json.load(open(a.meta, encoding="utf-8"))
    columns = meta.get("columns", {})
    constraints = meta.get("constraints", [])
    th, train, n_train = read_csv(a.train)
    sh, syn, n_syn = read_csv(a.synthetic)
    print(f"# {a.train} ({n_train} rows) vs {a.synthetic} ({n_syn} rows), k = {k}")

    if th == sh:
        rep.line("PASS", "columns", "*", f"{len(sh)} columns, same order")
    else:
        rep.line("FAIL", "columns", "*", f"missing {sorted(set(th) - set(sh))}, extra {sorted(set(sh) - set(th))}")

    def present(col, table):
        return [v for v in table.get(col, []) if not is_missing(v)]

    # Columns whose training values look like dates but that the metadata does not call datetime.
    date_like = re.compile(
        r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
        r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?"
        r"|\d{1,2}[- ][A-Za-z]{3}[- ]\d{2,4}|[A-Za-z]{3} \d{1,2},? \d{4}")
    for name, c in columns.items():
        if c.get("sdtype") == "datetime" or name not in train:
            continue
        distinct = set(present(name, train))
        if len(distinct) >= 10:
            share = sum(1 for v in distinct if date_like.fullmatch(v.strip())) / len(distinct)
            if share >= 0.9:
                rep.line("WARN", "kind", name, f"{share:.0%} of the distinct training values look like dates, but the "
                         f"metadata says sdtype {c.get('sdtype')!r}", sorted(distinct)[:3])

    fmts, parsed_syn, parsed_train = {}, {}, {}
    for name, c in columns.items():
        if name not in syn or name not in train:
            continue
        sd = c.get("sdtype")
        kind = c.get("kind")
        pii = c.get("pii") is True or sd in PERSONAL or kind == "personal"
        tvals, svals = present(name, train), present(name, syn)

        # Missing cells.
        t_miss = n_train - len(tvals)
        s_miss = n_syn - len(svals)
        if not pii and sd != "id":
            if t_miss == 0 and s_miss > 0:
                rep.line("WARN", "missing", name, f"training has no missing cell, synthetic has {s_miss}")
            elif t_miss > 0 and s_miss == 0 and n_syn >= 200 and t_miss / n_train > 0.05:
                rep.line("WARN", "missing", name, f"training {t_miss / n_train:.1%} missing, synthetic none")

        if kind == "constant" and not tvals:
            rep.verdict("constant", name, svals, n_syn, "cells written in an all-missing column")
            continue

        if sd == "datetime":
            try:
                f = Fmt(c.get("datetime_format", ""))
            except ValueError as e:
                rep.line("FAIL", "datetime", name, str(e))
                continue
            fmts[name] = f
            bad, ps = [], []
            for v in svals:
                p = f.parse(v)
                (ps.append(p) if p else bad.append(v))
            parsed_syn[name] = [None if is_missing(v) else f.parse(v) for v in syn[name]]
            parsed_train[name] = [None if is_missing(v) else f.parse(v) for v in train[name]]
            rep.verdict("datetime", name, bad, len(svals), f"values not in {f.pattern}")
            tp = sorted(p for p in parsed_train[name] if p)
            if len(tp) >= 2 * k and ps:
                lo, hi = tp[k - 1], tp[-k]
                out = [v for v in svals if (lambda q: q is not None and not (lo <= q <= hi))(f.parse(v))]
                rep.verdict("date-range", name, out, len(ps), f"dates outside [{lo}, {hi}] (k-th smallest/largest)")
            counts = collections.Counter(tvals)
            rare = [v for v in svals if 0 < counts.get(v, 0) < k]
            rep.verdict("rare-date", name, sorted(set(rare)), len(svals), "values equal to a training value seen < k times", warn=True)
            continue

        if pii:
            tset = set(tvals)
            leak = [v for v in svals if v in tset]
            rep.verdict("pii", name, sorted(set(leak)), len(svals), f"values copied from training ({sd})")
            if svals:
                tshapes = collections.Counter(shape(v) for v in tvals)
                off = [v for v in svals if shape(v) not in tshapes]
                if off:
                    rep.line("WARN", "pii-shape", name, f"{len(off)} of {len(svals)} values have a shape no training value has", off)
            else:
                rep.line("PASS", "pii", name, "written empty")
            continue

        if sd == "id":
            tset = set(tvals)
            leak = [v for v in svals if v in tset]
            rep.verdict("id-leak", name, sorted(set(leak)), len(svals), "identifiers equal to a training value")
            if tvals and all(v.isdigit() for v in tvals):
                # Whole-number identifiers are read as numbers by pandas, R and spreadsheets: '0499' is 499.
                tints = set(int(v) for v in tvals)
                nleak = [v for v in svals if v.isdigit() and v not in tset and int(v) in tints]
                rep.verdict("id-leak-num", name, sorted(set(nleak)), len(svals),
                            "identifiers equal to a training value when read as numbers")
            tshapes, tlens = set(map(shape, tvals)), set(map(len, tvals))
            pre, suf = common_prefix(tvals), common_suffix(tvals)
            bad = [v for v in svals if shape(v) not in tshapes or len(v) not in tlens or not v.startswith(pre) or not v.endswith(suf)]
            rep.verdict("id-format", name, bad, len(svals),
                        f"identifiers off format (training: {len(tshapes)} shape(s) e.g. {sorted(tshapes)[:3]}, prefix {pre!r}, suffix {suf!r})")
            if len(set(tvals)) == len(tvals):
                dup = [v for v, c in collections.Counter(svals).items() if c > 1]
                rep.verdict("id-unique", name, dup, len(svals), "identifiers repeated (training values are unique)")
            zero_train = any(v[:1] == "0" for v in tvals if v.isdigit())
            zeros = [v for v in svals if v.isdigit() and v[:1] == "0" and len(v) > 1]
            if not zero_train and zeros:
                rep.line("WARN", "id-zero", name, f"{len(zeros)} of {len(svals)} numeric identifiers start with 0, no training value does", zeros)
            if t_miss == 0 and s_miss:
                rep.line("WARN", "id-missing", name, f"{s_miss} missing identifiers, the training column has none")
            continue

        if sd in ("categorical", "boolean") or kind in ("categorical", "binary"):
            tnum = [to_float(v) for v in tvals]
            numeric = bool(tvals) and all(x is not None for x in tnum)
            if numeric:
                counts = collections.Counter(tnum)
                rare = [v for v in svals if 0 < counts.get(to_float(v), 0) < k]
            else:
                counts = collections.Counter(tvals)
                rare = [v for v in svals if 0 < counts.get(v, 0) < k]
            n_rare_levels = sum(1 for c_ in counts.values() if c_ < k)
            rep.verdict("rare-level", name, sorted(set(rare)), len(svals),
                        f"values are levels seen < {k} times in training ({n_rare_levels} of {len(counts)} levels rare)")
            unseen = sorted({v for v in svals if (counts.get(to_float(v), 0) if numeric else counts.get(v, 0)) == 0} - {"(other)", "((other))"})
            if unseen:
                rep.line("WARN", "new-level", name, f"{len(unseen)} synthetic levels never seen in training", unseen)
            continue

        if sd == "numerical":
            tnum = [x for x in map(to_float, tvals) if x is not None]
            counts = collections.Counter(tnum)
            snum = [(v, to_float(v)) for v in svals]
            nonnum = [v for v, x in snum if x is None]
            if nonnum:
                rep.line("FAIL", "number", name, f"{len(nonnum)} non-numeric values", nonnum)
            rare = [v for v, x in snum if x is not None and 0 < counts.get(x, 0) < k]
            n_rare = sum(1 for c_ in counts.values() if c_ < k)
            rep.verdict("rare-number", name, sorted(set(rare), key=lambda s: to_float(s)), len(svals),
                        f"values seen < {k} times in training ({n_rare} of {len(counts)} training values rare)")
            # A value within float noise of a rare training value (166.10000000000002 for 166.1, seen 4 times):
            # the same number for any reader, though not bit-equal.
            rare_sorted = sorted(x for x, c_ in counts.items() if c_ < k)
            near = []
            for v, x in snum:
                if x is None or counts.get(x, 0):
                    continue
                i = bisect.bisect_left(rare_sorted, x)
                for t in rare_sorted[max(0, i - 1): i + 1]:
                    if abs(x - t) <= 1e-9 * max(abs(t), 1.0):
                        near.append(f"{v} ~ {t!r}")
                        break
            rep.verdict("rare-near", name, sorted(set(near)), len(svals),
                        "values within 1e-9 (relative) of a training value seen < k times, not bit-equal")
            st = sorted(tnum)
            if len(st) >= 2 * k:
                lo, hi = st[k - 1], st[-k]
                out = [v for v, x in snum if x is not None and not (lo <= x <= hi)]
                if out:
                    out = sorted(set(out), key=lambda s: -abs(to_float(s) - (lo + hi) / 2))
                    rep.line("WARN", "num-range", name, f"{len(out)} distinct values outside [{lo:g}, {hi:g}] (k-th smallest/largest; training max {st[-1]:g})", out)
            continue

    # Constraints.
    def comparable(col, table_name):
        table = syn if table_name == "syn" else train
        if col in fmts:
            return (parsed_syn if table_name == "syn" else parsed_train)[col]
        return [None if is_missing(v) else to_float(v) for v in table.get(col, [])]

    listed = set()
    for i, c in enumerate(constraints):
        cls = c.get("constraint_class")
        p = c.get("constraint_parameters", {})
        if cls == "Inequality":
            lo_c, hi_c = p.get("low_column_name"), p.get("high_column_name")
            strict = bool(p.get("strict_boundaries", False))
            listed.add((lo_c, hi_c))
            if lo_c not in syn or hi_c not in syn:
                rep.line("FAIL", "inequality", f"{lo_c} <= {hi_c}", "column missing from the synthetic table")
                continue
            los, his = comparable(lo_c, "syn"), comparable(hi_c, "syn")
            both, bad = 0, []
            for r, (x, y) in enumerate(zip(los, his)):
                if x is None or y is None:
                    continue
                both += 1
                if (x >= y) if strict else (x > y):
                    bad.append(f"row {r + 2}: {syn[lo_c][r]} > {syn[hi_c][r]}")
            rep.verdict("inequality", f"{lo_c} {'<' if strict else '<='} {hi_c}", bad, both, "rows break it")
        elif cls == "ScalarRange":
            col = p.get("column_name")
            lo_v, hi_v = p.get("low_value"), p.get("high_value")
            strict = bool(p.get("strict_boundaries", False))
            vals = comparable(col, "syn")
            bad = []
            for r, x in enumerate(vals):
                if x is None:
                    continue
                if lo_v is not None and (x <= lo_v if strict else x < lo_v):
                    bad.append(syn[col][r])
                if hi_v is not None and (x >= hi_v if strict else x > hi_v):
                    bad.append(syn[col][r])
            rep.verdict("scalar-range", col, bad, sum(x is not None for x in vals), f"values outside [{lo_v}, {hi_v}]")
        elif cls == "FixedCombinations":
            names = p.get("column_names", [])
            tcomb = set(zip(*[train[n] for n in names]))
            bad = [t for t in zip(*[syn[n] for n in names])
                   if t not in tcomb and not all(is_missing(v) for v in t) and "(other)" not in t]
            rep.verdict("fixed-comb", ",".join(names), sorted(set(bad)), n_syn, "combinations never seen in training")
        else:
            rep.line("WARN", "constraint", str(i), f"unknown constraint class {cls!r} not checked")

    # Orders that hold in every training row but were not listed (or are only implied through a column with gaps).
    dcols = list(fmts)
    for x in dcols:
        for y in dcols:
            if x == y or (x, y) in listed:
                continue
            tx, ty = parsed_train[x], parsed_train[y]
            pairs = [(u, v) for u, v in zip(tx, ty) if u and v]
            if len(pairs) < 20 or not all(u <= v for u, v in pairs) or not any(u < v for u, v in pairs):
                continue
            sx, sy = parsed_syn[x], parsed_syn[y]
            both, bad = 0, []
            for r, (u, v) in enumerate(zip(sx, sy)):
                if u and v:
                    both += 1
                    if u > v:
                        bad.append(f"row {r + 2}: {syn[x][r]} > {syn[y][r]}")
            rep.verdict("order", f"{x} <= {y} (holds in all {len(pairs)} training rows, not listed)", bad, both,
                        "rows break it", warn=True)

    print(f"# {'FAIL' if rep.failed else 'PASS'}: {rep.failed} failed check(s)")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
