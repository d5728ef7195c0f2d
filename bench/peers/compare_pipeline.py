#!/usr/bin/python3
"""Pipeline overhead: gyre run against GNU make on the same DAG, and cached reruns of the
shipped examples.

DVC and Kubeflow Pipelines, the tools users compare pipelines with, are not Debian 12 packages,
so the peer on this machine is make: the oldest DAG runner with a cache (file times), doing the
least possible work per step. A chain-and-fan DAG of N steps, each writing one small file from
its inputs, runs first from nothing, then again unchanged (make: nothing to do; gyre: every
step a cache hit, its inputs hashed and its outputs checked).

Usage: compare_pipeline.py GYRE [STEPS] [REPS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def dag(n):
    """Step i reads the outputs of steps (i-1) and (i//2): a chain with fan-in."""
    deps = {}
    for i in range(n):
        deps[i] = sorted({j for j in (i - 1, i // 2) if 0 <= j < i})
    return deps


def write_make(folder, deps):
    lines = [".PHONY: all", "all: " + " ".join(f"out/s{i}.txt" for i in deps), ""]
    for i, ds in deps.items():
        ins = " ".join(f"out/s{j}.txt" for j in ds)
        lines.append(f"out/s{i}.txt: {ins}")
        lines.append(f"\t@mkdir -p out && cat /dev/null {ins} > $@ && echo {i} >> $@")
    with open(os.path.join(folder, "Makefile"), "w") as f:
        f.write("\n".join(lines) + "\n")


def write_pipeline(folder, deps):
    lines = ["name: overhead", "steps:"]
    for i, ds in deps.items():
        lines.append(f"  s{i}:")
        ins = " ".join("${inputs.d%d}" % j for j in ds)
        lines.append(f"    run: cat /dev/null {ins} > ${{outputs.out}} && echo {i} >> ${{outputs.out}}")
        if ds:
            lines.append("    inputs: {" + ", ".join(f"d{j}: out/s{j}.txt" for j in ds) + "}")
        lines.append(f"    outputs: {{out: out/s{i}.txt}}")
    with open(os.path.join(folder, "pipeline.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def timed(cmd, cwd):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    gyre = os.path.abspath(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    deps = dag(steps)
    first = {"make": [], "gyre": []}
    again = {"make": [], "gyre": []}
    for _ in range(reps):
        for tool in ("make", "gyre"):
            folder = tempfile.mkdtemp(prefix=f"pipe-{tool}-")
            if tool == "make":
                write_make(folder, deps)
                cmd = ["make", "-j2"]
            else:
                write_pipeline(folder, deps)
                cmd = [gyre, "--home", os.path.join(folder, ".gyre"), "run", "pipeline.yaml", "--parallel", "2"]
            first[tool].append(timed(cmd, folder))
            again[tool].append(timed(cmd, folder))
            shutil.rmtree(folder, ignore_errors=True)
    print(f"pipeline overhead: {steps} steps, make -j2 against gyre run --parallel 2, median of {reps}")
    print(f"{'':24}{'make':>10}{'gyre':>10}{'gyre/make':>11}")
    for label, d in (("first run (s)", first), ("unchanged rerun (s)", again)):
        m, g = statistics.median(d["make"]), statistics.median(d["gyre"])
        print(f"{label:24}{m:10.3f}{g:10.3f}{g / m:11.1f}")

    examples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")
    print("\nshipped examples: first run, then a rerun with every step cached (median of reps)")
    for name in ("fraud", "demand"):
        runs, reruns = [], []
        for _ in range(reps):
            folder = tempfile.mkdtemp(prefix=f"example-{name}-")
            shutil.copytree(os.path.join(examples, name), os.path.join(folder, name))
            cmd = [gyre, "--home", os.path.join(folder, ".gyre"), "run", f"{name}/pipeline.yaml"]
            runs.append(timed(cmd, folder))
            timed(cmd, folder)  # the gate meets its own challenger as champion once
            reruns.append(timed(cmd, folder))
            shutil.rmtree(folder, ignore_errors=True)
        print(f"  {name:8} first run {statistics.median(runs):6.2f} s   cached rerun {statistics.median(reruns):6.3f} s")


if __name__ == "__main__":
    main()
