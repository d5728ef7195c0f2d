#!/usr/bin/env bash
# Stage 1's benchmarks: Gyre against pandas on the same generated file (alternating runs),
# then the Google Benchmark figures of the hot paths. `make bench` builds first.
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

BENCH="$(dirname "$GYRE")/bench/data_bench"
if [ -x "$BENCH" ]; then
  echo
  GYRE_BENCH_CSV="$CSV" "$BENCH" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true
fi
