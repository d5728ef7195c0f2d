#!/usr/bin/python3
"""The pandas peer of `gyre data profile FILE`. Prints one JSON line of timings (seconds):
  read_csv   pandas.read_csv
  basic      read_csv + describe() + isna().sum() + value_counts() of the string columns
             (the peer of research/peer_baselines.md)
  equivalent read_csv + describe() at Gyre's seven quantiles + isna().sum() + value_counts()
             + nunique(): what Gyre's profile computes (distinct counts, p1..p99)
Usage: profile_pandas.py FILE"""
import json
import sys
import time

import pandas as pd

QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    nulls = df.isna().sum()
    counts = {c: df[c].value_counts(dropna=False) for c in df.columns if df[c].dtype == object}
    t2 = time.perf_counter()
    df.describe()
    t3 = time.perf_counter()
    df.describe(percentiles=QUANTILES)
    t4 = time.perf_counter()
    uniques = df.nunique()
    t5 = time.perf_counter()
    assert len(nulls) == len(df.columns) == len(uniques) and counts is not None
    read, common = t1 - t0, t2 - t1
    print(json.dumps({"read_csv": read,
                      "basic": read + common + (t3 - t2),
                      "equivalent": read + common + (t4 - t3) + (t5 - t4),
                      "rows": len(df)}))


if __name__ == "__main__":
    main(sys.argv[1])
