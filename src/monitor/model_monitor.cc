#include "monitor/model_monitor.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "monitor/json_text.h"

namespace gyre {
namespace {

using nlohmann::json;

void AppendValue(std::string* out, const Column& col, int64_t row) {
  if (!col.IsValid(row)) {
    *out += "null";
    return;
  }
  const auto k = static_cast<size_t>(row);
  switch (col.type()) {
    case ColumnType::kInt64: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, col.ints()[k]);
      out->append(buf, end);
      break;
    }
    case ColumnType::kFloat64: AppendJsonNumber(out, col.doubles()[k]); break;
    case ColumnType::kBool: *out += col.bools()[k] ? "true" : "false"; break;
    case ColumnType::kString: AppendJsonString(out, col.StringAt(row)); break;
    case ColumnType::kTimestamp: *out += "\"" + FormatTimestamp(col.ints()[k]) + "\""; break;
  }
}

// Appends `v` to `col` (whose type is fixed); false when it does not fit the type.
bool AppendJson(Column& col, const json& v) {
  if (v.is_null()) {
    col.AppendNull();
    return true;
  }
  switch (col.type()) {
    case ColumnType::kFloat64:
      if (v.is_number()) col.AppendDouble(v.get<double>());
      else if (v.is_boolean()) col.AppendDouble(v.get<bool>() ? 1 : 0);
      else break;
      return true;
    case ColumnType::kBool:
      if (v.is_boolean()) col.AppendBool(v.get<bool>());
      else if (v.is_number()) col.AppendBool(v.get<double>() != 0);
      else break;
      return true;
    case ColumnType::kString:
      if (v.is_string()) col.AppendString(v.get<std::string>());
      else col.AppendString(v.dump());  // a number where a category was expected: its text
      return true;
    case ColumnType::kTimestamp:
      if (auto t = v.is_string() ? ParseTimestamp(v.get<std::string>()) : std::nullopt) {
        col.AppendInt(*t);
        return true;
      }
      break;
    case ColumnType::kInt64: break;
  }
  col.AppendNull();
  return false;
}

// Logged numbers are read as float64: drift compares values, and the reference's column type
// (int or float) already decided how the column is tested.
ColumnType LoggedType(ColumnType t) {
  return t == ColumnType::kInt64 ? ColumnType::kFloat64 : t;
}

DatasetSummary Subset(const DatasetSummary& s, const std::vector<std::string>& names) {
  DatasetSummary out;
  out.rows = s.rows;
  for (const std::string& n : names)
    if (const ColumnSummary* c = s.Find(n)) out.columns.push_back(*c);
  return out;
}

std::vector<std::string> InputNames(const ModelBundle& b) {
  std::vector<std::string> out;
  for (const FeatureSpec& f : b.signature.features) out.push_back(f.name);
  return out;
}

// One logged object (a record's inputs or outputs) into a slot per column, by name, through
// nlohmann's SAX parser, with no tree built. It takes objects of scalars only; anything else
// (a nested value, a key given twice, not an object, not JSON) returns false, and the caller
// reads that record through the tree instead, which knows what to make of it.
class ObjectSlots : public nlohmann::json_sax<json> {
 public:
  ObjectSlots(const std::unordered_map<std::string, size_t>& index, std::vector<json>* slots, std::vector<char>* set)
      : index_(index), slots_(*slots), set_(*set) {}

  bool null() override { return Put(json(nullptr)); }
  bool boolean(bool v) override { return Put(json(v)); }
  bool number_integer(number_integer_t v) override { return Put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Put(json(v)); }
  bool string(string_t& v) override { return Put(json(std::move(v))); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return ++depth_ == 1; }
  bool key(string_t& k) override {
    auto it = index_.find(k);
    current_ = it == index_.end() ? kUnused : it->second;
    return true;
  }
  bool end_object() override { return --depth_ == 0; }
  bool start_array(std::size_t) override { return false; }
  bool end_array() override { return false; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  static constexpr size_t kUnused = static_cast<size_t>(-1);
  bool Put(json v) {
    if (depth_ != 1) return false;
    if (current_ == kUnused) return true;  // a key the model does not have
    if (set_[current_]) return false;
    slots_[current_] = std::move(v);
    set_[current_] = 1;
    return true;
  }

  const std::unordered_map<std::string, size_t>& index_;
  std::vector<json>& slots_;
  std::vector<char>& set_;
  int depth_ = 0;
  size_t current_ = kUnused;
};

// Reads a record's inputs (slots [0, inputs)) and outputs (the rest) the fast way; false when
// either needs the tree.
bool ReadSlots(const PredictionRecord& r, const std::unordered_map<std::string, size_t>& inputs,
               const std::unordered_map<std::string, size_t>& outputs, std::vector<json>* slots,
               std::vector<char>* set) {
  std::fill(set->begin(), set->end(), 0);
  ObjectSlots in(inputs, slots, set), out(outputs, slots, set);
  // Strict, as the tree's parse is: text after the object sends the record to the tree, which
  // refuses it.
  return json::sax_parse(r.inputs_json, &in, json::input_format_t::json, true) &&
         json::sax_parse(r.outputs_json, &out, json::input_format_t::json, true);
}

}  // namespace

std::vector<std::string> OutputColumns(const ModelBundle& bundle) {
  std::vector<std::string> out = {"prediction"};
  if (bundle.task != Task::kRegression)
    for (const std::string& c : bundle.signature.classes) out.push_back("p_" + c);
  return out;
}

RecordText::RecordText(const Signature& signature, Task task) : task_(task) {
  for (const FeatureSpec& f : signature.features) {
    std::string key = keys_.empty() ? "{" : ",";
    AppendJsonString(&key, f.name);
    keys_.push_back(key + ":");
    names_of_inputs_.push_back(f.name);
  }
  for (const std::string& c : signature.classes) {
    classes_.emplace_back();
    AppendJsonString(&classes_.back(), c);
    std::string key = ",";
    AppendJsonString(&key, "p_" + c);
    probs_.push_back(key + ":");
  }
}

void RecordText::FindInputs(const Table& input, std::vector<const Column*>* columns) const {
  columns->clear();
  for (const std::string& name : names_of_inputs_)
    columns->push_back(input.Find(name, static_cast<int>(columns->size())));  // a served request's come in order
}

void RecordText::AppendInputs(std::span<const Column* const> columns, int64_t row, std::string* out) const {
  for (size_t c = 0; c < keys_.size(); ++c) {
    *out += keys_[c];
    if (columns[c]) AppendValue(out, *columns[c], row);
    else *out += "null";
  }
  *out += keys_.empty() ? "{}" : "}";
}

std::vector<std::string> RecordText::Inputs(const Table& input) const {
  std::vector<const Column*> columns;
  columns.reserve(keys_.size());
  FindInputs(input, &columns);
  std::vector<std::string> out(static_cast<size_t>(input.num_rows()));
  for (int64_t r = 0; r < input.num_rows(); ++r) {
    std::string& row = out[static_cast<size_t>(r)];
    row.reserve(keys_.size() * 24);
    AppendInputs(columns, r, &row);
  }
  return out;
}

std::vector<std::string> RecordText::Outputs(const Predictions& p) const {
  std::vector<std::string> out(static_cast<size_t>(p.rows));
  for (int64_t r = 0; r < p.rows; ++r) {
    std::string& row = out[static_cast<size_t>(r)];
    const float* v = &p.values[static_cast<size_t>(r * p.width)];
    row = "{\"prediction\":";
    if (task_ == Task::kRegression) {
      AppendJsonNumber(&row, v[0]);
    } else {
      row += classes_[static_cast<size_t>(p.predicted_class[static_cast<size_t>(r)])];
      for (size_t c = 0; c < classes_.size(); ++c) {
        row += probs_[c];
        AppendJsonNumber(&row, task_ == Task::kBinary ? (c == 0 ? 1.0 - v[0] : v[0]) : v[c]);
      }
    }
    row += "}";
  }
  return out;
}

std::vector<std::string> InputsJson(const Table& input, const Signature& signature) {
  return RecordText(signature, Task::kRegression).Inputs(input);  // the task plays no part in inputs
}

std::vector<std::string> OutputsJson(const ModelBundle& b, const Predictions& p) {
  return RecordText(b.signature, b.task).Outputs(p);
}

Table OutputsTable(const ModelBundle& b, const std::vector<float>& values, int width) {
  const int64_t rows = width > 0 ? static_cast<int64_t>(values.size()) / width : 0;
  Table t;
  if (b.task == Task::kRegression) {
    Column pred("prediction", ColumnType::kFloat64);
    for (float v : values) pred.AppendDouble(v);
    t.AddColumn(std::move(pred));
    return t;
  }
  const std::vector<std::string>& classes = b.signature.classes;
  Column pred("prediction", ColumnType::kString);
  std::vector<Column> probs;
  for (const std::string& c : classes) probs.emplace_back("p_" + c, ColumnType::kFloat64);
  for (int64_t r = 0; r < rows; ++r) {
    const float* v = &values[static_cast<size_t>(r * width)];
    if (b.task == Task::kBinary) {
      pred.AppendString(classes[v[0] >= 0.5f ? 1 : 0]);
      probs[0].AppendDouble(1.0 - v[0]);
      probs[1].AppendDouble(v[0]);
      continue;
    }
    pred.AppendString(classes[static_cast<size_t>(std::max_element(v, v + width) - v)]);
    for (int c = 0; c < width; ++c) probs[c].AppendDouble(v[c]);
  }
  t.AddColumn(std::move(pred));
  for (Column& c : probs) t.AddColumn(std::move(c));
  return t;
}

Table RecordsToTable(std::span<const PredictionRecord> records, const ModelBundle& bundle,
                     int64_t* mistyped) {
  std::vector<Column> cols;
  for (const FeatureSpec& f : bundle.signature.features) cols.emplace_back(f.name, LoggedType(f.type));
  const size_t n_inputs = cols.size();
  for (const std::string& name : OutputColumns(bundle)) {
    const bool label = name == "prediction" && bundle.task != Task::kRegression;
    cols.emplace_back(name, label ? ColumnType::kString : ColumnType::kFloat64);
  }
  std::unordered_map<std::string, size_t> inputs, outputs;  // column by logged name
  for (size_t c = 0; c < cols.size(); ++c) (c < n_inputs ? inputs : outputs).emplace(cols[c].name(), c);
  std::vector<json> slots(cols.size());
  std::vector<char> set(cols.size());
  int64_t bad = 0;
  for (const PredictionRecord& r : records) {
    if (ReadSlots(r, inputs, outputs, &slots, &set)) {
      for (size_t c = 0; c < cols.size(); ++c) {
        if (!set[c]) cols[c].AppendNull();
        else if (!AppendJson(cols[c], slots[c])) ++bad;
      }
      continue;
    }
    const json in = json::parse(r.inputs_json, nullptr, false);
    const json out = json::parse(r.outputs_json, nullptr, false);
    for (size_t c = 0; c < cols.size(); ++c) {
      const json& src = c < n_inputs ? in : out;
      const std::string& name = cols[c].name();
      if (!src.is_object() || !src.contains(name)) cols[c].AppendNull();
      else if (!AppendJson(cols[c], src[name])) ++bad;
    }
  }
  if (mistyped) *mistyped = bad;
  Table t;
  for (Column& c : cols) t.AddColumn(std::move(c));
  return t;
}

Result<DatasetSummary> ModelReference(const ModelBundle& bundle) {
  if (bundle.reference_summary.empty())
    return NotFound("this model version carries no reference statistics (it was trained before "
                    "bundles had them): train it again to monitor it");
  ASSIGN_OR_RETURN(DatasetSummary all, ParseSummary(bundle.reference_summary));
  std::vector<std::string> names = InputNames(bundle);
  for (const std::string& n : OutputColumns(bundle)) names.push_back(n);
  return Subset(all, names);
}

Result<WindowDrift> DriftOfWindow(std::span<const PredictionRecord> window,
                                  const ModelBundle& bundle, const DatasetSummary& reference,
                                  const DriftOptions& options) {
  WindowDrift out;
  out.rows = static_cast<int64_t>(window.size());
  if (!window.empty()) {
    out.first_us = window.front().time_us;
    out.last_us = window.back().time_us;
  }
  out.current = SummarizeTable(RecordsToTable(window, bundle));
  const DatasetSummary& current = out.current;
  const std::vector<std::string> inputs = InputNames(bundle);
  std::vector<std::string> outputs = OutputColumns(bundle);
  if (bundle.task == Task::kBinary) outputs.erase(outputs.begin() + 1);  // p_0 = 1 - p_1: test one
  // The reference is large (the training data) and shared by every window: it is compared in
  // place, column by column, never copied per window.
  DriftOptions for_inputs = options;
  for_inputs.only_columns = inputs;
  ASSIGN_OR_RETURN(out.inputs, ComputeDrift(reference, Subset(current, inputs), for_inputs));
  DriftOptions for_outputs = options;
  for_outputs.per_column.clear();
  for_outputs.only_columns = outputs;
  ASSIGN_OR_RETURN(out.predictions, ComputeDrift(reference, Subset(current, outputs), for_outputs));
  return out;
}

}  // namespace gyre
