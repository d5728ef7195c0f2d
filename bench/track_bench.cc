// Tracking hot path: logging metric points through the API into the embedded store.
// MLflow's SQL store writes one row and merges latest_metrics per point; Gyre writes a batch in
// one transaction with one prepared statement and updates the latest value once per key.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "track/tracker.h"

namespace gyre {
namespace {

// 1,000,000 points (10 keys x 100,000 steps) in batches of `state.range(0)` points.
void BM_LogMetricPoints(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const int64_t total = 1000000;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::filesystem::temp_directory_path() / ("gyre-track-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    HomeLayout layout(dir.string());
    auto objects = ObjectStore::Open(layout, Env::Default());
    auto meta = MetadataStore::Open(layout, Env::Default());
    Tracker tracker(meta->get(), objects->get(), Env::Default());
    std::string run = *tracker.StartRun({});
    std::vector<MetricPoint> points;
    state.ResumeTiming();
    for (int64_t i = 0; i < total; i += batch) {
      points.clear();
      for (int64_t k = i; k < i + batch && k < total; ++k) {
        points.push_back({"metric_" + std::to_string(k % 10), 1.0 / static_cast<double>(k + 1), k / 10, 1 + k});
      }
      Status st = tracker.LogBatch(run, {}, points, {});
      if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    }
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["points_per_second"] =
      benchmark::Counter(static_cast<double>(total * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogMetricPoints)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

}  // namespace
}  // namespace gyre

BENCHMARK_MAIN();
