// `gyre runs list | show | compare` over runs recorded through the tracking API.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "track/tracker.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class RunsCliTest : public testing::HomeTest {
 protected:
  std::string Run(const std::string& experiment, const std::string& depth, double auc) {
    RunOptions o;
    o.experiment = experiment;
    o.name = "depth " + depth;
    auto id = tracker_->StartRun(o);
    EXPECT_TRUE(id.ok());
    EXPECT_OK(tracker_->LogBatch(*id, {{"max_depth", depth}, {"eta", "0.3"}}, {{"auc", auc, 0, 0}, {"logloss", 0.2, 0, 0}}, {}));
    EXPECT_OK(tracker_->EndRun(*id, RunStatus::kFinished));
    return *id;
  }
};

TEST_F(RunsCliTest, ListShowCompare) {
  std::string a = Run("fraud", "4", 0.91), b = Run("fraud", "6", 0.93), c = Run("other", "6", 0.5);
  std::string out;
  ASSERT_EQ(Gyre({"runs", "list", "--json"}, &out), 0);
  EXPECT_EQ(json::parse(out)["runs"].size(), 3u);
  ASSERT_EQ(Gyre({"runs", "list", "--experiment", "fraud", "--json"}, &out), 0);
  json list = json::parse(out)["runs"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["run_id"], b) << "newest first";
  ASSERT_EQ(Gyre({"runs", "list", "--experiment", "fraud"}, &out), 0);
  EXPECT_NE(out.find("depth 4"), std::string::npos) << out;

  ASSERT_EQ(Gyre({"runs", "show", a.substr(0, 8), "--json"}, &out), 0);
  json show = json::parse(out);
  EXPECT_EQ(show["run_id"], a);
  EXPECT_EQ(show["params"]["max_depth"], "4");
  EXPECT_EQ(show["metrics"]["auc"]["value"], 0.91);
  EXPECT_EQ(show["status"], "FINISHED");
  ASSERT_EQ(Gyre({"runs", "show", a}, &out), 0);
  EXPECT_NE(out.find("max_depth"), std::string::npos) << out;

  ASSERT_EQ(Gyre({"runs", "compare", a, b, "--json"}, &out), 0);
  json cmp = json::parse(out);
  EXPECT_TRUE(cmp["params_differing"].contains("max_depth"));
  EXPECT_FALSE(cmp["params_differing"].contains("eta")) << "same value: not shown";
  EXPECT_NEAR(cmp["metrics"]["auc"]["delta_vs_first"][1].get<double>(), 0.02, 1e-12);
  ASSERT_EQ(Gyre({"runs", "compare", a, b, c}, &out), 0);
  EXPECT_NE(out.find("+0.02"), std::string::npos) << out;
}

TEST_F(RunsCliTest, Errors) {
  std::string out, err;
  EXPECT_EQ(Gyre({"runs", "show", std::string(32, 'c')}, &out, &err), 1);
  EXPECT_NE(err.find("no run"), std::string::npos) << err;
  EXPECT_EQ(Gyre({"runs", "show", "not-hex"}, &out, &err), 1);
  EXPECT_EQ(Gyre({"runs", "list", "--experiment", "missing"}, &out, &err), 1);
  EXPECT_EQ(Gyre({"runs", "compare", "abc"}, &out, &err), 2) << "needs two runs";
  // Two runs whose ids share a prefix: the prefix is ambiguous, a longer one is not.
  ASSERT_OK(meta_->GetOrCreateExperiment("fraud", 1).status());
  for (const char* id : {"ab000000000000000000000000000000", "ab110000000000000000000000000000"}) {
    RunRecord r;
    r.run_id = id;
    r.experiment = "fraud";
    r.status = "RUNNING";
    ASSERT_OK(meta_->CreateRun(r));
  }
  EXPECT_EQ(Gyre({"runs", "show", "ab"}, &out, &err), 1);
  EXPECT_NE(err.find("ambiguous"), std::string::npos) << err;
  EXPECT_EQ(Gyre({"runs", "show", "AB1"}, &out, &err), 0) << err;
}

}  // namespace
}  // namespace gyre
