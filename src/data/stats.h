// Statistics per column, computed in one streaming pass and equal to pandas on the same data:
// count, missing, distinct, min, max, mean, std (ddof=1), quantiles with numpy's linear
// interpolation, an equal-width histogram (numpy.histogram's binning), top values, zeros,
// negatives, string lengths.
//
// Exactness: numeric values are kept (8 bytes each) while the total stays within
// ProfileOptions::exact_memory_bytes; quantiles and distinct counts are then exact. Past the
// budget every column switches to sketches: quantiles from a KLL sketch (rank error < 0.3%,
// 99% confidence) and distinct counts from HyperLogLog (0.81% standard error). Distinct string
// values are counted exactly up to 100,000 per column, then by HyperLogLog; top values are then
// the most frequent of those first 100,000 distinct values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/reader.h"
#include "data/table.h"

namespace gyre {

// The quantiles every profile reports.
inline constexpr std::array<double, 7> kProfileQuantiles = {0.01, 0.05, 0.25, 0.5,
                                                            0.75, 0.95, 0.99};

struct Histogram {
  std::vector<double> edges;  // bins + 1 edges; the last bin includes its right edge
  std::vector<int64_t> counts;
};

struct NumericSummary {
  double min = 0, max = 0, mean = 0, std = 0;  // std is NaN below two values
  double sum = 0;
  int64_t zeros = 0, negatives = 0, infinities = 0;
  std::array<double, 7> quantiles{};  // at kProfileQuantiles
  bool quantiles_exact = true;
  Histogram histogram;
};

struct TopValue {
  std::string value;
  int64_t count = 0;
};

struct LengthSummary {
  int64_t min = 0, max = 0;
  double mean = 0;
};

struct ColumnStats {
  std::string name;
  ColumnType type = ColumnType::kString;
  int64_t count = 0;    // values present
  int64_t missing = 0;  // missing values
  int64_t distinct = 0;
  bool distinct_exact = true;
  std::optional<NumericSummary> numeric;  // int64, float64
  std::vector<TopValue> top;              // string, bool: most frequent first
  std::optional<LengthSummary> lengths;   // string, in Unicode code points
  std::optional<int64_t> min_time, max_time;  // timestamp, microseconds since the epoch

  bool is_categorical() const { return type == ColumnType::kString || type == ColumnType::kBool; }
};

struct DatasetStats {
  int64_t rows = 0;
  std::vector<ColumnStats> columns;
  const ColumnStats* Find(const std::string& name) const;
};

struct ProfileOptions {
  uint64_t exact_memory_bytes = uint64_t{2} << 30;
  // Exact statistics of numbers from counts of each value where they fit (data/value_counts.h);
  // off, every numeric column keeps and sorts its values (the same figures, more slowly).
  bool count_values = true;
  int histogram_bins = 20;
  int top_k = 100;  // enough for a schema's categorical domain (InferOptions::max_domain_size)
  int threads = 2;  // for the final per-column work (sorting)
};

// A numeric column's exact distribution, as the profile counted it.
struct CountedColumn {
  std::vector<double> values;  // distinct, ascending (integers as static_cast<double> makes them)
  std::vector<int64_t> counts;
  int64_t missing = 0;  // nulls: a counted column holds no infinities
};

// Gathers statistics from chunks; use as the sink of ScanFile.
class StatsBuilder : public ChunkSink {
 public:
  explicit StatsBuilder(ProfileOptions options = {});
  ~StatsBuilder() override;
  Status Begin(const std::vector<ColumnInfo>& columns) override;
  Status Consume(const Chunk& chunk) override;
  DatasetStats Finish();
  // An int64 or float64 column's distribution so far (column `c` of the scan), while its
  // values are counted exactly, as they usually are: what a drift summary of the same rows
  // holds, without a second pass over them. Nullopt for other columns, or once values are
  // kept or sketched instead. Not during Finish.
  std::optional<CountedColumn> Counted(int c) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Statistics of a whole file in one pass over it.
Result<DatasetStats> ProfileFile(const std::string& path, const ReadOptions& read_options = {},
                                 const ProfileOptions& options = {}, ScanSummary* summary = nullptr);

// JSON (the `data profile` document; also how versions store their statistics).
std::string StatsToJson(const DatasetStats& stats, int indent = -1);
Result<DatasetStats> StatsFromJson(const std::string& text);

}  // namespace gyre
