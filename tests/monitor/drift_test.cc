// The drift engine: Evidently's default choice of test per column, thresholds and their
// comparison directions, the dataset verdict, configuration, and stored reference statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "data/reader.h"
#include "monitor/drift.h"
#include "monitor/drift_io.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using testing::TempDir;

// A CSV with the given columns, each a function of the row number.
std::string Csv(const std::vector<std::pair<std::string, std::function<std::string(int)>>>& cols,
                int rows) {
  std::ostringstream out;
  for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << cols[c].first;
  out << "\n";
  for (int i = 0; i < rows; ++i) {
    for (size_t c = 0; c < cols.size(); ++c) out << (c ? "," : "") << cols[c].second(i);
    out << "\n";
  }
  return out.str();
}

class DriftTest : public ::testing::Test {
 protected:
  DatasetSummary Summary(const std::string& name, const std::string& csv) {
    auto s = SummarizeFile(dir_.Write(name, csv));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  // Reference and current files of `rows` rows with a numeric, two integer, a binary, a
  // categorical, an identifier, a text and a timestamp column; `shift` moves the current.
  std::pair<DatasetSummary, DatasetSummary> Pair(int ref_rows, int cur_rows, double shift) {
    auto make = [&](int rows, double s, uint32_t seed) {
      auto rng = std::make_shared<std::mt19937>(seed);
      auto normal = std::make_shared<std::normal_distribution<double>>(s, 1.0);
      return Csv({{"amount", [=](int) { return std::to_string((*normal)(*rng)); }},
                  {"level", [=](int i) { return std::to_string((i * 7 + static_cast<int>(s * 3)) % 4); }},
                  {"count", [=](int i) { return std::to_string((i * 13) % 40 + static_cast<int>(s * 10)); }},
                  {"flag", [=](int i) { return std::to_string(i % 5 == 0 ? 1 : 0); }},
                  {"grade", [=](int i) { return std::to_string(i % 4) + ".5"; }},
                  {"channel", [=](int i) { return std::string(i % 3 == 0 ? "web" : (i % 3 == 1 ? "pos" : "atm")); }},
                  {"id", [=](int i) { return std::to_string(1000000 + i + static_cast<int>(s * 1000)); }},
                  {"note", [=](int i) { return "note-" + std::to_string(i); }},
                  {"at", [=](int i) { return "2026-10-" + std::to_string(10 + i % 18) + "T10:00:00Z"; }}},
                 rows);
    };
    return {Summary("ref.csv", make(ref_rows, 0, 1)), Summary("cur.csv", make(cur_rows, shift, 2))};
  }
  const ColumnDrift* Col(const DriftReport& r, const std::string& name) {
    for (const ColumnDrift& c : r.columns)
      if (c.column == name) return &c;
    return nullptr;
  }
  std::string Skip(const DriftReport& r, const std::string& name) {
    for (const SkippedColumn& s : r.skipped)
      if (s.column == name) return s.reason;
    return "";
  }
  TempDir dir_;
};

TEST_F(DriftTest, SmallReferenceUsesPValueTests) {
  auto [ref, cur] = Pair(800, 600, 0.0);
  ASSERT_OK_AND_ASSIGN(DriftReport r, ComputeDrift(ref, cur, {}));
  EXPECT_EQ(Col(r, "amount")->method, "ks");         // float, many values
  EXPECT_EQ(Col(r, "level")->method, "chisquare");   // 4 integer values: categorical
  EXPECT_EQ(Col(r, "level")->kind, DriftKind::kCategorical);
  EXPECT_EQ(Col(r, "count")->method, "ks");          // 40 integer values: numerical
  EXPECT_EQ(Col(r, "flag")->method, "z");            // two values
  EXPECT_EQ(Col(r, "grade")->method, "chisquare");   // a float with 4 values, as Evidently does
  EXPECT_EQ(Col(r, "grade")->kind, DriftKind::kNumerical);
  EXPECT_EQ(Col(r, "channel")->method, "chisquare");
  EXPECT_EQ(Col(r, "amount")->threshold, 0.05);
  EXPECT_TRUE(Col(r, "amount")->p_value.has_value());
  EXPECT_NE(Skip(r, "id").find("identifier"), std::string::npos);
  EXPECT_NE(Skip(r, "note").find("text"), std::string::npos);
  EXPECT_EQ(Skip(r, "at"), "timestamp");
  EXPECT_FALSE(r.dataset_drift);
}

TEST_F(DriftTest, LargeReferenceUsesDistances) {
  auto [ref, cur] = Pair(3000, 2000, 0.0);
  ASSERT_OK_AND_ASSIGN(DriftReport r, ComputeDrift(ref, cur, {}));
  EXPECT_EQ(Col(r, "amount")->method, "wasserstein");
  EXPECT_EQ(Col(r, "level")->method, "jensenshannon");
  EXPECT_EQ(Col(r, "flag")->method, "jensenshannon");
  EXPECT_EQ(Col(r, "grade")->method, "jensenshannon");
  EXPECT_EQ(Col(r, "channel")->method, "jensenshannon");
  EXPECT_FALSE(Col(r, "amount")->p_value.has_value());
  EXPECT_EQ(Col(r, "amount")->threshold, 0.1);
  EXPECT_EQ(Col(r, "amount")->score, Col(r, "amount")->statistic);
}

TEST_F(DriftTest, ShiftedDataDriftsAndTheShareDecides) {
  auto [ref, cur] = Pair(3000, 2000, 1.0);
  ASSERT_OK_AND_ASSIGN(DriftReport r, ComputeDrift(ref, cur, {}));
  EXPECT_TRUE(Col(r, "amount")->drift);  // a shift of one standard deviation
  EXPECT_TRUE(Col(r, "count")->drift);
  EXPECT_FALSE(Col(r, "flag")->drift);
  EXPECT_EQ(r.drifted, static_cast<int>(std::count_if(r.columns.begin(), r.columns.end(),
                                                      [](const ColumnDrift& c) { return c.drift; })));
  EXPECT_DOUBLE_EQ(r.drift_share, static_cast<double>(r.drifted) / r.columns.size());
  EXPECT_EQ(r.dataset_drift, r.drift_share >= 0.5);
  DriftOptions strict;
  strict.drift_share = static_cast<double>(r.drifted) / r.columns.size();  // reached exactly: drifts
  ASSERT_OK_AND_ASSIGN(DriftReport at, ComputeDrift(ref, cur, strict));
  EXPECT_TRUE(at.dataset_drift);
  strict.drift_share += 1e-9;
  ASSERT_OK_AND_ASSIGN(DriftReport above, ComputeDrift(ref, cur, strict));
  EXPECT_FALSE(above.dataset_drift);
}

TEST_F(DriftTest, ThresholdDirectionsFollowEvidently) {
  auto [ref, cur] = Pair(800, 600, 0.3);
  // Whether `method` calls the column drifted at `threshold`; and its score with no threshold.
  auto drifts = [&](const std::string& method, double threshold) {
    DriftOptions o;
    o.per_column["amount"] = {method, threshold};
    auto r = ComputeDrift(ref, cur, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && Col(*r, "amount")->drift;
  };
  auto score = [&](const std::string& method) {
    DriftOptions o;
    o.per_column["amount"].method = method;
    auto r = ComputeDrift(ref, cur, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    const ColumnDrift* c = Col(*r, "amount");
    return c->p_value ? *c->p_value : c->statistic;
  };
  // At the score itself and just either side of it, so that a reversed comparison (or a strict
  // one where Evidently's is not) fails: tests drift when p <= t (ks) or p < t (t_test);
  // distances when d > t (energy_distance) or d >= t (psi).
  const double below = 1 - 1e-9, above = 1 + 1e-9;
  const double ks = score("ks"), t = score("t_test"), e = score("energy_distance"), psi = score("psi");
  EXPECT_TRUE(drifts("ks", ks));
  EXPECT_FALSE(drifts("ks", ks * below));
  EXPECT_TRUE(drifts("ks", ks * above));
  EXPECT_FALSE(drifts("t_test", t));
  EXPECT_FALSE(drifts("t_test", t * below));
  EXPECT_TRUE(drifts("t_test", t * above));
  EXPECT_FALSE(drifts("energy_distance", e));
  EXPECT_TRUE(drifts("energy_distance", e * below));
  EXPECT_FALSE(drifts("energy_distance", e * above));
  EXPECT_TRUE(drifts("psi", psi));
  EXPECT_TRUE(drifts("psi", psi * below));
  EXPECT_FALSE(drifts("psi", psi * above));
}

TEST_F(DriftTest, MethodsMustFitTheColumnKind) {
  auto [ref, cur] = Pair(500, 500, 0.0);
  DriftOptions o;
  o.method = "chisquare";  // categorical only, as Evidently registers it
  auto r = ComputeDrift(ref, cur, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("amount"), std::string::npos);
  o.method = "psi";  // both kinds
  EXPECT_TRUE(ComputeDrift(ref, cur, o).ok());
  o = {};
  o.per_column["id"].method = "ks";  // a method named for an identifier tests it
  ASSERT_OK_AND_ASSIGN(DriftReport id, ComputeDrift(ref, cur, o));
  ASSERT_NE(Col(id, "id"), nullptr);
  EXPECT_EQ(Col(id, "id")->method, "ks");
}

TEST_F(DriftTest, AllStatsCoverTheColumnsType) {
  auto [ref, cur] = Pair(1500, 1500, 0.2);
  DriftOptions o;
  o.all_stats = true;
  ASSERT_OK_AND_ASSIGN(DriftReport r, ComputeDrift(ref, cur, o));
  for (const char* k : {"ks", "psi", "wasserstein", "wasserstein_norm", "jensen_shannon"})
    EXPECT_TRUE(Col(r, "amount")->stats.count(k)) << k;
  for (const char* k : {"chi_square", "psi", "jensen_shannon"})
    EXPECT_TRUE(Col(r, "channel")->stats.count(k)) << k;
  EXPECT_FALSE(Col(r, "channel")->stats.count("ks"));
  // The chosen test's figures are the same as the matching entry of stats.
  EXPECT_EQ(Col(r, "amount")->statistic, Col(r, "amount")->stats.at("wasserstein_norm").statistic);
}

TEST_F(DriftTest, MissingAndMismatchedColumnsAreReportedNotTested) {
  DatasetSummary ref = Summary("a.csv", "x,y,z\n1.5,a,1\n2.5,b,2\n3.5,a,3\n4.5,a,4\n5.5,b,5\n");
  DatasetSummary cur = Summary("b.csv", "x,y\nfoo,a\nbar,b\nbaz,b\nqux,a\n");
  ASSERT_OK_AND_ASSIGN(DriftReport r, ComputeDrift(ref, cur, {}));
  EXPECT_NE(Skip(r, "x").find("type mismatch"), std::string::npos);
  EXPECT_EQ(Skip(r, "z"), "missing from the current data");
  ASSERT_EQ(r.columns.size(), 1u);
  EXPECT_EQ(r.columns[0].column, "y");
}

TEST_F(DriftTest, SummariesRoundTripAndRejectCorruption) {
  auto [ref, cur] = Pair(700, 10, 0.0);
  const std::string bytes = SerializeSummary(ref);
  ASSERT_OK_AND_ASSIGN(DatasetSummary back, ParseSummary(bytes));
  ASSERT_EQ(back.columns.size(), ref.columns.size());
  EXPECT_EQ(back.rows, ref.rows);
  for (size_t i = 0; i < ref.columns.size(); ++i) {
    EXPECT_EQ(back.columns[i].name, ref.columns[i].name);
    EXPECT_EQ(back.columns[i].type, ref.columns[i].type);
    EXPECT_EQ(back.columns[i].numeric.values, ref.columns[i].numeric.values);
    EXPECT_EQ(back.columns[i].numeric.counts, ref.columns[i].numeric.counts);
    EXPECT_EQ(back.columns[i].categories, ref.columns[i].categories);
  }
  std::string bad = bytes;
  bad[bad.size() / 2] ^= 0x5a;
  auto r = ParseSummary(bad);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ParseSummary("not zstd").status().code(), StatusCode::kDataLoss);
}

// A column's sample is the same whether its values were counted (data/value_counts.h), kept
// and sorted, or counted until they no longer fit and kept from there: many_numbers.csv read in
// chunks of 1,000 rows has columns of each kind; "edges" holds integers past 1e9 and infinities.
TEST_F(DriftTest, CountedAndKeptValuesGiveTheSameSample) {
  const std::string many = testing::TestDataPath("csv_corpus/many_numbers.csv");
  const std::string edges = dir_.Write("edges.csv", Csv({{"big", [](int i) { return std::to_string(int64_t{1} << 40 | i % 7); }},
                                                        {"inf", [](int i) { return i % 9 == 0 ? "inf" : std::to_string(i % 50) + ".25"; }}},
                                                       3000));
  for (const std::string& path : {many, edges}) {
    ReadOptions chunks;
    chunks.chunk_rows = 1000;
    ASSERT_OK_AND_ASSIGN(DatasetSummary summary, SummarizeFile(path, chunks));
    ASSERT_OK_AND_ASSIGN(Table table, ReadTable(path));
    for (int c = 0; c < table.num_columns(); ++c) {
      const Column& col = table.column(c);
      std::vector<double> values;
      for (int64_t i = 0; i < col.size(); ++i) {
        if (col.IsValid(i)) values.push_back(col.NumberAt(i));
      }
      const NumericSample want = NumericSample::FromValues(values);
      const ColumnSummary* got = summary.Find(col.name());
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(got->numeric.size, want.size) << col.name();
      EXPECT_EQ(got->numeric.values, want.values) << col.name();
      EXPECT_EQ(got->numeric.counts, want.counts) << col.name();
      EXPECT_EQ(got->missing, col.size() - want.size) << col.name();
    }
  }
}

TEST_F(DriftTest, ChosenColumnsAndAppendedColumnsSerializeAsOneSummary) {
  auto t = ReadTable(dir_.Write("c.csv", "a,b,c\n1,x,2.5\n2,y,3.5\n2,x,\n"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const DatasetSummary some = SummarizeTable(*t, {"c", "a", "absent"});
  ASSERT_EQ(some.columns.size(), 2u);
  EXPECT_EQ(some.columns[0].name, "a") << "in the table's order";
  EXPECT_EQ(some.columns[1].name, "c");
  EXPECT_EQ(some.columns[1].missing, 1);
  const DatasetSummary all = SummarizeTable(*t);
  const DatasetSummary b = SummarizeTable(*t, {"b"});
  DatasetSummary joined = some;
  joined.columns.push_back(b.columns[0]);
  // A model's reference: header, columns and appended columns in three frames, holding the
  // very record SerializeSummary writes in one.
  const std::string framed = SerializeFramed(some.rows, some.columns.size(), CompressColumns(some.columns), b.columns);
  const std::string one = SerializeSummary(joined);
  EXPECT_FALSE(IsOneFrame(framed));
  EXPECT_TRUE(IsOneFrame(one));
  ASSERT_OK_AND_ASSIGN(std::string as_one, AsOneFrame(framed));
  EXPECT_EQ(as_one, one);
  ASSERT_OK_AND_ASSIGN(std::string again, AsOneFrame(one));
  EXPECT_EQ(again, one);
  for (const std::string* bytes : {&framed, &one}) {
    ASSERT_OK_AND_ASSIGN(DatasetSummary back, ParseSummary(*bytes));
    EXPECT_EQ(back.rows, 3);
    ASSERT_EQ(back.columns.size(), 3u);
    EXPECT_EQ(back.columns[0].numeric.values, all.Find("a")->numeric.values);
    EXPECT_EQ(back.columns[2].categories, all.Find("b")->categories);
  }
}

// Every frame is checked: a damaged middle frame, a cut last frame, a missing last frame or
// bytes after the frames are DataLoss, never a summary.
TEST_F(DriftTest, FramedReferencesRejectDamageInAnyFrame) {
  auto [ref, cur] = Pair(700, 10, 0.0);
  std::vector<ColumnSummary> first(ref.columns.begin(), ref.columns.end() - 1), last(ref.columns.end() - 1, ref.columns.end());
  const std::string body = CompressColumns(first);
  const std::string framed = SerializeFramed(ref.rows, first.size(), body, last);
  ASSERT_OK(ParseSummary(framed).status());
  const size_t head = framed.find(body);
  ASSERT_NE(head, std::string::npos);
  std::string damaged = framed;
  damaged[head + body.size() / 2] ^= 0x5a;
  const std::string without_last = framed.substr(0, head + body.size());
  for (const std::string& bad : {damaged, framed.substr(0, framed.size() - 3), without_last, framed + "x"}) {
    EXPECT_EQ(ParseSummary(bad).status().code(), StatusCode::kDataLoss);
  }
  EXPECT_EQ(AsOneFrame(damaged).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseSummary("").status().code(), StatusCode::kDataLoss);
}

TEST_F(DriftTest, ColumnsTheReferenceRulesOutNeedNoValuesFromTheCurrentData) {
  auto [ref, cur] = Pair(700, 300, 0.5);
  DriftOptions o;
  o.skip_columns = {"level"};
  std::vector<std::string> untested = UntestedColumns(ref, o);
  std::sort(untested.begin(), untested.end());
  EXPECT_EQ(untested, (std::vector<std::string>{"at", "id", "level", "note"}));
  o.per_column["id"].method = "ks";  // a method named for a key tests it anyway
  const std::vector<std::string> with_key = UntestedColumns(ref, o);
  EXPECT_EQ(std::count(with_key.begin(), with_key.end(), "id"), 0);
  o.per_column.clear();
  // The current file again, keeping no values of those columns: the same report.
  auto lean = SummarizeFile(dir_.File("cur.csv"), {}, UntestedColumns(ref, o));
  ASSERT_TRUE(lean.ok()) << lean.status().ToString();
  ASSERT_NE(lean->Find("id"), nullptr);
  ASSERT_NE(lean->Find("note"), nullptr);
  EXPECT_TRUE(lean->Find("id")->numeric.values.empty());
  EXPECT_TRUE(lean->Find("note")->categories.empty());
  EXPECT_FALSE(cur.Find("id")->numeric.values.empty());
  ASSERT_OK_AND_ASSIGN(DriftReport full, ComputeDrift(ref, cur, o));
  ASSERT_OK_AND_ASSIGN(DriftReport kept, ComputeDrift(ref, *lean, o));
  EXPECT_EQ(DriftReportToJson(kept, 2), DriftReportToJson(full, 2));
}

TEST_F(DriftTest, OnlyColumnsComparesPartOfAReferenceAsACopyOfThatPartWould) {
  auto [ref, cur] = Pair(700, 300, 0.5);
  DatasetSummary part;
  part.rows = ref.rows;
  for (const char* name : {"amount", "id", "channel"}) part.columns.push_back(*ref.Find(name));
  DriftOptions o;
  ASSERT_OK_AND_ASSIGN(DriftReport copied, ComputeDrift(part, cur, o));
  o.only_columns = {"channel", "amount", "id"};
  ASSERT_OK_AND_ASSIGN(DriftReport in_place, ComputeDrift(ref, cur, o));
  EXPECT_EQ(DriftReportToJson(in_place, 2), DriftReportToJson(copied, 2));
  EXPECT_EQ(in_place.columns.size() + in_place.skipped.size(), 3u) << "the other columns are not even skipped";
}

TEST_F(DriftTest, NanAndInfinityAreMissing) {
  DatasetSummary s = Summary("n.csv", "v\n1.5\nNaN\ninf\n2.5\nNA\n-inf\n1.5\n");
  const ColumnSummary* v = s.Find("v");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count(), 3);
  EXPECT_EQ(v->missing, 4);
  EXPECT_EQ(v->numeric.values, (std::vector<double>{1.5, 2.5}));
}

TEST(DriftConfigTest, AppliesAndRejectsWithLines) {
  DriftOptions o;
  ASSERT_OK(ApplyDriftConfig("method: psi\nthreshold: 0.2\ndrift_share: 0.3\ncolumns:\n"
                             "  amount: {method: ks, threshold: 0.01}\n",
                             "drift.yaml", o));
  EXPECT_EQ(o.method, "psi");
  EXPECT_EQ(*o.threshold, 0.2);
  EXPECT_EQ(o.drift_share, 0.3);
  EXPECT_EQ(*o.per_column["amount"].method, "ks");
  EXPECT_EQ(*o.per_column["amount"].threshold, 0.01);
  DriftOptions bad;
  Status s = ApplyDriftConfig("method: auto\ncolumns:\n  amount: {method: kss}\n", "drift.yaml", bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("kss"), std::string::npos);
  EXPECT_NE(s.ToString().find("drift.yaml"), std::string::npos);
  s = ApplyDriftConfig("method: auto\nthreshhold: 0.1\n", "drift.yaml", bad);
  EXPECT_NE(s.ToString().find("line 2"), std::string::npos) << s.ToString();
  s = ApplyDriftConfig("threshold: lots\n", "drift.yaml", bad);
  EXPECT_NE(s.ToString().find("threshold"), std::string::npos);
}

}  // namespace
}  // namespace gyre
