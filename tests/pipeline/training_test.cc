// A training's drift reference takes the numeric columns the file's profile counted from its
// counts: the summary must be the very one a second pass over the table makes (the bundle's
// bytes do not change), for every kind of column, and the profile must still finish whole.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "data/generate.h"
#include "data/reader.h"
#include "data/stats.h"
#include "monitor/drift.h"
#include "monitor/model_monitor.h"
#include "monitor/performance.h"
#include "pipeline/training.h"
#include "train/trainer.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

void ExpectSameAsASecondPass(const std::string& path, const std::vector<std::string>& columns) {
  ASSERT_OK_AND_ASSIGN(TrainingData d, LoadTrainingData(nullptr, nullptr, Env::Default(), path));
  StartSummary(d, columns);
  const DatasetSummary& from_counts = d.summary.get();
  const DatasetSummary again = SummarizeTable(d.table, columns);
  ASSERT_EQ(from_counts.columns.size(), again.columns.size());
  for (size_t c = 0; c < again.columns.size(); ++c) {
    const ColumnSummary& x = from_counts.columns[c];
    const ColumnSummary& y = again.columns[c];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << y.name;
    EXPECT_EQ(x.missing, y.missing) << y.name;
    EXPECT_EQ(x.numeric.size, y.numeric.size) << y.name;
    EXPECT_EQ(x.numeric.values, y.numeric.values) << y.name;
    EXPECT_EQ(x.numeric.counts, y.numeric.counts) << y.name;
    EXPECT_EQ(x.categories, y.categories) << y.name;
  }
  EXPECT_EQ(SerializeSummary(from_counts), SerializeSummary(again));
  EXPECT_EQ(d.compressed_summary.get(), CompressColumns(again.columns));
  ASSERT_OK_AND_ASSIGN(DatasetStats profile, ProfileFile(path));
  EXPECT_EQ(d.stats_json.get(), StatsToJson(profile));
}

TEST(TrainingDataTest, SummaryFromTheProfilesCountsEqualsASecondPass) {
  testing::TempDir dir;
  std::string csv = "id,small,huge,price,spiky,flag,city,when,empty,widens\n";
  for (int i = 0; i < 30000; ++i) {
    char price[32], widens[32];
    std::snprintf(price, sizeof price, "%.2f", (i * 37 % 10000) * 0.01 - 20);
    if (i < 20000) std::snprintf(widens, sizeof widens, "%d", i % 50);
    else std::snprintf(widens, sizeof widens, "%.1f", (i % 50) + 0.5);
    // 2^53 + 2k: odd offsets round to the even neighbours, so distinct integers share a double
    const std::string huge = std::to_string((1LL << 53) + (i % 7));
    csv += std::to_string(i) + "," + std::to_string(i % 13) + "," + (i % 11 ? huge : "") + "," + price + "," +
           (i == 777 ? "inf" : std::to_string(i % 5)) + "," + (i % 3 ? "true" : "false") + "," +
           (i % 4 ? "lyon" : "nice") + ",2026-10-0" + std::to_string(1 + i % 9) + "T12:00:00Z,," + widens + "\n";
  }
  const std::string path = dir.Write("t.csv", csv);
  ExpectSameAsASecondPass(path, {"id", "small", "huge", "price", "spiky", "flag", "city", "when", "empty", "widens"});
  ExpectSameAsASecondPass(path, {"price", "city", "widens"});
}

TEST(TrainingDataTest, SummaryOfAGeneratedFileEqualsASecondPass) {
  testing::TempDir dir;
  const std::string path = dir.File("f.csv");
  ASSERT_OK(GenerateFraudCsv(FraudOptions{.rows = 40000}, path, Env::Default()));
  ASSERT_OK_AND_ASSIGN(Table table, ReadTable(path));
  ExpectSameAsASecondPass(path, table.ColumnNames());
}

// The bundle's reference is written in frames, the training data's columns compressed while
// the model trains; it holds the same record the one-frame layout did, and a bundle laid out
// the old way is matched byte for byte by LayOutAsBefore (what `gyre runs reproduce` does).
TEST(TrainingDataTest, FramedReferenceHoldsTheOneFrameRecord) {
  const std::string path = testing::DatasetPath("breast_cancer.csv");
  TrainOptions o{"malignant"};
  o.params["num_round"] = "10";
  ASSERT_OK_AND_ASSIGN(TrainingData d, LoadTrainingData(nullptr, nullptr, Env::Default(), path));
  StartSummary(d, InputColumns(d.table, o));
  ASSERT_OK_AND_ASSIGN(TrainResult r, TrainForRun(d, o));
  const std::string& framed = r.bundle.reference_summary;
  EXPECT_FALSE(IsOneFrame(framed));
  DatasetSummary joined = d.summary.get();
  for (ColumnSummary& c : SummarizeTable(OutputsTable(r.bundle, r.holdout_outputs, r.holdout_width)).columns)
    joined.columns.push_back(std::move(c));
  ASSERT_OK_AND_ASSIGN(std::string one, AsOneFrame(framed));
  EXPECT_EQ(one, SerializeSummary(joined));
  ASSERT_OK_AND_ASSIGN(DatasetSummary back, ParseSummary(framed));
  ASSERT_EQ(back.columns.size(), joined.columns.size());
  EXPECT_EQ(back.columns.back().name, "p_1");
  EXPECT_EQ(r.bundle.calibration_json, FitIsotonic(r.holdout_outputs, r.holdout_labels).ToJson());
  EXPECT_EQ(r.bundle.reference_stats_json, d.stats_json.get());

  ASSERT_OK_AND_ASSIGN(TrainResult again, TrainForRun(d, o));
  ModelBundle old = r.bundle;
  old.reference_summary = one;
  ModelBundle laid_out = again.bundle;
  ASSERT_OK(LayOutAsBefore(old, &laid_out));
  EXPECT_EQ(laid_out.Serialize(), old.Serialize());
  laid_out = again.bundle;
  ASSERT_OK(LayOutAsBefore(r.bundle, &laid_out));
  EXPECT_EQ(laid_out.Serialize(), r.bundle.Serialize()) << "a framed reference stays framed";
  old.reference_summary.clear();
  old.calibration_json.clear();
  laid_out = again.bundle;
  ASSERT_OK(LayOutAsBefore(old, &laid_out));
  EXPECT_EQ(laid_out.Serialize(), old.Serialize()) << "no reference, no calibration";
}

}  // namespace
}  // namespace gyre
