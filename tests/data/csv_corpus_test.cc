// Behaviour as data: each tests/data/csv_corpus/NAME.csv is read and compared with
// NAME.expected.json (made by tests/golden/make_csv_corpus.py), and each file of
// tests/data/bad_inputs/manifest.json must fail with its line and message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/reader.h"
#include "data/text_parse.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

std::vector<std::string> CorpusCases() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(testing::TestDataPath("csv_corpus"))) {
    std::string f = e.path().filename().string();
    if (f.size() > 4 && f.substr(f.size() - 4) == ".csv") names.push_back(f.substr(0, f.size() - 4));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Compares one cell with its expected JSON value.
void ExpectCell(const Column& col, int64_t row, const json& want, const std::string& where) {
  if (want.is_null()) {
    EXPECT_FALSE(col.IsValid(row)) << where << " expected missing, got " << col.ValueToString(row);
    return;
  }
  ASSERT_TRUE(col.IsValid(row)) << where << " expected " << want.dump() << ", got missing";
  switch (col.type()) {
    case ColumnType::kInt64: EXPECT_EQ(col.ints()[static_cast<size_t>(row)], want.get<int64_t>()) << where; break;
    case ColumnType::kFloat64: {
      double got = col.doubles()[static_cast<size_t>(row)];
      if (want.is_string()) {
        EXPECT_EQ(FormatDouble(got), want.get<std::string>()) << where;
      } else {
        EXPECT_EQ(got, want.get<double>()) << where;
        EXPECT_EQ(std::signbit(got), std::signbit(want.get<double>())) << where << " sign of zero";
      }
      break;
    }
    case ColumnType::kBool: EXPECT_EQ(col.bools()[static_cast<size_t>(row)] != 0, want.get<bool>()) << where; break;
    case ColumnType::kString:
    case ColumnType::kTimestamp: EXPECT_EQ(col.ValueToString(row), want.get<std::string>()) << where; break;
  }
}

class CsvCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CsvCorpusTest, ReadsAsExpected) {
  const std::string base = testing::TestDataPath("csv_corpus/" + GetParam());
  json want = json::parse(testing::ReadAll(base + ".expected.json"));
  // Also with a tiny buffer and small chunks, so that every boundary is crossed.
  for (size_t buffer : {size_t{8} << 20, size_t{64}}) {
    ReadOptions o;
    o.buffer_bytes = buffer;
    o.chunk_rows = buffer == 64 ? 5 : o.chunk_rows;
    ScanSummary s;
    ASSERT_OK_AND_ASSIGN(Table t, ReadTable(base + ".csv", o, &s));
    std::string ctx = GetParam() + " (buffer " + std::to_string(buffer) + ")";
    EXPECT_EQ(std::string(1, s.delimiter), want["delimiter"].get<std::string>()) << ctx;
    ASSERT_EQ(t.num_rows(), want["rows"].get<int64_t>()) << ctx;
    ASSERT_EQ(t.num_columns(), static_cast<int>(want["columns"].size())) << ctx;
    for (int c = 0; c < t.num_columns(); ++c) {
      const json& wc = want["columns"][static_cast<size_t>(c)];
      const Column& col = t.column(c);
      std::string where = ctx + " column " + col.name();
      EXPECT_EQ(col.name(), wc["name"].get<std::string>()) << ctx;
      ASSERT_EQ(ColumnTypeName(col.type()), wc["type"].get<std::string>()) << where;
      if (wc.contains("values")) {
        for (size_t r = 0; r < wc["values"].size(); ++r) {
          ExpectCell(col, static_cast<int64_t>(r), wc["values"][r], where + " row " + std::to_string(r));
        }
      } else {
        for (const auto& [row, v] : wc["values_sample"].items()) ExpectCell(col, std::stoll(row), v, where + " row " + row);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, CsvCorpusTest, ::testing::ValuesIn(CorpusCases()),
                         [](const auto& info) { return info.param; });

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(BadInputTest, EveryMalformedFileFailsWithItsLineAndReason) {
  json manifest = json::parse(testing::ReadAll(testing::TestDataPath("bad_inputs/manifest.json")));
  ASSERT_GE(manifest.size(), 10u);
  for (const auto& c : manifest) {
    std::string file = c["file"].get<std::string>();
    std::string path = testing::TestDataPath("bad_inputs/" + file);
    ReadOptions o;
    if (file.size() > 3 && file.substr(file.size() - 3) == ".gz") o.format = FileFormat::kCsv;
    auto r = ReadTable(path, o);
    ASSERT_FALSE(r.ok()) << file << " was accepted";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << file;
    EXPECT_EQ(r.status().where().line, c["line"].get<int64_t>()) << file << ": " << r.status().ToString();
    EXPECT_EQ(r.status().where().file, path) << file;
    EXPECT_NE(Lower(r.status().message()).find(c["message"].get<std::string>()), std::string::npos)
        << file << ": " << r.status().ToString();
  }
}

}  // namespace
}  // namespace gyre
