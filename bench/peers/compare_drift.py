#!/usr/bin/python3
"""`gyre drift` against the Python peer (drift_python.py) on the same two files, alternating
them, each a fresh process. Checks that both chose the same test per column and got the same
statistic (1e-9 relative) and PSI, then prints a Markdown table of medians, ratios and peak
memory. Usage: compare_drift.py GYRE_BINARY REFERENCE_CSV CURRENT_CSV [REPS]"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_of(cmd):
    """Wall time, peak RSS (MiB) and stdout of one command, run under a fresh wrapper so that
    each measurement's peak is its own."""
    wrapper = [sys.executable, "-c",
               "import resource,subprocess,sys,time;t=time.perf_counter();"
               "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
               "print(time.perf_counter()-t);print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024);"
               "sys.stdout.write(p.stdout)"] + cmd
    out = subprocess.run(wrapper, check=True, capture_output=True, text=True).stdout
    seconds, peak, rest = out.split("\n", 2)
    return float(seconds), float(peak), rest


def check_same(gyre_json, peer):
    mismatches = []
    for col in gyre_json["columns"]:
        theirs = peer["columns"].get(col["column"])
        if theirs is None:
            mismatches.append(f"{col['column']}: not tested by the peer")
            continue
        if col["method"] != theirs["method"]:
            mismatches.append(f"{col['column']}: {col['method']} vs {theirs['method']}")
            continue
        mine = col["p_value"] if col["p_value"] is not None else col["statistic"]
        for a, b, what in ((mine, theirs["statistic"], "statistic"),
                           (col["stats"]["psi"], theirs["psi"], "psi")):
            if abs(a - b) > 1e-9 * max(abs(b), 1e-12):
                mismatches.append(f"{col['column']} {what}: {a!r} vs {b!r}")
    missing = set(peer["columns"]) - {c["column"] for c in gyre_json["columns"]}
    mismatches += [f"{m}: not tested by Gyre" for m in sorted(missing)]
    return mismatches


def main(gyre, ref, cur, reps):
    g_times, g_peaks, p_times, p_peaks, p_reads, s_times, s_peaks = [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as home:
        # The reference as a dataset version: its statistics are stored on first use.
        subprocess.run([gyre, "--home", home, "data", "add", ref, "--name", "reference"], check=True,
                       capture_output=True)
        subprocess.run([gyre, "--home", home, "drift", "--reference", "reference:1", "--current", cur],
                       check=True, capture_output=True)
        for rep in range(reps):
            seconds, peak, out = peak_of([gyre, "--home", home, "drift", "--reference", "reference:1",
                                          "--current", cur, "--all-stats", "--json"])
            s_times.append(seconds)
            s_peaks.append(peak)
            stored = json.loads(out)
            seconds, peak, out = peak_of([gyre, "--home", home, "drift", "--reference", ref,
                                          "--current", cur, "--all-stats", "--json"])
            g_times.append(seconds)
            g_peaks.append(peak)
            mine = json.loads(out)
            seconds, peak, out = peak_of([sys.executable, os.path.join(HERE, "drift_python.py"), ref, cur])
            peer = json.loads(out)
            p_times.append(seconds)
            p_peaks.append(peak)
            p_reads.append(peer["read_csv"])
            print(f"rep {rep + 1}: gyre {g_times[-1]:.2f} s {g_peaks[-1]:.0f} MiB, stored reference "
                  f"{s_times[-1]:.2f} s {s_peaks[-1]:.0f} MiB; "
                  f"python {p_times[-1]:.2f} s (read_csv {peer['read_csv']:.2f} s) {p_peaks[-1]:.0f} MiB",
                  file=sys.stderr)
    mismatches = check_same(mine, peer) + check_same(stored, peer)
    data_mib = (os.path.getsize(ref) + os.path.getsize(cur)) / 2**20
    g, p = statistics.median(g_times), statistics.median(p_times)
    print(f"| measurement (median of {reps}) | Gyre | Python | Python / Gyre |")
    print("| --- | --- | --- | --- |")
    print(f"| drift, both files read, every column tested (s) | {g:.3f} | {p:.3f} | **{p / g:.1f}×** |")
    s = statistics.median(s_times)
    print(f"| drift, reference statistics stored with the dataset version (s) | {s:.3f} | {p:.3f} | "
          f"**{p / s:.1f}×** |")
    print(f"| of which pandas read_csv (s) | | {statistics.median(p_reads):.3f} | |")
    print(f"| peak memory (MiB; the two files are {data_mib:.0f} MiB) | {statistics.median(g_peaks):.0f} | "
          f"{statistics.median(p_peaks):.0f} | |")
    print(f"| peak memory with the stored reference (MiB) | {statistics.median(s_peaks):.0f} | | |")
    print(f"| columns tested / same test and numbers | {len(mine['columns'])} | {len(peer['columns'])} | "
          f"{'all' if not mismatches else str(len(mismatches)) + ' differ'} |")
    for m in mismatches:
        print("mismatch:", m, file=sys.stderr)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 3))
