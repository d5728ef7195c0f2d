#include "monitor/alerts.h"
#include "train/metrics.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "monitor/performance.h"

namespace gyre {
namespace {

using nlohmann::json;

const std::set<std::string> kWhen = {"drift_share", "column_score", "prediction_drift", "realized",
                                     "estimated"};

Status RuleError(const std::string& source, const YAML::Node& node, const std::string& what) {
  return InvalidArgument(what, Location{source, node.Mark().line + 1, 0, ""});
}

Result<AlertRule> ParseRule(const YAML::Node& node, const std::string& source) {
  if (!node.IsMap()) return RuleError(source, node, "an alert must be a map (name, when, ...)");
  AlertRule r;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (key == "name") r.name = kv.second.as<std::string>();
    else if (key == "when") r.when = kv.second.as<std::string>();
    else if (key == "column") r.column = kv.second.as<std::string>();
    else if (key == "metric") r.metric = kv.second.as<std::string>();
    else if (key == "above") r.above = kv.second.as<double>();
    else if (key == "below") r.below = kv.second.as<double>();
    else if (key == "max_drop") r.max_drop = kv.second.as<double>();
    else return RuleError(source, kv.first, "unknown key \"" + key + "\" (name, when, column, metric, above, below, max_drop)");
  }
  if (r.name.empty()) return RuleError(source, node, "an alert needs a name");
  if (!kWhen.count(r.when))
    return RuleError(source, node, "alert " + r.name + ": when must be drift_share, column_score, "
                                   "prediction_drift, realized or estimated");
  if (r.when == "column_score" && r.column.empty()) return RuleError(source, node, "alert " + r.name + ": needs a column");
  if ((r.when == "realized" || r.when == "estimated") && r.metric.empty())
    return RuleError(source, node, "alert " + r.name + ": needs a metric");
  if (!r.metric.empty() && !KnownMetric(r.metric))  // else it would never fire, silently
    return RuleError(source, node, "alert " + r.name + ": unknown metric " + r.metric +
                                   " (roc_auc, average_precision, log_loss, accuracy, precision, recall, f1, "
                                   "brier, macro_f1, rmse, mae, r2, mape)");
  if (r.when != "prediction_drift" && !r.above && !r.below && !r.max_drop)
    return RuleError(source, node, "alert " + r.name + ": needs above, below or max_drop");
  if (r.max_drop && r.when != "realized" && r.when != "estimated")
    return RuleError(source, node, "alert " + r.name + ": max_drop applies to realized or estimated");
  return r;
}

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// The value a rule watches, if this evaluation measured it.
std::optional<double> Observed(const AlertRule& r, const MonitorFigures& f) {
  if (r.when == "drift_share") return f.inputs ? std::optional(f.inputs->drift_share) : std::nullopt;
  if (r.when == "prediction_drift")
    return f.predictions ? std::optional<double>(f.predictions->drifted) : std::nullopt;
  if (r.when == "column_score") {
    for (const DriftReport* rep : {f.inputs, f.predictions})
      if (rep)
        for (const ColumnDrift& c : rep->columns)
          if (c.column == r.column) return c.score;
    return std::nullopt;
  }
  const auto& metrics = r.when == "realized" ? f.realized : f.estimated;
  auto it = metrics.find(r.metric);
  if (it == metrics.end() || std::isnan(it->second)) return std::nullopt;
  return it->second;
}

}  // namespace

Result<std::vector<AlertRule>> ParseAlertRules(const std::string& yaml, const std::string& source) {
  std::vector<AlertRule> out;
  try {
    const YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap() || !root["alerts"] || !root["alerts"].IsSequence())
      return InvalidArgument("expected a list under \"alerts:\"", Location{source, 0, 0, ""});
    std::set<std::string> names;
    for (const YAML::Node& node : root["alerts"]) {
      ASSIGN_OR_RETURN(AlertRule r, ParseRule(node, source));
      if (!names.insert(r.name).second) return RuleError(source, node, "alert " + r.name + " is named twice");
      out.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(e.msg, Location{source, e.mark.line + 1, 0, ""});
  }
  return out;
}

std::vector<AlertRule> DefaultAlertRules(Task task, double max_drop) {
  const std::string metric = PrimaryMetric(task).first;
  std::vector<AlertRule> rules;
  rules.push_back({"dataset_drift", "drift_share", "", "", std::nullopt, std::nullopt, std::nullopt});
  rules.push_back({"prediction_drift", "prediction_drift", "", "", std::nullopt, std::nullopt, std::nullopt});
  rules.push_back({"performance_drop", "realized", "", metric, std::nullopt, std::nullopt, max_drop});
  rules.push_back({"estimated_performance_drop", "estimated", "", metric, std::nullopt, std::nullopt, max_drop});
  return rules;
}

std::vector<FiredAlert> EvaluateAlerts(const std::vector<AlertRule>& rules, const MonitorFigures& f) {
  std::vector<FiredAlert> fired;
  for (const AlertRule& r : rules) {
    const std::optional<double> value = Observed(r, f);
    if (!value) continue;
    json figures = {{"when", r.when}, {"value", *value}};
    if (!r.column.empty()) figures["column"] = r.column;
    if (!r.metric.empty()) figures["metric"] = r.metric;
    std::string why;
    if (r.when == "drift_share" && !r.above && !r.below) {  // the default: the dataset verdict
      if (f.inputs->dataset_drift) why = "share of drifted columns " + Fmt(*value);
      figures["threshold"] = f.inputs->share_threshold;
    } else if (r.when == "prediction_drift" && !r.above && !r.below) {
      if (*value > 0) why = std::to_string(static_cast<int>(*value)) + " output column(s) drifted";
    } else if (r.above && *value >= *r.above) {
      why = r.when + (r.column.empty() ? "" : " of " + r.column) + (r.metric.empty() ? "" : " " + r.metric) +
            " is " + Fmt(*value) + ", at or above " + Fmt(*r.above);
      figures["above"] = *r.above;
    } else if (r.below && *value < *r.below) {
      why = r.when + (r.column.empty() ? "" : " of " + r.column) + (r.metric.empty() ? "" : " " + r.metric) +
            " is " + Fmt(*value) + ", below " + Fmt(*r.below);
      figures["below"] = *r.below;
    } else if (r.max_drop && f.reference.count(r.metric)) {
      const double ref = f.reference.at(r.metric);
      const double drop = HigherIsBetter(r.metric) ? ref - *value : *value - ref;  // a fall in quality
      figures["reference"] = ref;
      figures["max_drop"] = *r.max_drop;
      if (drop > *r.max_drop)
        why = r.when + " " + r.metric + " " + Fmt(*value) + " is " + Fmt(drop) +
              " worse than the holdout's " + Fmt(ref);
    }
    if (!why.empty()) fired.push_back({r.name, why, figures.dump()});
  }
  return fired;
}

}  // namespace gyre
