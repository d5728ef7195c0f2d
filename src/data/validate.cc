#include "data/validate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "data/text_parse.h"

namespace gyre {
namespace {

constexpr size_t kExampleRows = 5;
constexpr size_t kExampleValues = 10;

struct ColumnCheck {
  const ColumnSchema* schema = nullptr;  // null: the column is not in the schema
  int64_t missing = 0;
  std::vector<int64_t> missing_rows;
  int64_t out_of_range = 0;
  std::vector<int64_t> range_rows;
  double low = INFINITY, high = -INFINITY;  // of the values out of range
  int64_t unknown = 0;
  std::vector<int64_t> unknown_rows;
  std::map<std::string, int64_t> unknown_values;
};

void Note(int64_t row, std::vector<int64_t>* rows) {
  if (rows->size() < kExampleRows) rows->push_back(row);
}

std::string Join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string Percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", 100 * x);
  return buf;
}

}  // namespace

struct Validator::Impl {
  const Schema& schema;
  ChunkSink* next;
  std::vector<ColumnInfo> columns;
  std::vector<ColumnCheck> checks;
  explicit Impl(const Schema& s, ChunkSink* n) : schema(s), next(n) {}

  void CheckColumn(const Column& col, ColumnCheck& check, int64_t first_row);
};

Validator::Validator(const Schema& schema, ChunkSink* next)
    : impl_(std::make_unique<Impl>(schema, next)) {}
Validator::~Validator() = default;

Status Validator::Begin(const std::vector<ColumnInfo>& columns) {
  impl_->columns = columns;
  impl_->checks.assign(columns.size(), ColumnCheck{});
  for (size_t c = 0; c < columns.size(); ++c) impl_->checks[c].schema = impl_->schema.Find(columns[c].name);
  return impl_->next ? impl_->next->Begin(columns) : Status::OK();
}

void Validator::Impl::CheckColumn(const Column& col, ColumnCheck& check, int64_t first_row) {
  const ColumnSchema& s = *check.schema;
  const int64_t n = col.size();
  for (int64_t i = 0; i < n; ++i) {
    if (!col.IsValid(i)) {
      ++check.missing;
      Note(first_row + i + 1, &check.missing_rows);
      continue;
    }
    if (s.min || s.max) {
      double v = col.NumberAt(i);
      if ((s.min && v < *s.min) || (s.max && v > *s.max)) {
        ++check.out_of_range;
        check.low = std::min(check.low, v);
        check.high = std::max(check.high, v);
        Note(first_row + i + 1, &check.range_rows);
      }
    }
  }
  if (s.domain.empty() || col.type() != ColumnType::kString) return;
  // Decide per dictionary entry once, then count rows.
  const Dictionary& dict = col.dictionary();
  std::vector<char> known(dict.size());
  for (size_t k = 0; k < dict.size(); ++k) {
    known[k] = std::binary_search(s.domain.begin(), s.domain.end(), std::string(dict.Get(static_cast<int32_t>(k))));
  }
  for (int64_t i = 0; i < n; ++i) {
    if (!col.IsValid(i) || known[static_cast<size_t>(col.codes()[static_cast<size_t>(i)])]) continue;
    ++check.unknown;
    Note(first_row + i + 1, &check.unknown_rows);
    std::string v(col.StringAt(i));
    auto it = check.unknown_values.find(v);
    if (it != check.unknown_values.end()) ++it->second;
    else if (check.unknown_values.size() < 1000) check.unknown_values.emplace(v, 1);
  }
}

Status Validator::Consume(const Chunk& chunk) {
  for (int c = 0; c < chunk.table.num_columns(); ++c) {
    ColumnCheck& check = impl_->checks[static_cast<size_t>(c)];
    if (check.schema != nullptr) impl_->CheckColumn(chunk.table.column(c), check, chunk.first_row);
  }
  return impl_->next ? impl_->next->Consume(chunk) : Status::OK();
}

ValidationReport Validator::Finish(const ScanSummary& summary) {
  ValidationReport r;
  r.rows = summary.rows;
  const Schema& schema = impl_->schema;
  if (summary.rows == 0) r.anomalies.push_back({"", "empty_dataset", "the file has no data rows", 0, {}});
  for (const auto& cs : schema.columns) {
    bool present = std::any_of(impl_->columns.begin(), impl_->columns.end(),
                               [&](const ColumnInfo& ci) { return ci.name == cs.name; });
    if (!present) {
      r.anomalies.push_back({cs.name, "missing_column",
                             std::string(cs.required ? "required " : "") + ColumnTypeName(cs.type) +
                                 " column is not in the data",
                             summary.rows, {}});
    }
  }
  for (size_t c = 0; c < impl_->columns.size(); ++c) {
    const ColumnInfo& info = impl_->columns[c];
    ColumnCheck& check = impl_->checks[c];
    if (check.schema == nullptr) {
      ColumnType read_as = c < summary.columns.size() ? summary.columns[c].type : info.type;
      r.anomalies.push_back({info.name, "unexpected_column",
                             std::string("column is not in the schema (read as ") + ColumnTypeName(read_as) + ")",
                             summary.rows, {}});
      continue;
    }
    const ColumnSchema& s = *check.schema;
    const TypeErrors& te = c < summary.type_errors.size() ? summary.type_errors[c] : TypeErrors{};
    if (te.count > 0) {
      std::vector<std::string> quoted;
      for (const auto& v : te.example_values) quoted.push_back("\"" + v + "\"");
      r.anomalies.push_back({info.name, "type_mismatch",
                             std::string("expected ") + ColumnTypeName(s.type) + ", found " + Join(quoted, ", "),
                             te.count, te.example_rows});
    }
    int64_t missing = check.missing - te.count;  // a value of the wrong type is not "missing"
    double fraction = summary.rows > 0 ? static_cast<double>(missing) / static_cast<double>(summary.rows) : 0;
    if (missing > 0 && (s.required || fraction > s.max_missing_fraction + 1e-12)) {
      std::string detail = s.required ? "required column has missing values (" + Percent(fraction) + ")"
                                      : Percent(fraction) + " missing, more than the allowed " +
                                            Percent(s.max_missing_fraction);
      r.anomalies.push_back({info.name, "missing_values", detail, missing, check.missing_rows});
    }
    if (check.out_of_range > 0) {
      std::string detail = "values from " + FormatDouble(check.low) + " to " + FormatDouble(check.high) +
                           " outside [" + (s.min ? FormatDouble(*s.min) : "-inf") + ", " +
                           (s.max ? FormatDouble(*s.max) : "inf") + "]";
      r.anomalies.push_back({info.name, "out_of_range", detail, check.out_of_range, check.range_rows});
    }
    if (check.unknown > 0) {
      std::vector<std::pair<std::string, int64_t>> values(check.unknown_values.begin(), check.unknown_values.end());
      std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      std::vector<std::string> shown;
      for (size_t k = 0; k < std::min(values.size(), kExampleValues); ++k) {
        shown.push_back("\"" + values[k].first + "\" (" + std::to_string(values[k].second) + ")");
      }
      r.anomalies.push_back({info.name, "unknown_category", "values outside the domain: " + Join(shown, ", "),
                             check.unknown, check.unknown_rows});
    }
  }
  return r;
}

ReadOptions ValidationReadOptions(const Schema& schema, ReadOptions base) {
  for (const auto& c : schema.columns) base.fixed_types[c.name] = c.type;
  base.allow_empty = true;
  return base;
}

Result<ValidationReport> ValidateFile(const std::string& path, const Schema& schema, DatasetStats* stats,
                                      ScanSummary* summary, const ReadOptions& base) {
  StatsBuilder builder;
  Validator validator(schema, stats ? &builder : nullptr);
  ASSIGN_OR_RETURN(ScanSummary s, ScanFile(path, ValidationReadOptions(schema, base), validator));
  ValidationReport report = validator.Finish(s);
  if (stats) *stats = builder.Finish();
  if (summary) *summary = std::move(s);
  return report;
}

std::string AnomaliesToJson(const std::vector<Anomaly>& anomalies) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& a : anomalies) {
    list.push_back({{"column", a.column}, {"kind", a.kind}, {"detail", a.detail}, {"count", a.count}, {"rows", a.rows}});
  }
  return list.dump();
}

std::string ReportToJson(const ValidationReport& report, int indent) {
  nlohmann::ordered_json j;
  j["valid"] = report.valid();
  j["rows"] = report.rows;
  j["anomalies"] = nlohmann::ordered_json::parse(AnomaliesToJson(report.anomalies));
  return j.dump(indent);
}

}  // namespace gyre
