#!/usr/bin/python3
"""The Python peers of `gyre serve`: the same XGBoost model behind FastAPI (uvicorn) or Flask
(gunicorn), answering MLflow-style `{"dataframe_records": [...]}` requests on /invocations the
way Gyre does (inputs in signature order, categories by the bundle's fixed codes, unseen ones
missing). The bundle is read from GYRE_BUNDLE (a Gyre model bundle: a tar of gyre-model.json
and model.ubj).
Run: GYRE_BUNDLE=... uvicorn --app-dir bench/peers serve_python:fastapi_app
     GYRE_BUNDLE=... gunicorn --chdir bench/peers serve_python:flask_app"""
import io
import json
import math
import os
import tarfile

import numpy as np
import xgboost


def load(path):
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("gyre-model.json"))
        model = tar.extractfile("model.ubj").read()
    booster = xgboost.Booster()
    booster.load_model(bytearray(model))
    booster.set_param({"nthread": 1})
    return manifest, booster


MANIFEST, BOOSTER = load(os.environ["GYRE_BUNDLE"])
FEATURES = MANIFEST["signature"]["inputs"] if "inputs" in MANIFEST["signature"] else MANIFEST["signature"]["features"]
CLASSES = MANIFEST["signature"].get("classes", [])
CODES = [{c: i for i, c in enumerate(f.get("categories", []))} for f in FEATURES]


def encode(records):
    x = np.full((len(records), len(FEATURES)), np.nan, dtype=np.float32)
    for r, rec in enumerate(records):
        for c, f in enumerate(FEATURES):
            v = rec.get(f["name"])
            if v is None:
                continue
            if CODES[c]:
                code = CODES[c].get(v)
                if code is not None:
                    x[r, c] = code
            elif isinstance(v, bool):
                x[r, c] = 1.0 if v else 0.0
            else:
                x[r, c] = float(v)
    return x


def predict(body):
    records = json.loads(body)["dataframe_records"]
    p = BOOSTER.predict(xgboost.DMatrix(encode(records), missing=math.nan))
    out = [{"prediction": CLASSES[int(v >= 0.5)], "p_" + CLASSES[0]: float(1 - v), "p_" + CLASSES[1]: float(v)}
           for v in p]
    return json.dumps({"predictions": out})


try:
    from fastapi import FastAPI, Request, Response

    fastapi_app = FastAPI()

    @fastapi_app.post("/invocations")
    async def invocations(request: Request):
        return Response(predict(await request.body()), media_type="application/json")
except ImportError:
    pass

try:
    from flask import Flask, request as flask_request

    flask_app = Flask(__name__)

    @flask_app.post("/invocations")
    def flask_invocations():
        return flask_app.response_class(predict(flask_request.get_data()), mimetype="application/json")
except ImportError:
    pass
