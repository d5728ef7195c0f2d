#!/usr/bin/python3
"""Makes tests/golden/stats_golden.json: column statistics computed by pandas, to check Gyre's.

Covers the four shared datasets (breast_cancer, iris, wine, diabetes) and the corpus cases in
tests/data/csv_corpus/*.csv that pandas.read_csv reads the way Gyre must (see
make_csv_corpus.pandas_difference; the others are skipped and listed on stdout). Files are read
with pandas.read_csv(path, sep=<delimiter>, float_precision="round_trip").

Per numeric column (int or float, not bool): count, missing, distinct (nunique), mean, std
(ddof=1), min, max, quantiles (Series.quantile, linear), zeros, negatives and histogram
(numpy.histogram(values, bins=20) counts over (min, max); null when the column has no values);
mean, std and quantiles are computed on the column as float64 (so that quantile interpolation
does not overflow int64 near 2**63). Corpus cases holding an infinity are skipped: numpy's
quantile interpolation gives NaN there even at exact positions. Per string column: count, missing, distinct, top (value_counts as [value,
count], count desc then value asc, first 20) and length min/mean/max (Series.str.len(): code
points, not bytes). Bool and timestamp columns are left out. In the JSON, NaN is null and an
infinity would be "inf" or "-inf"; floats keep full precision (repr).

Rerun from the repository root, after make_csv_corpus.py:
    /usr/bin/python3 tests/golden/make_stats_golden.py [datasets dir, default /work/shared/datasets]
"""
import glob
import json
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_csv_corpus import ROOT, pandas_difference, read_with_pandas  # noqa: E402

DATASETS = ["breast_cancer.csv", "iris.csv", "wine.csv", "diabetes.csv"]
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def clean(v):
    """A plain JSON value: numpy scalars unwrapped, NaN -> null, infinities -> "inf"/"-inf"."""
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def numeric_stats(s):
    f = s.astype("float64")  # pandas averages ints as float64 anyway; this keeps quantile's
    values = f.dropna().to_numpy()  # interpolation from overflowing int64 near 2**63
    histogram = np.histogram(values, bins=20)[0].tolist() if len(values) else None
    return {
        "kind": "numeric", "count": int(s.count()), "missing": int(s.isna().sum()),
        "distinct": int(s.nunique()), "mean": clean(f.mean()), "std": clean(f.std(ddof=1)),
        "min": clean(s.min()), "max": clean(s.max()),
        "quantiles": {repr(q): clean(f.quantile(q)) for q in QUANTILES},
        "zeros": int((s == 0).sum()), "negatives": int((s < 0).sum()), "histogram": histogram,
    }


def string_stats(s):
    counts = sorted(s.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
    lengths = s.dropna().str.len()
    return {
        "kind": "string", "count": int(s.count()), "missing": int(s.isna().sum()),
        "distinct": int(s.nunique()), "top": [[v, int(c)] for v, c in counts[:20]],
        "length": {"min": clean(lengths.min()), "mean": clean(lengths.mean()), "max": clean(lengths.max())},
    }


def file_stats(df):
    columns = {}
    for name in df.columns:
        s = df[name]
        if np.issubdtype(s.dtype, np.number) and s.dtype != bool:
            columns[name] = numeric_stats(s)
        elif s.dtype == object and s.dropna().map(lambda v: isinstance(v, str)).all():
            columns[name] = string_stats(s)
    return {"rows": len(df), "columns": columns}


def main():
    datasets = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets"
    golden = {}
    for name in DATASETS:
        golden[name] = file_stats(read_with_pandas(os.path.join(datasets, name), ","))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "csv_corpus", "*.csv"))):
        with open(path[:-len(".csv")] + ".expected.json", encoding="utf-8") as f:
            expected = json.load(f)
        why = pandas_difference(path, expected)
        if why is not None:
            print("skipped %s (%s)" % (os.path.basename(path), why))
            continue
        df = read_with_pandas(path, expected["delimiter"])
        if np.isinf(df.select_dtypes("float").to_numpy()).any():
            print("skipped %s (holds an infinity)" % os.path.basename(path))
            continue
        golden[os.path.basename(path)] = file_stats(df)
    out = os.path.join(ROOT, "tests", "golden", "stats_golden.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote %s: %d files" % (os.path.relpath(out, ROOT), len(golden)))


if __name__ == "__main__":
    main()
