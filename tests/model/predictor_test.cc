// Gyre's Predictor against the Python xgboost package on the same saved models
// (tests/golden/make_predictions_golden.py).
#include "model/predictor.h"

#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "data/reader.h"
#include "model/features.h"
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

// A large table is encoded on two threads (each half with its own category lookups): the same
// matrix and the same count of unseen categories as its parts encoded one at a time, with
// missing values, integers, decimals, flags, timestamps and categories seen or not.
TEST(FeaturesTest, TwoThreadsEncodeAsOne) {
  const int64_t n = 150000;
  Table t;
  Column a("a", ColumnType::kFloat64), b("b", ColumnType::kInt64), c("c", ColumnType::kString),
      d("d", ColumnType::kBool), e("e", ColumnType::kTimestamp);
  const char* cities[] = {"lyon", "nice", "oslo", "rome"};
  for (int64_t i = 0; i < n; ++i) {
    if (i % 17 == 0) a.AppendNull();
    else a.AppendDouble(static_cast<double>(i) * 0.37);
    b.AppendInt(i % 1000 - 500);
    if (i % 23 == 0) c.AppendNull();
    else c.AppendString(cities[(i * 7) % 4]);
    d.AppendBool(i % 3 == 0);
    e.AppendInt(i * 1000000);
  }
  for (Column* col : {&a, &b, &c, &d, &e}) t.AddColumn(std::move(*col));
  Signature sig;
  sig.features = {{"a", ColumnType::kFloat64, {}}, {"b", ColumnType::kInt64, {}},
                  {"c", ColumnType::kString, {"lyon", "nice"}},  // oslo and rome are unseen
                  {"d", ColumnType::kBool, {}}, {"e", ColumnType::kTimestamp, {}}};
  EncodeReport whole_report;
  ASSERT_OK_AND_ASSIGN(std::vector<float> whole, EncodeFeatures(t, sig, &whole_report));
  std::vector<float> parts;
  int64_t unseen = 0;
  for (int64_t from = 0; from < n; from += 50000) {  // parts below the two-thread size
    std::vector<int64_t> rows;
    for (int64_t r = from; r < std::min(n, from + 50000); ++r) rows.push_back(r);
    EncodeReport report;
    ASSERT_OK_AND_ASSIGN(std::vector<float> part, EncodeFeatures(t, sig, &report, &rows));
    parts.insert(parts.end(), part.begin(), part.end());
    unseen += report.unseen_categories;
  }
  ASSERT_EQ(whole.size(), parts.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    if (std::isnan(parts[i])) ASSERT_TRUE(std::isnan(whole[i])) << i;
    else ASSERT_EQ(whole[i], parts[i]) << i;
  }
  EXPECT_EQ(whole_report.unseen_categories, unseen);
  EXPECT_GT(unseen, 0);
}

}  // namespace
}  // namespace gyre
