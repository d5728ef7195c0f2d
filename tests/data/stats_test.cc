// Statistics against golden values computed by pandas/numpy (tests/golden/make_stats_golden.py).
#include "data/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include <nlohmann/json.hpp>

#include "data/generate.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

void ExpectClose(double got, const json& want, const std::string& where) {
  if (want.is_null()) {
    EXPECT_TRUE(std::isnan(got)) << where << " got " << got;
    return;
  }
  double w = want.get<double>();
  EXPECT_NEAR(got, w, 1e-9 * std::max(1.0, std::fabs(w))) << where;
}

std::string PathOfGolden(const std::string& file) {
  std::string p = testing::DatasetPath(file);
  return Env::Default()->FileExists(p) ? p : testing::TestDataPath("csv_corpus/" + file);
}

void CheckNumeric(const ColumnStats& c, const json& g, const std::string& where) {
  ASSERT_TRUE(c.numeric.has_value()) << where;
  const NumericSummary& n = *c.numeric;
  ExpectClose(n.mean, g["mean"], where + " mean");
  ExpectClose(n.std, g["std"], where + " std");
  ExpectClose(n.min, g["min"], where + " min");
  ExpectClose(n.max, g["max"], where + " max");
  for (size_t i = 0; i < kProfileQuantiles.size(); ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "%g", kProfileQuantiles[i]);
    ExpectClose(n.quantiles[i], g["quantiles"][key], where + " q" + key);
  }
  EXPECT_EQ(n.zeros, g["zeros"].get<int64_t>()) << where;
  EXPECT_EQ(n.negatives, g["negatives"].get<int64_t>()) << where;
  if (!g["histogram"].is_null()) {
    EXPECT_EQ(n.histogram.counts, g["histogram"].get<std::vector<int64_t>>()) << where;
  }
}

void CheckString(const ColumnStats& c, const json& g, const std::string& where) {
  // The golden file keeps pandas' first 20 value counts; Gyre keeps up to 100.
  auto want = g["top"].get<std::vector<std::pair<std::string, int64_t>>>();
  std::vector<std::pair<std::string, int64_t>> top;
  for (const auto& t : c.top) top.emplace_back(t.value, t.count);
  EXPECT_EQ(top.size(), static_cast<size_t>(std::min<int64_t>(c.distinct, 100))) << where;
  top.resize(std::min(top.size(), want.size()));
  EXPECT_EQ(top, want) << where;
  if (g.contains("length") && !g["length"].is_null() && c.lengths) {
    EXPECT_EQ(c.lengths->min, g["length"]["min"].get<int64_t>()) << where;
    EXPECT_EQ(c.lengths->max, g["length"]["max"].get<int64_t>()) << where;
    ExpectClose(c.lengths->mean, g["length"]["mean"], where + " mean length");
  }
}

void CheckAgainstGolden(const std::string& file, const json& g, const ReadOptions& read) {
  ASSERT_OK_AND_ASSIGN(DatasetStats s, ProfileFile(PathOfGolden(file), read));
  EXPECT_EQ(s.rows, g["rows"].get<int64_t>()) << file;
  for (const auto& [name, gc] : g["columns"].items()) {
    std::string where = file + " (chunks of " + std::to_string(read.chunk_rows) + " rows):" + name;
    const ColumnStats* c = s.Find(name);
    ASSERT_NE(c, nullptr) << where;
    EXPECT_EQ(c->count, gc["count"].get<int64_t>()) << where;
    EXPECT_EQ(c->missing, gc["missing"].get<int64_t>()) << where;
    EXPECT_EQ(c->distinct, gc["distinct"].get<int64_t>()) << where;
    if (gc["kind"] == "numeric") CheckNumeric(*c, gc, where);
    else CheckString(*c, gc, where);
  }
}

// Also in chunks of 1,000 rows: many_numbers.csv is shaped so that columns stop fitting exact
// counts (data/value_counts.h) at a chunk boundary, gain decimal places, grow downwards and
// turn from integers into decimals, each of which the statistics must come through unchanged.
TEST(StatsTest, EqualsPandasOnRealDatasetsAndCorpus) {
  json golden = json::parse(testing::ReadAll(testing::GoldenPath("stats_golden.json")));
  ASSERT_GE(golden.size(), 4u);
  ASSERT_TRUE(golden.contains("many_numbers.csv"));
  ReadOptions small_chunks;
  small_chunks.chunk_rows = 1000;
  for (const auto& [file, g] : golden.items()) {
    CheckAgainstGolden(file, g, ReadOptions{});
    CheckAgainstGolden(file, g, small_chunks);
  }
}

// Past the memory budget the profile switches to sketches: counts, moments and extremes stay
// exact; quantiles stay within the KLL rank bound and distinct counts within HyperLogLog's.
TEST(StatsTest, StreamingSketchesStayWithinTheirBounds) {
  testing::TempDir dir;
  FraudOptions f;
  f.rows = 60000;
  ASSERT_OK(GenerateFraudCsv(f, dir.File("f.csv"), Env::Default()));
  ASSERT_OK_AND_ASSIGN(DatasetStats exact, ProfileFile(dir.File("f.csv")));
  ProfileOptions o;
  o.exact_memory_bytes = 0;
  ASSERT_OK_AND_ASSIGN(Table table, ReadTable(dir.File("f.csv")));
  ASSERT_OK_AND_ASSIGN(DatasetStats approx, ProfileFile(dir.File("f.csv"), {}, o));
  for (const auto& e : exact.columns) {
    const ColumnStats* a = approx.Find(e.name);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->count, e.count) << e.name;
    EXPECT_EQ(a->missing, e.missing) << e.name;
    if (!e.numeric) continue;
    EXPECT_FALSE(a->numeric->quantiles_exact);
    EXPECT_DOUBLE_EQ(a->numeric->min, e.numeric->min);
    EXPECT_DOUBLE_EQ(a->numeric->max, e.numeric->max);
    EXPECT_NEAR(a->numeric->mean, e.numeric->mean, 1e-9 * std::max(1.0, std::fabs(e.numeric->mean)));
    EXPECT_NEAR(static_cast<double>(a->distinct), static_cast<double>(e.distinct), 0.03 * static_cast<double>(e.distinct) + 1)
        << e.name;
    // The rank of each sketch quantile among the real values.
    std::vector<double> values;
    const Column* col = table.Find(e.name);
    for (int64_t i = 0; i < col->size(); ++i) {
      if (col->IsValid(i)) values.push_back(col->NumberAt(i));
    }
    std::sort(values.begin(), values.end());
    for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
      double v = a->numeric->quantiles[q];
      double lo = static_cast<double>(std::lower_bound(values.begin(), values.end(), v) - values.begin());
      double hi = static_cast<double>(std::upper_bound(values.begin(), values.end(), v) - values.begin());
      double target = kProfileQuantiles[q] * static_cast<double>(values.size());
      double err = target < lo ? lo - target : (target > hi ? target - hi : 0);
      EXPECT_LE(err / static_cast<double>(values.size()), 0.003) << e.name << " q" << kProfileQuantiles[q];
    }
    int64_t total = 0;
    for (int64_t c : a->numeric->histogram.counts) total += c;
    EXPECT_EQ(total, e.count - a->numeric->infinities) << e.name;
  }
}

// A budget that the counts outgrow after a few chunks: what was counted until then (with
// counts past 255 in `b`) feeds the moments and sketches a block at a time, and counts,
// moments and extremes stay those of the exact profile.
TEST(StatsTest, CountsOutgrowingTheBudgetMidwayLoseNothing) {
  testing::TempDir dir;
  std::string csv = "a,b,c\n";
  for (int i = 0; i < 60000; ++i) {
    char c[32];
    std::snprintf(c, sizeof c, "%.2f", (i % 5000) * 0.01 - 7);
    csv += std::to_string(i) + "," + std::to_string(i % 7) + "," + c + "\n";
  }
  const std::string path = dir.Write("grow.csv", csv);
  ReadOptions chunks;
  chunks.chunk_rows = 4096;
  ASSERT_OK_AND_ASSIGN(DatasetStats exact, ProfileFile(path, chunks));
  ProfileOptions o;
  o.exact_memory_bytes = 48 << 10;  // the first chunk's counts fit; fifteen chunks' do not
  ASSERT_OK_AND_ASSIGN(DatasetStats approx, ProfileFile(path, chunks, o));
  for (const auto& e : exact.columns) {
    const ColumnStats* a = approx.Find(e.name);
    ASSERT_NE(a, nullptr);
    EXPECT_FALSE(a->numeric->quantiles_exact) << e.name;
    EXPECT_EQ(a->count, e.count) << e.name;
    EXPECT_EQ(a->numeric->min, e.numeric->min) << e.name;
    EXPECT_EQ(a->numeric->max, e.numeric->max) << e.name;
    EXPECT_EQ(a->numeric->zeros, e.numeric->zeros) << e.name;
    EXPECT_EQ(a->numeric->negatives, e.numeric->negatives) << e.name;
    EXPECT_NEAR(a->numeric->mean, e.numeric->mean, 1e-9 * std::max(1.0, std::fabs(e.numeric->mean))) << e.name;
    EXPECT_NEAR(a->numeric->std, e.numeric->std, 1e-9 * e.numeric->std) << e.name;
  }
}

// Exact statistics from counts equal those from kept and sorted values: random files of
// columns of many shapes (decimals of 0 to 7 places about large offsets, integers in steps,
// heavy tails, missing values, -0.0, integers turning into decimals late), read in chunks of
// 1,000 rows, profiled both ways.
TEST(StatsTest, CountedAndSortedValuesGiveTheSameStatistics) {
  std::mt19937_64 rng(23);
  testing::TempDir dir;
  for (int file = 0; file < 12; ++file) {
    const int rows = 2000 + static_cast<int>(rng() % 4000), columns = 6;
    std::vector<std::function<std::string(int)>> make;
    for (int c = 0; c < columns; ++c) {
      const int places = static_cast<int>(rng() % 8);
      const double offset = std::pow(10.0, static_cast<double>(rng() % 8)) * (rng() % 2 ? 1 : -1);
      const double spread = std::pow(10.0, static_cast<double>(rng() % 5) - 2);
      const int shape = static_cast<int>(rng() % 5);
      const uint64_t seed = rng();
      make.push_back([=](int i) -> std::string {
        std::mt19937_64 r(seed + static_cast<uint64_t>(i));
        if (r() % 17 == 0) return "";
        const double u = std::uniform_real_distribution<double>(0, 1)(r);
        char buf[64];
        switch (shape) {
          case 0: std::snprintf(buf, sizeof buf, "%.*f", places, offset + spread * (u - 0.5)); break;
          case 1: std::snprintf(buf, sizeof buf, "%.*f", places, spread * std::exp(8 * u)); break;  // a heavy tail
          case 2: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::floor(u * 50)) * 1000 - 20000); break;
          // tenths from 0 to 2: the histogram's edges (i * 0.1 in doubles) fall on and near values
          case 3: std::snprintf(buf, sizeof buf, "%.1f", std::floor(u * 21) / 10); break;
          default:  // integers, then decimals from row 3,000 on; and a -0.0 now and then
            if (i % 97 == 0) return "-0.0";
            if (i < 3000) std::snprintf(buf, sizeof buf, "%d", static_cast<int>(u * 300) - 100);
            else std::snprintf(buf, sizeof buf, "%.2f", u * 300 - 100);
        }
        return buf;
      });
    }
    std::string csv = "c0,c1,c2,c3,c4,c5\n";
    for (int i = 0; i < rows; ++i) {
      for (int c = 0; c < columns; ++c) csv += (c ? "," : "") + make[static_cast<size_t>(c)](i);
      csv += "\n";
    }
    const std::string path = dir.Write("random" + std::to_string(file) + ".csv", csv);
    ReadOptions chunks;
    chunks.chunk_rows = 1000;
    ProfileOptions counted, sorted;
    sorted.count_values = false;
    ASSERT_OK_AND_ASSIGN(DatasetStats a, ProfileFile(path, chunks, counted));
    ASSERT_OK_AND_ASSIGN(DatasetStats b, ProfileFile(path, chunks, sorted));
    for (size_t c = 0; c < a.columns.size(); ++c) {
      const ColumnStats& x = a.columns[c];
      const ColumnStats& y = b.columns[c];
      const std::string where = "file " + std::to_string(file) + " column " + x.name;
      ASSERT_TRUE(x.numeric && y.numeric) << where;
      EXPECT_EQ(x.count, y.count) << where;
      EXPECT_EQ(x.missing, y.missing) << where;
      EXPECT_EQ(x.distinct, y.distinct) << where;
      const NumericSummary& n = *x.numeric;
      const NumericSummary& m = *y.numeric;
      EXPECT_EQ(n.quantiles, m.quantiles) << where;
      EXPECT_EQ(n.histogram.counts, m.histogram.counts) << where;
      EXPECT_EQ(n.histogram.edges, m.histogram.edges) << where;
      EXPECT_EQ(n.min, m.min) << where;
      EXPECT_EQ(n.max, m.max) << where;
      EXPECT_EQ(n.zeros, m.zeros) << where;
      EXPECT_EQ(n.negatives, m.negatives) << where;
      EXPECT_NEAR(n.mean, m.mean, 1e-12 * std::max(1.0, std::fabs(m.mean))) << where;
      EXPECT_NEAR(n.std, m.std, 1e-9 * std::max(1e-300, m.std)) << where;
    }
  }
}

TEST(StatsTest, JsonRoundTrips) {
  ASSERT_OK_AND_ASSIGN(DatasetStats s, ProfileFile(testing::DatasetPath("iris.csv")));
  ASSERT_OK_AND_ASSIGN(DatasetStats back, StatsFromJson(StatsToJson(s)));
  ASSERT_EQ(back.columns.size(), s.columns.size());
  EXPECT_EQ(StatsToJson(back), StatsToJson(s));
  EXPECT_EQ(StatsFromJson("{nope").status().code(), StatusCode::kDataLoss);
}

TEST(StatsTest, ContractKeysArePresent) {
  ASSERT_OK_AND_ASSIGN(DatasetStats s, ProfileFile(testing::DatasetPath("iris.csv")));
  json j = json::parse(StatsToJson(s));
  EXPECT_EQ(j["rows"], 150);
  const json& num = j["columns"][0];
  for (const char* k : {"name", "type", "count", "missing", "distinct", "mean", "std", "min", "max", "quantiles"}) {
    EXPECT_TRUE(num.contains(k)) << k;
  }
  for (const char* q : {"0.01", "0.05", "0.25", "0.5", "0.75", "0.95", "0.99"}) EXPECT_TRUE(num["quantiles"].contains(q)) << q;
  const json& cat = j["columns"][4];
  EXPECT_EQ(cat["name"], "species");
  EXPECT_EQ(cat["top"][0]["count"], 50);
}

}  // namespace
}  // namespace gyre
