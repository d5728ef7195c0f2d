// Gyre's Predictor against the Python xgboost package on the same saved models
// (tests/golden/make_predictions_golden.py).
#include "model/predictor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "data/reader.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

TEST(PredictorTest, EqualsPythonXgboostOnTheSameModels) {
  auto golden = nlohmann::json::parse(testing::ReadAll(testing::GoldenPath("predictions_golden.json")));
  ASSERT_EQ(golden.size(), 3u);
  for (const auto& [dataset, g] : golden.items()) {
    ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(testing::ReadAll(testing::GoldenPath("models/" + dataset + ".bundle"))));
    EXPECT_TRUE(predictor->native()) << dataset;  // the trees evaluated by model/forest.h
    ASSERT_OK_AND_ASSIGN(Table table, ReadTable(testing::DatasetPath(dataset + ".csv")));
    EncodeReport report;
    ASSERT_OK_AND_ASSIGN(Predictions p, predictor->Predict(table, &report));
    EXPECT_EQ(p.rows, g["rows"].get<int64_t>()) << dataset;
    EXPECT_EQ(p.width, g["width"].get<int>()) << dataset;
    auto want = g["values"].get<std::vector<double>>();
    ASSERT_EQ(p.values.size(), want.size()) << dataset;
    for (size_t i = 0; i < want.size(); ++i) {
      // Both sides are XGBoost 1.7 on float32 inputs: the same numbers, bit for bit.
      ASSERT_EQ(p.values[i], static_cast<float>(want[i])) << dataset << " value " << i;
    }
  }
}

}  // namespace
}  // namespace gyre
