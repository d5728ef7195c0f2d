// `gyre demo` end to end: the whole loop on generated data, every claim it makes checked by
// the demo itself; this test holds it to exit 0, all claims, and its report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace gyre {
namespace {

TEST(DemoCliTest, TheWholeLoopTurnsOnceAndEveryClaimHolds) {
  testing::TempDir dir;
  testing::CliRun r = testing::Gyre(dir.File("unused-home"), {"--json", "demo", "--dir", dir.File("demo")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["claims"].size(), 7u);
  for (const auto& c : j["claims"]) EXPECT_TRUE(c["held"].get<bool>()) << c.dump();
  const std::string report = testing::ReadAll(dir.File("demo/episode.html"));
  EXPECT_NE(report.find("One turn of the loop"), std::string::npos);
  EXPECT_NE(report.find("Lineage of the new champion"), std::string::npos);
  EXPECT_NE(report.find("drift per column"), std::string::npos);
  // The story went to stderr, stage by stage.
  EXPECT_NE(r.err.find("== 8. December's labelled data lands"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("without a failed request"), std::string::npos);
}

}  // namespace
}  // namespace gyre
