// The gate decides both ways on real models: absolute requirements when there is no champion,
// then a challenger must beat the champion on the same holdout; failed validation and serious
// drift between the training data also reject. The decision and its figures are recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "data/generate.h"
#include "pipeline/pipeline.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

const char kGated[] = R"(name: gated
params: {file: tx.csv, rounds: "40", depth: "4", min_auc: "0.7", valid: "true", max_drift: "1"}
steps:
  ingest:
    uses: ingest
    with: {file: "${params.file}", dataset: tx, label: is_fraud}
  train:
    uses: train
    with:
      data: ${steps.ingest.outputs.ref}
      label: is_fraud
      set: {num_round: "${params.rounds}", max_depth: "${params.depth}"}
  gate:
    uses: gate
    with:
      model: fraud
      challenger: ${steps.train.outputs.run}
      validation: ${params.valid}
      require: ["roc_auc >= ${params.min_auc}"]
      better_than_champion: {roc_auc: 0.0}
      max_drift_share: ${params.max_drift}
  register:
    uses: register
    needs: [gate]
    with: {run: "${steps.train.outputs.run}", model: fraud}
  promote:
    uses: promote
    with: {model: fraud, version: "${steps.register.outputs.version}"}
)";

class GateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    FraudOptions o;
    o.rows = 8000;
    o.seed = 21;
    ASSERT_OK(GenerateFraudCsv(o, dir_->File("tx.csv"), Env::Default()));
    o.seed = 22;
    o.drift = 0.9;
    ASSERT_OK(GenerateFraudCsv(o, dir_->File("drifted.csv"), Env::Default()));
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override { home_ = dir_->File("home-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())); }

  PipelineRunReport Run(std::vector<std::pair<std::string, std::string>> params) {
    auto spec = ParsePipeline(kGated, dir_->File("pipeline.yaml"));
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    PipelineRunOptions o;
    o.home = home_;
    o.params = std::move(params);
    auto r = RunPipeline(*spec, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PipelineRunReport{};
  }
  static std::string Status(const PipelineRunReport& r, const std::string& id) {
    for (const auto& s : r.steps) {
      if (s.id == id) return s.status + (s.error.empty() ? "" : ": " + s.error);
    }
    return "missing";
  }
  int64_t Champion() {
    testing::TestHome h(home_);
    auto v = h.meta->GetModelVersionByAlias("fraud", "champion");
    return v.ok() ? v->version : 0;
  }
  json Decision(const PipelineRunReport& r) {
    testing::TestHome h(home_);
    auto arts = h.meta->ListArtifacts(r.run_id);
    for (const auto& a : *arts) {
      if (a.path == "gate/gate.json") return json::parse(*h.objects->Get(a.sha256));
    }
    return json();
  }
  static inline testing::TempDir* dir_ = nullptr;
  std::string home_;
};

TEST_F(GateTest, WithoutAChampionTheAbsoluteRequirementsDecide) {
  PipelineRunReport r = Run({{"min_auc", "0.999"}});
  EXPECT_TRUE(r.rejected);
  EXPECT_EQ(r.rejected_by, "gate");
  EXPECT_NE(r.reason.find("roc_auc >= 0.999"), std::string::npos) << r.reason;
  EXPECT_EQ(Status(r, "register").substr(0, 7), "skipped");
  EXPECT_EQ(Champion(), 0);

  r = Run({{"min_auc", "0.7"}});
  EXPECT_FALSE(r.rejected) << r.reason;
  EXPECT_EQ(Status(r, "gate"), "ran");
  EXPECT_EQ(Status(r, "promote"), "ran");
  EXPECT_EQ(Champion(), 1);
  json d = Decision(r);
  EXPECT_TRUE(d["passed"].get<bool>());
  EXPECT_TRUE(d["champion"].is_null());
  EXPECT_GT(d["challenger_metrics"]["roc_auc"].get<double>(), 0.7);
}

TEST_F(GateTest, AChallengerMustBeatTheChampionOnTheSameHoldout) {
  PipelineRunReport strong = Run({});
  ASSERT_EQ(Champion(), 1) << strong.reason;
  // A stump of one round cannot match forty rounds of depth 4.
  PipelineRunReport weak = Run({{"rounds", "1"}, {"depth", "1"}});
  EXPECT_TRUE(weak.rejected);
  EXPECT_NE(weak.reason.find("roc_auc"), std::string::npos) << weak.reason;
  EXPECT_NE(weak.reason.find("against the champion's"), std::string::npos) << weak.reason;
  EXPECT_EQ(Champion(), 1);
  json d = Decision(weak);
  EXPECT_EQ(d["champion"], "fraud:1");
  // Both were scored on the challenger's 1,600 held-out rows (a fifth of 8,000).
  EXPECT_EQ(d["holdout_rows"].get<int64_t>(), 1600);
  EXPECT_LT(d["challenger_metrics"]["roc_auc"].get<double>(), d["champion_metrics"]["roc_auc"].get<double>());
  // The same weak challenger again: the rejection comes from the cache, decision and all.
  PipelineRunReport weak_again = Run({{"rounds", "1"}, {"depth", "1"}});
  EXPECT_TRUE(weak_again.rejected);
  EXPECT_EQ(Status(weak_again, "gate").substr(0, 6), "cached");
  EXPECT_EQ(Decision(weak_again)["holdout_rows"].get<int64_t>(), 1600);
  // Rerunning the strong pipeline is all cached but the gate, which now faces itself.
  PipelineRunReport again = Run({});
  EXPECT_EQ(Status(again, "train"), "cached");
  EXPECT_FALSE(again.rejected);
}

TEST_F(GateTest, FailedValidationOrDriftedTrainingDataReject) {
  ASSERT_FALSE(Run({}).rejected);
  PipelineRunReport invalid = Run({{"valid", "false"}, {"rounds", "41"}});
  EXPECT_TRUE(invalid.rejected);
  EXPECT_NE(invalid.reason.find("data validation passed"), std::string::npos) << invalid.reason;

  PipelineRunReport drifted = Run({{"file", "drifted.csv"}, {"max_drift", "0.2"}});
  EXPECT_TRUE(drifted.rejected);
  EXPECT_NE(drifted.reason.find("training data drift share"), std::string::npos) << drifted.reason;
  EXPECT_EQ(Champion(), 1);
}

}  // namespace
}  // namespace gyre
