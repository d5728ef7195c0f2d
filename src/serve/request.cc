#include "serve/request.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "data/text_parse.h"
#include "serve/records_sax.h"
#include "serve/scalar.h"

namespace gyre::serve {
namespace {

using nlohmann::json;

// The values of one input column, pointing into the parsed request.
using Values = std::vector<const json*>;

// A value for an error message. Arrays and objects are named, not written: dumping one is
// recursive, and a request nested a million levels deep must not take the stack down.
std::string Shown(const json& v) {
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

Status Bad(const std::string& field, const std::string& what) {
  return InvalidArgument(what, Location{"", 0, 0, field});
}

// One value of the parsed request into its input's column, by the rules of scalar.h. Row `row`
// of `rows`: the field an error names is the input, with [row] when there are several rows
// (made only for the error).
Status AppendValue(Column& col, const json& v, size_t row, size_t rows) {
  bool fits = false;
  switch (v.type()) {
    case json::value_t::null: fits = AppendNullScalar(col); break;
    case json::value_t::boolean: fits = AppendBoolScalar(col, v.get<bool>()); break;
    case json::value_t::number_integer: fits = AppendIntegerScalar(col, v.get<int64_t>()); break;
    case json::value_t::number_unsigned: fits = AppendUnsignedScalar(col, v.get<uint64_t>()); break;
    case json::value_t::number_float: fits = AppendFloatScalar(col, v.get<double>()); break;
    case json::value_t::string: fits = AppendTextScalar(col, v.get_ref<const std::string&>()); break;
    default: break;  // arrays and objects are no input's value
  }
  if (fits) return Status::OK();
  const std::string field = col.name() + (rows > 1 ? "[" + std::to_string(row) + "]" : "");
  return Bad(field, ExpectedScalar(col.type()) + ", got " + Shown(v));
}

// The table from one list of values per signature column (all of the same length).
Result<Table> Build(const Signature& sig, const std::vector<Values>& columns) {
  Table t;
  for (size_t c = 0; c < sig.features.size(); ++c) {
    Column col(sig.features[c].name, sig.features[c].type);
    col.Reserve(std::ssize(columns[c]));
    for (size_t r = 0; r < columns[c].size(); ++r)
      RETURN_IF_ERROR(AppendValue(col, *columns[c][r], r, columns[c].size()));
    t.AddColumn(std::move(col));
  }
  return t;
}

// Rows given as arrays in signature order.
Result<Table> FromRows(const Signature& sig, const json& rows, const std::string& field) {
  std::vector<Values> cols(sig.features.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const json& row = rows[r];
    if (!row.is_array() || row.size() != sig.features.size())
      return Bad(field + "[" + std::to_string(r) + "]", "expected a row of " + std::to_string(sig.features.size()) +
                                                            " values (the model's inputs in order)");
    for (size_t c = 0; c < row.size(); ++c) cols[c].push_back(&row[c]);
  }
  return Build(sig, cols);
}

// Rows given as objects by column name.
Result<Table> FromRecords(const Signature& sig, const json& records, const std::string& field) {
  std::vector<Values> cols(sig.features.size());
  for (size_t r = 0; r < records.size(); ++r) {
    const json& rec = records[r];
    if (!rec.is_object()) return Bad(field + "[" + std::to_string(r) + "]", "expected an object of input values");
    for (size_t c = 0; c < sig.features.size(); ++c) {
      auto it = rec.find(sig.features[c].name);
      if (it == rec.end()) return Bad(field + "[" + std::to_string(r) + "]." + sig.features[c].name, "missing input");
      cols[c].push_back(&*it);
    }
  }
  return Build(sig, cols);
}

// Columns given as name -> list of values.
Result<Table> FromColumns(const Signature& sig, const json& obj, const std::string& field) {
  std::vector<Values> cols(sig.features.size());
  size_t rows = 0;
  for (size_t c = 0; c < sig.features.size(); ++c) {
    auto it = obj.find(sig.features[c].name);
    if (it == obj.end()) return Bad(field + "." + sig.features[c].name, "missing input");
    const json& v = *it;
    if (v.is_array()) {
      for (const json& x : v) cols[c].push_back(&x);
    } else {
      cols[c].push_back(&v);
    }
    if (c > 0 && cols[c].size() != rows)
      return Bad(field + "." + sig.features[c].name, "has " + std::to_string(cols[c].size()) + " values, the others " +
                                                         std::to_string(rows));
    rows = cols[c].size();
  }
  return Build(sig, cols);
}

Result<json> ParseJson(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("the body is not valid JSON");
  return j;
}

// The scalars of a (nested) tensor in row-major order, with an explicit stack: the depth of a
// request's nesting must not become the depth of our recursion.
void Flatten(const json& v, Values* out) {
  std::vector<std::pair<const json*, size_t>> stack = {{&v, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (!node->is_array()) {
      out->push_back(node);
      stack.pop_back();
    } else if (next < node->size()) {
      const json* child = &(*node)[next++];
      stack.emplace_back(child, 0);
    } else {
      stack.pop_back();
    }
  }
}

// The Open Inference Protocol's datatypes (and Triton's BF16).
bool KnownDatatype(const std::string& d) {
  static const char* kTypes[] = {"BOOL",  "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32",
                                 "INT64", "FP16",  "FP32",   "FP64",   "BF16",   "BYTES"};
  return std::find(std::begin(kTypes), std::end(kTypes), d) != std::end(kTypes);
}

// Whether a tensor of datatype `d` can carry an input of type `t`. Numbers may carry any
// number input (the values themselves are checked as they are read: 3.5 is no integer);
// text travels as BYTES.
bool Carries(const std::string& d, ColumnType t) {
  const bool integer = d.rfind("INT", 0) == 0 || d.rfind("UINT", 0) == 0;
  const bool number = integer || d.rfind("FP", 0) == 0 || d == "BF16";
  switch (t) {
    case ColumnType::kFloat64:
    case ColumnType::kInt64: return number;
    case ColumnType::kBool: return d == "BOOL" || integer;
    case ColumnType::kString:
    case ColumnType::kTimestamp: return d == "BYTES";
  }
  return false;
}

std::string ShapeText(const std::vector<uint64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

// A tensor's shape: non-negative integers whose product is its number of values.
Result<std::vector<uint64_t>> ShapeOf(const json& t, size_t values, const std::string& where) {
  const json& shape = t["shape"];
  constexpr uint64_t kLimit = uint64_t{1} << 40;  // far beyond any request's values
  std::vector<uint64_t> dims;
  uint64_t product = 1;
  for (const json& d : shape) {
    if (!d.is_number_unsigned() || d.get<uint64_t>() > kLimit)
      return Bad(where + ".shape", "expected a list of sizes (non-negative integers), found " + Shown(d));
    dims.push_back(d.get<uint64_t>());
    if (dims.back() != 0 && product > kLimit / dims.back())  // checked before it could wrap
      return Bad(where + ".shape", "is far larger than any request");
    product *= dims.back();
  }
  if (dims.empty()) return Bad(where + ".shape", "expected at least one size");
  if (product != values)
    return Bad(where + ".shape", ShapeText(dims) + " holds " + std::to_string(product) + " values, data has " +
                                     std::to_string(values));
  return dims;
}

// Checks one tensor's form: name, datatype, shape and data present and well formed.
Status CheckTensor(const json& t, const std::string& where) {
  if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("data") ||
      !t.contains("shape") || !t["shape"].is_array() || !t.contains("datatype") || !t["datatype"].is_string())
    return Bad(where, "expected a tensor with name, shape, datatype and data");
  if (!KnownDatatype(t["datatype"].get<std::string>()))
    return Bad(where + ".datatype", Shown(t["datatype"]) + " is not an Open Inference Protocol datatype "
                                        "(BOOL, INT8 to INT64, UINT8 to UINT64, FP16, FP32, FP64, BF16, BYTES)");
  return Status::OK();
}

}  // namespace

Result<ParsedRequest> ParseInferRequest(const std::string& body, const Signature& sig) {
  ASSIGN_OR_RETURN(json j, ParseJson(body));
  if (!j.is_object() || !j.contains("inputs") || !j["inputs"].is_array() || j["inputs"].empty())
    return Bad("inputs", "expected a list of input tensors");
  ParsedRequest out;
  if (j.contains("id") && j["id"].is_string()) {
    out.id = j["id"].get<std::string>();
    if (!UsableRequestId(out.id)) return Bad("id", "expected 1 to 128 printable ASCII characters without spaces");
  }
  const json& inputs = j["inputs"];
  std::vector<Values> cols(sig.features.size());
  std::vector<bool> seen(sig.features.size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const json& t = inputs[i];
    const std::string where = "inputs[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckTensor(t, where));
    const std::string name = t["name"].get<std::string>();
    const std::string datatype = t["datatype"].get<std::string>();
    Values data;
    Flatten(t["data"], &data);
    ASSIGN_OR_RETURN(std::vector<uint64_t> shape, ShapeOf(t, data.size(), where));
    size_t c = 0;
    while (c < sig.features.size() && sig.features[c].name != name) ++c;
    if (c == sig.features.size()) {
      // One matrix of all inputs, [rows, inputs], row-major in signature order. Its values
      // are of several types, so its datatype is not held against them.
      const size_t f = sig.features.size();
      if (inputs.size() == 1 && f > 0 && shape.size() == 2 && shape[1] == f) {
        for (size_t k = 0; k < data.size(); ++k) cols[k % f].push_back(data[k]);
        ASSIGN_OR_RETURN(out.table, Build(sig, cols));
        return out;
      }
      std::string why = "\"" + name + "\" is not an input of the model";
      if (inputs.size() == 1 && shape.size() == 2)
        why += ", and a matrix of all inputs is [rows, " + std::to_string(f) + "], not " + ShapeText(shape);
      return Bad(where + ".name", why);
    }
    if (seen[c]) return Bad(where + ".name", "\"" + name + "\" is given twice");
    const FeatureSpec& input = sig.features[c];
    if (!Carries(datatype, input.type))
      return Bad(where + ".datatype", datatype + " cannot carry input \"" + name + "\" (" + ColumnTypeName(input.type) +
                                          "): send " + (input.type == ColumnType::kString || input.type == ColumnType::kTimestamp
                                                            ? "BYTES" : input.type == ColumnType::kBool ? "BOOL" : "a number type such as FP64"));
    if (shape.size() > 2 || (shape.size() == 2 && shape[1] != 1))
      return Bad(where + ".shape", "an input's tensor is [rows] or [rows, 1], not " + ShapeText(shape));
    cols[c] = std::move(data);
    seen[c] = true;
  }
  for (size_t c = 0; c < sig.features.size(); ++c) {
    if (!seen[c]) return Bad("inputs", "missing input tensor \"" + sig.features[c].name + "\"");
    if (cols[c].size() != cols[0].size())
      return Bad(sig.features[c].name, "has " + std::to_string(cols[c].size()) + " values, \"" +
                                           sig.features[0].name + "\" has " + std::to_string(cols[0].size()));
  }
  ASSIGN_OR_RETURN(out.table, Build(sig, cols));
  return out;
}

namespace {

// A small RFC 4180 reader for request bodies: quoted fields with doubled quotes, no newlines
// inside fields.
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (ch == '"') quoted = false;
      else out.back() += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else if (ch != '\r') {
      out.back() += ch;
    }
  }
  return out;
}

// A CSV cell as the JSON value its column expects, read as `gyre predict` reads a file: the
// missing-value tokens of data/ (empty, NA, null, ...), integers without a detour through
// double, booleans as the reader spells them.
json CsvValue(const std::string& text, ColumnType type) {
  if (IsNullToken(text)) return nullptr;
  if (type == ColumnType::kString || type == ColumnType::kTimestamp) return text;
  if (type == ColumnType::kBool) {
    bool b;
    return ParseBool(text, &b) ? json(b) : json(text);
  }
  int64_t i;
  if (type == ColumnType::kInt64 && ParseInt64(text, &i)) return i;
  double v;
  if (!ParseDouble(text, &v)) return text;  // reported as mistyped
  if (type == ColumnType::kInt64 && std::nearbyint(v) == v && std::fabs(v) < 9.2e18) return static_cast<int64_t>(v);
  return v;
}

Result<Table> FromCsv(const std::string& body, const Signature& sig) {
  // Text goes on into the log and the answer: it must be UTF-8, as every reader of Gyre checks.
  if (const size_t bad = FindInvalidUtf8(body.data(), body.size()); bad < body.size())
    return Bad("body", "not valid UTF-8 at byte " + std::to_string(bad + 1));
  std::istringstream in(body);
  std::string line;
  if (!std::getline(in, line)) return Bad("body", "an empty CSV body");
  const std::vector<std::string> header = SplitCsvLine(line);
  std::vector<int> index(sig.features.size(), -1);
  for (size_t c = 0; c < sig.features.size(); ++c) {
    for (size_t h = 0; h < header.size(); ++h)
      if (header[h] == sig.features[c].name) index[c] = static_cast<int>(h);
    if (index[c] < 0) return Bad(sig.features[c].name, "missing input (not in the CSV header)");
  }
  json rows = json::array();
  for (int64_t n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = SplitCsvLine(line);
    if (cells.size() != header.size())
      return Bad("line " + std::to_string(n), "has " + std::to_string(cells.size()) + " fields, the header " +
                                                   std::to_string(header.size()));
    json row = json::array();
    for (size_t c = 0; c < sig.features.size(); ++c) row.push_back(CsvValue(cells[index[c]], sig.features[c].type));
    rows.push_back(std::move(row));
  }
  return FromRows(sig, rows, "rows");
}

}  // namespace

Result<ParsedRequest> ParseInvocations(const std::string& body, const std::string& content_type,
                                       const Signature& sig) {
  ParsedRequest out;
  if (content_type.rfind("text/csv", 0) == 0) {
    ASSIGN_OR_RETURN(out.table, FromCsv(body, sig));
    return out;
  }
  if (auto plain = ScanPlainRecords(body, sig)) {  // the common shape written plainly: scanned
    out.table = std::move(*plain);
    return out;
  }
  if (auto fast = ParseRecordsFast(body, sig)) {  // the common shape, without a JSON tree
    ASSIGN_OR_RETURN(out.table, std::move(*fast));
    return out;
  }
  ASSIGN_OR_RETURN(json j, ParseJson(body));
  static const char* kKeys[] = {"dataframe_split", "dataframe_records", "instances", "inputs"};
  const char* key = nullptr;
  int found = 0;
  if (j.is_object())
    for (const char* k : kKeys)
      if (j.contains(k)) key = k, ++found;
  if (found != 1)
    return Bad("body", "expected exactly one of dataframe_split, dataframe_records, instances, inputs");
  const json& v = j[key];
  const std::string name = key;
  Result<Table> t = Bad(name, "unexpected shape");
  if (name == "dataframe_split") {
    if (!v.is_object() || !v.contains("columns") || !v.contains("data") || !v["columns"].is_array() || !v["data"].is_array())
      return Bad(name, "expected {\"columns\": [...], \"data\": [[...], ...]}");
    const json& columns = v["columns"];
    std::unordered_set<std::string> named;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!columns[c].is_string())
        return Bad(name + ".columns[" + std::to_string(c) + "]", "expected a column name (a string)");
      if (!named.insert(columns[c].get<std::string>()).second)  // a second value for one input
        return Bad(name + ".columns[" + std::to_string(c) + "]", Shown(columns[c]) + " is given twice");
    }
    json records = json::array();
    for (size_t r = 0; r < v["data"].size(); ++r) {
      const json& row = v["data"][r];
      if (!row.is_array() || row.size() != v["columns"].size())
        return Bad(name + ".data[" + std::to_string(r) + "]", "expected a row of " + std::to_string(v["columns"].size()) + " values");
      json rec = json::object();
      for (size_t c = 0; c < row.size(); ++c) rec[columns[c].get<std::string>()] = row[c];
      records.push_back(std::move(rec));
    }
    t = FromRecords(sig, records, name);
  } else if (name == "dataframe_records") {
    if (!v.is_array()) return Bad(name, "expected a list of records");
    t = FromRecords(sig, v, name);
  } else if (v.is_array()) {  // instances or inputs as a list: records or rows
    t = !v.empty() && v[0].is_object() ? FromRecords(sig, v, name) : FromRows(sig, v, name);
  } else if (v.is_object()) {  // inputs as columns
    t = FromColumns(sig, v, name);
  }
  ASSIGN_OR_RETURN(out.table, std::move(t));
  return out;
}

bool UsableRequestId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace gyre::serve
