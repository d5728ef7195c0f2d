#include "data/validate.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

Schema TestSchema() {
  Schema s;
  s.dataset = "tx";
  s.label = "y";
  s.columns.push_back({"amount", ColumnType::kFloat64, true, 0, 0.0, 100.0, {}});
  s.columns.push_back({"country", ColumnType::kString, false, 0.25, std::nullopt, std::nullopt, {"DE", "US"}});
  s.columns.push_back({"n", ColumnType::kInt64, true, 0, std::nullopt, std::nullopt, {}});
  s.columns.push_back({"y", ColumnType::kInt64, true, 0, std::nullopt, std::nullopt, {}});
  return s;
}

const Anomaly* FindKind(const ValidationReport& r, const std::string& column, const std::string& kind) {
  for (const auto& a : r.anomalies) {
    if (a.column == column && a.kind == kind) return &a;
  }
  return nullptr;
}

TEST(ValidateTest, CleanDataIsValid) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(ValidationReport r,
                       ValidateFile(dir.Write("a.csv", "amount,country,n,y\n1.5,US,3,0\n100,,4,1\n0,DE,5,0\n9,DE,5,0\n"),
                                    TestSchema()));
  EXPECT_TRUE(r.valid()) << ReportToJson(r);
  EXPECT_EQ(r.rows, 4);
}

TEST(ValidateTest, ReportsEveryKindWithCountsAndRows) {
  testing::TempDir dir;
  // Rows: 1 fine; 2 out of range; 3 unknown country and missing amount; 4 n not an int;
  // 5 missing country; 6 missing country. No y column; an extra column z.
  std::string csv =
      "amount,country,n,z\n"
      "5,US,1,a\n"
      "150,DE,2,b\n"
      ",FR,3,c\n"
      "7,US,4.5,d\n"
      "8,,5,e\n"
      "-1,,6,f\n";
  ASSERT_OK_AND_ASSIGN(ValidationReport r, ValidateFile(dir.Write("a.csv", csv), TestSchema()));
  EXPECT_FALSE(r.valid());
  const Anomaly* a = FindKind(r, "y", "missing_column");
  ASSERT_NE(a, nullptr);
  a = FindKind(r, "z", "unexpected_column");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a->detail.find("read as string"), std::string::npos) << a->detail;
  a = FindKind(r, "amount", "out_of_range");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 2);
  EXPECT_EQ(a->rows, (std::vector<int64_t>{2, 6}));
  EXPECT_NE(a->detail.find("-1 to 150"), std::string::npos) << a->detail;
  a = FindKind(r, "amount", "missing_values");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 1);
  EXPECT_EQ(a->rows, (std::vector<int64_t>{3}));
  a = FindKind(r, "country", "unknown_category");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 1);
  EXPECT_NE(a->detail.find("\"FR\" (1)"), std::string::npos);
  a = FindKind(r, "country", "missing_values");
  ASSERT_NE(a, nullptr) << "2 of 6 missing is more than the allowed 25%";
  EXPECT_EQ(a->count, 2);
  a = FindKind(r, "n", "type_mismatch");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->count, 1);
  EXPECT_EQ(a->rows, (std::vector<int64_t>{4}));
  EXPECT_NE(a->detail.find("\"4.5\""), std::string::npos);
  EXPECT_EQ(FindKind(r, "n", "missing_values"), nullptr) << "a wrong type is not a missing value";
}

TEST(ValidateTest, EmptyDatasetIsAnAnomalyNotAnError) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(ValidationReport r, ValidateFile(dir.Write("a.csv", "amount,country,n,y\n"), TestSchema()));
  ASSERT_NE(FindKind(r, "", "empty_dataset"), nullptr);
}

TEST(ValidateTest, JsonHasTheContractKeys) {
  ValidationReport r;
  r.rows = 3;
  r.anomalies.push_back({"a", "out_of_range", "d", 2, {1, 2}});
  std::string j = ReportToJson(r);
  EXPECT_NE(j.find("\"valid\":false"), std::string::npos) << j;
  EXPECT_NE(j.find("\"column\":\"a\",\"kind\":\"out_of_range\",\"detail\":\"d\",\"count\":2"), std::string::npos) << j;
}

}  // namespace
}  // namespace gyre
