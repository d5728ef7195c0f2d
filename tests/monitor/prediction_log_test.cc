// The prediction log: records round-trip, a crash in the middle of a record is detected and
// skipped, damage before the end is counted, segments rotate by size and by time, and windows
// cut the log by count and by time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "monitor/prediction_log.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

PredictionRecord Record(int i, int64_t t = 0) {
  PredictionRecord r;
  r.request_id = "req-" + std::to_string(i);
  r.time_us = t ? t : 1'700'000'000'000'000 + i * 1000;
  r.model_version = 3;
  r.inputs_json = "{\"amount\":" + std::to_string(10 + i) + ",\"channel\":\"web\"}";
  r.outputs_json = "{\"prediction\":\"0\",\"p_1\":0.25}";
  return r;
}

std::vector<std::string> SegmentFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class PredictionLogTest : public ::testing::Test {
 protected:
  std::string Dir() const { return dir_.File("logs/fraud"); }
  void Write(int n, const PredictionLogOptions& o = {}) {
    ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir(), o));
    for (int i = 0; i < n; ++i) ASSERT_OK(w->Append(Record(i)));
  }
  testing::TempDir dir_;
};

TEST_F(PredictionLogTest, RecordsRoundTrip) {
  Write(50);
  PredictionLogStats stats;
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
  ASSERT_EQ(records.size(), 50u);
  EXPECT_EQ(stats.records, 50);
  EXPECT_EQ(stats.torn_tails, 0);
  EXPECT_EQ(records[7].request_id, "req-7");
  EXPECT_EQ(records[7].model_version, 3);
  EXPECT_EQ(records[7].time_us, Record(7).time_us);
  EXPECT_EQ(records[7].inputs_json, "{\"amount\":17,\"channel\":\"web\"}");
  EXPECT_EQ(records[7].outputs_json, "{\"p_1\":0.25,\"prediction\":\"0\"}");
}

TEST(Crc32cTest, KnownValues) {
  // The check value of CRC-32C (RFC 3720) and a few lengths around the 8-byte steps.
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
}

TEST_F(PredictionLogTest, MissingLogIsEmpty) {
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  EXPECT_TRUE(records.empty());
}

TEST_F(PredictionLogTest, CrashInTheMiddleOfARecordLosesOnlyThatRecord) {
  Write(20);
  const std::string seg = SegmentFiles(Dir()).back();
  const auto size = std::filesystem::file_size(seg);
  for (uint64_t cut : {size - 1, size - 30, size - EncodeLogRecord(Record(19)).size() + 5}) {
    std::filesystem::resize_file(seg, cut);
    PredictionLogStats stats;
    ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
    EXPECT_EQ(records.size(), 19u) << cut;
    EXPECT_EQ(stats.torn_tails, 1) << cut;
    Write(0);  // a new writer after the crash
  }
  // The next writer appends to a new segment; the torn one stays as it is.
  Write(5);
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  EXPECT_EQ(records.size(), 24u);
  EXPECT_EQ(records.back().request_id, "req-4");
}

TEST_F(PredictionLogTest, DamageBeforeTheEndIsCountedAndSkipped) {
  Write(10);
  const std::string seg = SegmentFiles(Dir()).back();
  const size_t one = EncodeLogRecord(Record(0)).size();
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(one * 3 + 20));  // inside the fourth record's payload
    f.put('#');
  }
  PredictionLogStats stats;
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
  EXPECT_EQ(records.size(), 9u);
  EXPECT_EQ(stats.corrupt_records, 1);
  EXPECT_EQ(records[3].request_id, "req-4");
}

TEST_F(PredictionLogTest, SegmentsRotateBySizeAndByTime) {
  PredictionLogOptions by_size;
  by_size.max_segment_bytes = EncodeLogRecord(Record(0)).size() * 10;
  Write(35, by_size);
  EXPECT_EQ(SegmentFiles(Dir()).size(), 4u);
  ASSERT_OK_AND_ASSIGN(auto all, ReadPredictionLog(Env::Default(), Dir()));
  ASSERT_EQ(all.size(), 35u);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(all[i].request_id, "req-" + std::to_string(i));

  testing::TempDir other;
  PredictionLogOptions by_time;
  by_time.max_segment_age_us = 60'000'000;  // a minute
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), other.path(), by_time));
  const int64_t t0 = 1'700'000'000'000'000;
  for (int i = 0; i < 10; ++i) ASSERT_OK(w->Append(Record(i, t0 + i * 20'000'000)));  // every 20 s
  EXPECT_EQ(w->segments_started(), 4);  // 0-40 s, 60-100 s, 120-160 s, 180 s
}

TEST_F(PredictionLogTest, ConcurrentWritersLoseNothing) {
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) EXPECT_TRUE(w->Append(Record(t * 1000 + i)).ok());
    });
  for (auto& th : threads) th.join();
  ASSERT_OK(w->Sync());
  PredictionLogStats stats;
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
  EXPECT_EQ(records.size(), 1000u);
  EXPECT_EQ(stats.corrupt_records + stats.torn_tails, 0);
}

TEST_F(PredictionLogTest, WindowsByCountAndTime) {
  std::vector<PredictionRecord> records;
  for (int i = 0; i < 25; ++i) records.push_back(Record(i, 1000 + i * 10));
  auto by_count = WindowsByCount(records, 10);  // cut from the newest: 5, 10, 10
  ASSERT_EQ(by_count.size(), 3u);
  EXPECT_EQ(by_count[0].size(), 5u);
  EXPECT_EQ(by_count[2].size(), 10u);
  EXPECT_EQ(by_count[1].front().request_id, "req-5");
  EXPECT_EQ(by_count[2].back().request_id, "req-24");
  EXPECT_EQ(WindowsByCount(std::vector<PredictionRecord>(records.begin(), records.begin() + 20), 10)[0].size(), 10u);
  auto by_time = WindowsByTime(records, 100);  // 10 records per 100 us
  ASSERT_EQ(by_time.size(), 3u);
  EXPECT_EQ(by_time[0].size(), 10u);
  EXPECT_EQ(by_time[2].size(), 5u);
  // Two records decades apart, in windows of a microsecond: two windows, not one per microsecond.
  std::vector<PredictionRecord> far = {Record(0, 0), Record(1, int64_t{1} << 60)};
  auto gap = WindowsByTime(far, 1);
  ASSERT_EQ(gap.size(), 2u);
  EXPECT_EQ(gap[1].front().request_id, "req-1");
}

TEST_F(PredictionLogTest, IdsThatAreNotUtf8AreKeptReadable) {
  PredictionRecord r = Record(0);
  r.request_id = "bad\xff\xfeid";  // a client's header, say: encoding it must not throw
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir()));
  ASSERT_OK(w->Append(r));
  ASSERT_OK(w->Sync());
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].request_id.rfind("bad", 0), 0u);
  EXPECT_NE(records[0].request_id, r.request_id);  // the bad bytes were replaced
}

TEST_F(PredictionLogTest, TwoWritersStartingTogetherKeepTheirOwnSegments) {
  ASSERT_OK_AND_ASSIGN(auto a, PredictionLogWriter::Open(Env::Default(), Dir()));
  ASSERT_OK_AND_ASSIGN(auto b, PredictionLogWriter::Open(Env::Default(), Dir()));  // same number
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(a->Append(Record(i)));
    ASSERT_OK(b->Append(Record(100 + i)));
  }
  ASSERT_OK(a->Sync());
  ASSERT_OK(b->Sync());
  EXPECT_EQ(SegmentFiles(Dir()).size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  EXPECT_EQ(records.size(), 20u);
}

TEST_F(PredictionLogTest, RefusesARecordTooLargeToReadBack) {
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir()));
  PredictionRecord r = Record(1);
  r.inputs_json = "{\"blob\":\"" + std::string(65u << 20, 'x') + "\"}";
  EXPECT_EQ(w->Append(r).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(w->Append(Record(2)));
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  EXPECT_EQ(records.size(), 1u);
}

TEST_F(PredictionLogTest, RejectsInputsThatAreNotAnObject) {
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir()));
  PredictionRecord r = Record(1);
  r.inputs_json = "[1,2]";
  EXPECT_EQ(w->Append(r).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gyre
