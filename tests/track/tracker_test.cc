#include "track/tracker.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>

#include "data/dataset.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    layout_ = std::make_unique<HomeLayout>(dir_.File("home"));
    auto objects = ObjectStore::Open(*layout_, Env::Default());
    ASSERT_TRUE(objects.ok());
    objects_ = std::move(objects).value();
    auto meta = MetadataStore::Open(*layout_, Env::Default());
    ASSERT_TRUE(meta.ok());
    meta_ = std::move(meta).value();
    tracker_ = std::make_unique<Tracker>(meta_.get(), objects_.get(), Env::Default());
  }
  std::string Start(const std::string& experiment = "fraud") {
    RunOptions o;
    o.experiment = experiment;
    o.command = "gyre train --data tx";
    auto id = tracker_->StartRun(o);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<HomeLayout> layout_;
  std::unique_ptr<ObjectStore> objects_;
  std::unique_ptr<MetadataStore> meta_;
  std::unique_ptr<Tracker> tracker_;
};

TEST_F(TrackerTest, RunRecordsWhoWhatAndWhere) {
  std::string id = Start();
  ASSERT_EQ(id.size(), 32u);
  EXPECT_NE(id, Start()) << "ids are random";
  ASSERT_OK_AND_ASSIGN(RunView v, tracker_->GetRun(id));
  EXPECT_EQ(v.run.status, "RUNNING");
  EXPECT_EQ(v.run.experiment, "fraud");
  EXPECT_EQ(v.run.command, "gyre train --data tx");
  EXPECT_EQ(v.run.gyre_version, GYRE_VERSION);
  EXPECT_FALSE(v.run.user.empty());
  EXPECT_FALSE(v.run.host.empty());
  EXPECT_GT(v.run.start_us, 0);
  ASSERT_OK(tracker_->EndRun(id, RunStatus::kFinished));
  ASSERT_OK_AND_ASSIGN(v, tracker_->GetRun(id.substr(0, 10)));  // a unique prefix works
  EXPECT_EQ(v.run.status, "FINISHED");
  EXPECT_GE(v.run.end_us, v.run.start_us);
  EXPECT_EQ(tracker_->EndRun(id, RunStatus::kFailed).code(), StatusCode::kFailedPrecondition);
}

TEST_F(TrackerTest, GitCommitOfTheWorkingTree) {
  std::string repo = dir_.File("repo");
  ASSERT_EQ(std::system(("mkdir -p " + repo + " && cd " + repo +
                         " && git init -q && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m x")
                            .c_str()),
            0);
  RunOptions o;
  o.working_dir = repo;
  ASSERT_OK_AND_ASSIGN(std::string clean, tracker_->StartRun(o));
  ASSERT_EQ(std::system(("touch " + repo + "/new_file").c_str()), 0);  // now the tree is dirty
  ASSERT_OK_AND_ASSIGN(std::string dirty, tracker_->StartRun(o));
  ASSERT_OK_AND_ASSIGN(RunView a, tracker_->GetRun(clean));
  ASSERT_OK_AND_ASSIGN(RunView b, tracker_->GetRun(dirty));
  EXPECT_EQ(a.run.git_commit.size(), 40u);
  EXPECT_FALSE(a.run.git_dirty);
  EXPECT_EQ(b.run.git_commit, a.run.git_commit);
  EXPECT_TRUE(b.run.git_dirty);
  o.working_dir = dir_.path();  // not a repository
  ASSERT_OK_AND_ASSIGN(std::string outside, tracker_->StartRun(o));
  ASSERT_OK_AND_ASSIGN(RunView c, tracker_->GetRun(outside));
  EXPECT_TRUE(c.run.git_commit.empty());
}

TEST_F(TrackerTest, ParamsAreImmutableAndABadBatchWritesNothing) {
  std::string id = Start();
  ASSERT_OK(tracker_->LogParams(id, {{"max_depth", "6"}, {"eta", "0.3"}}));
  EXPECT_OK(tracker_->LogParam(id, "eta", "0.3"));  // the same value again is fine
  Status st = tracker_->LogBatch(id, {{"eta", "0.1"}}, {{"auc", 0.9, 1, 0}}, {{"note", "x"}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("param eta"), std::string::npos) << st.ToString();
  ASSERT_OK_AND_ASSIGN(RunView v, tracker_->GetRun(id));
  EXPECT_EQ(v.params, (KeyValues{{"eta", "0.3"}, {"max_depth", "6"}}));
  EXPECT_TRUE(v.metrics.empty()) << "the whole batch was refused";
  EXPECT_TRUE(v.tags.empty());
}

TEST_F(TrackerTest, MetricsKeepHistoryAndLatestAndTagsChange) {
  std::string id = Start();
  ASSERT_OK(tracker_->LogBatch(id, {}, {{"loss", 0.9, 0, 10}, {"loss", 0.5, 2, 30}, {"loss", 0.7, 1, 20}}, {}));
  ASSERT_OK(tracker_->LogMetric(id, "loss", 0.6, 1, 40));  // an older step logged later
  ASSERT_OK(tracker_->LogMetric(id, "nan_metric", std::nan(""), 0));
  ASSERT_OK(tracker_->SetTag(id, "stage", "dev"));
  ASSERT_OK(tracker_->SetTag(id, "stage", "prod"));
  ASSERT_OK_AND_ASSIGN(auto history, meta_->GetMetricHistory(id, "loss"));
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].value, 0.9);
  EXPECT_EQ(history[3].step, 2);
  ASSERT_OK_AND_ASSIGN(RunView v, tracker_->GetRun(id));
  ASSERT_EQ(v.metrics.size(), 2u);
  EXPECT_EQ(v.metrics[0].key, "loss");
  EXPECT_EQ(v.metrics[0].value, 0.5) << "latest = highest step";
  EXPECT_TRUE(std::isnan(v.metrics[1].value));
  EXPECT_EQ(v.tags, (KeyValues{{"stage", "prod"}}));
}

TEST_F(TrackerTest, BadNamesUnknownRunsAndLimits) {
  std::string id = Start();
  EXPECT_EQ(tracker_->LogParam(id, "bad key!", "1").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tracker_->LogMetric(id, "/abs", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tracker_->LogMetric(id, "a/../b", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tracker_->LogParam(id, "long", std::string(7000, 'x')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tracker_->LogMetric(std::string(32, 'a'), "x", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(tracker_->GetRun("zz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tracker_->GetRun("").status().code(), StatusCode::kInvalidArgument);
  RunOptions child;
  child.parent_run_id = std::string(32, 'b');
  EXPECT_EQ(tracker_->StartRun(child).status().code(), StatusCode::kNotFound);
  child.parent_run_id = id;
  ASSERT_OK_AND_ASSIGN(std::string kid, tracker_->StartRun(child));
  ASSERT_OK_AND_ASSIGN(RunView v, tracker_->GetRun(kid));
  EXPECT_EQ(v.run.parent_run_id, id);
}

TEST_F(TrackerTest, ArtifactsAndInputsGiveLineage) {
  DatasetCatalog catalog(meta_.get(), objects_.get(), Env::Default());
  ASSERT_OK(catalog.Add(testing::DatasetPath("iris.csv"), {"iris", "species"}).status());
  std::string a = Start(), b = Start("other");
  ASSERT_OK(tracker_->LogInput(a, "iris", 1));
  ASSERT_OK(tracker_->LogInput(a, "iris", 1));  // twice is once
  EXPECT_EQ(tracker_->LogInput(a, "iris", 2).code(), StatusCode::kNotFound);
  EXPECT_EQ(tracker_->LogInput(b, "nope", 1).code(), StatusCode::kNotFound);
  ASSERT_OK(tracker_->LogArtifactBytes(a, "report/eval.json", "{\"auc\": 0.99}"));
  EXPECT_EQ(tracker_->LogArtifactBytes(a, "report/eval.json", "{}").code(), StatusCode::kAlreadyExists);
  ASSERT_OK(tracker_->LogArtifactFile(a, "data/iris.csv", testing::DatasetPath("iris.csv")));
  ASSERT_OK_AND_ASSIGN(RunView v, tracker_->GetRun(a));
  ASSERT_EQ(v.inputs.size(), 1u);
  EXPECT_EQ(v.inputs[0].dataset, "iris");
  ASSERT_EQ(v.artifacts.size(), 2u);
  EXPECT_EQ(v.artifacts[1].path, "report/eval.json");
  ASSERT_OK_AND_ASSIGN(std::string bytes, objects_->Get(v.artifacts[1].sha256));
  EXPECT_EQ(bytes, "{\"auc\": 0.99}");
  ASSERT_OK_AND_ASSIGN(auto users, meta_->RunsUsingDataset("iris", 0));
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].run_id, a);
}

// Four processes log batches into runs of one home at once: every point arrives.
TEST_F(TrackerTest, ConcurrentLoggingProcessesLoseNothing) {
  std::string id = Start();
  constexpr int kProcs = 4, kBatches = 20, kPoints = 50;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto meta = MetadataStore::Open(*layout_, Env::Default());
      auto objects = ObjectStore::Open(*layout_, Env::Default());
      if (!meta.ok() || !objects.ok()) ::_exit(10);
      Tracker t(meta->get(), objects->get(), Env::Default());
      for (int b = 0; b < kBatches; ++b) {
        std::vector<MetricPoint> points;
        for (int i = 0; i < kPoints; ++i) points.push_back({"m" + std::to_string(p), 1.0, b * kPoints + i, 0});
        if (!t.LogBatch(id, {{"p" + std::to_string(p), "x"}}, points, {}).ok()) ::_exit(11);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  for (int p = 0; p < kProcs; ++p) {
    ASSERT_OK_AND_ASSIGN(auto history, meta_->GetMetricHistory(id, "m" + std::to_string(p)));
    EXPECT_EQ(history.size(), static_cast<size_t>(kBatches * kPoints));
  }
}

TEST_F(TrackerTest, MetricLoggerFlushesInBatches) {
  std::string id = Start();
  {
    MetricLogger log(tracker_.get(), id, 100);
    for (int i = 0; i < 250; ++i) ASSERT_OK(log.Log("loss", 1.0 / (i + 1), i));
    ASSERT_OK_AND_ASSIGN(auto partial, meta_->GetMetricHistory(id, "loss"));
    EXPECT_EQ(partial.size(), 200u) << "two full batches written, 50 pending";
  }
  ASSERT_OK_AND_ASSIGN(auto all, meta_->GetMetricHistory(id, "loss"));
  EXPECT_EQ(all.size(), 250u);
}

}  // namespace
}  // namespace gyre
