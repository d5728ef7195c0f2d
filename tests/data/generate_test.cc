#include "data/generate.h"

#include <gtest/gtest.h>

#include "core/sha256.h"
#include "data/stats.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

TEST(GenerateTest, SameSeedSameBytesOtherSeedOtherBytes) {
  testing::TempDir dir;
  FraudOptions o;
  o.rows = 3000;
  ASSERT_OK(GenerateFraudCsv(o, dir.File("a.csv"), Env::Default()));
  ASSERT_OK(GenerateFraudCsv(o, dir.File("b.csv"), Env::Default()));
  o.seed = 43;
  ASSERT_OK(GenerateFraudCsv(o, dir.File("c.csv"), Env::Default()));
  std::string a = testing::ReadAll(dir.File("a.csv"));
  EXPECT_EQ(a, testing::ReadAll(dir.File("b.csv")));
  EXPECT_NE(a, testing::ReadAll(dir.File("c.csv")));
}

TEST(GenerateTest, RealisticColumnsAndFraudRate) {
  testing::TempDir dir;
  FraudOptions o;
  o.rows = 50000;
  ASSERT_OK(GenerateFraudCsv(o, dir.File("a.csv"), Env::Default()));
  ASSERT_OK_AND_ASSIGN(DatasetStats s, ProfileFile(dir.File("a.csv")));
  EXPECT_EQ(s.rows, 50000);
  ASSERT_EQ(s.columns.size(), 26u);
  const ColumnStats* fraud = s.Find("is_fraud");
  ASSERT_NE(fraud, nullptr);
  EXPECT_EQ(fraud->type, ColumnType::kInt64);
  EXPECT_GT(fraud->numeric->mean, 0.015);
  EXPECT_LT(fraud->numeric->mean, 0.06);
  EXPECT_EQ(s.Find("timestamp")->type, ColumnType::kTimestamp);
  EXPECT_EQ(s.Find("merchant_category")->type, ColumnType::kString);
  EXPECT_EQ(s.Find("merchant_category")->distinct, 12);  // the drift-only categories are absent
  EXPECT_GT(s.Find("country")->missing, 0);
  EXPECT_GT(s.Find("device_age_days")->missing, 0);
  EXPECT_GT(s.Find("amount")->numeric->min, 0);
}

TEST(GenerateTest, DriftShiftsAmountsAndAddsCategories) {
  testing::TempDir dir;
  FraudOptions o;
  o.rows = 20000;
  ASSERT_OK(GenerateFraudCsv(o, dir.File("ref.csv"), Env::Default()));
  o.drift = 1;
  o.seed = 7;
  ASSERT_OK(GenerateFraudCsv(o, dir.File("cur.csv"), Env::Default()));
  ASSERT_OK_AND_ASSIGN(DatasetStats ref, ProfileFile(dir.File("ref.csv")));
  ASSERT_OK_AND_ASSIGN(DatasetStats cur, ProfileFile(dir.File("cur.csv")));
  EXPECT_GT(cur.Find("amount")->numeric->quantiles[3], 1.5 * ref.Find("amount")->numeric->quantiles[3]);
  EXPECT_EQ(cur.Find("merchant_category")->distinct, 15);
  EXPECT_GT(cur.Find("is_fraud")->numeric->mean, ref.Find("is_fraud")->numeric->mean);
}

TEST(GenerateTest, RejectsBadOptionsAndWritesNothing) {
  testing::TempDir dir;
  FraudOptions o;
  o.rows = 0;
  EXPECT_EQ(GenerateFraudCsv(o, dir.File("x.csv"), Env::Default()).code(), StatusCode::kInvalidArgument);
  o.rows = 10;
  o.drift = 2;
  EXPECT_EQ(GenerateFraudCsv(o, dir.File("x.csv"), Env::Default()).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Env::Default()->FileExists(dir.File("x.csv")));
}

}  // namespace
}  // namespace gyre
