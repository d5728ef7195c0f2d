#include "data/schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "data/text_parse.h"

namespace gyre {
namespace {

// Rounds up to two significant digits, dividing by an exact power of ten so that the result
// prints short (0.066, not 0.066000000000000003).
double RoundUp2(double x) {
  if (x <= 0) return 0;
  int exponent = static_cast<int>(std::floor(std::log10(x))) - 1;
  if (exponent >= 0) return std::ceil(x / std::pow(10.0, exponent)) * std::pow(10.0, exponent);
  double inverse = std::pow(10.0, -exponent);
  return std::ceil(x * inverse - 1e-9) / inverse;
}

// A loose range on purpose: it catches impossible values (a negative amount, a unit changed
// by a factor of 1000, a share above 1) without flagging next month's ordinary extremes;
// shifts within it are what drift detection is for. Non-negative columns keep 0 as their
// minimum, shares and 0/1 flags keep [0, 1], and otherwise the observed span is doubled on the
// open side(s).
void InferRange(const NumericSummary& n, ColumnSchema* c) {
  const double span = n.max - n.min;
  if (n.min >= 0 && n.max <= 1) {  // a share, a probability, a 0/1 flag
    c->min = 0.0;
    c->max = 1.0;
    return;
  }
  c->min = n.min >= 0 ? 0.0 : n.min - span;
  c->max = n.max + span;
  if (c->type == ColumnType::kInt64) {
    c->min = std::floor(*c->min);
    c->max = std::ceil(*c->max);
  }
}

Location At(const std::string& source, const YAML::Node& node, const std::string& field = "") {
  const YAML::Mark m = node.Mark();
  return Location{source, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0, field};
}

Status CheckKeys(const std::string& source, const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& what) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.as<std::string>();
    if (allowed.count(key) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return InvalidArgument("unknown key \"" + key + "\" in " + what + " (allowed: " + list + ")",
                             At(source, it->first, key));
    }
  }
  return Status::OK();
}

Result<ColumnSchema> ColumnFromYaml(const std::string& source, const YAML::Node& node) {
  if (!node.IsMap()) return InvalidArgument("each column must be a mapping with a name and a type", At(source, node));
  RETURN_IF_ERROR(CheckKeys(source, node,
                            {"name", "type", "required", "max_missing_fraction", "min", "max", "domain"},
                            "a column"));
  ColumnSchema c;
  if (!node["name"]) return InvalidArgument("a column has no name", At(source, node));
  c.name = node["name"].as<std::string>();
  if (!node["type"]) return InvalidArgument("column " + c.name + " has no type", At(source, node, c.name));
  auto type = ParseColumnType(node["type"].as<std::string>());
  if (!type) {
    return InvalidArgument("column " + c.name + ": unknown type \"" + node["type"].as<std::string>() +
                               "\" (use bool, int64, float64, string or timestamp)",
                           At(source, node["type"], c.name));
  }
  c.type = *type;
  if (node["required"]) c.required = node["required"].as<bool>();
  c.max_missing_fraction = node["max_missing_fraction"] ? node["max_missing_fraction"].as<double>()
                                                        : (c.required ? 0.0 : 1.0);
  if (c.max_missing_fraction < 0 || c.max_missing_fraction > 1) {
    return InvalidArgument("column " + c.name + ": max_missing_fraction must be between 0 and 1",
                           At(source, node["max_missing_fraction"], c.name));
  }
  if (node["min"]) c.min = node["min"].as<double>();
  if (node["max"]) c.max = node["max"].as<double>();
  if ((c.min || c.max) && !IsNumeric(c.type)) {
    return InvalidArgument("column " + c.name + ": min and max apply to int64 and float64 columns only",
                           At(source, node, c.name));
  }
  if (c.min && c.max && *c.min > *c.max) {
    return InvalidArgument("column " + c.name + ": min is greater than max", At(source, node["min"], c.name));
  }
  if (node["domain"]) {
    if (!node["domain"].IsSequence()) {
      return InvalidArgument("column " + c.name + ": domain must be a list of values", At(source, node["domain"], c.name));
    }
    for (const auto& v : node["domain"]) c.domain.push_back(v.as<std::string>());
    std::sort(c.domain.begin(), c.domain.end());  // validation looks values up by binary search
    if (!c.domain.empty() && c.type != ColumnType::kString) {
      return InvalidArgument("column " + c.name + ": a domain applies to string columns only",
                             At(source, node["domain"], c.name));
    }
  }
  return c;
}

}  // namespace

const ColumnSchema* Schema::Find(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Schema InferSchema(const DatasetStats& stats, const std::string& dataset, const std::string& label,
                   const InferOptions& options) {
  Schema schema;
  schema.dataset = dataset;
  schema.label = label;
  for (const auto& s : stats.columns) {
    ColumnSchema c;
    c.name = s.name;
    c.type = s.type;
    c.required = s.missing == 0;
    int64_t total = s.count + s.missing;
    double seen = total > 0 ? static_cast<double>(s.missing) / static_cast<double>(total) : 0;
    c.max_missing_fraction = c.required ? 0 : std::min(1.0, RoundUp2(2 * seen));
    // No range for an integer column whose every value is distinct: an identifier grows.
    bool identifier = s.type == ColumnType::kInt64 && s.distinct_exact && s.distinct == s.count && s.count > 100;
    if (s.numeric && s.count > 0 && !identifier && std::isfinite(s.numeric->min) &&
        std::isfinite(s.numeric->max)) {
      InferRange(*s.numeric, &c);
    }
    if (s.type == ColumnType::kString && s.distinct_exact && s.distinct <= options.max_domain_size &&
        s.distinct * 2 <= s.count && s.name != label) {
      for (const auto& t : s.top) c.domain.push_back(t.value);
      if (static_cast<int64_t>(c.domain.size()) < s.distinct) c.domain.clear();  // top list cut short
      std::sort(c.domain.begin(), c.domain.end());
    }
    schema.columns.push_back(std::move(c));
  }
  return schema;
}

std::string SchemaToYaml(const Schema& schema, const std::string& header_comment) {
  YAML::Emitter out;
  if (!header_comment.empty()) out << YAML::Comment(header_comment) << YAML::Newline;
  out << YAML::BeginMap;
  out << YAML::Key << "dataset" << YAML::Value << schema.dataset;
  if (!schema.label.empty()) out << YAML::Key << "label" << YAML::Value << schema.label;
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : schema.columns) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << c.name;
    out << YAML::Key << "type" << YAML::Value << ColumnTypeName(c.type);
    out << YAML::Key << "required" << YAML::Value << c.required;
    if (!c.required) out << YAML::Key << "max_missing_fraction" << YAML::Value << FormatDouble(c.max_missing_fraction);
    if (c.min) out << YAML::Key << "min" << YAML::Value << FormatDouble(*c.min);
    if (c.max) out << YAML::Key << "max" << YAML::Value << FormatDouble(*c.max);
    if (!c.domain.empty()) {
      out << YAML::Key << "domain" << YAML::Value << YAML::Flow << c.domain;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Result<Schema> SchemaFromYaml(const std::string& text, const std::string& source_name) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return InvalidArgument("a schema is a mapping with dataset, label and columns", {source_name, 1, 1, ""});
    RETURN_IF_ERROR(CheckKeys(source_name, root, {"dataset", "label", "columns"}, "the schema"));
    Schema schema;
    if (root["dataset"]) schema.dataset = root["dataset"].as<std::string>();
    if (root["label"]) schema.label = root["label"].as<std::string>();
    if (!root["columns"] || !root["columns"].IsSequence()) {
      return InvalidArgument("the schema needs a list of columns", At(source_name, root));
    }
    std::set<std::string> seen;
    for (const auto& node : root["columns"]) {
      ASSIGN_OR_RETURN(ColumnSchema c, ColumnFromYaml(source_name, node));
      if (!seen.insert(c.name).second) {
        return InvalidArgument("column " + c.name + " is listed twice", At(source_name, node, c.name));
      }
      schema.columns.push_back(std::move(c));
    }
    if (!schema.label.empty() && seen.count(schema.label) == 0) {
      return InvalidArgument("label " + schema.label + " is not one of the columns", At(source_name, root["label"], "label"));
    }
    return schema;
  } catch (const YAML::Exception& e) {
    return InvalidArgument("invalid YAML: " + e.msg, {source_name, e.mark.line + 1, e.mark.column + 1, ""});
  }
}

}  // namespace gyre
