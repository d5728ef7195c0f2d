#!/usr/bin/env bash
# The benchmarks: profiling against pandas, training/prediction against pandas + xgboost and
# drift against scipy + pandas on generated files (alternating runs), gyre monitor on a large
# prediction log, then the Google Benchmark figures of the hot
# paths (parsing, statistics, validation, metric logging, a served request), serving under wrk, and pipeline
# overhead against make. `make bench` builds first.
# Usage: bench/run_all.sh [path/to/gyre]
# Env: BENCH_ROWS (default 1000000), BENCH_REPS (default 3), BENCH_DIR (default /tmp/gyre-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
GYRE=$(realpath "${1:-build/gyre}")
ROWS=${BENCH_ROWS:-1000000}
REPS=${BENCH_REPS:-3}
DIR=${BENCH_DIR:-/tmp/gyre-bench}
mkdir -p "$DIR"
CSV="$DIR/fraud_${ROWS}.csv"
[ -f "$CSV" ] || "$GYRE" data generate --kind fraud --rows "$ROWS" --seed 42 --out "$CSV" >/dev/null

/usr/bin/python3 bench/peers/compare_profile.py "$GYRE" "$CSV" "$REPS"

echo
/usr/bin/python3 bench/peers/compare_train.py "$GYRE" "$CSV" "$REPS"

# Drift: the same generator a month later with its distributions moved.
CURRENT="$DIR/fraud_${ROWS}_drift.csv"
[ -f "$CURRENT" ] || "$GYRE" data generate --kind fraud --rows "$ROWS" --seed 43 --drift 0.3 --out "$CURRENT" >/dev/null
echo
/usr/bin/python3 bench/peers/compare_drift.py "$GYRE" "$CSV" "$CURRENT" "$REPS"

# Monitoring: gyre monitor on a log of 300,000 logged predictions (no peer is packaged).
echo
/usr/bin/python3 bench/monitor_log.py "$GYRE" 300000 "$REPS"

BENCH="$(dirname "$GYRE")/bench"
if [ -x "$BENCH/data_bench" ]; then
  echo
  GYRE_BENCH_CSV="$CSV" "$BENCH/data_bench" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true
fi
if [ -x "$BENCH/track_bench" ]; then
  echo
  "$BENCH/track_bench"
fi

# Serving: a request's work in process (parse, predict, answer, log record), then gyre serve,
# FastAPI/uvicorn, Flask/gunicorn and nginx (the ceiling) under wrk.
if [ -x "$BENCH/serve_bench" ]; then
  echo
  "$BENCH/serve_bench" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true
fi
echo
/usr/bin/python3 bench/peers/compare_serve.py "$GYRE" 10

# Pipelines: per-step overhead against make on one DAG, and cached reruns of the examples.
echo
/usr/bin/python3 bench/peers/compare_pipeline.py "$GYRE" 50 "$REPS"
