// `gyre demo`: the whole loop on generated data, told as it happens. Internal to cli/.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gyre::demo {

// Labelled rows sent to the model server: the request id each row was logged under, and its
// true label (sent later as feedback, the way labels arrive in production).
struct Sent {
  int64_t requests = 0, rows = 0, failed = 0;
  std::map<int64_t, int64_t> versions;  // model version that answered -> requests
  std::vector<std::pair<std::string, std::string>> labels;  // request id, label
  std::string first_error;
};

// Sends the rows of a labelled CSV (label in the last column, kept back) to POST /invocations
// as text/csv in requests of `batch` rows, with x-request-id "<prefix>-<n>"; row i of a
// request is logged as "<prefix>-<n>/<i>". With `stop`, cycles through the file until it is
// set.
Result<Sent> SendCsv(uint16_t port, const std::string& csv_path, const std::string& prefix, int batch,
                     const std::atomic<bool>* stop = nullptr);

// Writes labels as a CSV of request_id,is_fraud.
Status WriteLabels(const std::string& path, const std::vector<std::pair<std::string, std::string>>& labels);

struct Check {
  std::string claim;
  bool held = false;
  std::string figures;
};

struct StageRow {
  std::string stage, what, figures;
};

// What the report shows.
struct Episode {
  std::vector<StageRow> stages;
  std::vector<Check> checks;
  std::string drift_json;        // `gyre monitor --json` of the drifted window
  std::string before_after_json; // {"rows": [{"model", "window", "roc_auc", ...}]}
  std::string lineage_json;      // `gyre runs show --json` of the pipeline run that promoted
  double seconds = 0;
};

std::string EpisodeHtml(const Episode& e);

}  // namespace gyre::demo
