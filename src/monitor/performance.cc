#include "monitor/performance.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "train/metrics.h"

namespace gyre {
namespace {

using nlohmann::json;

// The row of one record the metrics need: the label's index (or value) and the raw outputs.
struct Scored {
  std::vector<float> p;  // as Predictions holds them: P(class 1), class probabilities, or value
};

Result<Scored> RawOutputs(const PredictionRecord& r, const ModelBundle& b) {
  const json out = json::parse(r.outputs_json, nullptr, false);
  auto number = [&](const std::string& key) -> std::optional<float> {
    if (!out.is_object() || !out.contains(key) || !out[key].is_number()) return std::nullopt;
    return out[key].get<float>();
  };
  Scored s;
  if (b.task == Task::kRegression) {
    if (auto v = number("prediction")) s.p.push_back(*v);
  } else if (b.task == Task::kBinary) {
    if (auto v = number("p_" + b.signature.classes[1])) s.p.push_back(*v);
  } else {
    for (const std::string& c : b.signature.classes)
      if (auto v = number("p_" + c)) s.p.push_back(*v);
    if (s.p.size() != b.signature.classes.size()) s.p.clear();
  }
  if (s.p.empty()) return DataLoss("prediction log: record " + r.request_id + " has no usable outputs");
  return s;
}

// A label as the model's class index, or as a value for regression.
Result<float> LabelValue(const std::string& label, const ModelBundle& b) {
  char* end = nullptr;
  const double num = std::strtod(label.c_str(), &end);
  const bool numeric = end && *end == '\0' && !label.empty();
  if (b.task == Task::kRegression) {
    if (!numeric) return InvalidArgument("label \"" + label + "\" is not a number");
    return static_cast<float>(num);
  }
  const std::vector<std::string>& classes = b.signature.classes;
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i] == label) return static_cast<float>(i);
    char* e2 = nullptr;
    const double c = std::strtod(classes[i].c_str(), &e2);
    if (numeric && e2 && *e2 == '\0' && c == num) return static_cast<float>(i);  // "1.0" is "1"
  }
  std::string known;
  for (const std::string& c : classes) known += (known.empty() ? "" : ", ") + c;
  return InvalidArgument("label \"" + label + "\" is not a class of the model (classes: " + known + ")");
}

}  // namespace

double Calibration::Apply(double score) const {
  if (x.empty()) return score;
  if (score <= x.front()) return y.front();
  if (score >= x.back()) return y.back();
  const size_t hi = static_cast<size_t>(std::upper_bound(x.begin(), x.end(), score) - x.begin());
  const size_t lo = hi - 1;
  const double t = (score - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}

std::string Calibration::ToJson() const { return json{{"method", "isotonic"}, {"x", x}, {"y", y}}.dump(); }

Result<Calibration> Calibration::FromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.contains("x") || !j.contains("y") || j["x"].size() != j["y"].size())
    return DataLoss("calibration.json is unreadable");
  Calibration c;
  c.x = j["x"].get<std::vector<double>>();
  c.y = j["y"].get<std::vector<double>>();
  return c;
}

Calibration FitIsotonic(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  struct Block {
    double sum_x = 0, sum_y = 0, n = 0;
    double mean() const { return sum_y / n; }
  };
  std::vector<Block> blocks;
  for (size_t i = 0; i < order.size();) {
    Block b;  // equal scores pool first
    size_t j = i;
    for (; j < order.size() && scores[order[j]] == scores[order[i]]; ++j) {
      b.sum_x += scores[order[j]];
      b.sum_y += labels[order[j]];
      b.n += 1;
    }
    i = j;
    blocks.push_back(b);
    while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
      Block last = blocks.back();
      blocks.pop_back();
      blocks.back().sum_x += last.sum_x;
      blocks.back().sum_y += last.sum_y;
      blocks.back().n += last.n;
    }
  }
  Calibration c;
  for (const Block& b : blocks) {
    c.x.push_back(b.sum_x / b.n);
    c.y.push_back(b.mean());
  }
  return c;
}

std::map<std::string, double> EstimateBinary(const std::vector<double>& scores, const Calibration& cal) {
  double tp = 0, fp = 0, fn = 0, tn = 0;
  std::vector<std::pair<double, double>> rows;  // score, calibrated probability
  for (double s : scores) {
    const double p = std::clamp(cal.Apply(s), 0.0, 1.0);
    rows.emplace_back(s, p);
    (s >= 0.5 ? tp : fn) += p;
    (s >= 0.5 ? fp : tn) += 1 - p;
  }
  const double n = static_cast<double>(scores.size());
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  const double precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn);
  std::map<std::string, double> out = {{"accuracy", ratio(tp + tn, n)},
                                       {"precision", precision},
                                       {"recall", recall},
                                       {"f1", ratio(2 * precision * recall, precision + recall)}};
  // The expected ROC curve: thresholds from the highest score down, ties as one step.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const double pos = tp + fn, neg = fp + tn;
  double auc = 0, cum_tp = 0;
  for (size_t i = 0; i < rows.size();) {
    double step_tp = 0, step_fp = 0;
    size_t j = i;
    for (; j < rows.size() && rows[j].first == rows[i].first; ++j) {
      step_tp += rows[j].second;
      step_fp += 1 - rows[j].second;
    }
    auc += ratio(step_fp, neg) * (ratio(cum_tp, pos) + ratio(cum_tp + step_tp, pos)) / 2;
    cum_tp += step_tp;
    i = j;
  }
  out["roc_auc"] = auc;
  return out;
}

Result<std::vector<WindowPerformance>> PerformanceByWindow(
    const std::vector<PredictionRecord>& records, const std::map<std::string, std::string>& labels,
    const ModelBundle& bundle, const std::optional<Calibration>& calibration, size_t window) {
  std::vector<WindowPerformance> out;
  const int classes = static_cast<int>(bundle.signature.classes.size());
  for (const auto& w : WindowsByCount(records, window)) {
    WindowPerformance perf;
    perf.rows = static_cast<int64_t>(w.size());
    perf.first_us = w.front().time_us;
    perf.last_us = w.back().time_us;
    std::vector<float> y, p;
    std::vector<double> scores;
    for (const PredictionRecord& r : w) {
      // A record without usable outputs (a model that answered NaN is logged as null) has no
      // score: it is left out rather than stopping every later look at this version.
      auto scored = RawOutputs(r, bundle);
      if (!scored.ok()) continue;
      const Scored& s = *scored;
      if (bundle.task == Task::kBinary) scores.push_back(s.p[0]);
      auto it = labels.find(r.request_id);
      if (it == labels.end()) continue;
      ASSIGN_OR_RETURN(float label, LabelValue(it->second, bundle));
      y.push_back(label);
      p.insert(p.end(), s.p.begin(), s.p.end());
    }
    perf.labeled = static_cast<int64_t>(y.size());
    if (!y.empty()) {
      auto realized = EvaluateTask(bundle.task, classes, y, p);
      if (realized.ok()) perf.realized = *realized;
    }
    if (calibration && bundle.task == Task::kBinary) perf.estimated = EstimateBinary(scores, *calibration);
    out.push_back(std::move(perf));
  }
  return out;
}

Status CheckLabel(const std::string& label, const ModelBundle& bundle) {
  return LabelValue(label, bundle).status();
}

std::pair<std::string, bool> PrimaryMetric(Task task) {
  switch (task) {
    case Task::kBinary: return {"roc_auc", true};
    case Task::kMulticlass: return {"accuracy", true};
    case Task::kRegression: return {"rmse", false};
  }
  return {"rmse", false};
}

}  // namespace gyre
