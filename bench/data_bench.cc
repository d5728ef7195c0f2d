// Stage 1 hot paths: CSV parsing (one core, and the two-core pipeline), profiling, validation.
// The input is a generated fraud file: GYRE_BENCH_CSV names one, else GYRE_BENCH_ROWS rows
// (default 1,000,000) are generated into the temp folder once.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/env.h"
#include "data/generate.h"
#include "data/schema.h"
#include "data/stats.h"
#include "data/validate.h"

namespace gyre {
namespace {

const std::string& InputFile() {
  static const std::string path = [] {
    if (const char* given = std::getenv("GYRE_BENCH_CSV")) return std::string(given);
    FraudOptions o;
    if (const char* rows = std::getenv("GYRE_BENCH_ROWS")) o.rows = std::atoll(rows);
    std::string p = (std::filesystem::temp_directory_path() / ("gyre-bench-" + std::to_string(o.rows) + ".csv")).string();
    if (!Env::Default()->FileExists(p)) {
      Status st = GenerateFraudCsv(o, p, Env::Default());
      if (!st.ok()) std::abort();
    }
    return p;
  }();
  return path;
}

int64_t FileBytes() { return static_cast<int64_t>(*Env::Default()->FileSize(InputFile())); }

class NullSink : public ChunkSink {
 public:
  Status Begin(const std::vector<ColumnInfo>&) override { return Status::OK(); }
  Status Consume(const Chunk& chunk) override {
    benchmark::DoNotOptimize(chunk.table.num_rows());
    return Status::OK();
  }
};

// Tokenize and convert to typed columns on one core: the "parse throughput" figure.
void BM_ParseOneCore(benchmark::State& state) {
  ReadOptions o;
  o.pipeline = false;
  for (auto _ : state) {
    NullSink sink;
    auto r = ScanFile(InputFile(), o, sink);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * FileBytes());
}
BENCHMARK(BM_ParseOneCore)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParseTwoCores(benchmark::State& state) {
  for (auto _ : state) {
    NullSink sink;
    auto r = ScanFile(InputFile(), {}, sink);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * FileBytes());
}
BENCHMARK(BM_ParseTwoCores)->Unit(benchmark::kMillisecond)->UseRealTime();

// What `gyre data profile FILE` does: parse, statistics, exact quantiles.
void BM_Profile(benchmark::State& state) {
  for (auto _ : state) {
    auto r = ProfileFile(InputFile());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * FileBytes());
}
BENCHMARK(BM_Profile)->Unit(benchmark::kMillisecond)->UseRealTime();

// Streaming profile with sketches (the path for files larger than the memory budget).
void BM_ProfileSketches(benchmark::State& state) {
  ProfileOptions p;
  p.exact_memory_bytes = 0;
  for (auto _ : state) {
    auto r = ProfileFile(InputFile(), {}, p);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * FileBytes());
}
BENCHMARK(BM_ProfileSketches)->Unit(benchmark::kMillisecond)->UseRealTime();

// `gyre data validate`: parse with the schema's types and check every value.
void BM_Validate(benchmark::State& state) {
  auto stats = ProfileFile(InputFile());
  Schema schema = InferSchema(*stats, "bench", "is_fraud");
  for (auto _ : state) {
    auto r = ValidateFile(InputFile(), schema);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetBytesProcessed(state.iterations() * FileBytes());
}
BENCHMARK(BM_Validate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gyre

BENCHMARK_MAIN();
