// `gyre train` and `gyre predict` end to end on a real dataset.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

TEST(TrainCliTest, TrainRegisterPredict) {
  testing::TempDir dir;
  std::string home = dir.File("home"), out, err;
  ASSERT_EQ(testing::RunGyre(home, {"data", "add", testing::DatasetPath("breast_cancer.csv"), "--name", "cancer",
                                    "--label", "malignant"}, &out, &err), 0) << err;
  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", "cancer", "--label", "malignant", "--experiment", "cancer",
                                    "--set", "max_depth=4", "--set", "num_round=50", "--register", "cancer", "--alias",
                                    "champion", "--json"}, &out, &err), 0) << err;
  json train = json::parse(out);
  for (const char* k : {"run_id", "metrics", "model", "version"}) EXPECT_TRUE(train.contains(k)) << k;
  EXPECT_GT(train["metrics"]["roc_auc"].get<double>(), 0.95);
  EXPECT_EQ(train["version"], 1);

  ASSERT_EQ(testing::RunGyre(home, {"runs", "show", train["run_id"], "--json"}, &out, &err), 0) << err;
  json run = json::parse(out);
  EXPECT_EQ(run["status"], "FINISHED");
  EXPECT_EQ(run["params"]["max_depth"], "4");
  EXPECT_EQ(run["params"]["num_round"], "50");
  EXPECT_EQ(run["params"]["data"], "cancer:1");
  EXPECT_EQ(run["inputs"][0]["dataset"], "cancer");
  EXPECT_EQ(run["artifacts"].size(), 2u);  // model, evaluation.json
  EXPECT_EQ(run["models"], json::array({"cancer:1"}));

  std::string predictions = dir.File("p.csv");
  ASSERT_EQ(testing::RunGyre(home, {"predict", "cancer:champion", "--input", testing::DatasetPath("breast_cancer.csv"),
                                    "--output", predictions, "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["rows"], 569);
  std::string csv = testing::ReadAll(predictions);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "prediction,p_0,p_1");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 570);
  EXPECT_EQ(err.find("does not use"), std::string::npos) << "the label column is not an extra column: " << err;
}

TEST(TrainCliTest, ErrorsAreClearAndAFailedTrainingIsAFailedRun) {
  testing::TempDir dir;
  std::string home = dir.File("home"), out, err;
  std::string iris = testing::DatasetPath("iris.csv");
  EXPECT_EQ(testing::RunGyre(home, {"train", "--data", iris, "--label", "nope"}, &out, &err), 1);
  EXPECT_NE(err.find("label nope: no such column"), std::string::npos) << err;
  EXPECT_EQ(testing::RunGyre(home, {"train", "--data", iris, "--label", "species", "--set", "bad"}, &out, &err), 1);
  EXPECT_EQ(testing::RunGyre(home, {"train", "--data", "nothing:2", "--label", "y"}, &out, &err), 1);
  ASSERT_EQ(testing::RunGyre(home, {"runs", "list", "--json"}, &out, &err), 0);
  json runs = json::parse(out)["runs"];
  ASSERT_EQ(runs.size(), 1u) << "the run whose training failed is kept, as FAILED";
  EXPECT_EQ(runs[0]["status"], "FAILED");
  EXPECT_EQ(testing::RunGyre(home, {"predict", "none:1", "--input", iris}, &out, &err), 1);
  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", iris, "--label", "species", "--register", "flowers"}, &out, &err), 0)
      << err;
  std::string bad = dir.Write("bad.csv", "sepal_length_cm,petal_width_cm\n1,2\n");
  EXPECT_EQ(testing::RunGyre(home, {"predict", "flowers", "--input", bad}, &out, &err), 1);
  EXPECT_NE(err.find("input column sepal_width_cm is missing"), std::string::npos) << err;
}

TEST(TrainCliTest, SearchKeepsTheBestChildAndRunsReproduceExactly) {
  testing::TempDir dir;
  std::string home = dir.File("home"), out, err;
  ASSERT_EQ(testing::RunGyre(home, {"data", "add", testing::DatasetPath("wine.csv"), "--name", "wine"}, &out, &err), 0);
  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", "wine", "--label", "cultivar", "--set", "max_depth=2,4",
                                    "--set", "eta=0.1,0.3", "--set", "num_round=20", "--register", "wine", "--json"},
                             &out, &err), 0) << err;
  json search = json::parse(out);
  ASSERT_EQ(search["trials"].size(), 4u);
  double best = 1e9;
  std::string best_run;
  for (const auto& t : search["trials"]) {
    if (t["validation_log_loss"].get<double>() < best) {
      best = t["validation_log_loss"].get<double>();
      best_run = t["run_id"];
    }
  }
  EXPECT_EQ(search["run_id"], best_run) << "multiclass keeps the lowest validation log loss";
  ASSERT_EQ(testing::RunGyre(home, {"runs", "show", search["parent_run_id"], "--json"}, &out, &err), 0) << err;
  json parent = json::parse(out);
  EXPECT_EQ(parent["child_runs"].size(), 4u);
  EXPECT_EQ(parent["tags"]["best_run"], best_run);
  ASSERT_EQ(testing::RunGyre(home, {"runs", "show", best_run, "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["parent_run_id"], search["parent_run_id"]);

  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", "wine", "--label", "cultivar", "--set", "max_depth=2,3,4,5",
                                    "--search", "random", "--trials", "2", "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["trials"].size(), 2u);

  ASSERT_EQ(testing::RunGyre(home, {"runs", "reproduce", best_run, "--json"}, &out, &err), 0) << err;
  json again = json::parse(out);
  EXPECT_TRUE(again["identical"].get<bool>());
  EXPECT_EQ(again["original_sha256"], again["reproduced_sha256"]);
  EXPECT_EQ(testing::RunGyre(home, {"runs", "reproduce", search["parent_run_id"]}, &out, &err), 1)
      << "a search's parent has no model to reproduce";
  // XGBoost's own seed set by hand, and early stopping's implicit validation share: both are
  // recorded so that the run reproduces.
  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", "wine", "--label", "cultivar", "--set", "seed=7", "--set",
                                    "early_stopping_rounds=5", "--seed", "3", "--json"}, &out, &err), 0) << err;
  std::string seeded = json::parse(out)["run_id"];
  ASSERT_EQ(testing::RunGyre(home, {"runs", "reproduce", seeded}, &out, &err), 0) << out << err;
  // A trial that fails ends its search as FAILED, not RUNNING.
  ASSERT_EQ(testing::RunGyre(home, {"train", "--data", "wine", "--label", "cultivar", "--experiment", "broken",
                                    "--set", "max_depth=2,-1", "--json"}, &out, &err), 1);
  ASSERT_EQ(testing::RunGyre(home, {"runs", "list", "--experiment", "broken", "--json"}, &out, &err), 0);
  for (const auto& r : json::parse(out)["runs"]) EXPECT_NE(r["status"], "RUNNING") << r.dump();
  EXPECT_EQ(testing::RunGyre(home, {"train", "--data", "wine", "--label", "cultivar", "--search", "random"}, &out, &err), 1);
  std::vector<std::string> huge = {"train", "--data", "wine", "--label", "cultivar"};
  for (const char* k : {"a", "b", "c", "d", "e"}) {
    huge.push_back("--set");
    huge.push_back(std::string(k) + "=1,2,3,4,5,6,7,8,9,10");
  }
  EXPECT_EQ(testing::RunGyre(home, huge, &out, &err), 1);
  EXPECT_NE(err.find("over 10,000 combinations"), std::string::npos) << err;
}

}  // namespace
}  // namespace gyre
