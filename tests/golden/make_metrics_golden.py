#!/usr/bin/python3
"""Golden values for src/train/metrics.cc, computed by scikit-learn (Debian's python3-sklearn
1.2). Writes tests/golden/metrics_golden.json: inputs and expected metrics.
Rerun: /usr/bin/python3 tests/golden/make_metrics_golden.py"""
import json
import os

import numpy as np
from sklearn import metrics

rng = np.random.default_rng(2026)
out = {"binary": [], "multiclass": [], "regression": []}


def binary(name, y, p):
    y = [int(v) for v in y]
    p = [float(v) for v in p]
    pred = [1 if v >= 0.5 else 0 for v in p]
    tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    out["binary"].append({
        "name": name, "labels": y, "p": p,
        "roc_auc": metrics.roc_auc_score(y, p),
        "average_precision": metrics.average_precision_score(y, p),
        "log_loss": metrics.log_loss(y, p, labels=[0, 1]),
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, zero_division=0),
        "recall": metrics.recall_score(y, pred, zero_division=0),
        "f1": metrics.f1_score(y, pred, zero_division=0),
        "brier": metrics.brier_score_loss(y, p),
        "confusion": [int(tn), int(fp), int(fn), int(tp)],
    })


n = 500
y = rng.integers(0, 2, n)
binary("continuous", y, np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1))
binary("ties", y, np.round(np.clip(0.2 * y + rng.uniform(0, 0.8, n), 0, 1), 1))
binary("extremes", [0, 1, 1, 0, 1, 0], [0.0, 1.0, 0.5, 0.5, 0.9, 1.0])
binary("no_positive_prediction", [0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4])

for k in (3, 4):
    labels = rng.integers(0, k, 300)
    p = rng.dirichlet(np.ones(k), 300)
    p[np.arange(300), labels] += 0.3
    p /= p.sum(axis=1, keepdims=True)
    if k == 4:
        p[:, 3] = 0.0  # a class never predicted
        p /= p.sum(axis=1, keepdims=True)
    pred = p.argmax(axis=1)
    out["multiclass"].append({
        "name": f"classes_{k}", "classes": k, "labels": labels.tolist(), "p": p.ravel().tolist(),
        "accuracy": metrics.accuracy_score(labels, pred),
        "macro_f1": metrics.f1_score(labels, pred, average="macro", zero_division=0),
        "log_loss": metrics.log_loss(labels, p, labels=list(range(k))),
    })

for name, yv in (("positive", rng.gamma(2.0, 50.0, 400)), ("with_zeros", np.r_[np.zeros(5), rng.normal(0, 3, 95)])):
    yhat = yv + rng.normal(0, 10, len(yv))
    out["regression"].append({
        "name": name, "y": yv.tolist(), "y_hat": yhat.tolist(),
        "rmse": metrics.mean_squared_error(yv, yhat, squared=False),
        "mae": metrics.mean_absolute_error(yv, yhat),
        "r2": metrics.r2_score(yv, yhat),
        "mape": metrics.mean_absolute_percentage_error(yv, yhat),
    })

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_golden.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
