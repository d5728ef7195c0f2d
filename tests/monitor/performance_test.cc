// Performance monitoring: isotonic calibration, CBPE estimates agreeing with realized metrics
// when the probabilities are calibrated, and alert rules.
#include <gtest/gtest.h>

#include <random>

#include "monitor/alerts.h"
#include "monitor/performance.h"
#include "tests/test_util.h"
#include "train/metrics.h"

namespace gyre {
namespace {

TEST(CalibrationTest, IsotonicFitIsMonotoneAndPoolsViolators) {
  // Labels by score: 0, 1, 0, 1, 1: the middle pair violates order and is pooled to 0.5.
  Calibration c = FitIsotonic({0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, {0, 1, 0, 1, 1});
  ASSERT_EQ(c.y.size(), 3u);
  EXPECT_DOUBLE_EQ(c.y[0], 0.0);
  EXPECT_DOUBLE_EQ(c.y[1], 0.5);
  EXPECT_DOUBLE_EQ(c.y[2], 1.0);
  EXPECT_NEAR(c.x[1], 0.25, 1e-7);
  EXPECT_DOUBLE_EQ(c.Apply(0.0), 0.0);  // clipped at the ends
  EXPECT_DOUBLE_EQ(c.Apply(0.9), 1.0);
  EXPECT_NEAR(c.Apply(0.175), 0.25, 1e-6);  // halfway between (0.1, 0) and (0.25, 0.5)
  ASSERT_OK_AND_ASSIGN(Calibration back, Calibration::FromJson(c.ToJson()));
  EXPECT_EQ(back.x, c.x);
  EXPECT_EQ(back.y, c.y);
  EXPECT_FALSE(Calibration::FromJson("{\"x\":[1]}").ok());
}

// With calibrated probabilities the expected confusion matrix is what labels drawn from those
// probabilities give, so estimate and realized agree up to sampling noise.
TEST(CbpeTest, EstimatesMatchRealizedWhenCalibrated) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  auto draw = [&](int n, std::vector<float>& scores, std::vector<float>& labels) {
    for (int i = 0; i < n; ++i) {
      const double p = 0.02 + 0.96 * u(rng) * u(rng);  // skewed towards 0, like fraud scores
      scores.push_back(static_cast<float>(p));
      labels.push_back(u(rng) < p ? 1.0f : 0.0f);
    }
  };
  std::vector<float> ref_s, ref_y, s, y;
  draw(50000, ref_s, ref_y);  // the holdout the calibration is fitted on
  draw(50000, s, y);          // production
  const Calibration c = FitIsotonic(ref_s, ref_y);
  const auto estimated = EstimateBinary(std::vector<double>(s.begin(), s.end()), c);
  ASSERT_OK_AND_ASSIGN(auto realized, EvaluateTask(Task::kBinary, 2, y, s));
  for (const char* m : {"accuracy", "precision", "recall", "f1", "roc_auc"})
    EXPECT_NEAR(estimated.at(m), realized.at(m), 0.02) << m;
}

TEST(AlertRulesTest, ParseAndRejectWithLines) {
  ASSERT_OK_AND_ASSIGN(auto rules, ParseAlertRules(
      "alerts:\n"
      "  - {name: moved, when: drift_share, above: 0.3}\n"
      "  - {name: amount, when: column_score, column: amount, above: 0.2}\n"
      "  - {name: auc, when: realized, metric: roc_auc, below: 0.8}\n"
      "  - {name: rmse, when: estimated, metric: rmse, max_drop: 0.5}\n",
      "alerts.yaml"));
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[1].column, "amount");
  EXPECT_EQ(*rules[3].max_drop, 0.5);
  auto bad = ParseAlertRules("alerts:\n  - {name: x, when: drift_share}\n", "alerts.yaml");
  EXPECT_NE(bad.status().ToString().find("line 2"), std::string::npos) << bad.status().ToString();
  EXPECT_FALSE(ParseAlertRules("alerts:\n  - {name: x, when: sometimes, above: 1}\n", "a.yaml").ok());
  EXPECT_FALSE(ParseAlertRules("alerts:\n  - {name: x, when: drift_share, above: 1}\n  - {name: x, when: drift_share, above: 2}\n", "a.yaml").ok());
  EXPECT_FALSE(ParseAlertRules("alerts:\n  - {name: x, when: drift_share, above: lots}\n", "a.yaml").ok());
  // A metric runs never record would never fire: refused, not silently ignored.
  auto unknown = ParseAlertRules("alerts:\n  - {name: x, when: realized, metric: auc, max_drop: 0.1}\n", "a.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown metric auc"), std::string::npos) << unknown.status().ToString();
}

TEST(AlertRulesTest, FireOnTheirThresholds) {
  DriftReport inputs;
  inputs.drift_share = 0.4;
  inputs.share_threshold = 0.5;
  ColumnDrift amount;
  amount.column = "amount";
  amount.score = 0.25;
  inputs.columns.push_back(amount);
  MonitorFigures f{&inputs, nullptr, {{"roc_auc", 0.79}, {"rmse", 1.6}}, {}, {{"roc_auc", 0.9}, {"rmse", 1.0}}};
  ASSERT_OK_AND_ASSIGN(auto rules, ParseAlertRules(
      "alerts:\n"
      "  - {name: share, when: drift_share, above: 0.4}\n"       // at the threshold: fires
      "  - {name: share_high, when: drift_share, above: 0.41}\n"
      "  - {name: amount, when: column_score, column: amount, above: 0.2}\n"
      "  - {name: auc_low, when: realized, metric: roc_auc, below: 0.79}\n"  // not below
      "  - {name: auc_drop, when: realized, metric: roc_auc, max_drop: 0.1}\n"
      "  - {name: rmse_rise, when: realized, metric: rmse, max_drop: 0.5}\n"
      "  - {name: estimated, when: estimated, metric: roc_auc, below: 1}\n",  // nothing estimated
      "a.yaml"));
  std::vector<std::string> names;
  for (const FiredAlert& a : EvaluateAlerts(rules, f)) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{"share", "amount", "auc_drop", "rmse_rise"}));
  // The defaults follow the verdict.
  EXPECT_TRUE(EvaluateAlerts(DefaultAlertRules(Task::kBinary, 0.05), f).size() == 1);  // the AUC drop
  inputs.dataset_drift = true;
  EXPECT_EQ(EvaluateAlerts(DefaultAlertRules(Task::kBinary, 0.05), f).front().name, "dataset_drift");
}

}  // namespace
}  // namespace gyre
