// `gyre predict --log` and `gyre monitor` end to end: a model is trained, its batch predictions
// are logged, and monitoring compares the latest window with the training data.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "monitor/model_monitor.h"
#include "monitor/prediction_log.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class MonitorCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    for (auto [name, rows, seed, drift] : {std::tuple{"train.csv", "6000", "1", "0"},
                                           {"ok.csv", "1500", "2", "0"}, {"bad.csv", "1500", "3", "0.8"}})
      ASSERT_EQ(Run({"data", "generate", "--rows", rows, "--seed", seed, "--drift", drift, "--out",
                     dir_->File(name)}).code, 0);
    ASSERT_EQ(Run({"train", "--data", dir_->File("train.csv"), "--label", "is_fraud", "--register",
                   "fraud", "--alias", "champion"}).code, 0);
  }
  static void TearDownTestSuite() { delete dir_; }
  struct CliRun {
    int code;
    std::string out, err;
  };
  static CliRun Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"gyre", "--home", dir_->File("home")});
    std::ostringstream out, err;
    const int code = RunCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  static std::string F(const std::string& name) { return dir_->File(name); }
  static inline testing::TempDir* dir_ = nullptr;
};

TEST_F(MonitorCliTest, NothingLoggedIsAClearError) {
  CliRun r = Run({"monitor", "fraud:champion"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no logged predictions"), std::string::npos) << r.err;
}

TEST_F(MonitorCliTest, LoggedTrafficIsComparedWithTheTrainingData) {
  ASSERT_EQ(Run({"predict", "fraud:champion", "--input", F("ok.csv"), "--output", F("p1.csv"), "--log"}).code, 0);
  CliRun calm = Run({"monitor", "fraud", "--window", "1500", "--json"});
  ASSERT_EQ(calm.code, 0) << calm.err;
  json j = json::parse(calm.out);
  EXPECT_EQ(j["model"], "fraud");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["window"]["rows"], 1500);
  EXPECT_FALSE(j["dataset_drift"]);
  EXPECT_FALSE(j["prediction_drift"]["drift"]);
  EXPECT_EQ(j["log"]["records"], 1500);
  for (const json& c : j["columns"]) EXPECT_NE(c["column"], "is_fraud");  // inputs only

  ASSERT_EQ(Run({"predict", "fraud:1", "--input", F("bad.csv"), "--output", F("p2.csv"), "--log"}).code, 0);
  CliRun moved = Run({"monitor", "fraud:champion", "--window", "1500", "--json", "--html", F("mon.html")});
  ASSERT_EQ(moved.code, 0) << moved.err;
  j = json::parse(moved.out);
  EXPECT_TRUE(j["dataset_drift"]);
  EXPECT_TRUE(j["prediction_drift"]["drift"]);
  ASSERT_EQ(j["history"].size(), 2u);  // the calm window, then the drifted one
  EXPECT_FALSE(j["history"][0]["dataset_drift"]);
  EXPECT_TRUE(j["history"][1]["dataset_drift"]);
  const std::string page = testing::ReadAll(F("mon.html"));
  EXPECT_NE(page.find("Drift over time"), std::string::npos);
  EXPECT_NE(page.find("p_1"), std::string::npos);

  EXPECT_EQ(Run({"monitor", "fraud", "--window", "1500", "--fail-on-drift"}).code, 3);
  CliRun since = Run({"monitor", "fraud", "--since", "1h", "--json"});
  ASSERT_EQ(since.code, 0) << since.err;
  EXPECT_EQ(json::parse(since.out)["window"]["rows"], 3000);
  EXPECT_EQ(Run({"monitor", "fraud", "--since", "yesterday"}).code, 1);

  // A crash while the server was writing: the torn record is skipped and reported.
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(F("home/logs/fraud"))) last = std::max(last, e.path().string());
  std::filesystem::resize_file(last, std::filesystem::file_size(last) - 10);
  CliRun torn = Run({"monitor", "fraud", "--window", "1500", "--json"});
  ASSERT_EQ(torn.code, 0) << torn.err;
  j = json::parse(torn.out);
  EXPECT_EQ(j["log"]["torn_tails"], 1);
  EXPECT_EQ(j["log"]["records"], 2999);
}

TEST(ModelMonitorTest, InputsRoundTripThroughTheLog) {
  ModelBundle b;
  b.task = Task::kBinary;
  b.signature.features = {{"amount", ColumnType::kFloat64, {}}, {"n", ColumnType::kInt64, {}},
                          {"channel", ColumnType::kString, {"pos", "web"}}, {"ok", ColumnType::kBool, {}}};
  b.signature.classes = {"0", "1"};
  Table t;
  Column amount("amount", ColumnType::kFloat64), n("n", ColumnType::kInt64), channel("channel", ColumnType::kString),
      ok("ok", ColumnType::kBool);
  amount.AppendDouble(12.25);
  amount.AppendNull();
  n.AppendInt(7);
  n.AppendInt(-3);
  channel.AppendString("web \"quoted\"");
  channel.AppendNull();
  ok.AppendBool(true);
  ok.AppendBool(false);
  for (Column* c : {&amount, &n, &channel, &ok}) t.AddColumn(std::move(*c));
  Predictions p;
  p.rows = 2;
  p.values = {0.125f, 0.75f};
  p.predicted_class = {0, 1};
  std::vector<PredictionRecord> records(2);
  for (int r = 0; r < 2; ++r) {
    records[r].inputs_json = InputsJson(t, b.signature, r);
    records[r].outputs_json = OutputsJson(b, p, r);
  }
  records[1].inputs_json = "{\"amount\":\"lots\",\"n\":-3,\"channel\":null,\"ok\":false}";
  int64_t mistyped = 0;
  Table back = RecordsToTable(records, b, &mistyped);
  EXPECT_EQ(mistyped, 1);  // "lots" is not a number
  EXPECT_EQ(back.Find("amount")->doubles()[0], 12.25);
  EXPECT_FALSE(back.Find("amount")->IsValid(1));
  EXPECT_EQ(back.Find("n")->doubles()[1], -3);
  EXPECT_EQ(back.Find("channel")->StringAt(0), "web \"quoted\"");
  EXPECT_FALSE(back.Find("channel")->IsValid(1));
  EXPECT_EQ(back.Find("ok")->bools()[0], 1);
  EXPECT_EQ(back.Find("prediction")->StringAt(1), "1");
  EXPECT_EQ(back.Find("p_1")->doubles()[0], 0.125);  // the float, exactly
  EXPECT_EQ(back.Find("p_0")->doubles()[1], 1.0 - 0.75f);
}

}  // namespace
}  // namespace gyre
