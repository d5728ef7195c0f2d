#!/usr/bin/python3
"""`gyre monitor` on a large prediction log: a model trained on 50,000 generated rows logs its
predictions on ROWS drifted rows (`gyre predict --log`), then `gyre monitor --window N --json`
runs for a few window sizes, each REPS times; with a second binary, the two alternate. There is
no peer here: NannyML and Evidently are not Debian packages. Prints a Markdown table of medians.
Usage: monitor_log.py GYRE_BINARY [ROWS] [REPS] [OTHER_GYRE_BINARY]"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def timed(cmd):
    """Seconds and peak memory (MiB, by /usr/bin/time) of one run."""
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    return seconds, int(out.stderr.strip().splitlines()[-1]) / 1024


def main(gyre, rows, reps, other):
    with tempfile.TemporaryDirectory() as d:
        home = os.path.join(d, "home")
        train, live = os.path.join(d, "train.csv"), os.path.join(d, "live.csv")
        run([gyre, "data", "generate", "--rows", "50000", "--seed", "1", "--out", train])
        run([gyre, "data", "generate", "--rows", str(rows), "--seed", "2", "--drift", "0.3", "--out", live])
        run([gyre, "--home", home, "train", "--data", train, "--label", "is_fraud", "--register", "fraud",
             "--alias", "champion"])
        run([gyre, "--home", home, "predict", "fraud:champion", "--input", live, "--output",
             os.path.join(d, "p.csv"), "--log"])
        log_bytes = sum(os.path.getsize(os.path.join(root, f))
                        for root, _, files in os.walk(os.path.join(home, "logs")) for f in files)
        binaries = [("gyre", gyre)] + ([("other", other)] if other else [])
        print(f"log: {rows:,} records, {log_bytes / 2**20:.0f} MiB; {reps} runs each")
        print()
        print("| window | " + " | ".join(f"{name}: s, MiB" for name, _ in binaries) + " |")
        print("| --- |" + " --- |" * len(binaries))
        for window in (1000, 10000, 100000):
            runs = {name: [] for name, _ in binaries}
            for _ in range(reps):
                for name, binary in binaries:
                    runs[name].append(timed([binary, "--home", home, "monitor", "fraud:champion", "--window",
                                             str(window), "--json"]))
            cells = [f"{statistics.median(s for s, _ in runs[n]):.2f}, {statistics.median(m for _, m in runs[n]):.0f}"
                     for n, _ in binaries]
            print(f"| {window:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300000,
         int(sys.argv[3]) if len(sys.argv) > 3 else 3, sys.argv[4] if len(sys.argv) > 4 else None)
