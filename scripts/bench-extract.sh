#!/usr/bin/env bash
# Does a hospital-extract table cost more per training iteration than a plain table of the same encoded width?
#   bash scripts/bench-extract.sh [ROWS] [ROUNDS]      (defaults: 100000 rows, 3 rounds)
# Writes two tables with python3 (no packages needed) under out/bench-extract/:
#   extract.csv: ROWS rows; three timestamp columns (admit ≤ discharge, and a birth date), a 2,000-level
#                diagnosis code, three lab values and a binary outcome;
#   plain.csv:   the same rows with the timestamps written as plain numbers and the codes as plain labels, so the
#                encoded width is the same.
# Then times `rlsyn schema` on extract.csv, and RLSyn fits of 40 iterations on both, paired and interleaved
# (ROUNDS rounds), printing seconds per iteration (the progress lines' time between iterations 20 and 40, so
# reading and encoding are left out) and their medians.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
ROUNDS=${2:-3}
OUT=out/bench-extract
mkdir -p "$OUT"
swift build -c release --product rlsyn >/dev/null
BIN=.build/release/rlsyn
python3 - "$ROWS" "$OUT" <<'PY'
import csv, datetime, random, sys
rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(0)
codes = [f"{chr(65 + i % 26)}{i // 26:02d}.{i % 7}" for i in range(2000)]
weights = [1.0 / (k + 10) for k in range(2000)]
base = datetime.datetime(2012, 1, 1)
with open(f"{out}/extract.csv", "w", newline="") as fe, open(f"{out}/plain.csv", "w", newline="") as fp:
    we, wp = csv.writer(fe), csv.writer(fp)
    header = ["admit_time", "discharge_time", "birth_date", "diagnosis", "lactate", "creatinine", "heart_rate", "death"]
    we.writerow(header); wp.writerow(header)
    picks = rng.choices(range(2000), weights=weights, k=rows)
    for r in range(rows):
        admit = base + datetime.timedelta(minutes=rng.randint(0, 5 * 365 * 1440))
        discharge = admit + datetime.timedelta(minutes=rng.randint(60, 30 * 1440))
        birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randint(0, 70 * 365))
        code = picks[r]
        lact = round(rng.lognormvariate(0.5, 0.5), 1); crea = round(rng.lognormvariate(0, 0.4), 2); hr = rng.randint(40, 160)
        death = int(rng.random() < 0.1 + 0.2 * (code % 5 == 0))
        we.writerow([admit.strftime("%Y-%m-%d %H:%M:%S"), discharge.strftime("%Y-%m-%d %H:%M:%S"), birth.isoformat(),
                     codes[code], lact, crea, hr, death])
        minutes = lambda t: int((t - base).total_seconds())
        wp.writerow([f"{minutes(admit)}.0", f"{minutes(discharge)}.0", f"{(birth - datetime.date(1970, 1, 1)).days}.0",
                     f"L{code}", lact, crea, hr, death])
PY
echo "rows: $ROWS"
start=$(date +%s.%N); "$BIN" schema "$OUT/extract.csv" --output "$OUT/extract.meta.json" >/dev/null; end=$(date +%s.%N)
echo "schema on extract.csv: $(python3 -c "print(f'{$end - $start:.2f}')") s"
per_iteration() {   # seconds per iteration between iterations 20 and 40 of a fit's JSON progress lines
  "$BIN" fit "$1" --model "$OUT/$2.rlsyn" --iterations 40 --log-every 20 --log-format json --seed 0 |
    python3 -c 'import json,sys; t=[json.loads(l)["elapsed_seconds"] for l in sys.stdin if l.strip()]; print(f"{(t[-1]-t[-2])/20:.4f}")'
}
extract=(); plain=()
for round in $(seq 1 "$ROUNDS"); do
  e=$(per_iteration "$OUT/extract.csv" extract); p=$(per_iteration "$OUT/plain.csv" plain)
  extract+=("$e"); plain+=("$p")
  echo "round $round: extract $e s/iteration, plain $p s/iteration"
done
python3 - "${extract[*]}" "${plain[*]}" <<'PY'
import statistics, sys
e = [float(x) for x in sys.argv[1].split()]; p = [float(x) for x in sys.argv[2].split()]
print(f"median: extract {statistics.median(e):.4f} s, plain {statistics.median(p):.4f} s per iteration; ratio {statistics.median(e) / statistics.median(p):.2f}")
PY
