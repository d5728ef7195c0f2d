// `gyre models list | show | alias | register` and `gyre audit` against a real home.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"
#include "track/tracker.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class ModelsCliTest : public testing::HomeTest {
 protected:
  std::string TrainedRun() { return HomeTest::TrainedRun("a bundle of " + std::to_string(++runs_)); }
  int runs_ = 0;
};

TEST_F(ModelsCliTest, RegisterAliasShowAudit) {
  std::string out, err;
  std::string r1 = TrainedRun(), r2 = TrainedRun();
  ASSERT_EQ(Gyre({"models", "register", r1, "--name", "fraud", "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["version"], 1);
  ASSERT_EQ(Gyre({"models", "register", r2.substr(0, 10), "--name", "fraud"}, &out, &err), 0) << err;
  ASSERT_EQ(Gyre({"models", "alias", "fraud", "1", "champion"}, &out, &err), 0) << err;
  ASSERT_EQ(Gyre({"models", "alias", "fraud", "2", "champion"}, &out, &err), 0) << err;
  ASSERT_EQ(Gyre({"models", "show", "fraud:champion", "--json"}, &out, &err), 0) << err;
  json v = json::parse(out);
  EXPECT_EQ(v["version"], 2);
  EXPECT_EQ(v["run_id"], r2);
  ASSERT_EQ(Gyre({"models", "show", "fraud", "--json"}, &out, &err), 0) << err;
  json m = json::parse(out);
  EXPECT_EQ(m["versions"].size(), 2u);
  EXPECT_EQ(m["audit"][0]["action"], "move_alias");
  EXPECT_EQ(m["audit"][0]["before"]["version"], 1);
  ASSERT_EQ(Gyre({"models", "list", "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["models"][0]["latest_version"], 2);
  ASSERT_EQ(Gyre({"audit", "--json"}, &out, &err), 0) << err;
  json audit = json::parse(out)["audit"];
  EXPECT_EQ(audit.size(), 5u);  // create model, two versions, set and move the alias
  ASSERT_EQ(Gyre({"models", "list"}, &out, &err), 0);
  EXPECT_NE(out.find("champion=2"), std::string::npos) << out;
}

// "Where did this model come from" and "what was built from this dataset".
TEST_F(ModelsCliTest, LineageBothWays) {
  std::string out, err;
  ASSERT_EQ(Gyre({"data", "add", testing::DatasetPath("iris.csv"), "--name", "iris"}, &out, &err), 0) << err;
  std::string r = TrainedRun();
  ASSERT_OK(tracker_->LogInput(r, "iris", 1));
  ASSERT_EQ(Gyre({"models", "register", r, "--name", "flowers"}, &out, &err), 0) << err;
  ASSERT_EQ(Gyre({"models", "show", "flowers:1", "--json"}, &out, &err), 0) << err;
  json up = json::parse(out)["lineage"];
  EXPECT_EQ(up["run_id"], r);
  EXPECT_EQ(up["inputs"], json::array({"iris:1"}));
  ASSERT_EQ(Gyre({"data", "show", "iris:1", "--json"}, &out, &err), 0) << err;
  json down = json::parse(out);
  EXPECT_EQ(down["used_by_runs"], json::array({r}));
  EXPECT_EQ(down["models"], json::array({"flowers:1"}));
  ASSERT_EQ(Gyre({"runs", "show", r, "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["models"], json::array({"flowers:1"}));
}

TEST_F(ModelsCliTest, ErrorsExitOneAndChangeNothing) {
  std::string out, err;
  std::string r = TrainedRun();
  ASSERT_EQ(Gyre({"models", "register", r, "--name", "fraud"}, &out, &err), 0) << err;
  EXPECT_EQ(Gyre({"models", "alias", "fraud", "9", "champion"}, &out, &err), 1);
  EXPECT_NE(err.find("no version 9"), std::string::npos) << err;
  EXPECT_EQ(Gyre({"models", "show", "nope"}, &out, &err), 1);
  EXPECT_EQ(Gyre({"models", "show", "fraud:0"}, &out, &err), 1);
  EXPECT_EQ(Gyre({"models", "register", std::string(32, 'e'), "--name", "fraud"}, &out, &err), 1);
  EXPECT_EQ(Gyre({"models", "alias", "fraud", "x", "champion"}, &out, &err), 2) << "VERSION must be a number";
  ASSERT_EQ(Gyre({"audit", "--json"}, &out, &err), 0);
  EXPECT_EQ(json::parse(out)["audit"].size(), 2u) << "only the successful register";
}

}  // namespace
}  // namespace gyre
