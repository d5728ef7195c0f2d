// Table: typed columns with a validity bitmap. Strings are dictionary-encoded.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <map>
#include <vector>

namespace gyre {

enum class ColumnType : uint8_t { kBool, kInt64, kFloat64, kString, kTimestamp };

// "bool", "int64", "float64", "string", "timestamp".
const char* ColumnTypeName(ColumnType type);
std::optional<ColumnType> ParseColumnType(std::string_view name);
inline bool IsNumeric(ColumnType t) {
  return t == ColumnType::kInt64 || t == ColumnType::kFloat64;
}

// Distinct strings of one column, each stored once. Codes are dense from 0 and stable.
class Dictionary {
 public:
  int32_t Intern(std::string_view value);
  // The same, for a value whose bytes may be read to 16 from its start (a field of a RowBatch):
  // one load, and no loop over its bytes, for a value of up to 16 bytes.
  int32_t InternPadded(std::string_view value);
  std::optional<int32_t> Find(std::string_view value) const;
  std::string_view Get(int32_t code) const { return values_[static_cast<size_t>(code)]; }
  size_t size() const { return values_.size(); }

 private:
  // Open addressing with linear probing: interning is on the CSV reader's hot path, where
  // std::unordered_map spent most of its time in calls to memcmp.
  size_t Probe(std::string_view value, uint64_t hash) const;
  void Grow();
  int32_t Insert(std::string_view value, uint64_t hash, size_t slot);

  // A value of up to 16 bytes, zero-padded, and its size; Size 17 for a longer value.
  struct Short {
    uint64_t word[2];
    uint64_t size;
  };

  std::deque<std::string> values_;  // a deque never moves its elements: views stay valid
  std::vector<uint64_t> hashes_;    // by code
  std::vector<Short> shorts_;       // by code
  std::vector<uint32_t> slots_;     // code + 1, or 0 for an empty slot; a power of two long
};

class Column {
 public:
  Column(std::string name, ColumnType type);

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  int64_t size() const { return size_; }
  int64_t null_count() const { return null_count_; }
  bool IsValid(int64_t i) const { return (valid_[static_cast<size_t>(i) >> 6] >> (i & 63)) & 1; }

  // Storage by type; a null slot holds 0. int64 and timestamp (microseconds since the Unix
  // epoch, UTC) use ints(); float64 doubles(); bool bools(); string codes() + dictionary().
  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<uint8_t>& bools() const { return bools_; }
  const std::vector<int32_t>& codes() const { return codes_; }
  // The dictionary of a string column; an empty one for other types (which make none: most
  // columns are numbers, and tables are built per request by the model server).
  const Dictionary& dictionary() const { return dict_ ? *dict_ : EmptyDictionary(); }
  std::string_view StringAt(int64_t i) const { return dict_->Get(codes_[static_cast<size_t>(i)]); }
  // The value as a double (numeric, bool and timestamp columns); NaN when null.
  double NumberAt(int64_t i) const;
  // The value as text, as a CSV writer would print it; "" when null.
  std::string ValueToString(int64_t i) const;

  void AppendNull();
  void AppendInt(int64_t v) { ints_.push_back(v); PushValid(); }
  void AppendDouble(double v) { doubles_.push_back(v); PushValid(); }
  void AppendBool(bool v) { bools_.push_back(v ? 1 : 0); PushValid(); }
  void AppendString(std::string_view v) { codes_.push_back(dict_->Intern(v)); PushValid(); }
  void AppendStringPadded(std::string_view v) { codes_.push_back(dict_->InternPadded(v)); PushValid(); }
  // Appends present values, many at once (the column's type must hold them).
  void AppendInts(std::span<const int64_t> v);
  void AppendDoubles(std::span<const double> v);
  // Appends row `i` of `other`, which must have this column's type.
  void AppendFrom(const Column& other, int64_t i);
  // Appends every row of `other`, which must have this column's type: values a range at a
  // time, and each of a string column's categories looked up once.
  void AppendAll(const Column& other);

  // Turns an int64 column into float64 (exact below 2^53, correctly rounded above).
  void PromoteToFloat();
  // Changes the type of a column that holds only nulls.
  void ResetType(ColumnType type);
  // Empties the column and gives it a new name and type, keeping its memory for reuse.
  void Reset(std::string name, ColumnType type);
  void Reserve(int64_t n);
  void Clear();
  // Empties the column for the next table of the same shape, keeping its memory and, while it
  // is small and no other column shares it, its dictionary (a category interned again is then
  // only looked up).
  void Recycle();

 private:
  void PushValidRun(size_t n);
  void PushValid() {
    if ((size_ & 63) == 0) valid_.push_back(0);
    valid_.back() |= uint64_t{1} << (size_ & 63);
    ++size_;
  }

  std::string name_;
  ColumnType type_;
  int64_t size_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint64_t> valid_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::vector<int32_t> codes_;
  static const Dictionary& EmptyDictionary();
  std::shared_ptr<Dictionary> dict_;  // set for string columns only
};

class Table {
 public:
  Table() = default;
  // From columns of equal length (as AddColumn expects), taking their vector whole.
  explicit Table(std::vector<Column> columns);
  // Adds a column; its length must equal the table's (or the table must be empty of columns).
  void AddColumn(Column column);
  int num_columns() const { return static_cast<int>(columns_.size()); }
  int64_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  Column& column(int i) { return columns_[static_cast<size_t>(i)]; }
  const Column& column(int i) const { return columns_[static_cast<size_t>(i)]; }
  // Index of the column named `name`, or -1.
  int IndexOf(std::string_view name) const;
  const Column* Find(std::string_view name) const;
  // The same, looking at column `hint` first: a table built in a known order (a served
  // request's, in its model's input order) is then found with one comparison.
  const Column* Find(std::string_view name, int hint) const;
  std::vector<std::string> ColumnNames() const;
  // Moves the columns out (for reuse), leaving the table empty.
  std::vector<Column> ReleaseColumns();

 private:
  // A few dozen columns are searched by name in order, which costs less than hashing (a model
  // server builds a table per request); wider tables keep an index, built once they reach
  // kIndexedFrom columns.
  static constexpr size_t kIndexedFrom = 64;
  std::vector<Column> columns_;
  std::map<std::string, int, std::less<>> index_;
};

// The rows of `table` where `keep` is true, in order (`keep` has one entry per row).
Table SelectRows(const Table& table, const std::vector<bool>& keep);

// Timestamps: ISO-8601 text <-> microseconds since the Unix epoch (UTC).
std::optional<int64_t> ParseTimestamp(std::string_view text);
std::string FormatTimestamp(int64_t micros);

}  // namespace gyre
