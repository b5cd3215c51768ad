#!/usr/bin/env python3
"""Build examples/data/clinical.csv: a table that looks like a real hospital extract.

2,000 rows of SUPPORT2 (examples/data/support2.csv, CC BY 4.0) sampled with a fixed seed, with generated
identifying and administrative columns in front of them. The people do NOT exist: patient ids, names, e-mails,
phones, addresses and all dates are made up here (names and street addresses by Faker, MIT licence); only the
clinical columns (age ... death_180d) are SUPPORT2's values, copied as text, missing values as empty cells.

Deterministic: every random draw comes from fixed seeds (numpy SEED, Faker SEED), so a rerun with the same
package versions writes the same bytes. Faker's word lists change between releases, so another Faker version
gives other (equally fake) names and addresses.

Regenerate (from the repository root):
    python3 -m venv /tmp/venv-example
    /tmp/venv-example/bin/pip install pandas==3.1.1 numpy==2.4.6 faker==40.63.0
    /tmp/venv-example/bin/python examples/make-clinical-example.py

Versions used for the bundled file: Python 3.11.7, pandas 3.1.1, numpy 2.4.6, Faker 40.63.0
(python-dateutil 4.0.0, tzdata 2026.6).

Differences from the SUPPORT2 release at UCI: the bundled support2.csv (survset export) carries no `slos`,
`d.time` or `death` columns, only `hday` (day in hospital at study entry) and `death_180d` (died within 180
days of study entry). So the length of stay is hday - 1 days before study entry plus a generated stay after it,
and death dates exist only for death_180d == 1, at study entry + a generated 0..179 days. Discharge is never
after death (a patient who dies before the drawn discharge day is discharged on the day of death).
"""

import os
import re
import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd
from faker import Faker

SEED = 20120101
N_ROWS = 2000
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "data", "support2.csv")
TARGET = os.path.join(HERE, "data", "clinical.csv")

CLINICAL = ["age", "sex", "dzgroup", "num_co", "meanbp", "hrt", "temp", "crea", "sod", "wblc", "death_180d"]

# ICD-10 categories per SUPPORT2 disease group, most typical first. Each category gives its 3-character code
# and the subcodes .0-.9; the group's codes are drawn Zipf-like over that ranked list (see diagnosis_pool).
ICD_FAMILIES = {
    "ARF/MOSF w/Sepsis": ["A41", "J96", "R65", "J18", "N17", "J80", "A40", "J15", "K65", "R57", "D65", "J69",
                          "N39", "L03", "K85", "B37", "J13", "I26", "E87", "T81"],
    "CHF": ["I50", "I11", "I13", "I25", "I48", "I42", "I21", "I35", "I34", "I10", "I49", "I47", "N18", "E11",
            "I27", "I44"],
    "COPD": ["J44", "J43", "J96", "J42", "J18", "J45", "J47", "J84", "J98", "I27", "J93", "J20", "E66", "J15"],
    "Lung Cancer": ["C34", "C78", "C79", "C77", "J91", "C45", "D38", "J90", "E83", "G95", "C33", "R04"],
    "MOSF w/Malig": ["C80", "C92", "C85", "C25", "C16", "C50", "C61", "C64", "C67", "C71", "C90", "C83", "C22",
                     "C56", "D61", "D70", "R65", "C91", "C15", "C43"],
    "Coma": ["G93", "I61", "I63", "R40", "I60", "S06", "T40", "T42", "K72", "G40", "E15", "T51", "I46", "E87",
             "G92", "T39"],
    "Colon Cancer": ["C18", "C19", "C20", "C78", "C77", "K56", "C21", "Z85", "K63", "D12", "R18", "K92"],
    "Cirrhosis": ["K70", "K74", "K72", "I85", "R18", "K76", "B18", "K65", "K71", "K75", "K92", "E83"],
}
ZIPF_S = 1.05          # exponent of the rank weights
CODES_PER_GROUP = 140  # ranked codes per group the draw can reach (the tail gives the rare levels)

# Ward probabilities per disease group (12 wards).
WARDS = ["ICU-A", "ICU-B", "MICU", "CCU", "Neuro-ICU", "Step-Down", "Cardiology", "Pulmonology", "Oncology",
         "Hepatology", "Neurology", "General Medicine"]
WARD_WEIGHTS = {
    "ARF/MOSF w/Sepsis": [30, 25, 30, 3, 1, 5, 0, 3, 0, 0, 0, 3],
    "CHF":               [4, 3, 4, 30, 0, 14, 38, 1, 0, 0, 0, 6],
    "COPD":              [8, 6, 12, 1, 0, 12, 1, 48, 0, 0, 0, 12],
    "Lung Cancer":       [3, 2, 5, 0, 0, 6, 0, 24, 50, 0, 0, 10],
    "MOSF w/Malig":      [20, 18, 22, 1, 0, 6, 0, 2, 28, 0, 0, 3],
    "Coma":              [10, 8, 8, 2, 45, 5, 0, 0, 0, 0, 18, 4],
    "Colon Cancer":      [2, 2, 3, 0, 0, 5, 0, 0, 72, 2, 0, 14],
    "Cirrhosis":         [6, 5, 10, 0, 0, 6, 0, 0, 0, 60, 0, 13],
}

EMAIL_DOMAINS = ["example.org", "example.com", "example.net"]  # RFC 2606 reserved: no real mailbox


def diagnosis_pool(group, rng):
    """Ranked ICD-10-like codes for one disease group: categories in order, subcodes shuffled after them."""
    cats = ICD_FAMILIES[group]
    head = [f"{c}.{d}" for c in cats[:4] for d in (9, 0, 1)] + cats[:4]   # the common codes
    rest = [c for c in cats[4:]] + [f"{c}.{d}" for c in cats for d in range(10)]
    rest = [c for c in rest if c not in head]
    rest = [rest[i] for i in rng.permutation(len(rest))]
    head = [head[i] for i in rng.permutation(len(head))]
    return (head + rest)[:CODES_PER_GROUP]


def phone(rng):
    # NANP: area code [2-9][0-8][0-9] (no N11); exchange 555 and lines 0100-0199 are reserved for fiction.
    while True:
        area = int(rng.integers(201, 990))
        if area % 100 != 11 and (area // 10) % 10 != 9:
            break
    return f"({area}) 555-{int(rng.integers(100, 200)):04d}"


def main():
    rng = np.random.default_rng(SEED)
    fake = Faker("en_US")
    fake.seed_instance(SEED)

    src = pd.read_csv(SOURCE, dtype=str, keep_default_na=False)   # clinical values are copied as text
    rows = src.sample(n=N_ROWS, random_state=SEED).reset_index(drop=True)
    n = len(rows)
    group = rows["dzgroup"].to_numpy()
    hday = rows["hday"].astype(int).to_numpy()
    died = rows["death_180d"].astype(int).to_numpy()

    # identifiers: 6 random digits, unique, not sequential
    ids = rng.choice(1_000_000, size=n, replace=False)
    patient_id = [f"CHOP-{i:06d}" for i in ids]

    # names follow the SUPPORT2 sex; Faker's weighted lists give natural repetition
    first = [fake.first_name_female() if s == "female" else fake.first_name_male() for s in rows["sex"]]
    last = [fake.last_name() for _ in range(n)]

    emails, seen = [], set()
    for f, l in zip(first, last):
        f_, l_ = re.sub(r"[^a-z]", "", f.lower()), re.sub(r"[^a-z]", "", l.lower())
        style = rng.integers(0, 4)
        local = {0: f"{f_}.{l_}", 1: f"{f_[0]}{l_}", 2: f"{f_}{l_[0]}", 3: f"{f_}.{l_}"}[int(style)]
        if style == 3 or local in seen:
            local += str(int(rng.integers(1, 100)))
        while local in seen:
            local += str(int(rng.integers(0, 10)))
        seen.add(local)
        emails.append(f"{local}@{EMAIL_DOMAINS[int(rng.integers(0, len(EMAIL_DOMAINS)))]}")

    phones = [phone(rng) for _ in range(n)]
    addresses = [f"{fake.street_address()}, {fake.city()}, "
                 f"{fake.state_abbr(include_territories=False, include_freely_associated_states=False)} "
                 f"{fake.postcode()}" for _ in range(n)]

    # dates: admission uniform over 2012-2016; admit time mostly daytime
    start = date(2012, 1, 1)
    span = (date(2016, 12, 31) - start).days + 1
    adm_off = rng.integers(0, span, size=n)
    admission = [start + timedelta(days=int(d)) for d in adm_off]
    hour_w = np.array([2, 2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3, 3], float)
    hours = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    minutes, seconds = rng.integers(0, 60, size=n), rng.integers(0, 60, size=n)

    # length of stay: hday - 1 days before study entry + a lognormal stay after it (median ~9 days)
    entry = hday - 1
    after = np.clip(np.round(rng.lognormal(np.log(9.0), 0.75, size=n)), 0, 120).astype(int)
    los = entry + after
    # death within 180 days of study entry, earlier days more likely
    death_after = np.clip(np.floor(rng.exponential(50.0, size=n)), 0, 179).astype(int)
    death_off = entry + death_after
    los = np.where(died == 1, np.minimum(los, death_off), los)
    los = np.maximum(los, 0)

    admission_date = [d.isoformat() for d in admission]
    admit_time = [f"{d.isoformat()} {h:02d}:{m:02d}:{s:02d}" for d, h, m, s in zip(admission, hours, minutes, seconds)]
    discharge_date = [(d + timedelta(days=int(k))).strftime("%m/%d/%Y") for d, k in zip(admission, los)]
    death_date = [(d + timedelta(days=int(k))).strftime("%d.%m.%Y") if x == 1 else ""
                  for d, k, x in zip(admission, death_off, died)]

    # diagnosis codes: Zipf-like over each group's ranked codes
    pools = {g: diagnosis_pool(g, rng) for g in sorted(ICD_FAMILIES)}
    diagnosis = [""] * n
    for g in sorted(ICD_FAMILIES):
        idx = np.flatnonzero(group == g)
        pool = pools[g]
        w = 1.0 / np.arange(1, len(pool) + 1) ** ZIPF_S
        picks = rng.choice(len(pool), size=len(idx), p=w / w.sum())
        for i, p in zip(idx, picks):
            diagnosis[i] = pool[p]

    ward = [""] * n
    for g in sorted(WARD_WEIGHTS):
        idx = np.flatnonzero(group == g)
        w = np.array(WARD_WEIGHTS[g], float)
        for i, p in zip(idx, rng.choice(len(WARDS), size=len(idx), p=w / w.sum())):
            ward[i] = WARDS[p]

    out = pd.DataFrame({
        "patient_id": patient_id, "first_name": first, "last_name": last, "email": emails, "phone": phones,
        "address": addresses, "admission_date": admission_date, "admit_time": admit_time,
        "discharge_date": discharge_date, "death_date": death_date, "diagnosis_code": diagnosis, "ward": ward,
    })
    for c in CLINICAL:
        out[c] = rows[c].to_numpy()
    assert not out.apply(lambda s: s.astype(str).str.contains(r"[\r\n]").any()).any(), "newline in a field"
    out.to_csv(TARGET, index=False, lineterminator="\n")
    print(f"wrote {TARGET}: {len(out)} rows x {out.shape[1]} columns, {os.path.getsize(TARGET)} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
