// Data drift of a current dataset against a reference, column by column, with the test chosen
// per column the way Evidently chooses it by default, and the dataset verdict from the share
// of drifted columns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "data/reader.h"
#include "data/table.h"
#include "monitor/stattests.h"

namespace gyre {

// What a drift test needs of one column: its non-missing values as distinct values with counts
// (numbers, booleans as 0/1) or category counts (strings, sorted by key).
struct ColumnSummary {
  std::string name;
  ColumnType type = ColumnType::kFloat64;
  int64_t missing = 0;  // missing, NaN or infinite
  NumericSample numeric;
  std::vector<std::pair<std::string, int64_t>> categories;

  int64_t count() const;     // non-missing values
  int64_t distinct() const;
};

struct DatasetSummary {
  int64_t rows = 0;
  std::vector<ColumnSummary> columns;
  const ColumnSummary* Find(const std::string& name) const;
};

// Reads a file once, in bounded chunks, keeping only the column summaries. Of the columns named
// in `count_only` only the rows and missing values are counted (no values are kept).
Result<DatasetSummary> SummarizeFile(const std::string& path, const ReadOptions& options = {},
                                     const std::vector<std::string>& count_only = {});
DatasetSummary SummarizeTable(const Table& table);
// Only the named columns, in the table's order (names the table lacks are skipped).
DatasetSummary SummarizeTable(const Table& table, const std::vector<std::string>& columns);

// Binary form of a summary (zstd-compressed), stored as an object so that a dataset version or
// a model bundle carries its reference statistics and drift never re-reads the training file.
std::string SerializeSummary(const DatasetSummary& summary);
Result<DatasetSummary> ParseSummary(const std::string& bytes);
// A model's reference is written in frames (docs/formats/reference-stats.md): the training
// data's columns, by far the largest part, are compressed into a frame of their own while the
// model trains (CompressColumns); the header and the outputs' columns (`more`, of the same
// rows) are framed around it once the model has predicted its holdout (SerializeFramed). The
// frames decompress, in sequence, to the record SerializeSummary writes of all those columns.
std::string CompressColumns(const std::vector<ColumnSummary>& columns);
std::string SerializeFramed(int64_t rows, size_t columns, const std::string& compressed_columns,
                            const std::vector<ColumnSummary>& more);
// Whether `bytes` is a single frame, as every reference of earlier versions of Gyre was.
bool IsOneFrame(const std::string& bytes);
// The same record as one frame: the reference of a model an earlier version made, which
// `gyre runs reproduce` rebuilds byte for byte. DataLoss if the frames do not decompress.
Result<std::string> AsOneFrame(const std::string& bytes);

enum class DriftKind { kNumerical, kCategorical };

// Integer, float and bool columns are summarized as numbers (bools as 0 and 1); strings as
// category counts; timestamps are not tested.
inline bool SummarizedAsNumbers(ColumnType t) {
  return t == ColumnType::kInt64 || t == ColumnType::kFloat64 || t == ColumnType::kBool;
}
const char* DriftKindName(DriftKind kind);  // "num", "cat"

// The tests by Evidently's names, plus psi_quantile (credit-risk PSI on reference deciles).
struct DriftMethod {
  const char* name;
  bool numerical, categorical;  // column kinds it applies to
  bool is_test;                 // p-value test (else a distance or index)
  double default_threshold;
  const char* drift_rule;  // "p<=", "p<", ">=", ">"
};
const DriftMethod* FindDriftMethod(const std::string& name);  // null when unknown
std::vector<std::string> DriftMethodNames();

struct ColumnDriftOptions {
  std::optional<std::string> method;
  std::optional<double> threshold;
};

struct DriftOptions {
  std::string method = "auto";
  std::optional<double> threshold;              // for every column unless set per column
  std::map<std::string, ColumnDriftOptions> per_column;
  double drift_share = 0.5;                     // the dataset drifts at this share or more
  bool all_stats = false;
  std::vector<std::string> skip_columns;        // identifiers, timestamps of a schema
  // When not empty, the reference's other columns are passed over, not even reported as
  // skipped: comparing part of a reference without copying it.
  std::vector<std::string> only_columns;
  int threads = 2;
};

struct StatValue {
  double statistic = 0;
  std::optional<double> p_value;
};

struct ColumnDrift {
  std::string column;
  DriftKind kind = DriftKind::kNumerical;
  std::string method;
  double statistic = 0;
  std::optional<double> p_value;
  double score = 0;  // what is compared with the threshold (Evidently's drift_score)
  double threshold = 0;
  bool drift = false;
  int64_t reference_count = 0, current_count = 0;
  std::map<std::string, StatValue> stats;  // with all_stats
};

struct SkippedColumn {
  std::string column;
  std::string reason;
};

struct DriftReport {
  bool dataset_drift = false;
  double drift_share = 0;  // drifted / tested
  int drifted = 0;
  double share_threshold = 0.5;
  std::vector<ColumnDrift> columns;  // in the reference's column order
  std::vector<SkippedColumn> skipped;
};

// The reference's columns that ComputeDrift leaves untested whatever the current data holds
// (identifiers and free text by the reference's own counts, timestamps, columns the options
// exclude): the current data's values of them need not be kept.
std::vector<std::string> UntestedColumns(const DatasetSummary& reference, const DriftOptions& options);

// InvalidArgument for an unknown method or one that does not apply to a column's kind.
Result<DriftReport> ComputeDrift(const DatasetSummary& reference, const DatasetSummary& current,
                                 const DriftOptions& options);

}  // namespace gyre
