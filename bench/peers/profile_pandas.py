#!/usr/bin/python3
"""The pandas peer of `gyre data profile`: read_csv, describe(), isna().sum() and
value_counts() of the string columns, as bench/peers in the research baselines do.
Prints one JSON line of timings in seconds. Usage: profile_pandas.py FILE"""
import json
import sys
import time

import pandas as pd


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    desc = df.describe(percentiles=[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
    nulls = df.isna().sum()
    counts = {c: df[c].value_counts(dropna=False) for c in df.columns if df[c].dtype == object}
    uniques = df.nunique()
    t2 = time.perf_counter()
    assert len(desc.columns) > 0 and len(nulls) == len(df.columns) and len(uniques) == len(df.columns)
    print(json.dumps({"read_csv": t1 - t0, "profile": t2 - t1, "total": t2 - t0,
                      "rows": len(df), "string_columns": len(counts)}))


if __name__ == "__main__":
    main(sys.argv[1])
