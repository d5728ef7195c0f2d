// The loop reacts to a file landing in its folder and to an alert, runs one pipeline at a time,
// coalesces triggers, and remembers what it handled across restarts.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "data/generate.h"
#include "pipeline/loop.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

class LoopTest : public ::testing::Test {
 protected:
  // Runs the loop on another thread; `started` is set once it has looked at its triggers.
  std::future<Result<LoopSummary>> Start(const std::string& spec_file, int max_runs, double max_seconds) {
    options_.run.home = dir_.File("home");
    options_.run.gyre_binary = GYRE_BINARY;
    options_.poll_seconds = 0.05;
    options_.max_runs = max_runs;
    options_.max_seconds = max_seconds;
    options_.stop = &stop_;
    started_ = std::promise<void>();
    options_.on_event = [this](const LoopEvent& e) {
      std::lock_guard<std::mutex> g(mu_);
      events_.push_back(e.kind + ": " + e.detail);
      if (e.kind == "started") started_.set_value();
      if (e.run) triggers_.push_back(e.detail);
    };
    auto ready = started_.get_future();
    auto done = std::async(std::launch::async, [this, spec_file] { return RunLoop(spec_file, options_); });
    EXPECT_EQ(ready.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return done;
  }
  testing::TempDir dir_;
  LoopOptions options_;
  std::atomic<bool> stop_{false};
  std::promise<void> started_;
  std::mutex mu_;
  std::vector<std::string> events_, triggers_;
};

const char kWatching[] = R"(name: landing
params: {file: none.csv}
triggers:
  watch: {folder: incoming, pattern: "*.csv", param: file}
steps:
  ingest:
    uses: ingest
    with: {file: "${params.file}", dataset: tx, label: is_fraud}
)";

TEST_F(LoopTest, ALandedFileBecomesADatasetVersion) {
  const std::string spec = dir_.Write("pipeline.yaml", kWatching);
  std::filesystem::create_directories(dir_.File("incoming"));
  auto loop = Start(spec, 1, 60);
  FraudOptions o;
  o.rows = 500;
  ASSERT_OK(GenerateFraudCsv(o, dir_.File("incoming/2026-12.csv"), Env::Default()));  // appears atomically
  auto summary = loop.get();
  ASSERT_OK(summary.status());
  EXPECT_EQ(summary->runs, 1);
  EXPECT_EQ(summary->failed, 0);
  ASSERT_EQ(triggers_.size(), 1u);
  EXPECT_NE(triggers_[0].find("2026-12.csv"), std::string::npos);
  {
    testing::TestHome home(dir_.File("home"));
    auto v = home.meta->GetDatasetVersion("tx", 0);
    ASSERT_OK(v.status());
    EXPECT_EQ(v->version, 1);
    EXPECT_EQ(v->rows, 500);
  }
  // Restarted, it remembers the file: nothing to do until the time bound.
  auto again = Start(spec, 1, 0.5);
  ASSERT_OK(again.get().status());
  EXPECT_EQ(triggers_.size(), 1u);
}

TEST_F(LoopTest, AlertsTriggerOneRunAndAreCoalesced) {
  const std::string spec = dir_.Write("pipeline.yaml", R"(name: retrain
triggers: {alerts: {model: fraud}}
steps:
  note:
    run: echo retrained >> ${outputs.log}
    outputs: {log: out/log.txt}
)");
  testing::TestHome home(dir_.File("home"));
  ASSERT_OK(home.meta->RecordEvent({0, 1, "alert", "fraud", 1, "old_alert", "{}"}).status());  // history
  auto loop = Start(spec, 2, 5);
  ASSERT_OK(home.meta->RecordEvent({0, 2, "alert", "fraud", 1, "data_drift", "{}"}).status());
  ASSERT_OK(home.meta->RecordEvent({0, 3, "alert", "fraud", 1, "performance_drop", "{}"}).status());
  ASSERT_OK(home.meta->RecordEvent({0, 4, "alert", "other", 1, "not_ours", "{}"}).status());
  auto summary = loop.get();
  ASSERT_OK(summary.status());
  // Both alerts arrived before the loop looked again, so they made a single run.
  EXPECT_EQ(summary->runs, 1);
  ASSERT_EQ(triggers_.size(), 1u);
  EXPECT_NE(triggers_[0].find("data_drift"), std::string::npos) << triggers_[0];
  EXPECT_NE(triggers_[0].find("performance_drop"), std::string::npos) << triggers_[0];
  EXPECT_EQ(triggers_[0].find("old_alert"), std::string::npos) << triggers_[0];
  EXPECT_EQ(triggers_[0].find("not_ours"), std::string::npos) << triggers_[0];
}

TEST_F(LoopTest, StopsWhenAskedAndOnASchedule) {
  const std::string spec = dir_.Write("pipeline.yaml", R"(name: scheduled
triggers: {every: 1h}
steps:
  tick: {run: 'true'}
)");
  auto loop = Start(spec, 0, 60);
  while (true) {  // the schedule fires at once (nothing ran yet), then not for an hour
    {
      std::lock_guard<std::mutex> g(mu_);
      if (!triggers_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_ = true;
  auto summary = loop.get();
  ASSERT_OK(summary.status());
  EXPECT_EQ(summary->runs, 1);
  EXPECT_NE(triggers_[0].find("schedule"), std::string::npos);
}

TEST_F(LoopTest, AMissingWatchedFolderIsSaid) {
  const std::string spec = dir_.Write("pipeline.yaml", R"(name: nowhere
params: {file: none.csv}
triggers: {watch: {folder: nowhere, param: file}}
steps:
  tick: {run: 'true'}
)");
  auto loop = Start(spec, 1, 0.3);
  ASSERT_OK(loop.get().status());
  std::lock_guard<std::mutex> g(mu_);
  ASSERT_GE(events_.size(), 1u);
  EXPECT_NE(events_[0].find("does not exist (yet)"), std::string::npos) << events_[0];
}

TEST_F(LoopTest, ABrokenSpecIsWaitedOutAndItsTriggersKept) {
  const std::string spec = dir_.Write("pipeline.yaml", "name: later\ntriggers: {every: 1h}\nsteps:\n  tick: {run: 'true', needs: [ghost]}\n");
  auto loop = Start(spec, 1, 60);
  {
    std::lock_guard<std::mutex> g(mu_);
    ASSERT_GE(events_.size(), 1u);
    EXPECT_NE(events_[0].find("cannot run until it is fixed"), std::string::npos) << events_[0];
    EXPECT_NE(events_[0].find("ghost"), std::string::npos) << events_[0];
    EXPECT_TRUE(triggers_.empty());
  }
  dir_.Write("pipeline.yaml", "name: later\ntriggers: {every: 1h}\nsteps:\n  tick: {run: 'true'}\n");
  auto summary = loop.get();
  ASSERT_OK(summary.status());
  EXPECT_EQ(summary->runs, 1);
  EXPECT_EQ(summary->failed, 0);
}

}  // namespace
}  // namespace gyre
