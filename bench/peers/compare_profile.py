#!/usr/bin/python3
"""Gyre against pandas on one file, alternating them (this machine's speed drifts by up to
2x over minutes, so each pair runs back to back). Prints a Markdown table of medians and
ratios. Usage: compare_profile.py GYRE_BINARY CSV_FILE [REPS]"""
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t0, out


def main(gyre, csv, reps):
    size = os.path.getsize(csv)
    g, basic, equiv, read = [], [], [], []
    for rep in range(reps):
        seconds, _ = timed([gyre, "data", "profile", csv, "--json"])
        g.append(seconds)
        _, out = timed([sys.executable, os.path.join(HERE, "profile_pandas.py"), csv])
        peer = json.loads(out)
        basic.append(peer["basic"])
        equiv.append(peer["equivalent"])
        read.append(peer["read_csv"])
        print(f"rep {rep + 1}: gyre {g[-1]:.3f} s, pandas basic {basic[-1]:.3f} s, "
              f"equivalent {equiv[-1]:.3f} s (read_csv {read[-1]:.3f} s)", file=sys.stderr)
    med = statistics.median
    print(f"input: {os.path.basename(csv)}, {size / 1e6:.1f} MB, {reps} alternating runs each")
    print()
    print("| measurement (median of the runs) | Gyre (s) | pandas (s) | pandas / Gyre |")
    print("| --- | --- | --- | --- |")
    print(f"| profile vs read_csv + describe + isna + value_counts | {med(g):.3f} | {med(basic):.3f} | {med(basic) / med(g):.1f}x |")
    print(f"| profile vs the same + 7 quantiles + nunique (what Gyre computes) | {med(g):.3f} | {med(equiv):.3f} | {med(equiv) / med(g):.1f}x |")
    print(f"| profile vs pandas read_csv alone | {med(g):.3f} | {med(read):.3f} | {med(read) / med(g):.1f}x |")
    print(f"| end-to-end throughput (MB/s) | {size / 1e6 / med(g):.0f} | {size / 1e6 / med(basic):.0f} | |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
