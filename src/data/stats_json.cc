// DatasetStats <-> JSON: the `data profile --json` document and the statistics stored with
// every dataset version. NaN is written as null.
#include <cmath>

#include <nlohmann/json.hpp>

#include "data/stats.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

json Num(double v) { return std::isfinite(v) ? json(v) : (std::isnan(v) ? json(nullptr) : json(v > 0 ? "inf" : "-inf")); }

double GetNum(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nan("");
  if (it->is_string()) return it->get<std::string>() == "inf" ? INFINITY : -INFINITY;
  return it->get<double>();
}

std::string QuantileKey(double q) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%g", q);
  return buf;
}

json ColumnToJson(const ColumnStats& c) {
  json j;
  j["name"] = c.name;
  j["type"] = ColumnTypeName(c.type);
  j["count"] = c.count;
  j["missing"] = c.missing;
  int64_t total = c.count + c.missing;
  j["missing_fraction"] = total > 0 ? static_cast<double>(c.missing) / static_cast<double>(total) : 0.0;
  j["distinct"] = c.distinct;
  j["distinct_exact"] = c.distinct_exact;
  if (c.numeric) {
    const NumericSummary& n = *c.numeric;
    j["mean"] = Num(n.mean);
    j["std"] = Num(n.std);
    j["min"] = Num(n.min);
    j["max"] = Num(n.max);
    json q = json::object();
    for (size_t i = 0; i < kProfileQuantiles.size(); ++i) q[QuantileKey(kProfileQuantiles[i])] = Num(n.quantiles[i]);
    j["quantiles"] = q;
    j["quantiles_exact"] = n.quantiles_exact;
    j["sum"] = Num(n.sum);
    j["zeros"] = n.zeros;
    j["negatives"] = n.negatives;
    j["infinities"] = n.infinities;
    json edges = json::array();
    for (double e : n.histogram.edges) edges.push_back(Num(e));
    j["histogram"] = {{"edges", edges}, {"counts", n.histogram.counts}};
  }
  if (c.min_time) j["min"] = FormatTimestamp(*c.min_time);
  if (c.max_time) j["max"] = FormatTimestamp(*c.max_time);
  if (c.is_categorical()) {
    json top = json::array();
    for (const auto& t : c.top) top.push_back({{"value", t.value}, {"count", t.count}});
    j["top"] = top;
  }
  if (c.lengths) {
    j["lengths"] = {{"min", c.lengths->min}, {"mean", c.lengths->mean}, {"max", c.lengths->max}};
  }
  return j;
}

ColumnStats ColumnFromJson(const json& j) {
  ColumnStats c;
  c.name = j.at("name").get<std::string>();
  auto type = ParseColumnType(j.at("type").get<std::string>());
  c.type = type.value_or(ColumnType::kString);
  c.count = j.at("count").get<int64_t>();
  c.missing = j.at("missing").get<int64_t>();
  c.distinct = j.value("distinct", int64_t{0});
  c.distinct_exact = j.value("distinct_exact", true);
  if (j.contains("quantiles")) {
    NumericSummary n;
    n.mean = GetNum(j, "mean");
    n.std = GetNum(j, "std");
    n.min = GetNum(j, "min");
    n.max = GetNum(j, "max");
    n.sum = GetNum(j, "sum");
    n.zeros = j.value("zeros", int64_t{0});
    n.negatives = j.value("negatives", int64_t{0});
    n.infinities = j.value("infinities", int64_t{0});
    n.quantiles_exact = j.value("quantiles_exact", true);
    const json& q = j.at("quantiles");
    for (size_t i = 0; i < kProfileQuantiles.size(); ++i) n.quantiles[i] = GetNum(q, QuantileKey(kProfileQuantiles[i]).c_str());
    if (j.contains("histogram")) {
      for (const auto& e : j["histogram"]["edges"]) n.histogram.edges.push_back(e.is_number() ? e.get<double>() : std::nan(""));
      n.histogram.counts = j["histogram"]["counts"].get<std::vector<int64_t>>();
    }
    c.numeric = n;
  }
  if (c.type == ColumnType::kTimestamp) {
    if (j.contains("min") && j["min"].is_string()) c.min_time = ParseTimestamp(j["min"].get<std::string>());
    if (j.contains("max") && j["max"].is_string()) c.max_time = ParseTimestamp(j["max"].get<std::string>());
  }
  if (j.contains("top")) {
    for (const auto& t : j["top"]) c.top.push_back({t.at("value").get<std::string>(), t.at("count").get<int64_t>()});
  }
  if (j.contains("lengths")) {
    const json& l = j["lengths"];
    c.lengths = LengthSummary{l.at("min").get<int64_t>(), l.at("max").get<int64_t>(), l.at("mean").get<double>()};
  }
  return c;
}

}  // namespace

std::string StatsToJson(const DatasetStats& stats, int indent) {
  json j;
  j["rows"] = stats.rows;
  json cols = json::array();
  for (const auto& c : stats.columns) cols.push_back(ColumnToJson(c));
  j["columns"] = cols;
  return j.dump(indent);
}

Result<DatasetStats> StatsFromJson(const std::string& text) {
  try {
    json j = json::parse(text);
    DatasetStats stats;
    stats.rows = j.at("rows").get<int64_t>();
    for (const auto& c : j.at("columns")) stats.columns.push_back(ColumnFromJson(c));
    return stats;
  } catch (const json::exception& e) {
    return DataLoss(std::string("stored statistics are unreadable: ") + e.what());
  }
}

}  // namespace gyre
