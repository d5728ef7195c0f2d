#!/usr/bin/python3
"""`gyre serve` against its peers on loopback, one after the other in one run, with wrk:
FastAPI on uvicorn and Flask on gunicorn serving the same XGBoost model (serve_python.py), and
nginx returning a fixed answer (the ceiling for HTTP on this machine). Single-row JSON requests
(MLflow's dataframe_records) to /invocations. Also the latency of a 1,000-row request to Gyre,
and Gyre's share of nginx measured in pairs: the two servers loaded by turns, a few seconds
each, so that both see the same phase of a machine whose speed drifts over a run. Prints
Markdown tables. Usage: compare_serve.py GYRE_BINARY [SECONDS] [PAIRS]"""
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = str(os.cpu_count() or 2)


def wait_for_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(port, lua, connections, seconds):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", lua,
                          f"http://127.0.0.1:{port}/invocations"], capture_output=True, text=True).stdout
    rps = float(out.split("Requests/sec:")[1].split()[0])
    def pct(label):
        value = out.split(label)[1].split()[0]
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}
        for unit in ("us", "ms", "s"):
            if value.endswith(unit):
                return float(value[:-len(unit)]) * scale[unit]
        return float(value)
    errors = 0
    if "Non-2xx or 3xx responses:" in out:
        errors = int(out.split("Non-2xx or 3xx responses:")[1].split()[0])
    return {"rps": rps, "p50": pct(" 50% "), "p99": pct(" 99% "), "errors": errors}


def record(csv_path, n):
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
        rows = [f.readline().strip().split(",") for _ in range(n)]
    out = []
    for row in rows:
        rec = {}
        for k, v in zip(header, row):
            if k in ("transaction_id", "timestamp", "is_fraud"):
                continue
            try:
                rec[k] = None if v == "" else (int(v) if v.lstrip("-").isdigit() else float(v))
            except ValueError:
                rec[k] = v
        out.append(rec)
    return out


def nginx_config(path, work, port, answer):
    with open(path, "w") as f:
        f.write(f"worker_processes {WORKERS};\npid {work}/nginx.pid;\nerror_log {work}/nginx.err;\n"
                "events {}\nhttp { access_log off;\n"
                f"  server {{ listen 127.0.0.1:{port}; location / {{ default_type application/json;\n"
                f"    return 200 '{answer}'; }} }} }}\n")


def paired(gyre_cmd, nginx_cmd, lua, pairs, seconds):
    """Gyre and nginx, both running, loaded by turns at 64 connections: each pair's ratio."""
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen(gyre_cmd(ports[0]), stdout=subprocess.DEVNULL),
             subprocess.Popen(nginx_cmd(ports[1]))]
    try:
        for port in ports:
            wait_for_port(port)
            wrk(port, lua, 8, 2)  # warm up
        rounds = []
        for _ in range(pairs):
            g, n = wrk(ports[0], lua, 64, seconds), wrk(ports[1], lua, 64, seconds)
            rounds.append((g["rps"], n["rps"]))
            print(f"pair: gyre {g['rps']:.0f} req/s, nginx {n['rps']:.0f} req/s, {g['rps'] / n['rps']:.0%}",
                  file=sys.stderr)
        return rounds
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)


def main(gyre, seconds, pairs):
    work = tempfile.mkdtemp(prefix="gyre-serve-bench.")
    home = os.path.join(work, "home")
    csv = os.path.join(work, "train.csv")
    run = lambda *a: subprocess.run([gyre, "--home", home, *a], check=True, capture_output=True, text=True).stdout
    run("data", "generate", "--rows", "200000", "--seed", "42", "--out", csv)
    run("train", "--data", csv, "--label", "is_fraud", "--register", "bench")
    sha = json.loads(run("models", "show", "bench:1", "--json"))["bundle_sha256"]
    bundle = os.path.join(home, "objects", sha[:2], sha[2:])
    one = json.dumps({"dataframe_records": record(csv, 1)})
    thousand = json.dumps({"dataframe_records": record(csv, 1000)})
    lua = os.path.join(work, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(one)}\n")
    nginx_conf = os.path.join(work, "nginx.conf")
    answer = json.dumps({"predictions": [{"prediction": "0", "p_0": 0.99, "p_1": 0.01}]})
    procs, results = [], {}
    # One OpenMP thread per Python worker: with XGBoost's default (all cores per process) the
    # workers and wrk fight over two cores and the peers measure 10-50x slower.
    env = dict(os.environ, GYRE_BUNDLE=bundle, OMP_NUM_THREADS="1")
    servers = [
        ("gyre serve", lambda p: [gyre, "--home", home, "serve", "bench", "--port", str(p)]),
        ("FastAPI + uvicorn (xgboost)", lambda p: ["/usr/bin/python3", "-m", "uvicorn", "--app-dir", HERE, "--workers", WORKERS, "--log-level",
                                                    "warning", "--port", str(p), "serve_python:fastapi_app"]),
        ("Flask + gunicorn (xgboost)", lambda p: ["gunicorn", "--chdir", HERE, "-w", WORKERS, "-b", f"127.0.0.1:{p}",
                                                   "--log-level", "warning", "serve_python:flask_app"]),
        ("nginx, a fixed answer (ceiling)", None),
    ]
    try:
        for name, cmd in servers:
            port = free_port()
            if cmd is None:
                nginx_config(nginx_conf, work, port, answer)
                proc = subprocess.Popen(["nginx", "-c", nginx_conf, "-g", "daemon off;"])
            else:
                proc = subprocess.Popen(cmd(port), env=env, stdout=subprocess.DEVNULL)
            procs.append(proc)
            wait_for_port(port)
            wrk(port, lua, 8, 2)  # warm up
            full = wrk(port, lua, 64, seconds)
            light = wrk(port, lua, 4, seconds)
            results[name] = (full, light)
            print(f"{name}: {full['rps']:.0f} req/s, p99 {full['p99']:.2f} ms; 4 connections: "
                  f"{light['rps']:.0f} req/s, p99 {light['p99']:.2f} ms", file=sys.stderr)
            if name == "gyre serve":
                times = []
                for _ in range(30):
                    c = http.client.HTTPConnection("127.0.0.1", port)
                    t0 = time.perf_counter()
                    c.request("POST", "/invocations", thousand, {"Content-Type": "application/json"})
                    assert c.getresponse().read()
                    times.append((time.perf_counter() - t0) * 1000)
                    c.close()
                results["thousand_ms"] = statistics.median(times)
            proc.terminate()
            proc.wait(timeout=30)
        paired_conf = os.path.join(work, "nginx-paired.conf")
        def nginx_cmd(port):
            nginx_config(paired_conf, work, port, answer)
            return ["nginx", "-c", paired_conf, "-g", "daemon off;"]
        results["pairs"] = paired(servers[0][1], nginx_cmd, lua, pairs, max(2, seconds // 2))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    ceiling = results["nginx, a fixed answer (ceiling)"][0]["rps"]
    print("| server | req/s (64 conn.) | p50 / p99 ms | req/s (4 conn.) | p99 ms (4 conn.) | share of nginx |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, _ in servers:
        full, light = results[name]
        print(f"| {name} | {full['rps']:,.0f} | {full['p50']:.2f} / {full['p99']:.2f} | {light['rps']:,.0f} | "
              f"{light['p99']:.2f} | {full['rps'] / ceiling:.0%} |")
    print(f"\n1,000-row request to gyre serve: {results['thousand_ms']:.2f} ms (median of 30, new connection each)")
    shares = [g / n for g, n in results["pairs"]]
    print("\n| pair | gyre req/s | nginx req/s | share of nginx |\n| --- | --- | --- | --- |")
    for i, (g, n) in enumerate(results["pairs"], 1):
        print(f"| {i} | {g:,.0f} | {n:,.0f} | {g / n:.0%} |")
    print(f"\nShare of nginx in pairs: median {statistics.median(shares):.0%} "
          f"(from {min(shares):.0%} to {max(shares):.0%}, {len(shares)} pairs)")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10, int(sys.argv[3]) if len(sys.argv) > 3 else 7)
