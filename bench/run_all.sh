#!/usr/bin/env bash
# The benchmarks: profiling against pandas and training/prediction against pandas + xgboost on
# the same generated file (alternating runs), then the Google Benchmark figures of the hot
# paths (parsing, statistics, validation, metric logging). `make bench` builds first.
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

BENCH="$(dirname "$GYRE")/bench"
if [ -x "$BENCH/data_bench" ]; then
  echo
  GYRE_BENCH_CSV="$CSV" "$BENCH/data_bench" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true
fi
if [ -x "$BENCH/track_bench" ]; then
  echo
  "$BENCH/track_bench"
fi
