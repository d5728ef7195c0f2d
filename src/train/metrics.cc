#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

namespace gyre {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

double Safe(double num, double den) { return den == 0 ? 0.0 : num / den; }  // scikit-learn's zero_division=0 (with a warning there)

double F1(int64_t tp, int64_t fp, int64_t fn) {
  double p = Safe(static_cast<double>(tp), static_cast<double>(tp + fp));
  double r = Safe(static_cast<double>(tp), static_cast<double>(tp + fn));
  return Safe(2 * p * r, p + r);
}

// Walks the scores from high to low, one distinct score at a time (scikit-learn's
// _binary_clf_curve), accumulating the ROC area by trapezoids and average precision by steps.
void Curves(const std::vector<int>& labels, const std::vector<double>& p, BinaryMetrics* m) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
  double positives = 0;
  for (int y : labels) positives += y;
  const double negatives = static_cast<double>(labels.size()) - positives;
  double tp = 0, fp = 0, prev_tpr = 0, prev_fpr = 0, prev_recall = 0, auc = 0, ap = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && p[order[j]] == p[order[i]]) {
      tp += labels[order[j]];
      fp += 1 - labels[order[j]];
      ++j;
    }
    double tpr = Safe(tp, positives), fpr = Safe(fp, negatives);
    auc += (fpr - prev_fpr) * (tpr + prev_tpr) / 2;
    double recall = tpr;
    ap += (recall - prev_recall) * (tp / (tp + fp));
    prev_tpr = tpr;
    prev_fpr = fpr;
    prev_recall = recall;
    i = j;
  }
  m->roc_auc = auc;
  m->average_precision = ap;
}

}  // namespace

Result<BinaryMetrics> EvaluateBinary(const std::vector<int>& labels, const std::vector<double>& p) {
  if (labels.empty() || labels.size() != p.size()) {
    return InvalidArgument("binary metrics need as many probabilities as labels, and at least one");
  }
  BinaryMetrics m;
  double loss = 0, brier = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1) return InvalidArgument("binary labels must be 0 or 1");
    if (!(p[i] >= 0 && p[i] <= 1)) return InvalidArgument("a probability is outside [0, 1]");
    const double q = std::clamp(p[i], kEps, 1 - kEps);
    loss -= labels[i] ? std::log(q) : std::log(1 - q);
    brier += (p[i] - labels[i]) * (p[i] - labels[i]);
    const int predicted = p[i] >= 0.5 ? 1 : 0;
    ++m.confusion[static_cast<size_t>(2 * labels[i] + predicted)];
  }
  const auto n = static_cast<double>(labels.size());
  const auto [tn, fp, fn, tp] = m.confusion;
  m.log_loss = loss / n;
  m.brier = brier / n;
  m.accuracy = static_cast<double>(tp + tn) / n;
  m.precision = Safe(static_cast<double>(tp), static_cast<double>(tp + fp));
  m.recall = Safe(static_cast<double>(tp), static_cast<double>(tp + fn));
  m.f1 = F1(tp, fp, fn);
  Curves(labels, p, &m);
  if (tp + fn == 0 || tn + fp == 0) {
    return InvalidArgument("ROC AUC needs both classes among the labels");
  }
  return m;
}

Result<MulticlassMetrics> EvaluateMulticlass(const std::vector<int>& labels, const std::vector<double>& p,
                                             int classes) {
  if (labels.empty() || classes < 2 || p.size() != labels.size() * static_cast<size_t>(classes)) {
    return InvalidArgument("multiclass metrics need one row of class probabilities per label");
  }
  const auto k = static_cast<size_t>(classes);
  std::vector<int64_t> tp(k), fp(k), fn(k);
  std::set<int> present;
  double loss = 0;
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) return InvalidArgument("a label is outside [0, classes)");
    const double* row = &p[i * k];
    size_t best = static_cast<size_t>(std::max_element(row, row + k) - row);
    double sum = 0;
    for (size_t c = 0; c < k; ++c) sum += std::clamp(row[c], kEps, 1 - kEps);
    loss -= std::log(std::clamp(row[static_cast<size_t>(labels[i])], kEps, 1 - kEps) / sum);
    const auto truth = static_cast<size_t>(labels[i]);
    correct += best == truth;
    if (best == truth) ++tp[truth];
    else ++fp[best], ++fn[truth];
    present.insert(labels[i]);
    present.insert(static_cast<int>(best));
  }
  MulticlassMetrics m;
  const auto n = static_cast<double>(labels.size());
  m.accuracy = static_cast<double>(correct) / n;
  m.log_loss = loss / n;
  for (int c : present) m.macro_f1 += F1(tp[static_cast<size_t>(c)], fp[static_cast<size_t>(c)], fn[static_cast<size_t>(c)]);
  m.macro_f1 /= static_cast<double>(present.size());
  return m;
}

Result<RegressionMetrics> EvaluateRegression(const std::vector<double>& y, const std::vector<double>& y_hat) {
  if (y.empty() || y.size() != y_hat.size()) {
    return InvalidArgument("regression metrics need as many predictions as targets, and at least one");
  }
  const auto n = static_cast<double>(y.size());
  double mean = 0;
  for (double v : y) mean += v;
  mean /= n;
  double se = 0, ae = 0, ape = 0, tot = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double e = y[i] - y_hat[i];
    se += e * e;
    ae += std::fabs(e);
    ape += std::fabs(e) / std::max(std::fabs(y[i]), kEps);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  RegressionMetrics m;
  m.rmse = std::sqrt(se / n);
  m.mae = ae / n;
  m.mape = ape / n;
  m.r2 = tot == 0 ? (se == 0 ? 1.0 : 0.0) : 1 - se / tot;
  return m;
}

Result<std::map<std::string, double>> EvaluateTask(Task task, int classes, const std::vector<float>& y,
                                                   const std::vector<float>& p) {
  std::map<std::string, double> m;
  if (task == Task::kRegression) {
    ASSIGN_OR_RETURN(RegressionMetrics r, EvaluateRegression(std::vector<double>(y.begin(), y.end()),
                                                             std::vector<double>(p.begin(), p.end())));
    return std::map<std::string, double>{{"rmse", r.rmse}, {"mae", r.mae}, {"r2", r.r2}, {"mape", r.mape}};
  }
  std::vector<int> labels(y.begin(), y.end());
  if (task == Task::kBinary) {
    ASSIGN_OR_RETURN(BinaryMetrics b, EvaluateBinary(labels, std::vector<double>(p.begin(), p.end())));
    return std::map<std::string, double>{{"roc_auc", b.roc_auc}, {"average_precision", b.average_precision},
                                         {"log_loss", b.log_loss}, {"accuracy", b.accuracy},
                                         {"precision", b.precision}, {"recall", b.recall}, {"f1", b.f1},
                                         {"brier", b.brier}};
  }
  ASSIGN_OR_RETURN(MulticlassMetrics c, EvaluateMulticlass(labels, std::vector<double>(p.begin(), p.end()),
                                                           classes));
  return std::map<std::string, double>{{"accuracy", c.accuracy}, {"macro_f1", c.macro_f1}, {"log_loss", c.log_loss}};
}

bool KnownMetric(const std::string& name) {
  static const std::set<std::string> kNames = {"roc_auc", "average_precision", "log_loss", "accuracy", "precision",
                                               "recall", "f1", "brier", "macro_f1", "rmse", "mae", "r2", "mape"};
  return kNames.count(name) > 0;
}

bool HigherIsBetter(const std::string& name) {
  return !(name == "log_loss" || name == "brier" || name == "rmse" || name == "mae" || name == "mape");
}

}  // namespace gyre
