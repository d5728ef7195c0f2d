// The fastest path for the most common request, {"dataframe_records": [{...}, ...]} (or
// "instances") written the plain way: a hand-written scanner that puts each value straight into
// its column, predicting each record's next key from the previous record's order and parsing
// numbers by a fast path for short decimals, else std::from_chars. It only ever accepts what
// the JSON grammar accepts; anything it does not handle itself (escapes, non-ASCII text, nested
// values, a wrong type, a missing or repeated input, malformed JSON) makes it give up, and the
// SAX path (records_sax.cc) reads the body again and gives the answer or the precise error.
#include <charconv>
#include <string_view>
#include <functional>
#include <map>

#include "data/text_parse.h"
#include "serve/records_sax.h"
#include "serve/scalar.h"

namespace gyre::serve {
namespace {

// Whether recycled columns are the signature's, in order.
bool Fits(const std::vector<Column>& columns, const Signature& sig) {
  if (columns.size() != sig.features.size()) return false;
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c].type() != sig.features[c].type || columns[c].name() != sig.features[c].name) return false;
  return true;
}

class Scanner {
 public:
  Scanner(std::string_view body, const Signature& sig, std::vector<Column> spare)
      : p_(body.data()), end_(body.data() + body.size()), sig_(sig), columns_(std::move(spare)) {
    if (!Fits(columns_, sig)) {
      columns_.clear();
      columns_.reserve(sig.features.size());
      for (const FeatureSpec& f : sig.features) columns_.emplace_back(f.name, f.type);
    }
    for (Column& c : columns_) c.Recycle();
    set_.assign(sig.features.size(), 0);
  }

  // A table, or nullopt to give up.
  std::optional<Table> Scan() {
    if (!Take('{') || !TopKey() || !Take(':') || !Take('[')) return std::nullopt;
    Ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
    } else {
      for (;;) {
        if (!Record()) return std::nullopt;
        Ws();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          continue;
        }
        if (!Take(']')) return std::nullopt;
        break;
      }
    }
    if (!Take('}')) return std::nullopt;
    Ws();
    if (p_ != end_) return std::nullopt;
    return Table(std::move(columns_));
  }

 private:
  void Ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Take(char c) {
    Ws();
    if (p_ >= end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  // A string without escapes, control characters or non-ASCII bytes (those go the SAX way).
  bool PlainString(std::string_view* out) {
    if (p_ >= end_ || *p_ != '"') return false;
    const char* start = ++p_;
    while (p_ < end_ && *p_ != '"') {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    if (p_ >= end_) return false;
    *out = std::string_view(start, static_cast<size_t>(p_ - start));
    ++p_;
    return true;
  }
  bool TopKey() {
    Ws();
    std::string_view k;
    return PlainString(&k) && (k == "dataframe_records" || k == "instances");
  }

  // The column of `key`: the one after the previous key first (records usually repeat one
  // order, most often the signature's), else a lookup in an index made at the first miss;
  // -1 for a key the model does not use.
  int ColumnOf(std::string_view key) {
    const int guess = last_ + 1;
    if (guess < static_cast<int>(columns_.size()) && sig_.features[static_cast<size_t>(guess)].name == key) return guess;
    if (index_.empty())
      for (size_t c = 0; c < sig_.features.size(); ++c) index_.emplace(sig_.features[c].name, static_cast<int>(c));
    auto it = index_.find(key);
    return it == index_.end() ? -1 : it->second;
  }

  bool Record() {
    if (!Take('{')) return false;
    std::fill(set_.begin(), set_.end(), 0);
    last_ = -1;
    Ws();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        Ws();
        std::string_view key;
        if (!PlainString(&key) || !Take(':')) return false;
        Ws();
        const int c = ColumnOf(key);
        if (c >= 0) {
          if (set_[static_cast<size_t>(c)] || !Value(columns_[static_cast<size_t>(c)])) return false;
          set_[static_cast<size_t>(c)] = 1;
          last_ = c;
        } else if (!SkipScalar()) {
          return false;
        }
        Ws();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          continue;
        }
        if (p_ < end_ && *p_ == '}') {
          ++p_;
          break;
        }
        return false;
      }
    }
    for (char s : set_) {
      if (!s) return false;  // a missing input: the SAX path names it
    }
    return true;
  }

  // A number token by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool NumberToken(std::string_view* out, bool* integral) {
    const char* s = p_;
    const char* q = p_;
    auto digits = [&] {
      const char* d = q;
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
      return q > d;
    };
    if (q < end_ && *q == '-') ++q;
    if (q < end_ && *q == '0') {
      ++q;
    } else if (!digits()) {
      return false;
    }
    *integral = true;
    if (q < end_ && *q == '.') {
      ++q;
      if (!digits()) return false;
      *integral = false;
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (!digits()) return false;
      *integral = false;
    }
    *out = std::string_view(s, static_cast<size_t>(q - s));
    p_ = q;
    return true;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // One value into its column by the rules of scalar.h; false (the SAX path then reads the
  // body and names the problem) for anything it does not take.
  bool Value(Column& col) {
    if (p_ >= end_) return false;
    const char c = *p_;
    if (c == '"') {
      std::string_view text;
      return PlainString(&text) && AppendTextScalar(col, text);
    }
    if (c == 'n') return Literal("null") && AppendNullScalar(col);
    if (c == 't' || c == 'f') return Literal(c == 't' ? "true" : "false") && AppendBoolScalar(col, c == 't');
    std::string_view token;
    bool integral = false;
    if (!NumberToken(&token, &integral)) return false;
    const char* end = token.data() + token.size();
    if (integral) {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(token.data(), end, v);
      return ec == std::errc() && ptr == end && AppendIntegerScalar(col, v);  // beyond int64: SAX
    }
    double v = 0;
    if (ParseShortDecimal(token, &v)) return AppendFloatScalar(col, v);  // most values sent: "11.53"
    auto [ptr, ec] = std::from_chars(token.data(), end, v);
    return ec == std::errc() && ptr == end && AppendFloatScalar(col, v);  // out of range: SAX
  }

  bool SkipScalar() {
    if (p_ >= end_) return false;
    if (*p_ == '"') {
      std::string_view ignored;
      return PlainString(&ignored);
    }
    if (*p_ == 'n') return Literal("null");
    if (*p_ == 't') return Literal("true");
    if (*p_ == 'f') return Literal("false");
    std::string_view token;
    bool integral = false;
    return NumberToken(&token, &integral);
  }

  const char* p_;
  const char* end_;
  const Signature& sig_;
  std::map<std::string, int, std::less<>> index_;  // name -> column, made at the first miss
  std::vector<Column> columns_;
  std::vector<char> set_;
  int last_ = -1;
};

// The columns of this thread's last small request, emptied: the next request of the same
// model fills them instead of allocating two vectors (and a name) per input again.
thread_local std::vector<Column> t_spare;

}  // namespace

std::optional<Table> ScanPlainRecords(const std::string& body, const Signature& signature) {
  return Scanner(body, signature, std::move(t_spare)).Scan();
}

void RecycleTable(Table table) {
  constexpr int64_t kLargestKept = 1024;  // rows: a large request's memory is given back
  if (table.num_rows() <= kLargestKept) t_spare = table.ReleaseColumns();
}

}  // namespace gyre::serve
