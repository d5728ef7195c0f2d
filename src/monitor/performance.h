// Performance of a model in production: realized metrics once ground-truth labels arrive
// (joined to the logged predictions by request id), and for binary classifiers an estimate
// before they do, from calibrated probabilities (NannyML's confidence-based performance
// estimation, CBPE).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/bundle.h"
#include "monitor/prediction_log.h"

namespace gyre {

// A monotone map from score to probability: isotonic regression (pool adjacent violators)
// of the labels on the scores, evaluated by linear interpolation between the blocks' mean
// scores and clipped at the ends. (scikit-learn is flat within a block and interpolates
// between block ends; both are monotone fits of the same blocks.)
struct Calibration {
  std::vector<double> x, y;
  double Apply(double score) const;
  std::string ToJson() const;
  static Result<Calibration> FromJson(const std::string& json);
};
Calibration FitIsotonic(const std::vector<float>& scores, const std::vector<float>& labels);

// CBPE for a binary classifier: with p the calibrated probability of class 1 and the model
// predicting 1 when its score >= 0.5, the expected confusion matrix is TP = sum p over
// predicted 1, FP = sum (1 - p) over predicted 1, FN = sum p over predicted 0, TN = the rest;
// ROC AUC is the area under the expected ROC curve (TPR and FPR accumulated in score order).
std::map<std::string, double> EstimateBinary(const std::vector<double>& scores,
                                             const Calibration& calibration);

struct WindowPerformance {
  int64_t rows = 0;     // predictions in the window
  int64_t labeled = 0;  // of which have a label
  int64_t first_us = 0, last_us = 0;
  std::map<std::string, double> realized;   // on the labeled rows (empty without labels)
  std::map<std::string, double> estimated;  // CBPE, binary classifiers with a calibration
};

// Performance per window of `window` records (oldest first). `labels` maps request ids to
// labels as text; a label the model does not know as a class is InvalidArgument.
Result<std::vector<WindowPerformance>> PerformanceByWindow(
    const std::vector<PredictionRecord>& records, const std::map<std::string, std::string>& labels,
    const ModelBundle& bundle, const std::optional<Calibration>& calibration, size_t window);

// InvalidArgument when `label` is not a class of the model (or not a number, for regression).
Status CheckLabel(const std::string& label, const ModelBundle& bundle);

// The metric alerts watch by default: roc_auc (binary), accuracy (multiclass), rmse
// (regression), and whether a larger value is better.
std::pair<std::string, bool> PrimaryMetric(Task task);

}  // namespace gyre
