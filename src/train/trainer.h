// Training: a table and a label column in, an evaluated model bundle out. XGBoost underneath
// (kept inside trainer.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"

namespace gyre {

struct TrainResult;

struct TrainOptions {
  std::string label;
  std::optional<Task> task;  // inferred from the label when unset
  // Any XGBoost parameter; "num_round" sets the rounds (default 100) and
  // "early_stopping_rounds" stops once a validation share of the training rows has not
  // improved for that many rounds, keeping the best rounds. Defaults: tree_method hist,
  // max_depth 6, eta 0.3, nthread = cores (1 below 50,000 rows).
  std::map<std::string, std::string> params;
  double test_fraction = 0.2;  // held out for evaluation
  // Share of the training rows set aside for validation (early stopping, choosing among
  // trials); 0.1 when early stopping asks for it and this is 0.
  double validation_fraction = 0;
  uint64_t seed = 0;           // the split's and XGBoost's
  std::string split_by;        // a column to order by: train on the past, test on the future
  std::vector<std::string> exclude;
  // Called once, on the training thread, as soon as the holdout's outputs are known (with the
  // task and signature in `result.bundle`), before they are evaluated: a caller may start
  // work on them (a copy: `result` is still being filled) while training finishes.
  std::function<void(const TrainResult& result)> on_holdout;
};

struct TrainResult {
  ModelBundle bundle;                     // model, signature, params, metrics (no run yet)
  std::map<std::string, double> metrics;  // holdout metrics by name
  std::map<std::string, double> validation_metrics;  // when a validation share was set aside
  std::vector<std::pair<std::string, double>> importance;  // total gain per input, largest first
  int64_t train_rows = 0, test_rows = 0;
  int best_rounds = 0;  // rounds kept (fewer than asked when early stopping stopped it)
  double validation_fraction = 0;  // the share actually set aside (0.1 when early stopping chose it)
  std::vector<std::string> excluded;  // columns left out, and why
  // The model's raw outputs on the holdout rows (probability of the second class, class
  // probabilities row by row, or values): the reference of prediction drift.
  std::vector<float> holdout_outputs;
  int holdout_width = 1;
  std::vector<float> holdout_labels;  // class index or value per holdout row
};

// Inputs are every column but the label, the `exclude`d ones, timestamps and integer
// identifiers (all values distinct). Classification splits are stratified. The same table,
// options and seed give the same bundle bytes.
Result<TrainResult> TrainModel(const Table& table, const TrainOptions& options);

// The names of the input columns TrainModel would choose, in table order.
std::vector<std::string> InputColumns(const Table& table, const TrainOptions& options);

// Which rows TrainModel holds out for evaluation with these options (true = held out), so
// that another model can be evaluated on exactly the same rows.
Result<std::vector<bool>> HoldoutRows(const Table& table, const TrainOptions& options);

}  // namespace gyre
