// `gyre predict --log` and `gyre monitor` end to end: a model is trained, its batch predictions
// are logged, and monitoring compares the latest window with the training data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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
  using CliRun = testing::CliRun;
  static CliRun Run(std::vector<std::string> args) { return testing::Gyre(dir_->File("home"), std::move(args)); }
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
  EXPECT_EQ(Run({"monitor", "fraud", "--history", "-1"}).code, 1);

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
  const std::vector<std::string> inputs = InputsJson(t, b.signature), outputs = OutputsJson(b, p);
  for (int r = 0; r < 2; ++r) {
    records[r].inputs_json = inputs[static_cast<size_t>(r)];
    records[r].outputs_json = outputs[static_cast<size_t>(r)];
  }
  // Text that is not UTF-8 (a CSV batch scored by gyre predict, say) is logged, not thrown on.
  {
    Table odd;
    Column text("channel", ColumnType::kString);
    text.AppendString("caf\xe9");
    odd.AddColumn(std::move(text));
    ModelBundle one;
    one.signature.features = {{"channel", ColumnType::kString, {}}};
    const std::vector<std::string> rows = InputsJson(odd, one.signature);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(nlohmann::json::accept(rows[0])) << rows[0];
  }
  // Plain text is only quoted; text with a quote goes through JSON escaping.
  EXPECT_NE(inputs[0].find(R"("channel":"web \"quoted\"")"), std::string::npos) << inputs[0];
  EXPECT_EQ(outputs[1], R"({"prediction":"1","p_0":0.25,"p_1":0.75})");
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
  // Records the fast reader leaves to the tree read as the tree reads them: a nested value
  // (mistyped; its text for a category), a key given twice (the last counts), not an object,
  // not JSON (every value missing).
  std::vector<PredictionRecord> odd(5, records[0]);
  odd[0].inputs_json = R"({"amount":[1],"n":2,"channel":{"a":1},"ok":true})";
  odd[1].inputs_json = R"({"amount":1,"amount":2.5,"n":2,"channel":"web","ok":true})";
  odd[2].inputs_json = "[1,2]";
  odd[3].outputs_json = "{\"prediction\":";
  odd[4].inputs_json = R"({"amount":1,"n":2,"channel":"web","ok":true} and more)";
  Table read = RecordsToTable(odd, b, &mistyped);
  EXPECT_EQ(mistyped, 1) << "the nested amount";
  EXPECT_FALSE(read.Find("amount")->IsValid(0));
  EXPECT_EQ(read.Find("channel")->StringAt(0), R"({"a":1})");
  EXPECT_EQ(read.Find("amount")->doubles()[1], 2.5);
  EXPECT_FALSE(read.Find("n")->IsValid(2));
  EXPECT_EQ(read.Find("n")->doubles()[3], back.Find("n")->doubles()[0]) << "its inputs are still read";
  EXPECT_FALSE(read.Find("p_1")->IsValid(3));
  EXPECT_FALSE(read.Find("amount")->IsValid(4)) << "text after the object: not JSON, as the tree says";
}

}  // namespace
}  // namespace gyre

namespace gyre {
namespace {

// Rewrites a generated file: transaction ids shifted (so two files' ids differ), and a labels
// file of (transaction_id, is_fraud), optionally with the labels flipped.
void ShiftIds(const std::string& path, int64_t by) {
  std::istringstream in(testing::ReadAll(path));
  std::string line, out;
  std::getline(in, line);
  out = line + "\n";
  while (std::getline(in, line)) {
    const size_t comma = line.find(',');
    out += std::to_string(std::stoll(line.substr(0, comma)) + by) + line.substr(comma) + "\n";
  }
  std::ofstream(path) << out;
}

std::string Labels(const std::string& data, const std::string& path, bool flip) {
  std::istringstream in(testing::ReadAll(data));
  std::string line, out = "transaction_id,is_fraud\n";
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::string label = line.substr(line.rfind(',') + 1);
    out += line.substr(0, line.find(',')) + "," + (flip ? (label == "1" ? "0" : "1") : label) + "\n";
  }
  std::ofstream(path) << out;
  return path;
}

class FeedbackCliTest : public ::testing::Test {
 protected:
  using CliRun = testing::CliRun;
  CliRun Run(std::vector<std::string> args) { return testing::Gyre(dir_.File("home"), std::move(args)); }
  testing::TempDir dir_;
};

TEST_F(FeedbackCliTest, LabelsJoinPredictionsAndADropRaisesAnAlert) {
  const std::string train = dir_.File("train.csv"), ok = dir_.File("ok.csv"), bad = dir_.File("bad.csv");
  ASSERT_EQ(Run({"data", "generate", "--rows", "6000", "--seed", "1", "--out", train}).code, 0);
  ASSERT_EQ(Run({"data", "generate", "--rows", "1500", "--seed", "2", "--out", ok}).code, 0);
  ASSERT_EQ(Run({"data", "generate", "--rows", "1500", "--seed", "3", "--out", bad}).code, 0);
  ShiftIds(bad, 100000);
  ASSERT_EQ(Run({"train", "--data", train, "--label", "is_fraud", "--register", "fraud"}).code, 0);
  for (const std::string& f : {ok, bad})
    ASSERT_EQ(Run({"predict", "fraud", "--input", f, "--output", f + ".out", "--log", "--id", "transaction_id"}).code, 0);

  const std::string ok_labels = Labels(ok, dir_.File("ok_labels.csv"), false);
  CliRun r = Run({"feedback", "fraud", "--input", ok_labels, "--id-column", "transaction_id", "--window", "1500",
                  "--max-drop", "0.25", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["received"], 1500);
  EXPECT_EQ(j["stored"], 1500);
  EXPECT_EQ(j["unmatched"], 0);
  ASSERT_EQ(j["windows"].size(), 2u);
  EXPECT_EQ(j["windows"][0]["labeled"], 1500);
  EXPECT_GT(j["windows"][0]["realized"]["roc_auc"].get<double>(), 0.7);
  EXPECT_EQ(j["windows"][1]["labeled"], 0);
  EXPECT_TRUE(j["windows"][1]["estimated"].contains("roc_auc"));  // CBPE before labels arrive
  EXPECT_TRUE(j["alerts"].empty()) << j["alerts"];

  r = Run({"feedback", "fraud", "--input", ok_labels, "--id-column", "transaction_id", "--json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["stored"], 0);  // the same labels again: nothing new

  // Labels that contradict the model: the realized AUC collapses, an alert fires and is kept.
  const std::string wrong = Labels(bad, dir_.File("bad_labels.csv"), true);
  r = Run({"feedback", "fraud", "--input", wrong, "--id-column", "transaction_id", "--window", "1500",
           "--fail-on-alert", "--json"});
  EXPECT_EQ(r.code, 3) << r.err;
  j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["alerts"].empty());
  EXPECT_EQ(j["alerts"][0]["name"], "performance_drop");
  CliRun events = Run({"events", "fraud", "--json"});
  ASSERT_EQ(events.code, 0);
  const nlohmann::json ev = nlohmann::json::parse(events.out);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0]["name"], "performance_drop");
  EXPECT_EQ(ev[0]["kind"], "alert");
  EXPECT_LT(ev[0]["figures"]["value"].get<double>(), 0.5);
  // The same labels again: the same figures, so the alert is not recorded twice.
  EXPECT_EQ(Run({"feedback", "fraud", "--input", wrong, "--id-column", "transaction_id", "--window", "1500"}).code, 0);
  EXPECT_EQ(nlohmann::json::parse(Run({"events", "fraud", "--json"}).out).size(), ev.size());

  // Monitoring now shows realized performance next to the estimate.
  r = Run({"monitor", "fraud", "--window", "1500", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["performance"]["labeled"], 1500);
}

TEST_F(FeedbackCliTest, BadFeedbackIsAClearError) {
  const std::string train = dir_.File("train.csv");
  ASSERT_EQ(Run({"data", "generate", "--rows", "3000", "--seed", "1", "--out", train}).code, 0);
  ASSERT_EQ(Run({"train", "--data", train, "--label", "is_fraud", "--register", "fraud"}).code, 0);
  ASSERT_EQ(Run({"predict", "fraud", "--input", train, "--output", train + ".out", "--log", "--id", "transaction_id"}).code, 0);
  std::ofstream(dir_.File("no_label.csv")) << "transaction_id,other\n1,0\n";
  CliRun r = Run({"feedback", "fraud", "--input", dir_.File("no_label.csv"), "--id-column", "transaction_id"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is_fraud"), std::string::npos) << r.err;
  // Id 3000 is in the latest window monitor looks at, so a stored label would show there.
  std::ofstream(dir_.File("odd.csv")) << "transaction_id,is_fraud\n3000,1\n1,maybe\n";
  r = Run({"feedback", "fraud", "--input", dir_.File("odd.csv"), "--id-column", "transaction_id"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not a class"), std::string::npos) << r.err;
  CliRun after = Run({"monitor", "fraud", "--json"});  // nothing of the refused file was stored
  EXPECT_EQ(nlohmann::json::parse(after.out)["performance"]["labeled"], 0) << after.err;
  std::ofstream(dir_.File("hole.csv")) << "transaction_id,is_fraud\n1,1\n,0\n";
  r = Run({"feedback", "fraud", "--input", dir_.File("hole.csv"), "--id-column", "transaction_id"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("row 2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace gyre
