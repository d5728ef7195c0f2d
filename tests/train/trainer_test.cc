#include "train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "data/reader.h"
#include "model/predictor.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

Table Load(const std::string& name) {
  auto t = ReadTable(testing::DatasetPath(name));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : Table();
}

TEST(TrainerTest, BreastCancerBinaryAucAbove095) {
  Table t = Load("breast_cancer.csv");
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, {"malignant"}));
  EXPECT_EQ(r.bundle.task, Task::kBinary);
  EXPECT_GT(r.metrics["roc_auc"], 0.95);
  EXPECT_EQ(r.train_rows + r.test_rows, 569);
  EXPECT_NEAR(static_cast<double>(r.test_rows), 569 * 0.2, 1.0);
  EXPECT_EQ(r.bundle.signature.features.size(), 30u);
  EXPECT_EQ(r.bundle.signature.classes, (std::vector<std::string>{"0", "1"}));
  ASSERT_FALSE(r.importance.empty());
  EXPECT_GT(r.importance[0].second, r.importance.back().second);
}

TEST(TrainerTest, IrisAndWineMulticlass) {
  for (const auto& [file, label] : {std::pair{"iris.csv", "species"}, std::pair{"wine.csv", "cultivar"}}) {
    Table t = Load(file);
    ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, {label}));
    EXPECT_EQ(r.bundle.task, Task::kMulticlass) << file;
    EXPECT_EQ(r.bundle.signature.classes.size(), 3u) << file;
    EXPECT_GT(r.metrics["accuracy"], 0.85) << file;
    EXPECT_GT(r.metrics["macro_f1"], 0.85) << file;
  }
}

TEST(TrainerTest, DiabetesRegression) {
  Table t = Load("diabetes.csv");
  TrainOptions o{"progression"};
  o.params["max_depth"] = "3";
  o.params["eta"] = "0.05";
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, o));
  EXPECT_EQ(r.bundle.task, Task::kRegression);
  EXPECT_GT(r.metrics["r2"], 0.25) << "diabetes is hard: the literature reports about 0.4 to 0.5";
  EXPECT_GT(r.metrics["rmse"], 0);
}

TEST(TrainerTest, SameInputsSameBundleBytes) {
  Table t = Load("breast_cancer.csv");
  TrainOptions o{"malignant"};
  o.seed = 3;
  ASSERT_OK_AND_ASSIGN(TrainResult a, TrainModel(t, o));
  ASSERT_OK_AND_ASSIGN(TrainResult b, TrainModel(t, o));
  EXPECT_EQ(a.bundle.Serialize(), b.bundle.Serialize());
  o.seed = 4;
  ASSERT_OK_AND_ASSIGN(TrainResult c, TrainModel(t, o));
  EXPECT_NE(a.bundle.Serialize(), c.bundle.Serialize()) << "another seed, another split";
}

// Columns in another order than the model's, and one it does not use: the same predictions,
// and only the unused column reported (not the label).
TEST(TrainerTest, ColumnsInAnyOrderAndUnusedOnesReported) {
  Table t = Load("iris.csv");
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, {"species"}));
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(r.bundle.Serialize()));
  EncodeReport report;
  ASSERT_OK_AND_ASSIGN(Predictions in_order, predictor->Predict(t, &report));
  Table reordered;
  Column comment("comment", ColumnType::kString);
  for (int64_t i = 0; i < t.num_rows(); ++i) comment.AppendString("row");
  reordered.AddColumn(std::move(comment));
  for (int c = t.num_columns() - 1; c >= 0; --c) reordered.AddColumn(t.column(c));
  EncodeReport other;
  ASSERT_OK_AND_ASSIGN(Predictions shuffled, predictor->Predict(reordered, &other));
  EXPECT_EQ(shuffled.values, in_order.values);
  EXPECT_EQ(other.ignored_columns, std::vector<std::string>{"comment"});
}

TEST(TrainerTest, BundleRoundTripsAndPredictsTheSameFromManyThreads) {
  Table t = Load("iris.csv");
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, {"species"}));
  std::string bytes = r.bundle.Serialize();
  ASSERT_OK_AND_ASSIGN(ModelBundle parsed, ModelBundle::Parse(bytes));
  EXPECT_EQ(parsed.Serialize(), bytes);
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(bytes));
  EncodeReport report;
  ASSERT_OK_AND_ASSIGN(Predictions once, predictor->Predict(t, &report));
  EXPECT_EQ(once.rows, 150);
  EXPECT_EQ(once.width, 3);
  EXPECT_EQ(report.ignored_columns, std::vector<std::string>{});
  int correct = 0;
  for (int64_t i = 0; i < 150; ++i) {
    correct += r.bundle.signature.classes[static_cast<size_t>(once.predicted_class[static_cast<size_t>(i)])] ==
               t.Find("species")->StringAt(i);
  }
  EXPECT_GT(correct, 140);
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 20; ++rep) {
        EncodeReport rr;
        auto p = predictor->Predict(t, &rr);
        same[static_cast<size_t>(k)] += p.ok() && p->values == once.values;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(same, (std::vector<int>{20, 20, 20, 20}));
}

TEST(TrainerTest, EarlyStoppingKeepsTheBestRounds) {
  Table t = Load("breast_cancer.csv");
  TrainOptions o{"malignant"};
  o.params["num_round"] = "500";
  o.params["eta"] = "0.3";
  o.params["early_stopping_rounds"] = "10";
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, o));
  EXPECT_GT(r.best_rounds, 0);
  EXPECT_LT(r.best_rounds, 500) << "500 rounds at eta 0.3 overfit long before the end";
  EXPECT_GT(r.metrics["roc_auc"], 0.95);
  EXPECT_NEAR(static_cast<double>(r.test_rows), 569 * 0.2, 1.0) << "the holdout is the same size";
  EXPECT_NE(r.bundle.params_json.find("\"early_stopping_rounds\":\"10\""), std::string::npos) << r.bundle.params_json;
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(r.bundle.Serialize()));
  EXPECT_EQ(predictor->bundle().task, Task::kBinary);
  o.params["eval_metric"] = "auc";  // a metric that grows
  ASSERT_OK_AND_ASSIGN(TrainResult with_auc, TrainModel(t, o));
  EXPECT_LT(with_auc.best_rounds, 500);
  o.params["early_stopping_rounds"] = "0";
  EXPECT_EQ(TrainModel(t, o).status().code(), StatusCode::kInvalidArgument);
}

// A small table: `n` rows of an ascending id, a shuffled id, a column whose only repeat comes
// late, a timestamp, a noisy feature and labels of several kinds.
Table Mixed(int n) {
  Column asc("asc_id", ColumnType::kInt64), shuffled("shuffled_id", ColumnType::kInt64),
      late("late_repeat", ColumnType::kInt64), when("when", ColumnType::kTimestamp),
      x("x", ColumnType::kFloat64), y("y", ColumnType::kInt64), cls("cls", ColumnType::kInt64),
      text("text", ColumnType::kString);
  for (int i = 0; i < n; ++i) {
    asc.AppendInt(i);
    shuffled.AppendInt((static_cast<int64_t>(i) * 7919) % n);  // a permutation: 7919 is prime, n is not its multiple
    late.AppendInt(i == n - 1 ? 1 : i * 3 + 1);                 // the last row repeats row 0's value
    when.AppendInt(int64_t{1'700'000'000'000'000} + i);
    x.AppendDouble((i % 17) * 0.5 + (i % 2));
    y.AppendInt(i % 2);
    cls.AppendInt(i % 3 == 0 ? 10 : (i % 3 == 1 ? 2 : 3));
    text.AppendString(i % 2 == 0 ? "yes" : "no");
  }
  Table t;
  for (Column* c : {&asc, &shuffled, &late, &when, &x, &y, &cls, &text}) t.AddColumn(std::move(*c));
  return t;
}

TEST(TrainerTest, InputsLeaveOutIdentifiersTimestampsAndTheLabel) {
  Table t = Mixed(6000);
  TrainOptions o{"y"};
  EXPECT_EQ(InputColumns(t, o), (std::vector<std::string>{"late_repeat", "x", "cls", "text"}))
      << "ascending and shuffled ids are identifiers; a column that repeats one value late is not";
  o.exclude = {"cls"};
  EXPECT_EQ(InputColumns(t, o), (std::vector<std::string>{"late_repeat", "x", "text"}));
}

TEST(TrainerTest, LabelsOfEachKind) {
  Table t = Mixed(3000);
  TrainOptions o{"cls"};
  o.exclude = {"y", "text"};
  o.params["num_round"] = "5";
  ASSERT_OK_AND_ASSIGN(TrainResult regression, TrainModel(t, o));
  EXPECT_EQ(regression.bundle.task, Task::kRegression) << "three numbers and no task asked for";
  o.task = Task::kMulticlass;
  ASSERT_OK_AND_ASSIGN(TrainResult multi, TrainModel(t, o));
  EXPECT_EQ(multi.bundle.signature.classes, (std::vector<std::string>{"2", "3", "10"})) << "numeric order";
  o = TrainOptions{"text"};
  o.params["num_round"] = "5";
  ASSERT_OK_AND_ASSIGN(TrainResult text, TrainModel(t, o));
  EXPECT_EQ(text.bundle.task, Task::kBinary);
  EXPECT_EQ(text.bundle.signature.classes, (std::vector<std::string>{"no", "yes"}));
  // Row 0 is "yes" (class 1): its label must be encoded as 1 wherever it falls.
  for (float label : text.holdout_labels) EXPECT_TRUE(label == 0.0f || label == 1.0f);
  EXPECT_NEAR(std::count(text.holdout_labels.begin(), text.holdout_labels.end(), 1.0f),
              text.holdout_labels.size() / 2.0, 1.0) << "stratified: half of each";
}

TEST(TrainerTest, HoldoutOutputsAreThePredictorsOnTheHoldoutRows) {
  Table t = Load("breast_cancer.csv");
  TrainOptions o{"malignant"};
  o.seed = 5;
  // The hook sees the outputs once, with the task and classes, before any metric exists.
  int calls = 0;
  std::vector<float> seen;
  size_t metrics_then = 1;
  o.on_holdout = [&](const TrainResult& early) {
    ++calls;
    seen = early.holdout_outputs;
    metrics_then = early.metrics.size();
    EXPECT_EQ(early.bundle.task, Task::kBinary);
    EXPECT_EQ(early.bundle.signature.classes, (std::vector<std::string>{"0", "1"}));
  };
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, o));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, r.holdout_outputs);
  EXPECT_EQ(metrics_then, 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<bool> held, HoldoutRows(t, o));
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(r.bundle.Serialize()));
  EncodeReport report;
  ASSERT_OK_AND_ASSIGN(Predictions all, predictor->Predict(t, &report));
  std::vector<float> expected, labels;
  for (size_t i = 0; i < held.size(); ++i) {
    if (!held[i]) continue;
    expected.push_back(all.values[i]);
    labels.push_back(static_cast<float>(t.Find("malignant")->NumberAt(static_cast<int64_t>(i))));
  }
  EXPECT_EQ(r.holdout_outputs, expected);
  EXPECT_EQ(r.holdout_labels, labels);
}

TEST(TrainerTest, BadInput) {
  Table t = Load("iris.csv");
  EXPECT_EQ(TrainModel(t, {"nope"}).status().code(), StatusCode::kInvalidArgument);
  TrainOptions o{"species"};
  o.task = Task::kRegression;
  EXPECT_NE(TrainModel(t, o).status().message().find("regression label must be a number"), std::string::npos);
  o.task = Task::kBinary;
  EXPECT_NE(TrainModel(t, o).status().message().find("needs exactly 2"), std::string::npos);
  o = TrainOptions{"species"};
  o.params["num_round"] = "zero";
  EXPECT_EQ(TrainModel(t, o).status().code(), StatusCode::kInvalidArgument);
  o = TrainOptions{"species"};
  o.params["max_depth"] = "-3";
  EXPECT_FALSE(TrainModel(t, o).ok()) << "XGBoost's own refusal becomes an error";
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainModel(t, {"species"}));
  ASSERT_OK_AND_ASSIGN(auto predictor, Predictor::Load(r.bundle.Serialize()));
  Table missing_column;
  missing_column.AddColumn(Column("sepal_length_cm", ColumnType::kFloat64));
  EncodeReport report;
  auto p = predictor->Predict(missing_column, &report);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("input column sepal_width_cm is missing"), std::string::npos) << p.status().ToString();
  EXPECT_EQ(ModelBundle::Parse("not a tar").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace gyre
