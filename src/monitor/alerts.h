// Alert rules: thresholds on what monitoring measured (drift share, a column's drift score,
// prediction drift, realized or estimated performance). A rule that fires becomes an event in
// the store, which the loop reacts to.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/bundle.h"
#include "monitor/drift.h"

namespace gyre {

// One rule of an alerts YAML file:
//   alerts:
//     - name: inputs-moved          # required, unique
//       when: drift_share           # drift_share | column_score | prediction_drift |
//                                   # realized | estimated
//       above: 0.3                  # fires at this value or more
//     - {name: amount, when: column_score, column: amount, above: 0.2}
//     - {name: auc-low, when: realized, metric: roc_auc, below: 0.8}    # fires below
//     - {name: auc-drop, when: estimated, metric: roc_auc, max_drop: 0.05}
// max_drop compares with the model's holdout figure: a higher-is-better metric that fell by
// more than max_drop, or an error metric (rmse, mae, log_loss, ...) that rose by more.
struct AlertRule {
  std::string name;
  std::string when;
  std::string column;  // column_score
  std::string metric;  // realized, estimated
  std::optional<double> above, below, max_drop;
};

Result<std::vector<AlertRule>> ParseAlertRules(const std::string& yaml, const std::string& source);

// Without a file: the dataset drifts, the predictions drift, or the task's primary metric
// (realized, else estimated) falls more than `max_drop` below the holdout figure.
std::vector<AlertRule> DefaultAlertRules(Task task, double max_drop);

// What one evaluation saw.
struct MonitorFigures {
  const DriftReport* inputs = nullptr;       // data drift of the window, if computed
  const DriftReport* predictions = nullptr;  // prediction drift of the window, if computed
  std::map<std::string, double> realized, estimated, reference;  // metrics
};

struct FiredAlert {
  std::string name;
  std::string message;       // one line for people
  std::string figures_json;  // {"when", "value", "threshold", ...}
};

std::vector<FiredAlert> EvaluateAlerts(const std::vector<AlertRule>& rules, const MonitorFigures& figures);

}  // namespace gyre
