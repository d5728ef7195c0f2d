#!/usr/bin/python3
"""The Python peer of `gyre train` and `gyre predict` on a generated fraud file: pandas.read_csv,
the same split size, xgboost.train with Gyre's defaults (hist, 100 rounds, depth 6, eta 0.3,
all cores), evaluation (ROC AUC), then batch prediction of every row. Category columns use a
fixed vocabulary (codes), as Gyre's bundle does; the id and timestamp columns are left out.
Prints one JSON line of timings (s). Usage: train_xgboost.py FILE"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import xgboost
from sklearn.metrics import roc_auc_score


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    y = df.pop("is_fraud").to_numpy(dtype=np.float32)
    df = df.drop(columns=["transaction_id", "timestamp"])
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = pd.Categorical(df[c], categories=sorted(df[c].dropna().unique())).codes.astype(np.float32)
            df.loc[df[c] < 0, c] = np.nan
    x = df.to_numpy(dtype=np.float32)
    rng = np.random.default_rng(0)
    test = rng.random(len(y)) < 0.2
    dtrain = xgboost.DMatrix(x[~test], label=y[~test], missing=np.nan)
    dtest = xgboost.DMatrix(x[test], missing=np.nan)
    params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.3,
              "nthread": os.cpu_count()}
    booster = xgboost.train(params, dtrain, num_boost_round=100)
    auc = roc_auc_score(y[test], booster.predict(dtest))
    t2 = time.perf_counter()
    dall = xgboost.DMatrix(x, missing=np.nan)
    p = booster.predict(dall)
    t3 = time.perf_counter()
    # What `gyre predict FILE --output F` does: read, prepare, predict, write a CSV.
    frame = pd.read_csv(path).drop(columns=["transaction_id", "timestamp", "is_fraud"])
    for c in frame.columns:
        if frame[c].dtype == object:
            frame[c] = pd.Categorical(frame[c], categories=sorted(frame[c].dropna().unique())).codes.astype(np.float32)
            frame.loc[frame[c] < 0, c] = np.nan
    p = booster.predict(xgboost.DMatrix(frame.to_numpy(dtype=np.float32), missing=np.nan))
    pd.DataFrame({"prediction": (p >= 0.5).astype(int), "p_0": 1 - p, "p_1": p}).to_csv(
        os.devnull if os.name != "posix" else "/tmp/gyre_peer_predictions.csv", index=False)
    t4 = time.perf_counter()
    print(json.dumps({"read_csv": t1 - t0, "train_total": t2 - t0, "auc": auc,
                      "predict": t3 - t2, "predict_end_to_end": t4 - t3, "rows": len(y)}))


if __name__ == "__main__":
    main(sys.argv[1])
