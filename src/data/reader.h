// Reading tabular files (CSV and JSON Lines) straight into typed columns, in chunks so that
// files larger than memory can be profiled and validated in bounded memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace gyre {

enum class FileFormat { kAuto, kCsv, kJsonl };

struct ReadOptions {
  FileFormat format = FileFormat::kAuto;  // auto: .jsonl/.ndjson are JSON Lines, else CSV
  char delimiter = 0;                     // 0: detect among , ; tab |
  int64_t chunk_rows = 1 << 14;           // rows per chunk handed to the sink
  size_t buffer_bytes = 8 << 20;          // CSV read buffer (grows to hold the longest row)
  // Types fixed in advance (from a schema): a value that does not parse as its column's type
  // is a type error (counted, kept as an example, read as missing) instead of widening it.
  std::map<std::string, ColumnType> fixed_types;
  // Whether a file with a header and no data rows is accepted (validation reports it as an
  // anomaly); by default it is an error.
  bool allow_empty = false;
  // Parse on the calling thread while the sink consumes the previous chunk on another, so
  // that parsing and statistics use both cores.
  bool pipeline = true;
  // Called after each chunk with the bytes read so far (for a progress display).
  std::function<void(uint64_t bytes_read)> on_progress;
};

struct ColumnInfo {
  std::string name;
  ColumnType type;
};

// Values that did not parse as a fixed type.
struct TypeErrors {
  int64_t count = 0;
  std::vector<int64_t> example_rows;     // 1-based data rows, the first few
  std::vector<std::string> example_values;
};

struct ScanSummary {
  FileFormat format = FileFormat::kCsv;
  char delimiter = ',';
  int64_t rows = 0;
  uint64_t bytes = 0;
  std::vector<ColumnInfo> columns;      // final types
  std::vector<TypeErrors> type_errors;  // per column
  int passes = 1;                       // 2 when a column's type widened after data was handed out
};

// One chunk of rows. Column types may widen from one chunk to the next (int64 to float64, or
// from a column of nulls to anything); a wider change restarts the scan (ChunkSink::Begin).
struct Chunk {
  Table table;
  int64_t first_row = 0;       // 0-based index of the chunk's first data row
  std::vector<int64_t> lines;  // physical line where each row starts
  uint64_t bytes_read = 0;     // of the file, up to the end of this chunk
  uint64_t file_bytes = 0;     // the file's size (0 if unknown): with bytes_read, an estimate
                               // of the rows to come

  // The rows of the whole file, estimated from the bytes per row so far (0: unknown). Never
  // more than the file could hold (a row takes a byte a column at least, its delimiters and
  // line end), however short the rows so far: callers reserve memory by it.
  uint64_t EstimatedFileRows() const {
    if (file_bytes == 0 || bytes_read == 0) return 0;
    const auto estimate = static_cast<uint64_t>(static_cast<double>(first_row + table.num_rows()) *
                                                static_cast<double>(file_bytes) / static_cast<double>(bytes_read) * 1.02);
    return std::min(estimate, file_bytes / static_cast<uint64_t>(std::max(1, table.num_columns())));
  }
};

// Receives the chunks of a scan in order, from one thread at a time (with
// ReadOptions::pipeline, a thread other than the caller's).
class ChunkSink {
 public:
  virtual ~ChunkSink() = default;
  // Called before the first chunk, and again if the scan restarts: the sink must then drop
  // what it has gathered. `columns` holds the types known so far.
  virtual Status Begin(const std::vector<ColumnInfo>& columns) = 0;
  virtual Status Consume(const Chunk& chunk) = 0;
};

// Reads `path` chunk by chunk into `sink`. Malformed input (ragged row, unterminated quote,
// invalid UTF-8, binary data, empty file, header only, duplicate column names) is an
// InvalidArgument whose location names the file, line and column.
Result<ScanSummary> ScanFile(const std::string& path, const ReadOptions& options, ChunkSink& sink);

// Reads the whole file into memory; `also`, when given, sees the same chunks (to gather
// statistics in the same pass).
Result<Table> ReadTable(const std::string& path, const ReadOptions& options = {},
                        ScanSummary* summary = nullptr, ChunkSink* also = nullptr);

FileFormat DetectFormat(const std::string& path);
const char* FileFormatName(FileFormat format);

}  // namespace gyre
