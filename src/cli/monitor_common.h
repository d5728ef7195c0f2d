// What `gyre monitor` and `gyre feedback` share: a model version with its bundle, reference,
// logged records, labels and calibration, and recording alerts as events. Internal to cli/.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"
#include "monitor/alerts.h"
#include "monitor/model_monitor.h"
#include "monitor/performance.h"
#include "monitor/prediction_log.h"
#include "store/metadata_store.h"

namespace gyre {

struct MonitorData {
  ModelVersionRecord version;
  ModelBundle bundle;
  DatasetSummary reference;
  std::vector<PredictionRecord> records;  // this version's, oldest first
  PredictionLogStats log;
  std::map<std::string, std::string> labels;  // request id -> label, from gyre feedback
  std::optional<Calibration> calibration;     // binary classifiers
  std::map<std::string, double> holdout;      // the model's holdout metrics
};

// `need_reference`: the bundle's reference statistics too (drift needs them; labels do not).
Result<MonitorData> LoadMonitorData(CliContext& ctx, const std::string& model_ref, bool need_reference);

// The rules of --alerts FILE, or the defaults with --max-drop.
Result<std::vector<AlertRule>> LoadAlertRules(CliContext& ctx, const std::string& file, Task task,
                                              double max_drop);

// Evaluates the rules and records each alert that fires as an event (one transaction each),
// unless the newest event of that name for this model version saw the same figures: running
// monitor twice over the same window does not repeat an alert.
Result<std::vector<FiredAlert>> RaiseAlerts(CliContext& ctx, const MonitorData& d,
                                            const std::vector<AlertRule>& rules,
                                            const MonitorFigures& figures);

// The fired alerts as a JSON array of {name, message, figures}.
nlohmann::json AlertsJson(const std::vector<FiredAlert>& fired);

}  // namespace gyre
