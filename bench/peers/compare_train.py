#!/usr/bin/python3
"""`gyre train` and `gyre predict` against the Python peer (train_xgboost.py) on one file,
alternating them. Prints a Markdown table of medians and ratios, then the training ratio of
each rep (Gyre's and Python's runs minutes apart at most) and their median: on a machine whose
speed drifts, the pairs' median moves less than the ratio of two medians.
Usage: compare_train.py GYRE_BINARY CSV_FILE [REPS]"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return time.perf_counter() - t0, out


def main(gyre, csv, reps):
    g_train, g_pred, p_train, p_pred, p_e2e, aucs = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as home:
        for rep in range(reps):
            seconds, out = timed([gyre, "--home", home, "train", "--data", csv, "--label", "is_fraud",
                                  "--register", "bench", "--json"])
            g_train.append(seconds)
            aucs.append(json.loads(out)["metrics"]["roc_auc"])
            seconds, _ = timed([gyre, "--home", home, "predict", "bench", "--input", csv,
                                "--output", os.path.join(home, "p.csv")])
            g_pred.append(seconds)
            _, out = timed([sys.executable, os.path.join(HERE, "train_xgboost.py"), csv])
            peer = json.loads(out)
            p_train.append(peer["train_total"])
            p_pred.append(peer["predict"])
            p_e2e.append(peer["predict_end_to_end"])
            print(f"rep {rep + 1}: gyre train {g_train[-1]:.2f} s (auc {aucs[-1]:.4f}), predict {g_pred[-1]:.2f} s; "
                  f"python train {p_train[-1]:.2f} s (auc {peer['auc']:.4f}), predict {p_pred[-1]:.2f} s",
                  file=sys.stderr)
    med = statistics.median
    rows = peer["rows"]
    print("| measurement (median) | Gyre | Python | Gyre / Python |")
    print("| --- | --- | --- | --- |")
    print(f"| whole train: load, split, 100 rounds, evaluate (s) | {med(g_train):.2f} | {med(p_train):.2f} | {med(g_train) / med(p_train):.2f} |")
    print(f"| batch prediction end to end: read CSV, predict, write CSV (rows/s) | "
          f"{rows / med(g_pred):,.0f} | {rows / med(p_e2e):,.0f} | {med(p_e2e) / med(g_pred):.2f}x faster |")
    print(f"| Python's DMatrix + predict alone, for reference (rows/s) | | {rows / med(p_pred):,.0f} | |")
    pairs = [g / p for g, p in zip(g_train, p_train)]
    print()
    print(f"whole train, Gyre / Python in each rep: {', '.join(f'{r:.3f}' for r in pairs)}; "
          f"median {med(pairs):.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
