// Reading drift options from YAML and writing drift reports (JSON and a self-contained HTML).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "monitor/drift.h"

namespace gyre {

// Applies a YAML drift configuration to `out`:
//   method: auto            # for every column (default auto)
//   threshold: 0.1          # for every column (default: the method's own)
//   drift_share: 0.5        # the dataset drifts when this share of columns does
//   columns:
//     amount: {method: psi, threshold: 0.2}
// Unknown keys and methods are InvalidArgument naming the file and line.
Status ApplyDriftConfig(const std::string& yaml, const std::string& source, DriftOptions& out);

// The JSON of DESIGN.md's `drift` contract (dataset_drift, drift_share, columns with column,
// type, method, statistic, p_value, threshold, drift; stats with --all-stats), plus
// Evidently's drift_score and the columns that were not tested with the reason.
std::string DriftReportToJson(const DriftReport& report, int indent = -1);

// One past window of a monitored model, for the drift-over-time chart.
struct HistoryPoint {
  std::string label;  // e.g. the window's first time
  int64_t rows = 0;
  double drift_share = 0;
  bool dataset_drift = false;
  bool prediction_drift = false;
};

struct DriftHtmlOptions {
  std::string title;
  std::string reference_name, current_name;
  std::string generated_at;
  std::vector<HistoryPoint> history;  // shown as a chart when not empty
  // When the table also shows columns the verdict does not count (a model's outputs beside its
  // inputs): how many of the report's columns, from the first, the verdict counts.
  std::optional<size_t> verdict_columns;
};
// One self-contained page: the verdict, the drift table sorted by score, and per column the
// reference and current distributions overlaid (inline SVG).
std::string RenderDriftHtml(const DriftReport& report, const DatasetSummary& reference,
                            const DatasetSummary& current, const DriftHtmlOptions& options);

}  // namespace gyre
