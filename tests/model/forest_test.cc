// The native tree evaluator against XGBoost's own predictor, on the same models and rows: the
// outputs must be the same floats, bit for bit. Rows are the real datasets' and copies of them
// with values knocked out (missing), set to infinities, and set on and beside the trees'
// thresholds, so that both ways of every kind of split are taken.
#include "model/forest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "data/generate.h"
#include "data/reader.h"
#include "model/features.h"
#include "model/predictor.h"
#include "model/xgboost_util.h"
#include "tests/test_util.h"
#include "train/trainer.h"

namespace gyre {
namespace {

using nlohmann::json;

// XGBoost's answers for `rows`, from a booster loaded from `model` (UBJSON or JSON text).
std::vector<float> XgboostPredict(const std::string& model, const std::vector<float>& rows, size_t width) {
  XgbBooster booster;
  EXPECT_TRUE(booster.Create({}).ok());
  EXPECT_EQ(XGBoosterLoadModelFromBuffer(booster.get(), model.data(), model.size()), 0) << XGBGetLastError();
  auto out = PredictDense(booster.get(), rows.data(), rows.size() / width, width);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::vector<float>{};
}

std::vector<float> ForestPredict(const Forest& forest, const std::vector<float>& rows) {
  const size_t n = rows.size() / forest.features();
  std::vector<float> out(n * forest.outputs_per_row());
  forest.Predict(rows.data(), n, out.data());
  return out;
}

void ExpectSameBits(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &got[i], 4);
    std::memcpy(&b, &want[i], 4);
    ASSERT_EQ(a, b) << what << ": output " << i << " is " << got[i] << ", XGBoost says " << want[i];
  }
}

// The encoded rows, then three altered copies: a fifth of the values missing; some values
// +-infinity; values on, just below and just above the thresholds (the forest's probe rows).
std::vector<float> TestRows(const std::vector<float>& encoded, const Forest& forest) {
  std::vector<float> rows = encoded;
  std::mt19937 rng(7);
  std::vector<float> missing = encoded, infinite = encoded;
  for (float& v : missing)
    if (rng() % 5 == 0) v = NAN;
  for (float& v : infinite)
    if (rng() % 7 == 0) v = rng() % 2 ? INFINITY : -INFINITY;
  const std::vector<float> probes = forest.ProbeRows(512);
  rows.insert(rows.end(), missing.begin(), missing.end());
  rows.insert(rows.end(), infinite.begin(), infinite.end());
  rows.insert(rows.end(), probes.begin(), probes.end());
  return rows;
}

// Rows predicted a few at a time (the served path, trees side by side) give the bits of the
// same rows predicted in a batch (rows side by side).
void ExpectFewRowsAsInABatch(const Forest& forest, const std::vector<float>& rows) {
  const std::vector<float> batch = ForestPredict(forest, rows);
  const size_t width = forest.features(), outputs = forest.outputs_per_row(), n = rows.size() / width;
  for (size_t group : {1, 3, 7}) {
    for (size_t begin = 0; begin < n; begin += group) {
      const size_t count = std::min(group, n - begin);
      std::vector<float> out(count * outputs);
      forest.Predict(rows.data() + begin * width, count, out.data());
      ASSERT_EQ(std::memcmp(out.data(), batch.data() + begin * outputs, out.size() * sizeof(float)), 0)
          << "rows " << begin << ".." << begin + count << " predicted " << group << " at a time";
    }
  }
}

void CheckTrainedModel(const Table& table, const TrainOptions& options, size_t expected_outputs) {
  ASSERT_OK_AND_ASSIGN(TrainResult trained, TrainModel(table, options));
  std::unique_ptr<Forest> forest = Forest::FromUbjson(trained.bundle.model);
  ASSERT_NE(forest, nullptr) << options.label;
  EXPECT_EQ(forest->outputs_per_row(), expected_outputs) << options.label;
  EncodeReport report;
  ASSERT_OK_AND_ASSIGN(std::vector<float> encoded, EncodeFeatures(table, trained.bundle.signature, &report));
  const std::vector<float> rows = TestRows(encoded, *forest);
  ExpectSameBits(ForestPredict(*forest, rows), XgboostPredict(trained.bundle.model, rows, forest->features()),
                 options.label);
  ExpectFewRowsAsInABatch(*forest, rows);
}

TEST(ForestTest, BinaryClassifierGivesXgboostsBits) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("breast_cancer.csv")));
  CheckTrainedModel(t, {"malignant"}, 1);
}

TEST(ForestTest, MulticlassGivesXgboostsBits) {
  ASSERT_OK_AND_ASSIGN(Table iris, ReadTable(testing::DatasetPath("iris.csv")));
  CheckTrainedModel(iris, {"species"}, 3);
  ASSERT_OK_AND_ASSIGN(Table wine, ReadTable(testing::DatasetPath("wine.csv")));
  CheckTrainedModel(wine, {"cultivar"}, 3);
  TrainOptions forest_of_trees{"cultivar"};  // several trees per class and round, on samples
  forest_of_trees.params = {{"num_parallel_tree", "4"}, {"subsample", "0.7"}, {"colsample_bynode", "0.6"},
                            {"num_round", "10"}};
  CheckTrainedModel(wine, forest_of_trees, 3);
}

TEST(ForestTest, RegressionGivesXgboostsBits) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("diabetes.csv")));
  CheckTrainedModel(t, {"progression"}, 1);
  TrainOptions other_base{"progression"};
  other_base.params = {{"base_score", "0.3"}, {"max_depth", "9"}, {"num_round", "30"}};  // base not exact in float
  CheckTrainedModel(t, other_base, 1);
}

TEST(ForestTest, CategoriesAndMissingValuesGiveXgboostsBits) {
  testing::TempDir dir;
  const std::string csv = dir.path() + "/fraud.csv";
  FraudOptions o;
  o.rows = 4000;
  ASSERT_OK(GenerateFraudCsv(o, csv, Env::Default()));
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(csv));
  TrainOptions options{"is_fraud"};
  options.params = {{"num_round", "40"}, {"max_depth", "8"}};
  CheckTrainedModel(t, options, 1);
}

// A trained model's JSON document, for editing by hand.
json ModelJson(const Table& table, const TrainOptions& options) {
  auto trained = TrainModel(table, options);
  EXPECT_TRUE(trained.ok());
  XgbBooster booster;
  EXPECT_TRUE(booster.Create({}).ok());
  const std::string& ubj = trained->bundle.model;
  EXPECT_EQ(XGBoosterLoadModelFromBuffer(booster.get(), ubj.data(), ubj.size()), 0);
  bst_ulong len = 0;
  const char* bytes = nullptr;
  EXPECT_EQ(XGBoosterSaveModelToBuffer(booster.get(), R"({"format": "json"})", &len, &bytes), 0);
  return json::parse(std::string(bytes, len));
}

// Leaves pushed to +-60 so that margins reach +-hundreds: XGBoost's sigmoid caps its exponent
// there (and a softmax must not overflow); the evaluator must do the same.
TEST(ForestTest, ExtremeMarginsGiveXgboostsBits) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("breast_cancer.csv")));
  for (const char* label : {"malignant"}) {
    TrainOptions o{label};
    o.params = {{"num_round", "10"}};
    json doc = ModelJson(t, o);
    for (json& tree : doc["learner"]["gradient_booster"]["model"]["trees"]) {
      json& cond = tree["split_conditions"];
      for (size_t i = 0; i < cond.size(); ++i)
        if (tree["left_children"][i].get<int>() < 0) cond[i] = cond[i].get<double>() < 0 ? -60.0 : 60.0;
    }
    const std::string text = doc.dump();
    std::unique_ptr<Forest> forest = Forest::FromJsonText(text);
    ASSERT_NE(forest, nullptr);
    EncodeReport report;
    auto bundle_sig = TrainModel(t, o)->bundle.signature;
    ASSERT_OK_AND_ASSIGN(std::vector<float> encoded, EncodeFeatures(t, bundle_sig, &report));
    const std::vector<float> rows = TestRows(encoded, *forest);
    const std::vector<float> got = ForestPredict(*forest, rows);
    ExpectSameBits(got, XgboostPredict(text, rows, forest->features()), label);
    EXPECT_TRUE(std::any_of(got.begin(), got.end(), [](float p) { return p < 1e-30f; }));
  }
}

TEST(ForestTest, ModelsItDoesNotCoverAreLeftToXgboost) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("diabetes.csv")));
  TrainOptions o{"progression"};
  o.params = {{"num_round", "5"}};
  const json base = ModelJson(t, o);
  EXPECT_NE(Forest::FromJsonText(base.dump()), nullptr);

  json poisson = base;  // another objective: another transform
  poisson["learner"]["objective"]["name"] = "count:poisson";
  EXPECT_EQ(Forest::FromJsonText(poisson.dump()), nullptr);
  json dart = base;
  dart["learner"]["gradient_booster"]["name"] = "dart";
  EXPECT_EQ(Forest::FromJsonText(dart.dump()), nullptr);
  json categorical = base;
  categorical["learner"]["gradient_booster"]["model"]["trees"][0]["split_type"][0] = 1;
  EXPECT_EQ(Forest::FromJsonText(categorical.dump()), nullptr);
  json cycle = base;  // a child pointing back at the root: a walk would never end
  cycle["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][1] = 0;
  cycle["learner"]["gradient_booster"]["model"]["trees"][0]["right_children"][1] = 1;
  EXPECT_EQ(Forest::FromJsonText(cycle.dump()), nullptr);
  json apart = base;  // a right child that does not follow the left
  apart["learner"]["gradient_booster"]["model"]["trees"][0]["right_children"][0] = 5;
  EXPECT_EQ(Forest::FromJsonText(apart.dump()), nullptr);
  json feature = base;
  feature["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 10;  // 10 inputs: 0..9
  EXPECT_EQ(Forest::FromJsonText(feature.dump()), nullptr);
  json missing_key = base;
  missing_key["learner"]["gradient_booster"]["model"].erase("tree_info");
  EXPECT_EQ(Forest::FromJsonText(missing_key.dump()), nullptr);
  EXPECT_EQ(Forest::FromJsonText("not json"), nullptr);
  EXPECT_EQ(Forest::FromUbjson(std::string("\x5b\x24", 2)), nullptr);
}

// The Predictor over a trained model: native or not as expected, and XGBoost's answers either way.
void CheckPredictor(const Table& t, const TrainResult& trained, bool native, const std::string& what) {
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(trained.bundle.Serialize()));
  EXPECT_EQ(predictor->native(), native) << what;
  EncodeReport report;
  ASSERT_OK_AND_ASSIGN(Predictions p, predictor->Predict(t, &report));
  ASSERT_OK_AND_ASSIGN(std::vector<float> encoded, EncodeFeatures(t, trained.bundle.signature, &report));
  ExpectSameBits(p.values, XgboostPredict(trained.bundle.model, encoded, trained.bundle.signature.features.size()),
                 what);
}

// A trained model is evaluated natively by the Predictor.
TEST(ForestTest, PredictorUsesItForTrainedModels) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("wine.csv")));
  ASSERT_OK_AND_ASSIGN(TrainResult trained, TrainModel(t, {"cultivar"}));
  CheckPredictor(t, trained, /*native=*/true, "gbtree");
}

// A model the evaluator does not cover (here a dart booster, whose trees are weighted) is
// predicted by XGBoost.
TEST(ForestTest, PredictorFallsBackToXgboostForOtherModels) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadTable(testing::DatasetPath("breast_cancer.csv")));
  TrainOptions o{"malignant"};
  o.params = {{"booster", "dart"}, {"rate_drop", "0.1"}, {"num_round", "10"}};
  ASSERT_OK_AND_ASSIGN(TrainResult trained, TrainModel(t, o));
  EXPECT_EQ(Forest::FromUbjson(trained.bundle.model), nullptr);
  CheckPredictor(t, trained, /*native=*/false, "dart");
}

}  // namespace
}  // namespace gyre
