#include "data/table.h"

#include <emmintrin.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "data/text_parse.h"

namespace gyre {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kBool: return "bool";
    case ColumnType::kInt64: return "int64";
    case ColumnType::kFloat64: return "float64";
    case ColumnType::kString: return "string";
    case ColumnType::kTimestamp: return "timestamp";
  }
  return "?";
}

std::optional<ColumnType> ParseColumnType(std::string_view name) {
  for (ColumnType t : {ColumnType::kBool, ColumnType::kInt64, ColumnType::kFloat64,
                       ColumnType::kString, ColumnType::kTimestamp}) {
    if (name == ColumnTypeName(t)) return t;
  }
  if (name == "int") return ColumnType::kInt64;
  if (name == "float" || name == "double") return ColumnType::kFloat64;
  return std::nullopt;
}

namespace {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Short strings (most categories) are packed into two words without a call; longer ones use
// the standard library's hash.
uint64_t HashString(std::string_view s) {
  if (s.size() > 16) return Mix(std::hash<std::string_view>()(s) ^ s.size());
  uint64_t w[2] = {0, 0};
  for (size_t i = 0; i < s.size(); ++i) w[i >> 3] |= uint64_t{static_cast<unsigned char>(s[i])} << ((i & 7) * 8);
  return Mix(w[0] ^ Mix(w[1] + s.size()));
}

bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 16) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

size_t Dictionary::Probe(std::string_view value, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) return i;
    if (hashes_[slot - 1] == hash && SameBytes(values_[slot - 1], value)) return i;
  }
}

void Dictionary::Grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t slot : old) {
    if (slot == 0) continue;
    size_t i = hashes_[slot - 1] & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

int32_t Dictionary::Intern(std::string_view value) {
  if ((values_.size() + 1) * 2 > slots_.size()) Grow();  // at most half full
  uint64_t hash = HashString(value);
  size_t i = Probe(value, hash);
  if (slots_[i] != 0) return static_cast<int32_t>(slots_[i] - 1);
  return Insert(value, hash, i);
}

int32_t Dictionary::Insert(std::string_view value, uint64_t hash, size_t slot) {
  auto code = static_cast<int32_t>(values_.size());
  values_.emplace_back(value);
  hashes_.push_back(hash);
  Short& s = shorts_.emplace_back(Short{{0, 0}, value.size() <= 16 ? value.size() : 17});
  if (value.size() <= 16) std::memcpy(s.word, value.data(), value.size());
  slots_[slot] = static_cast<uint32_t>(code) + 1;
  return code;
}

// The value's 16 bytes masked to its size are the words HashString packs (little-endian),
// so both find the same slots; equal words and sizes are equal values.
int32_t Dictionary::InternPadded(std::string_view value) {
  if (value.size() > 16) return Intern(value);
  if ((values_.size() + 1) * 2 > slots_.size()) Grow();
  const __m128i keep = _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(value.size())),
                                      _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const __m128i bytes = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(value.data())), keep);
  const auto w0 = static_cast<uint64_t>(_mm_cvtsi128_si64(bytes));
  const auto w1 = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(bytes, bytes)));
  const uint64_t hash = Mix(w0 ^ Mix(w1 + value.size()));
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots_[i];
    if (slot == 0) return Insert(value, hash, i);
    const Short& s = shorts_[slot - 1];
    if (s.word[0] == w0 && s.word[1] == w1 && s.size == value.size()) return static_cast<int32_t>(slot - 1);
  }
}

std::optional<int32_t> Dictionary::Find(std::string_view value) const {
  if (slots_.empty()) return std::nullopt;
  size_t i = Probe(value, HashString(value));
  if (slots_[i] == 0) return std::nullopt;
  return static_cast<int32_t>(slots_[i] - 1);
}

Column::Column(std::string name, ColumnType type)
    : name_(std::move(name)), type_(type),
      dict_(type == ColumnType::kString ? std::make_shared<Dictionary>() : nullptr) {}

const Dictionary& Column::EmptyDictionary() {
  static const Dictionary empty;
  return empty;
}

double Column::NumberAt(int64_t i) const {
  if (!IsValid(i)) return std::numeric_limits<double>::quiet_NaN();
  auto k = static_cast<size_t>(i);
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: return static_cast<double>(ints_[k]);
    case ColumnType::kFloat64: return doubles_[k];
    case ColumnType::kBool: return bools_[k];
    case ColumnType::kString: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::ValueToString(int64_t i) const {
  if (!IsValid(i)) return "";
  auto k = static_cast<size_t>(i);
  switch (type_) {
    case ColumnType::kInt64: return std::to_string(ints_[k]);
    case ColumnType::kTimestamp: return FormatTimestamp(ints_[k]);
    case ColumnType::kFloat64: return FormatDouble(doubles_[k]);
    case ColumnType::kBool: return bools_[k] ? "true" : "false";
    case ColumnType::kString: return std::string(StringAt(i));
  }
  return "";
}

void Column::AppendInts(std::span<const int64_t> v) {
  ints_.insert(ints_.end(), v.begin(), v.end());
  PushValidRun(v.size());
}

void Column::AppendDoubles(std::span<const double> v) {
  doubles_.insert(doubles_.end(), v.begin(), v.end());
  PushValidRun(v.size());
}

// Sets the validity bits of n more rows a word at a time.
void Column::PushValidRun(size_t n) {
  while (n > 0) {
    const auto bit = static_cast<unsigned>(size_ & 63);
    if (bit == 0) valid_.push_back(0);
    const size_t take = std::min<size_t>(n, 64 - bit);
    const uint64_t ones = take == 64 ? ~uint64_t{0} : (uint64_t{1} << take) - 1;
    valid_.back() |= ones << bit;
    size_ += static_cast<int64_t>(take);
    n -= take;
  }
}

void Column::AppendNull() {
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: ints_.push_back(0); break;
    case ColumnType::kFloat64: doubles_.push_back(0); break;
    case ColumnType::kBool: bools_.push_back(0); break;
    case ColumnType::kString: codes_.push_back(0); break;
  }
  if ((size_ & 63) == 0) valid_.push_back(0);
  ++size_;
  ++null_count_;
}

void Column::AppendFrom(const Column& other, int64_t i) {
  if (!other.IsValid(i)) {
    AppendNull();
    return;
  }
  auto k = static_cast<size_t>(i);
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: AppendInt(other.ints_[k]); break;
    case ColumnType::kFloat64: AppendDouble(other.doubles_[k]); break;
    case ColumnType::kBool: AppendBool(other.bools_[k] != 0); break;
    case ColumnType::kString: AppendString(other.StringAt(i)); break;
  }
}

void Column::AppendAll(const Column& other) {
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: ints_.insert(ints_.end(), other.ints_.begin(), other.ints_.end()); break;
    case ColumnType::kFloat64: doubles_.insert(doubles_.end(), other.doubles_.begin(), other.doubles_.end()); break;
    case ColumnType::kBool: bools_.insert(bools_.end(), other.bools_.begin(), other.bools_.end()); break;
    case ColumnType::kString: {
      std::vector<int32_t> code_of(other.dictionary().size(), -1);
      for (int64_t i = 0; i < other.size_; ++i) {
        const auto k = static_cast<size_t>(other.codes_[static_cast<size_t>(i)]);
        if (!other.IsValid(i)) {
          codes_.push_back(0);
          continue;
        }
        if (code_of[k] < 0) code_of[k] = dict_->Intern(other.dict_->Get(static_cast<int32_t>(k)));
        codes_.push_back(code_of[k]);
      }
      break;
    }
  }
  if (other.null_count_ == 0) {
    PushValidRun(static_cast<size_t>(other.size_));
    return;
  }
  for (int64_t i = 0; i < other.size_; ++i) {
    if ((size_ & 63) == 0) valid_.push_back(0);
    valid_.back() |= static_cast<uint64_t>(other.IsValid(i)) << (size_ & 63);
    ++size_;
  }
  null_count_ += other.null_count_;
}

void Column::PromoteToFloat() {
  if (type_ != ColumnType::kInt64) return;
  doubles_.resize(ints_.size());
  for (size_t k = 0; k < ints_.size(); ++k) doubles_[k] = static_cast<double>(ints_[k]);
  ints_.clear();
  ints_.shrink_to_fit();
  type_ = ColumnType::kFloat64;
}

void Column::ResetType(ColumnType type) {
  int64_t n = size_;
  Clear();
  type_ = type;
  if (type == ColumnType::kString && !dict_) dict_ = std::make_shared<Dictionary>();
  for (int64_t i = 0; i < n; ++i) AppendNull();
}

void Column::Reset(std::string name, ColumnType type) {
  name_ = std::move(name);
  type_ = type;
  Clear();
  dict_ = type == ColumnType::kString ? std::make_shared<Dictionary>() : nullptr;
}

void Column::Reserve(int64_t n) {
  auto k = static_cast<size_t>(n);
  valid_.reserve((k + 63) / 64);
  switch (type_) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: ints_.reserve(k); break;
    case ColumnType::kFloat64: doubles_.reserve(k); break;
    case ColumnType::kBool: bools_.reserve(k); break;
    case ColumnType::kString: codes_.reserve(k); break;
  }
}

void Column::Clear() {
  size_ = 0;
  null_count_ = 0;
  valid_.clear();
  ints_.clear();
  doubles_.clear();
  bools_.clear();
  codes_.clear();
}

void Column::Recycle() {
  constexpr size_t kKeptDictionary = 1024;
  Clear();
  if (dict_ && (dict_.use_count() > 1 || dict_->size() > kKeptDictionary)) dict_ = std::make_shared<Dictionary>();
}

Table::Table(std::vector<Column> columns) {
  columns_.swap(columns);  // the vector itself is kept: a recycled one comes back with its capacity
  if (columns_.size() >= kIndexedFrom)
    for (size_t i = 0; i < columns_.size(); ++i) index_.emplace(columns_[i].name(), static_cast<int>(i));
}

void Table::AddColumn(Column column) {
  columns_.push_back(std::move(column));
  if (columns_.size() == kIndexedFrom) {
    for (size_t i = 0; i < columns_.size(); ++i) index_.emplace(columns_[i].name(), static_cast<int>(i));
  } else if (columns_.size() > kIndexedFrom) {
    index_.emplace(columns_.back().name(), static_cast<int>(columns_.size() - 1));
  }
}

int Table::IndexOf(std::string_view name) const {
  if (!index_.empty()) {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name() == name) return static_cast<int>(i);  // the first of a repeated name, as the index
  return -1;
}

const Column* Table::Find(std::string_view name) const {
  int i = IndexOf(name);
  return i < 0 ? nullptr : &columns_[static_cast<size_t>(i)];
}

const Column* Table::Find(std::string_view name, int hint) const {
  if (hint >= 0 && hint < num_columns() && columns_[static_cast<size_t>(hint)].name() == name)
    return &columns_[static_cast<size_t>(hint)];
  return Find(name);
}

std::vector<Column> Table::ReleaseColumns() {
  index_.clear();
  return std::move(columns_);
}

std::vector<std::string> Table::ColumnNames() const {
  std::vector<std::string> names;
  for (const auto& c : columns_) names.push_back(c.name());
  return names;
}

Table SelectRows(const Table& table, const std::vector<bool>& keep) {
  Table out;
  for (int c = 0; c < table.num_columns(); ++c) {
    const Column& from = table.column(c);
    Column col(from.name(), from.type());
    for (int64_t r = 0; r < from.size(); ++r) {
      if (keep[static_cast<size_t>(r)]) col.AppendFrom(from, r);
    }
    out.AddColumn(std::move(col));
  }
  return out;
}

}  // namespace gyre
