#!/usr/bin/python3
"""Golden predictions for Gyre's Predictor: the models in tests/golden/models/*.bundle (made by
`gyre train --set num_round=30` on the shared datasets) loaded into the Python xgboost package
(Debian's python3-xgboost 1.7) and asked to predict every row of their dataset.
Writes tests/golden/predictions_golden.json. Rerun: /usr/bin/python3 tests/golden/make_predictions_golden.py"""
import io
import json
import os
import sys
import tarfile

import numpy as np
import pandas as pd
import xgboost

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "datasets")


def load(bundle_path):
    with tarfile.open(bundle_path) as tar:
        manifest = json.load(tar.extractfile("gyre-model.json"))
        model = tar.extractfile("model.ubj").read()
    booster = xgboost.Booster()
    booster.load_model(bytearray(model))
    return manifest, booster


def features(frame, signature):
    columns = []
    for spec in signature["inputs"]:
        col = frame[spec["name"]]
        if spec["type"] == "string":
            index = {c: i for i, c in enumerate(spec["categories"])}
            columns.append(col.map(lambda v: index.get(v, np.nan)).astype(np.float32))
        else:
            columns.append(col.astype(np.float32))
    return np.column_stack(columns).astype(np.float32)


out = {}
for name in sorted(os.listdir(os.path.join(HERE, "models"))):
    dataset = name.replace(".bundle", "")
    manifest, booster = load(os.path.join(HERE, "models", name))
    frame = pd.read_csv(os.path.join(DATASETS, dataset + ".csv"))
    x = features(frame, manifest["signature"])
    pred = booster.predict(xgboost.DMatrix(x, missing=np.nan))
    out[dataset] = {"rows": int(x.shape[0]), "width": 1 if pred.ndim == 1 else int(pred.shape[1]),
                    "values": [float(v) for v in pred.ravel()]}
with open(os.path.join(HERE, "predictions_golden.json"), "w") as f:
    json.dump(out, f)
print("wrote", {k: v["rows"] for k, v in out.items()})
