// `gyre pipeline check`, `gyre run` and `gyre loop` as users call them, on the examples as they
// are shipped (copied to a temporary folder, run on a fresh home).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

class PipelineCliTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("GYRE", GYRE_BINARY, 1); }  // what run: steps call as $GYRE
  testing::CliRun Run(std::vector<std::string> args) { return testing::Gyre(dir_.File("home"), std::move(args)); }
  std::string CopyExample(const std::string& name) {
    fs::copy(std::string(GYRE_EXAMPLES_DIR) + "/" + name, dir_.File(name), fs::copy_options::recursive);
    fs::remove_all(dir_.File(name + "/out"));
    return dir_.File(name + "/pipeline.yaml");
  }
  std::map<std::string, std::string> Statuses(const json& run) {
    std::map<std::string, std::string> out;
    for (const auto& s : run["steps"]) out[s["id"]] = s["status"];
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(PipelineCliTest, CheckPassesTheExamplesAndNamesLinesOfProblems) {
  for (const char* example : {"fraud", "demand"}) {
    testing::CliRun ok = Run({"pipeline", "check", CopyExample(example)});
    EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("no problems"), std::string::npos);
  }
  const std::string bad = dir_.Write("bad.yaml", "name: bad\nsteps:\n  a:\n    uses: train\n    with: {data: d}\n"
                                                   "  b: {run: 'true', needs: [a, nobody]}\n");
  testing::CliRun r = Run({"pipeline", "check", bad});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("bad.yaml:3:3: step a: a train step needs with.label"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad.yaml:6:"), std::string::npos) << r.out;
  testing::CliRun j = Run({"--json", "pipeline", "check", bad});
  EXPECT_EQ(j.code, 3);
  json doc = json::parse(j.out);
  EXPECT_FALSE(doc["valid"].get<bool>());
  EXPECT_EQ(doc["problems"].size(), 2u);
  EXPECT_EQ(doc["problems"][0]["line"], 3);
  EXPECT_EQ(Run({"pipeline", "check", dir_.File("missing.yaml")}).code, 1);
}

TEST_F(PipelineCliTest, TheFraudExampleRunsAsShippedThenComesFromTheCache) {
  const std::string spec = CopyExample("fraud");
  testing::CliRun first = Run({"--json", "run", spec});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  json run = json::parse(first.out);
  EXPECT_EQ(run["status"], "FINISHED");
  ASSERT_EQ(run["steps"].size(), 8u);
  for (const auto& s : run["steps"]) {
    EXPECT_EQ(s["status"], "ran") << s.dump();
    EXPECT_TRUE(s["seconds"].is_number());
  }
  EXPECT_TRUE(fs::exists(dir_.File("fraud/out/fraud_by_channel.csv")));
  testing::CliRun model = Run({"--json", "models", "show", "fraud:champion"});
  ASSERT_EQ(model.code, 0) << model.err;
  EXPECT_EQ(json::parse(model.out)["version"], 1);

  Run({"run", spec});  // the gate now meets its own challenger as champion
  testing::CliRun third = Run({"--json", "run", spec});
  ASSERT_EQ(third.code, 0) << third.err;
  for (const auto& [id, status] : Statuses(json::parse(third.out))) EXPECT_EQ(status, "cached") << id;

  // The run's steps and their lineage are on record.
  testing::CliRun shown = Run({"--json", "runs", "show", run["run_id"]});
  ASSERT_EQ(shown.code, 0) << shown.err;
  json detail = json::parse(shown.out);
  ASSERT_EQ(detail["steps"].size(), 8u);
  EXPECT_EQ(detail["steps"][0]["step"], "generate");
  EXPECT_EQ(detail["steps"][0]["outputs"]["files"]["data"]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(PipelineCliTest, TheDemandExampleRejectsAWorseChallenger) {
  const std::string spec = CopyExample("demand");
  ASSERT_EQ(Run({"run", spec}).code, 0);
  // Fewer rows make a worse model: the gate keeps the champion and says why (exit 3).
  testing::CliRun worse = Run({"--json", "run", spec, "--param", "rows=3000"});
  EXPECT_EQ(worse.code, 3) << worse.out << worse.err;
  json run = json::parse(worse.out);
  EXPECT_TRUE(run["rejected"].get<bool>());
  EXPECT_EQ(run["gate"]["step"], "gate");
  EXPECT_EQ(Statuses(run)["register"], "skipped");
  EXPECT_NE(worse.err.find("rejected the challenger"), std::string::npos) << worse.err;
  EXPECT_EQ(Run({"run", spec, "--param", "nope=1"}).code, 1);
  // The decision is visible in the list of runs.
  json runs = json::parse(Run({"--json", "runs", "list", "--experiment", "demand"}).out)["runs"];
  std::vector<std::string> outcomes;
  for (const auto& r : runs) {
    if (r.contains("outcome")) outcomes.push_back(r["outcome"]);
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"rejected", "succeeded"}));  // newest first
}

// Starts `gyre loop` as a process, waits until it watches, stops it with SIGTERM.
TEST_F(PipelineCliTest, TheLoopStopsGracefullyOnSigterm) {
  const std::string spec = dir_.Write("loop.yaml", "name: idle\ntriggers: {every: 1h}\nsteps:\n  tick: {run: 'true'}\n");
  testing::GyreProcess loop({"--home", dir_.File("home"), "loop", spec, "--poll", "0.05", "--max-seconds", "60"});
  ASSERT_TRUE(loop.started());
  loop.ReadUntil("  run ");  // the schedule's first run has finished
  const int status = loop.Stop(SIGTERM);
  const std::string& out = loop.out();
  EXPECT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("stopped: 1 runs"), std::string::npos) << out;
}

// The alert comes from `gyre monitor` itself: drifted traffic is logged, monitoring raises the
// drift alert, and the loop that watches the model's alerts retrains.
TEST_F(PipelineCliTest, TheLoopRetrainsOnADriftAlertFromMonitoring) {
  ASSERT_EQ(Run({"data", "generate", "--rows", "4000", "--seed", "1", "--out", dir_.File("train.csv")}).code, 0);
  ASSERT_EQ(Run({"data", "generate", "--rows", "2000", "--seed", "2", "--drift", "1", "--out", dir_.File("drifted.csv")}).code, 0);
  const std::string spec = dir_.Write("retrain.yaml", R"(name: retrain
params: {file: train.csv}
triggers: {alerts: {model: fraud}}
steps:
  train:
    uses: train
    with: {data: "${params.file}", label: is_fraud}
  register:
    uses: register
    with: {run: "${steps.train.outputs.run}", model: fraud, alias: champion}
)");
  testing::CliRun first = Run({"--json", "run", spec});
  ASSERT_EQ(first.code, 0) << first.err;
  ASSERT_EQ(Run({"predict", "fraud:champion", "--input", dir_.File("drifted.csv"), "--output", dir_.File("p.csv"), "--log"}).code, 0);

  testing::GyreProcess loop({"--home", dir_.File("home"), "loop", spec, "--poll", "0.05", "--max-runs", "1", "--max-seconds", "60"});
  ASSERT_TRUE(loop.started());
  loop.ReadUntil("started:");
  testing::CliRun monitored = Run({"--json", "monitor", "fraud:champion", "--window", "2000"});
  ASSERT_EQ(monitored.code, 0) << monitored.err;
  EXPECT_TRUE(json::parse(monitored.out)["dataset_drift"].get<bool>());
  const std::string& out = loop.ReadUntil("stopped:");
  EXPECT_NE(out.find("trigger: alert: dataset_drift (event 1)"), std::string::npos) << out;
  EXPECT_NE(out.find("run: alert:"), std::string::npos) << out;
  const int status = loop.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
  std::vector<std::string> triggers;  // the pipeline runs', newest first
  const json listed = json::parse(Run({"--json", "runs", "list", "--experiment", "retrain"}).out);
  for (const auto& r : listed["runs"]) {
    if (r.contains("trigger")) triggers.push_back(r["trigger"]);
  }
  ASSERT_EQ(triggers.size(), 2u);
  EXPECT_EQ(triggers[1], "manual");
  EXPECT_EQ(triggers[0].rfind("alert: dataset_drift (event 1)", 0), 0u) << triggers[0];
}

}  // namespace
}  // namespace gyre
