"""A small re-encoding of a training CSV into the matrix layout the Swift encoder produces.

This follows docs/tabular.md and Sources/TabularData/TableEncoder.swift (default options, quantile
encoding) for the schema that `rlsyn schema TRAIN.csv` writes:

    [ Gaussian: continuous/integer columns | Bernoulli: binary values, then missingness indicators
      | one one-hot group per categorical column (plus a last "missing" level if it has missing cells) ]

* continuous/integer -> quantile score Phi^-1((count below + count equal / 2) / n) over the present
  training values (every distinct value is a knot; the Swift encoder thins knots above 10,000
  distinct values, which this does not, so wider columns than that would only be approximate);
  a missing cell is 0 plus 1 in the column's indicator;
* binary -> 1 for the second level of the schema's `categories`, 0 otherwise; missing -> 0 + indicator;
* categorical -> one-hot in the schema's level order, the missing level last;
* constant -> only an indicator if it has missing cells; identifier -> nothing.

It needs only the standard library (csv, json, statistics) and returns plain Python lists, so
the benchmark can turn them into a torch tensor. It is used for the PyTorch side only; nothing
in Sources/ depends on it. It has not been checked bit for bit against the Swift matrix (there is
no command that dumps it); the shapes, block sizes and missingness structure are what matter for
the timings, and they are checked against `rlsyn-bench iteration`'s encoded width by the script.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from statistics import NormalDist

MISSING_TOKENS = {"", "na", "n/a", "nan", "null"}


def _is_missing(cell: str) -> bool:
    return cell.strip().lower() in MISSING_TOKENS


def _as_number(text: str):
    try:
        v = float(text.strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


@dataclass
class Layout:
    """What RecordLayout holds, as plain Python: block ranges and the Gaussian -> indicator map."""

    gaussian: range
    bernoulli: range
    categorical_groups: list  # list of range, absolute record columns
    missing_indicator_for_gaussian: list  # per Gaussian column: absolute record column or None
    column_names: list = field(default_factory=list)

    @property
    def width(self) -> int:
        ends = [self.gaussian.stop, self.bernoulli.stop] + [g.stop for g in self.categorical_groups]
        return max(ends)

    @property
    def categorical(self) -> range:
        if not self.categorical_groups:
            return range(self.width, self.width)
        return range(self.categorical_groups[0].start, self.categorical_groups[-1].stop)

    @property
    def local_categorical_groups(self) -> list:
        base = self.categorical.start
        return [range(g.start - base, g.stop - base) for g in self.categorical_groups]

    def describe(self) -> str:
        sizes = [len(g) for g in self.categorical_groups]
        ind = sum(1 for m in self.missing_indicator_for_gaussian if m is not None)
        return (f"width {self.width}: {len(self.gaussian)} Gaussian ({ind} with a missingness indicator), "
                f"{len(self.bernoulli)} Bernoulli, {len(sizes)} categorical groups {sizes} ({sum(sizes)} columns)")

    def to_json(self) -> dict:
        return {"gaussian": [self.gaussian.start, self.gaussian.stop],
                "bernoulli": [self.bernoulli.start, self.bernoulli.stop],
                "categorical_groups": [[g.start, g.stop] for g in self.categorical_groups],
                "missing_indicator_for_gaussian": self.missing_indicator_for_gaussian}


def _level_index(categories: list, cell: str) -> int:
    """Index of `cell` among the schema's levels (numeric levels match by value, as the Swift encoder does)."""
    if cell in categories:
        return categories.index(cell)
    v = _as_number(cell)
    if v is not None:
        for k, level in enumerate(categories):
            if _as_number(level) == v:
                return k
    raise ValueError(f"level {cell!r} not among {categories}")


def encode(csv_path: str, schema_path: str):
    """Returns (rows: list[list[float]], layout: Layout) for a CSV and the schema `rlsyn schema` wrote for it."""
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    columns = list(schema["columns"].items())  # file order
    with open(csv_path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        table = [r for r in reader if r]
    position = {name: k for k, name in enumerate(header)}
    values = {name: [row[position[name]] for row in table] for name, _ in columns}
    n = len(table)

    numeric = [(name, c) for name, c in columns if c["kind"] in ("continuous", "integer")]
    binary = [(name, c) for name, c in columns if c["kind"] == "binary"]
    categorical = [(name, c) for name, c in columns if c["kind"] == "categorical"]
    nxt = 0
    gaussian_of = {}
    for name, _ in numeric:
        gaussian_of[name] = nxt
        nxt += 1
    gaussian = range(0, nxt)
    b0 = nxt
    value_of = {}
    for name, _ in binary:
        value_of[name] = nxt
        nxt += 1
    indicator_of = {}
    for name, c in columns:
        if c["missing"] and c["kind"] in ("continuous", "integer", "binary", "constant"):
            indicator_of[name] = nxt
            nxt += 1
    bernoulli = range(b0, nxt)
    group_of = {}
    groups = []
    for name, c in categorical:
        levels = len(c["categories"]) + (1 if c["missing"] else 0)
        group_of[name] = range(nxt, nxt + levels)
        groups.append(group_of[name])
        nxt += levels
    layout = Layout(gaussian=gaussian, bernoulli=bernoulli, categorical_groups=groups,
                    missing_indicator_for_gaussian=[indicator_of.get(name) for name, _ in numeric],
                    column_names=[name for name, _ in columns])
    width = nxt
    rows = [[0.0] * width for _ in range(n)]

    normal = NormalDist()
    for name, c in numeric:
        cells = values[name]
        present = sorted(_as_number(v) for v in cells if not _is_missing(v))
        score = {}
        i = 0
        while i < len(present):
            j = i
            while j < len(present) and present[j] == present[i]:
                j += 1
            p = (i + (j - i) / 2) / len(present)
            score[present[i]] = normal.inv_cdf(p)
            i = j
        g = gaussian_of[name]
        ind = indicator_of.get(name)
        for r, v in enumerate(cells):
            if _is_missing(v):
                rows[r][g] = 0.0
                if ind is not None:
                    rows[r][ind] = 1.0
            else:
                rows[r][g] = score[_as_number(v)]
    for name, c in binary:
        cats = c["categories"]
        col, ind = value_of[name], indicator_of.get(name)
        for r, v in enumerate(values[name]):
            if _is_missing(v):
                if ind is not None:
                    rows[r][ind] = 1.0
            else:
                rows[r][col] = 1.0 if _level_index(cats, v) == 1 else 0.0
    for name, c in columns:
        if c["kind"] == "constant" and name in indicator_of:
            for r, v in enumerate(values[name]):
                if _is_missing(v):
                    rows[r][indicator_of[name]] = 1.0
    for name, c in categorical:
        cats, grp = c["categories"], group_of[name]
        for r, v in enumerate(values[name]):
            if _is_missing(v):
                rows[r][grp.stop - 1] = 1.0
            else:
                rows[r][grp.start + _level_index(cats, v)] = 1.0
    return rows, layout


if __name__ == "__main__":
    import sys
    data, lay = encode(sys.argv[1], sys.argv[2])
    print(f"{len(data)} rows; {lay.describe()}")
