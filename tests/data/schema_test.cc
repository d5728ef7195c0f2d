#include "data/schema.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

DatasetStats StatsOf(testing::TempDir& dir, const std::string& csv) {
  auto s = ProfileFile(dir.Write("s.csv", csv));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : DatasetStats{};
}

TEST(SchemaTest, InfersTypesPresenceRangesAndDomains) {
  testing::TempDir dir;
  std::string csv = "amount,country,note,y\n";
  for (int i = 0; i < 40; ++i) {
    csv += std::to_string(i * 1.5) + "," + (i % 10 == 0 ? "" : (i % 2 ? "US" : "DE")) + ",note" +
           std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  }
  Schema s = InferSchema(StatsOf(dir, csv), "tx", "y");
  ASSERT_EQ(s.columns.size(), 4u);
  EXPECT_EQ(s.label, "y");
  const ColumnSchema* amount = s.Find("amount");
  EXPECT_EQ(amount->type, ColumnType::kFloat64);
  EXPECT_TRUE(amount->required);
  EXPECT_EQ(*amount->min, 0.0);
  EXPECT_EQ(*amount->max, 117.0) << "non-negative: floor 0, observed span doubled upward";
  const ColumnSchema* country = s.Find("country");
  EXPECT_FALSE(country->required);
  EXPECT_DOUBLE_EQ(country->max_missing_fraction, 0.2);  // twice the 10% seen
  EXPECT_EQ(country->domain, (std::vector<std::string>{"DE", "US"}));
  EXPECT_TRUE(s.Find("note")->domain.empty()) << "every value distinct: not categorical";
}

TEST(SchemaTest, IdentifiersGetNoRangeAndFractionsPrintShort) {
  testing::TempDir dir;
  std::string csv = "id,x\n";
  for (int i = 0; i < 500; ++i) csv += std::to_string(1000 + i) + "," + (i % 30 == 0 ? "" : std::to_string(i % 5)) + "\n";
  Schema s = InferSchema(StatsOf(dir, csv), "t", "");
  EXPECT_FALSE(s.Find("id")->min.has_value()) << "every value distinct: an identifier, no range";
  EXPECT_TRUE(s.Find("x")->min.has_value());
  std::string yaml = SchemaToYaml(s);
  EXPECT_NE(yaml.find("max_missing_fraction: 0.068"), std::string::npos) << yaml;  // 2 x 17/500
  EXPECT_EQ(yaml.find("0000000"), std::string::npos) << yaml;
}

TEST(SchemaTest, RangesAreLooseButCatchImpossibleValues) {
  testing::TempDir dir;
  Schema s = InferSchema(StatsOf(dir, "share,delta,n\n0.25,-2,3\n0.5,4,7\n0.75,1,5\n"), "t", "");
  EXPECT_EQ(*s.Find("share")->min, 0.0);
  EXPECT_EQ(*s.Find("share")->max, 1.0);
  EXPECT_EQ(*s.Find("delta")->min, -8.0);  // -2 - span 6
  EXPECT_EQ(*s.Find("delta")->max, 10.0);
  EXPECT_EQ(*s.Find("n")->min, 0.0);
  EXPECT_EQ(*s.Find("n")->max, 11.0);
}

TEST(SchemaTest, HandWrittenDomainInAnyOrderIsSortedForLookup) {
  ASSERT_OK_AND_ASSIGN(Schema s, SchemaFromYaml("columns:\n  - {name: c, type: string, domain: [pos, atm, online]}\n", "s.yaml"));
  EXPECT_EQ(s.columns[0].domain, (std::vector<std::string>{"atm", "online", "pos"}));
}

TEST(SchemaTest, YamlRoundTrips) {
  Schema s;
  s.dataset = "tx";
  s.label = "y";
  s.columns.push_back({"a", ColumnType::kFloat64, true, 0, 0.1, 1e300, {}});
  s.columns.push_back({"c", ColumnType::kString, false, 0.25, std::nullopt, std::nullopt, {"1", "x", "y z"}});
  s.columns.push_back({"y", ColumnType::kInt64, true, 0, std::nullopt, std::nullopt, {}});
  std::string yaml = SchemaToYaml(s, "a comment");
  ASSERT_OK_AND_ASSIGN(Schema back, SchemaFromYaml(yaml, "s.yaml"));
  EXPECT_EQ(back.dataset, "tx");
  EXPECT_EQ(back.label, "y");
  ASSERT_EQ(back.columns.size(), 3u);
  EXPECT_EQ(*back.columns[0].min, 0.1);
  EXPECT_EQ(*back.columns[0].max, 1e300);
  EXPECT_EQ(back.columns[1].domain, s.columns[1].domain);
  EXPECT_EQ(back.columns[1].max_missing_fraction, 0.25);
  EXPECT_EQ(back.columns[2].type, ColumnType::kInt64);
}

TEST(SchemaTest, BadYamlNamesLineAndColumn) {
  auto r = SchemaFromYaml("dataset: tx\ncolumns:\n  - name: a\n    type: float64\n    colour: red\n", "s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().file, "s.yaml");
  EXPECT_EQ(r.status().where().line, 5);
  EXPECT_EQ(r.status().where().column, 5);
  EXPECT_NE(r.status().message().find("unknown key \"colour\""), std::string::npos);

  r = SchemaFromYaml("dataset: tx\ncolumns:\n  - name: a\n    type: decimal\n", "s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().where().line, 4);
  EXPECT_NE(r.status().message().find("unknown type"), std::string::npos);

  r = SchemaFromYaml("dataset: [unclosed\n", "s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid YAML"), std::string::npos);

  r = SchemaFromYaml("label: z\ncolumns:\n  - {name: a, type: int64}\n", "s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("label z is not one of the columns"), std::string::npos);
}

}  // namespace
}  // namespace gyre
