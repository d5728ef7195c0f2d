// Validation of data against a schema: each anomaly with its kind, a count and example rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/reader.h"
#include "data/schema.h"
#include "data/stats.h"

namespace gyre {

// The anomaly kinds (DESIGN.md): missing_column, unexpected_column, type_mismatch,
// missing_values, out_of_range, unknown_category, empty_dataset.
struct Anomaly {
  std::string column;  // empty for empty_dataset
  std::string kind;
  std::string detail;
  int64_t count = 0;
  std::vector<int64_t> rows;  // example 1-based data rows (header excluded)
};

struct ValidationReport {
  int64_t rows = 0;
  std::vector<Anomaly> anomalies;
  bool valid() const { return anomalies.empty(); }
};

// A sink that checks chunks against `schema`, forwarding them to `next` (e.g. a StatsBuilder)
// so that a file is read once for both. Columns are read with the schema's types
// (ValidationReadOptions), so values of the wrong type arrive as type errors.
class Validator : public ChunkSink {
 public:
  Validator(const Schema& schema, ChunkSink* next = nullptr);
  ~Validator() override;
  Status Begin(const std::vector<ColumnInfo>& columns) override;
  Status Consume(const Chunk& chunk) override;
  ValidationReport Finish(const ScanSummary& summary);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Read options that fix each schema column's type.
ReadOptions ValidationReadOptions(const Schema& schema, ReadOptions base = {});

// Reads `path` once, validating it and (when `stats` is given) gathering its statistics.
Result<ValidationReport> ValidateFile(const std::string& path, const Schema& schema,
                                      DatasetStats* stats = nullptr, ScanSummary* summary = nullptr,
                                      const ReadOptions& base = {});

std::string ReportToJson(const ValidationReport& report, int indent = -1);
std::string AnomaliesToJson(const std::vector<Anomaly>& anomalies);

}  // namespace gyre
