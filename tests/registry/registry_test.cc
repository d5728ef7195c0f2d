#include "registry/registry.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"
#include "track/tracker.h"

namespace gyre {
namespace {

class RegistryTest : public testing::HomeTest {
 protected:
  void SetUp() override {
    HomeTest::SetUp();
    registry_ = std::make_unique<Registry>(meta_, Env::Default(), "alice@test");
  }
  int64_t Counter() { return *meta_->RegistryChangeCounter(); }

  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, VersionsAreNumberedFromRunsAndHoldTheirBundle) {
  std::string r1 = TrainedRun("bundle one"), r2 = TrainedRun("bundle two");
  ASSERT_OK_AND_ASSIGN(ModelVersionRecord v1, registry_->Register(r1, "fraud"));
  ASSERT_OK_AND_ASSIGN(ModelVersionRecord v2, registry_->Register(r2.substr(0, 12), "fraud"));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.run_id, r2);
  ASSERT_OK_AND_ASSIGN(std::string bytes, objects_->Get(v1.bundle_sha256));
  EXPECT_EQ(bytes, "bundle one");
  ASSERT_OK_AND_ASSIGN(auto latest, registry_->Resolve({"fraud", 0, ""}));
  EXPECT_EQ(latest.version, 2);
  ASSERT_OK_AND_ASSIGN(auto first, registry_->Resolve({"fraud", 1, ""}));
  EXPECT_EQ(first.run_id, r1);
}

TEST_F(RegistryTest, AliasesAreUniqueAndMoveInOneChange) {
  std::string r = TrainedRun("b");
  ASSERT_OK(registry_->Register(r, "fraud").status());
  ASSERT_OK(registry_->Register(r, "fraud").status());
  int64_t before = Counter();
  ASSERT_OK(registry_->SetAlias("fraud", 1, "champion"));
  ASSERT_OK(registry_->SetAlias("fraud", 2, "challenger"));
  EXPECT_EQ(Counter(), before + 2);
  ASSERT_OK(registry_->SetAlias("fraud", 2, "champion"));  // promote: the alias moves
  EXPECT_EQ(Counter(), before + 3);
  ASSERT_OK(registry_->SetAlias("fraud", 2, "champion"));  // no change, nothing recorded
  EXPECT_EQ(Counter(), before + 3);
  ASSERT_OK_AND_ASSIGN(auto champ, registry_->Resolve({"fraud", 0, "champion"}));
  EXPECT_EQ(champ.version, 2);
  EXPECT_EQ(champ.aliases, (std::vector<std::string>{"challenger", "champion"}));
  ASSERT_OK_AND_ASSIGN(auto one, registry_->Resolve({"fraud", 1, ""}));
  EXPECT_TRUE(one.aliases.empty()) << "the alias left version 1";
  ASSERT_OK_AND_ASSIGN(auto audit, meta_->ListAudit("fraud", 0));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "move_alias");
  EXPECT_EQ(audit[0].object, "fraud@champion");
  EXPECT_EQ(audit[0].before, "{\"version\": 1}");
  EXPECT_EQ(audit[0].after, "{\"version\": 2}");
  EXPECT_EQ(audit[0].actor, "alice@test");
  ASSERT_OK(registry_->DeleteAlias("fraud", "challenger"));
  EXPECT_EQ(registry_->Resolve({"fraud", 0, "challenger"}).status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, BadInputChangesNothing) {
  std::string r = TrainedRun("b");
  ASSERT_OK(registry_->Register(r, "fraud").status());
  ASSERT_OK(registry_->CreateModel("empty", "no versions yet").status());
  int64_t before = Counter();
  size_t audit_before = meta_->ListAudit("", 0)->size();
  EXPECT_EQ(registry_->SetAlias("fraud", 7, "champion").code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->SetAlias("nope", 1, "champion").code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->SetAlias("fraud", 1, "3rd").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->SetAlias("fraud", 1, "bad alias").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->Register(std::string(32, 'f'), "fraud").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->Register(r, "bad name!").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_->Register(r, "fraud", "no/such/artifact").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry_->CreateModel("fraud", "").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(registry_->DeleteAlias("fraud", "never").code(), StatusCode::kNotFound);
  EXPECT_EQ(Counter(), before);
  EXPECT_EQ(meta_->ListAudit("", 0)->size(), audit_before);
  ASSERT_OK_AND_ASSIGN(auto versions, meta_->ListModelVersions("fraud"));
  EXPECT_EQ(versions.size(), 1u);
  EXPECT_EQ(registry_->Resolve({"empty", 0, ""}).status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, ModelReferences) {
  ASSERT_OK_AND_ASSIGN(ModelRef a, ParseModelRef("fraud"));
  EXPECT_EQ(a.version, 0);
  ASSERT_OK_AND_ASSIGN(ModelRef b, ParseModelRef("fraud:3"));
  EXPECT_EQ(b.version, 3);
  ASSERT_OK_AND_ASSIGN(ModelRef c, ParseModelRef("fraud:champion"));
  EXPECT_EQ(c.alias, "champion");
  EXPECT_EQ(c.ToString(), "fraud:champion");
  EXPECT_FALSE(ParseModelRef("fraud:0").ok());
  EXPECT_FALSE(ParseModelRef("fraud:3x").ok());
  EXPECT_FALSE(ParseModelRef(":3").ok());
  EXPECT_FALSE(ParseModelRef("fraud:").ok());
}

TEST_F(RegistryTest, AuditLogIsAppendOnly) {
  ASSERT_OK(registry_->CreateModel("m", "d").status());
  // Even a direct write cannot rewrite history: the store's triggers refuse it.
  std::string db = dir_.File("home") + "/gyre.db";
  int rc = std::system(("sqlite3 " + db + " \"DELETE FROM audit_log\" 2>/dev/null").c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) GTEST_SKIP() << "no sqlite3 shell to try";
  EXPECT_NE(WEXITSTATUS(rc), 0);
  EXPECT_EQ(meta_->ListAudit("m", 0)->size(), 1u);
}

TEST_F(RegistryTest, TagsAreAudited) {
  ASSERT_OK(registry_->CreateModel("m", "").status());
  ASSERT_OK(registry_->SetTag("m", "owner", "risk-team"));
  ASSERT_OK(registry_->SetTag("m", "owner", "fraud-team"));
  ASSERT_OK_AND_ASSIGN(auto tags, meta_->GetModelTags("m"));
  EXPECT_EQ(tags, (KeyValues{{"owner", "fraud-team"}}));
  ASSERT_OK_AND_ASSIGN(auto audit, meta_->ListAudit("m", 1));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].before, "\"risk-team\"");
}

}  // namespace
}  // namespace gyre
