// Row sources: CSV and JSON Lines files as batches of text fields. Internal to data/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/reader.h"

namespace gyre {

// Where a field's bytes are: an offset and a size, 8 bytes where a string_view takes 16. A
// batch holds one per field (26 million for a million rows of 26 columns), written by the
// tokenizer and read by the converters, so their size is memory traffic on the hot path.
struct FieldRef {
  static constexpr uint32_t kRewritten = uint32_t{1} << 31;  // offset is into `rewritten`
  uint32_t offset = 0;
  uint32_t size = 0;
};

// Fields of up to `max_rows` rows, row-major (`num_columns` per row). Views stay valid until
// the next NextBatch or Rewind. An empty view is a missing value.
struct RowBatch {
  // Offsets of fields in `text` are below 2^31, and so is the size of `rewritten`.
  static constexpr size_t kMaxTextBytes = size_t{1} << 31;
  // The bytes of a field that is not empty may be read to kPadding from its start, past its
  // end: a short field is then one load (sources keep that many bytes after their text).
  static constexpr size_t kPadding = 16;

  int num_columns = 0;
  int64_t rows = 0;
  std::vector<FieldRef> fields;
  std::vector<int64_t> lines;  // physical line where each row starts
  const char* text = nullptr;  // the bytes fields point into, unless rewritten
  std::string rewritten;       // fields that had to be rewritten (unescaped, converted)
  std::vector<char> arena;     // owns `text`, when self-contained
  uint64_t bytes_read = 0;     // the source's position after this batch

  std::string_view Field(int64_t row, int col) const {
    const FieldRef f = fields[static_cast<size_t>(row * num_columns + col)];
    const char* base = (f.offset & FieldRef::kRewritten) != 0 ? rewritten.data() : text;
    return {base + (f.offset & ~FieldRef::kRewritten), f.size};
  }
  // Appends `bytes` to `rewritten` and returns where they are.
  FieldRef Rewrite(std::string_view bytes) {
    FieldRef f{static_cast<uint32_t>(rewritten.size()) | FieldRef::kRewritten,
               static_cast<uint32_t>(bytes.size())};
    rewritten.append(bytes);
    return f;
  }
  void PadRewritten() { rewritten.append(kPadding, '\0'); }
  void Clear() {
    rows = 0;
    fields.clear();
    lines.clear();
    text = nullptr;
    rewritten.clear();
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
