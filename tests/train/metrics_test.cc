// Evaluation metrics against golden values computed by scikit-learn
// (tests/golden/make_metrics_golden.py).
#include "train/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

json Golden() { return json::parse(testing::ReadAll(testing::GoldenPath("metrics_golden.json"))); }

void Near(double got, const json& want, const std::string& what) {
  double w = want.get<double>();
  EXPECT_NEAR(got, w, 1e-12 * std::max(1.0, std::fabs(w))) << what;
}

TEST(MetricsTest, BinaryEqualsScikitLearn) {
  json g = Golden()["binary"];
  ASSERT_GE(g.size(), 4u);
  for (const auto& c : g) {
    std::string name = c["name"];
    ASSERT_OK_AND_ASSIGN(BinaryMetrics m, EvaluateBinary(c["labels"].get<std::vector<int>>(), c["p"].get<std::vector<double>>()));
    Near(m.roc_auc, c["roc_auc"], name + " roc_auc");
    Near(m.average_precision, c["average_precision"], name + " average_precision");
    Near(m.log_loss, c["log_loss"], name + " log_loss");
    Near(m.accuracy, c["accuracy"], name + " accuracy");
    Near(m.precision, c["precision"], name + " precision");
    Near(m.recall, c["recall"], name + " recall");
    Near(m.f1, c["f1"], name + " f1");
    Near(m.brier, c["brier"], name + " brier");
    auto confusion = c["confusion"].get<std::vector<int64_t>>();
    EXPECT_EQ(std::vector<int64_t>(m.confusion.begin(), m.confusion.end()), confusion) << name;
  }
}

TEST(MetricsTest, MulticlassEqualsScikitLearn) {
  for (const auto& c : Golden()["multiclass"]) {
    std::string name = c["name"];
    ASSERT_OK_AND_ASSIGN(MulticlassMetrics m, EvaluateMulticlass(c["labels"].get<std::vector<int>>(),
                                                                 c["p"].get<std::vector<double>>(), c["classes"]));
    Near(m.accuracy, c["accuracy"], name + " accuracy");
    Near(m.macro_f1, c["macro_f1"], name + " macro_f1");
    Near(m.log_loss, c["log_loss"], name + " log_loss");
  }
}

TEST(MetricsTest, RegressionEqualsScikitLearn) {
  for (const auto& c : Golden()["regression"]) {
    std::string name = c["name"];
    ASSERT_OK_AND_ASSIGN(RegressionMetrics m,
                         EvaluateRegression(c["y"].get<std::vector<double>>(), c["y_hat"].get<std::vector<double>>()));
    Near(m.rmse, c["rmse"], name + " rmse");
    Near(m.mae, c["mae"], name + " mae");
    Near(m.r2, c["r2"], name + " r2");
    Near(m.mape, c["mape"], name + " mape");
  }
}

TEST(MetricsTest, BadInputIsAnError) {
  EXPECT_FALSE(EvaluateBinary({}, {}).ok());
  EXPECT_FALSE(EvaluateBinary({0, 1}, {0.5}).ok());
  EXPECT_FALSE(EvaluateBinary({0, 2}, {0.5, 0.5}).ok());
  EXPECT_FALSE(EvaluateBinary({0, 1}, {0.5, 1.5}).ok());
  EXPECT_FALSE(EvaluateBinary({1, 1}, {0.5, 0.7}).ok()) << "AUC needs both classes";
  EXPECT_FALSE(EvaluateMulticlass({0, 3}, {0.5, 0.5, 0.5, 0.5}, 2).ok());
  EXPECT_FALSE(EvaluateRegression({1, 2}, {1}).ok());
  ASSERT_OK_AND_ASSIGN(RegressionMetrics flat, EvaluateRegression({3, 3, 3}, {3, 3, 3}));
  EXPECT_EQ(flat.r2, 1.0);
}

}  // namespace
}  // namespace gyre
