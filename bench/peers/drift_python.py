#!/usr/bin/python3
"""The Python peer of `gyre drift`: pandas.read_csv of both files, then per column what
Evidently computes by default (its column typing and test choice, research/drift_validation.md
§1.2) plus PSI with Evidently's binning, with scipy and numpy. Integer columns whose values are
all distinct and timestamps are left out, as Gyre leaves them out. Prints one JSON object:
timings (s), peak memory (MiB) and the per-column results, so the caller can check that both
sides computed the same numbers. Usage: drift_python.py REFERENCE_CSV CURRENT_CSV"""
import json
import math
import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def fill_zeroes(p):
    nonzero = p[p != 0]
    m = nonzero.min()
    p = p.copy()
    p[p == 0] = m / 1e6 if m <= 1e-4 else 1e-4
    return p


def binned(ref, cur, numeric, fill):
    if numeric and ref.nunique() > 20:
        edges = np.histogram_bin_edges(pd.concat([ref, cur]).values, bins="sturges")
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = list(set(ref.unique()) | set(cur.unique()))
        rc, cc = ref.value_counts(), cur.value_counts()
        r = np.array([rc.get(k, 0) for k in keys]) / len(ref)
        c = np.array([cc.get(k, 0) for k in keys]) / len(cur)
    if fill:
        r, c = fill_zeroes(r), fill_zeroes(c)
    return r, c


def chisquare(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    rc, cc = ref.value_counts(), cur.value_counts()
    f_exp = np.array([rc.get(k, 0) for k in keys]) * (len(cur) / len(ref))
    f_obs = np.array([cc.get(k, 0) for k in keys])
    return stats.chisquare(f_obs, f_exp)


def column_kind(ref):
    if ref.dtype == object:
        return "text" if ref.nunique() > 0.5 * len(ref) else "cat"
    if pd.api.types.is_integer_dtype(ref.dtype) or pd.api.types.is_bool_dtype(ref.dtype):
        n = ref.nunique()
        if n == len(ref) and len(ref) > 100:
            return "id"
        return "cat" if n <= 10 else "num"
    return "num"


def one_column(ref, cur):
    kind = column_kind(ref)
    if kind in ("text", "id"):
        return None
    ref = ref.replace([np.inf, -np.inf], np.nan).dropna()
    cur = cur.replace([np.inf, -np.inf], np.nan).dropna()
    n_values = pd.concat([ref, cur]).nunique()
    out = {"type": kind}
    if len(ref) <= 1000:
        if kind == "num" and n_values > 5:
            out["method"], out["statistic"] = "ks", stats.ks_2samp(ref, cur).pvalue
        elif n_values > 2:
            out["method"], out["statistic"] = "chisquare", chisquare(ref, cur)[1]
        else:
            out["method"], out["statistic"] = "z", float("nan")
    elif kind == "num" and n_values > 5:
        w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
        out["method"], out["statistic"] = "wasserstein", w
    else:
        r, c = binned(ref, cur, kind == "num", False)
        out["method"], out["statistic"] = "jensenshannon", distance.jensenshannon(r, c)
    r, c = binned(ref, cur, kind == "num", True)
    out["psi"] = float(np.sum((r - c) * np.log(r / c)))
    out["statistic"] = float(out["statistic"])
    return out


def main(ref_path, cur_path):
    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    t1 = time.perf_counter()
    columns = {}
    for name in ref.columns:
        if name == "timestamp" or name not in cur.columns:
            continue
        result = one_column(ref[name], cur[name])
        if result is not None:
            columns[name] = result
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"read_csv": t1 - t0, "tests": t2 - t1, "total": t2 - t0,
                      "peak_mib": peak, "columns": columns}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
