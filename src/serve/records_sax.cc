// The fast path for the most common request, {"dataframe_records": [{...}, ...]} (and the same
// under "instances"): values go from the parser straight into the columns, with no JSON tree
// in between. Any other shape is left to the general path.
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "serve/records_sax.h"
#include "serve/scalar.h"

namespace gyre::serve {
namespace {

using nlohmann::json;

class RecordsSax : public nlohmann::json_sax<json> {
 public:
  explicit RecordsSax(const Signature& sig) : sig_(sig) {
    for (size_t c = 0; c < sig.features.size(); ++c) {
      index_[sig.features[c].name] = static_cast<int>(c);
      columns_.emplace_back(sig.features[c].name, sig.features[c].type);
    }
    set_.assign(sig.features.size(), false);
  }

  // kDone: a table was built; kOther: not this shape (use the general path); kError: `error`.
  enum class Outcome { kDone, kOther, kError };
  Outcome outcome() const { return outcome_; }
  Status error() const { return error_; }
  Table TakeTable() {
    Table t;
    for (Column& c : columns_) t.AddColumn(std::move(c));
    return t;
  }

  // Values go into their columns by the rules of scalar.h.
  bool null() override { return Scalar(AppendNullScalar, [] { return std::string("null"); }); }
  bool boolean(bool v) override {
    return Scalar([v](Column& c) { return AppendBoolScalar(c, v); }, [v] { return std::string(v ? "true" : "false"); });
  }
  bool number_integer(number_integer_t v) override {
    return Scalar([v](Column& c) { return AppendIntegerScalar(c, v); }, [v] { return std::to_string(v); });
  }
  bool number_unsigned(number_unsigned_t v) override {
    return Scalar([v](Column& c) { return AppendUnsignedScalar(c, v); }, [v] { return std::to_string(v); });
  }
  bool number_float(number_float_t v, const string_t& text) override {
    return Scalar([v](Column& c) { return AppendFloatScalar(c, v); }, [&text] { return text; });
  }
  bool string(string_t& v) override {
    return Scalar([&v](Column& c) { return AppendTextScalar(c, v); },
                  [&v] { return json(v).dump(-1, ' ', false, json::error_handler_t::replace); });
  }
  bool binary(binary_t&) override { return Other(); }

  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) return true;
    if (depth_ == 3 && in_records_) {
      std::fill(set_.begin(), set_.end(), false);
      return true;
    }
    return Other();
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      if (k != "dataframe_records" && k != "instances") return Other();
      if (seen_top_) return Other();  // two of the keys: let the general path say so
      seen_top_ = true;
      top_ = k;
      return true;
    }
    auto it = index_.find(k);
    current_ = it == index_.end() ? -1 : it->second;
    return true;
  }
  bool end_object() override {
    if (depth_ == 3) {
      for (size_t c = 0; c < set_.size(); ++c)
        if (!set_[c]) return Fail(Where(sig_.features[c].name), "missing input");
      ++row_;
    }
    if (--depth_ == 0) outcome_ = seen_top_ ? Outcome::kDone : Outcome::kOther;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && seen_top_) {
      in_records_ = true;
      return true;
    }
    return Other();
  }
  bool end_array() override {
    --depth_;
    in_records_ = false;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Fail("body", "the body is not valid JSON");
  }

 private:
  std::string Where(const std::string& name) const { return top_ + "[" + std::to_string(row_) + "]." + name; }

  // `shown` makes the value's text for an error message only when there is one.
  template <typename Append, typename ShownText>
  bool Scalar(Append append, ShownText shown) {
    if (depth_ != 3 || !in_records_) return Other();
    if (current_ < 0) return true;  // a column the model does not use
    Column& col = columns_[static_cast<size_t>(current_)];
    if (set_[static_cast<size_t>(current_)]) return Fail(Where(col.name()), "given twice");
    if (!append(col)) return Fail(Where(col.name()), ExpectedScalar(col.type()) + ", got " + Shown(shown()));
    set_[static_cast<size_t>(current_)] = true;
    return true;
  }
  static std::string Shown(const std::string& s) { return s.size() > 40 ? s.substr(0, 37) + "..." : s; }
  bool Other() {
    if (outcome_ != Outcome::kError) outcome_ = Outcome::kOther;
    return false;
  }
  bool Fail(const std::string& field, const std::string& what) {
    outcome_ = Outcome::kError;
    error_ = InvalidArgument(what, Location{"", 0, 0, field});
    return false;
  }

  const Signature& sig_;
  std::unordered_map<std::string, int> index_;
  std::vector<Column> columns_;
  std::vector<bool> set_;
  int depth_ = 0, current_ = -1;
  int64_t row_ = 0;
  bool seen_top_ = false, in_records_ = false;
  std::string top_;
  Outcome outcome_ = Outcome::kOther;
  Status error_;
};

}  // namespace

std::optional<Result<Table>> ParseRecordsFast(const std::string& body, const Signature& signature) {
  RecordsSax sax(signature);
  json::sax_parse(body, &sax, json::input_format_t::json, /*strict=*/true);
  switch (sax.outcome()) {
    case RecordsSax::Outcome::kDone: return Result<Table>(sax.TakeTable());
    case RecordsSax::Outcome::kError: return Result<Table>(sax.error());
    case RecordsSax::Outcome::kOther: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace gyre::serve
