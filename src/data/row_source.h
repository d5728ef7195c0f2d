// Row sources: CSV and JSON Lines files as batches of text fields. Internal to data/.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/reader.h"

namespace gyre {

// Fields of up to `max_rows` rows, row-major (`num_columns` per row). Views stay valid until
// the next NextBatch or Rewind. An empty view is a missing value.
struct RowBatch {
  int num_columns = 0;
  int64_t rows = 0;
  std::vector<std::string_view> fields;
  std::vector<int64_t> lines;       // physical line where each row starts
  std::deque<std::string> storage;  // fields that had to be rewritten (unescaped, converted)
  std::vector<char> arena;          // the bytes the fields point into, when self-contained
  uint64_t bytes_read = 0;          // the source's position after this batch

  std::string_view Field(int64_t row, int col) const {
    return fields[static_cast<size_t>(row * num_columns + col)];
  }
  void Clear() {
    rows = 0;
    fields.clear();
    lines.clear();
    storage.clear();
  }
};

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual const std::vector<std::string>& column_names() const = 0;
  // Fills `batch` with up to `max_rows` rows; false when no rows are left. The batch's views
  // stay valid until the next call, or for good once the source is made self-contained.
  virtual Result<bool> NextBatch(RowBatch* batch, int64_t max_rows) = 0;
  // From now on, batches own every byte they view (so that another thread may read a batch
  // while the source fills the next one).
  virtual void MakeBatchesSelfContained() {}
  // Back to the first data row.
  virtual Status Rewind() = 0;
  virtual uint64_t bytes_read() const = 0;
  virtual char delimiter() const { return 0; }
};

Result<std::unique_ptr<RowSource>> OpenCsvSource(const std::string& path, char delimiter,
                                                         size_t buffer_bytes);
Result<std::unique_ptr<RowSource>> OpenJsonlSource(const std::string& path);

// Checks the first bytes for formats that are not text (compressed archives, NUL bytes) so the
// error says what the file is rather than where its first bad byte is.
Status CheckLooksLikeText(const std::string& path, std::string_view head);

// Column names must be unique; an empty name becomes "Unnamed: <index>" (as pandas does).
Status CheckColumnNames(const std::string& path, int64_t line, std::vector<std::string>* names);

}  // namespace gyre
