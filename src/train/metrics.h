// Evaluation metrics, each defined as scikit-learn 1.2 defines it (tests compare with golden
// values computed by scikit-learn): binary, multiclass and regression.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/bundle.h"

namespace gyre {

struct BinaryMetrics {
  double roc_auc = 0;            // area under the ROC curve (ties count one half)
  double average_precision = 0;  // sum over thresholds of (R_n - R_n-1) P_n, no interpolation
  double log_loss = 0;           // probabilities clipped to [eps, 1 - eps], eps = 2^-52
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;  // predicting 1 when p >= 0.5
  double brier = 0;              // mean squared difference of p and y
  std::array<int64_t, 4> confusion{};  // tn, fp, fn, tp
};

struct MulticlassMetrics {
  double accuracy = 0;
  double macro_f1 = 0;  // F1 per class present in the labels or the predictions, averaged
  double log_loss = 0;  // rows clipped to [eps, 1 - eps] and renormalized, as scikit-learn
};

struct RegressionMetrics {
  double rmse = 0, mae = 0;
  double r2 = 0;    // 1 - SS_res / SS_tot; a constant target gives 1 if fitted exactly, else 0
  double mape = 0;  // mean of |y - y_hat| / max(|y|, eps)
};

// `labels` are 0 or 1; `p` the probability of 1. InvalidArgument on empty or mismatched input,
// labels other than 0/1, or probabilities outside [0, 1].
Result<BinaryMetrics> EvaluateBinary(const std::vector<int>& labels, const std::vector<double>& p);
// `labels` in [0, classes); `p` row-major, `classes` probabilities per row.
Result<MulticlassMetrics> EvaluateMulticlass(const std::vector<int>& labels, const std::vector<double>& p,
                                             int classes);
Result<RegressionMetrics> EvaluateRegression(const std::vector<double>& y, const std::vector<double>& y_hat);

// A task's metrics by the names runs record them under (binary: roc_auc, average_precision,
// log_loss, accuracy, precision, recall, f1, brier; multiclass: accuracy, macro_f1, log_loss;
// regression: rmse, mae, r2, mape). `y` holds class indexes or values, `p` the model's raw
// outputs (probability of class 1, row-major class probabilities, or values).
Result<std::map<std::string, double>> EvaluateTask(Task task, int classes, const std::vector<float>& y,
                                                   const std::vector<float>& p);

// Whether `name` is one of the metric names above, and which way is better for it (lower for
// log_loss, brier, rmse, mae and mape).
bool KnownMetric(const std::string& name);
bool HigherIsBetter(const std::string& name);

}  // namespace gyre
