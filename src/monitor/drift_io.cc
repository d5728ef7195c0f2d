// Drift options from YAML and the drift report as JSON (the CLI contract of DESIGN.md).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "monitor/drift_io.h"

namespace gyre {
namespace {

using nlohmann::json;

Status CheckMethod(const std::string& method, const std::string& source, const std::string& where) {
  if (method == "auto" || FindDriftMethod(method)) return Status::OK();
  std::string names = "auto";
  for (const std::string& n : DriftMethodNames()) names += ", " + n;
  return InvalidArgument(where + ": unknown method \"" + method + "\" (methods: " + names + ")",
                         Location{source, 0, 0, ""});
}

Result<double> Threshold(const YAML::Node& node, const std::string& source, const std::string& where) {
  try {
    const double t = node.as<double>();
    if (!std::isfinite(t) || t < 0) throw YAML::Exception(node.Mark(), "negative");
    return t;
  } catch (const YAML::Exception&) {
    return InvalidArgument(where + ": threshold must be a number >= 0",
                           Location{source, node.Mark().line + 1, 0, ""});
  }
}

Status ParseColumns(const YAML::Node& columns, const std::string& source, DriftOptions& out) {
  if (!columns.IsMap()) return InvalidArgument("columns: expected a map of column names", Location{source, 0, 0, ""});
  for (const auto& entry : columns) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node& spec = entry.second;
    if (!spec.IsMap()) return InvalidArgument("columns." + name + ": expected method and/or threshold",
                                              Location{source, spec.Mark().line + 1, 0, name});
    ColumnDriftOptions col;
    for (const auto& kv : spec) {
      const std::string key = kv.first.as<std::string>();
      if (key == "method") {
        col.method = kv.second.as<std::string>();
        RETURN_IF_ERROR(CheckMethod(*col.method, source, "columns." + name + ".method"));
      } else if (key == "threshold") {
        ASSIGN_OR_RETURN(col.threshold, Threshold(kv.second, source, "columns." + name));
      } else {
        return InvalidArgument("columns." + name + ": unknown key \"" + key + "\" (method, threshold)",
                               Location{source, kv.first.Mark().line + 1, 0, name});
      }
    }
    out.per_column[name] = col;
  }
  return Status::OK();
}

json Number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

Status ApplyDriftConfig(const std::string& yaml, const std::string& source, DriftOptions& out) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("not valid YAML: " + e.msg, Location{source, e.mark.line + 1, 0, ""});
  }
  if (!root.IsMap()) return InvalidArgument("expected a map (method, threshold, drift_share, columns)", Location{source, 0, 0, ""});
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (key == "method") {
        out.method = kv.second.as<std::string>();
        RETURN_IF_ERROR(CheckMethod(out.method, source, "method"));
      } else if (key == "threshold") {
        ASSIGN_OR_RETURN(out.threshold, Threshold(kv.second, source, "threshold"));
      } else if (key == "drift_share") {
        ASSIGN_OR_RETURN(out.drift_share, Threshold(kv.second, source, "drift_share"));
      } else if (key == "columns") {
        RETURN_IF_ERROR(ParseColumns(kv.second, source, out));
      } else {
        return InvalidArgument("unknown key \"" + key + "\" (method, threshold, drift_share, columns)",
                               Location{source, kv.first.Mark().line + 1, 0, ""});
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(e.msg, Location{source, e.mark.line + 1, 0, ""});
  }
  return Status::OK();
}

std::string DriftReportToJson(const DriftReport& r, int indent) {
  json columns = json::array();
  for (const ColumnDrift& c : r.columns) {
    json col = {{"column", c.column},
                {"type", DriftKindName(c.kind)},
                {"method", c.method},
                {"statistic", Number(c.statistic)},
                {"p_value", c.p_value ? Number(*c.p_value) : json(nullptr)},
                {"threshold", c.threshold},
                {"drift", c.drift},
                {"drift_score", Number(c.score)},
                {"reference_count", c.reference_count},
                {"current_count", c.current_count}};
    if (!c.stats.empty()) {
      json stats = json::object();
      for (const auto& [name, v] : c.stats)
        stats[name] = v.p_value ? json{{"statistic", Number(v.statistic)}, {"p_value", Number(*v.p_value)}}
                                : Number(v.statistic);
      col["stats"] = stats;
    }
    columns.push_back(col);
  }
  json skipped = json::array();
  for (const SkippedColumn& s : r.skipped) skipped.push_back({{"column", s.column}, {"reason", s.reason}});
  json out = {{"dataset_drift", r.dataset_drift},
              {"drift_share", r.drift_share},
              {"share_threshold", r.share_threshold},
              {"number_of_columns", r.columns.size()},
              {"number_of_drifted_columns", r.drifted},
              {"columns", columns},
              {"skipped", skipped}};
  return out.dump(indent);
}

}  // namespace gyre
