// The prediction log: records round-trip, a crash in the middle of a record is detected and
// skipped, damage before the end is counted, segments rotate by size and by time, and windows
// cut the log by count and by time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

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
  EXPECT_EQ(records[7].outputs_json, "{\"prediction\":\"0\",\"p_1\":0.25}") << "kept as written";
}

// A segment of records with the given payloads, framed as the writer frames them (checksum
// over the length and the payload).
std::string Framed(const std::vector<std::string>& payloads) {
  std::string out;
  for (const std::string& p : payloads) {
    std::string rec(4, '\0');
    for (int i = 0; i < 4; ++i) rec.push_back(static_cast<char>((p.size() >> (8 * i)) & 0xff));
    rec += p;
    const uint32_t crc = Crc32c(rec.data() + 4, rec.size() - 4);
    for (int i = 0; i < 4; ++i) rec[static_cast<size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
    out += rec;
  }
  return out;
}

TEST_F(PredictionLogTest, PayloadsAreReadByTheirMembersWhateverTheirLayout) {
  std::filesystem::create_directories(Dir());
  const std::string segment = Framed({
      R"( { "out" : {"p_1": 0.5} , "in" : { "a" : [1, {"b": "}"}] } , "v" : 2 , "t" : 1.5e3 , "id" : "x\"y" } )",
      R"({"\u0069d": "escaped key", "extra": {"ignored": true}})",
      R"({"id": 7, "t": 1})",       // an id that is not a string: damaged
      R"({"id": "far", "t": 1e300})",  // a time no integer holds: damaged
      R"([1, 2])",                  // not an object: damaged
      R"({"id": "cut", "in": {)",   // not JSON: damaged (the last record: a torn tail)
  });
  std::ofstream(Dir() + "/000001.seg", std::ios::binary) << segment;
  PredictionLogStats stats;
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].request_id, "x\"y");
  EXPECT_EQ(records[0].time_us, 1500);
  EXPECT_EQ(records[0].model_version, 2);
  EXPECT_EQ(records[0].inputs_json, R"({ "a" : [1, {"b": "}"}] })");
  EXPECT_EQ(records[0].outputs_json, R"({"p_1": 0.5})");
  EXPECT_EQ(records[1].request_id, "escaped key");
  EXPECT_EQ(records[1].inputs_json, "{}");
  EXPECT_EQ(records[1].time_us, 0);
  EXPECT_EQ(stats.corrupt_records, 3);
  EXPECT_EQ(stats.torn_tails, 1);
}

// Which payloads the log reads as records must be exactly those nlohmann's parser takes for a
// JSON object with an id, t and v of the right types: checked on a corpus and on thousands of
// random edits of it, each payload followed by a sentinel record that shows where it was.
TEST_F(PredictionLogTest, ReadsExactlyThePayloadsThatAreJsonObjects) {
  const std::vector<std::string> corpus = {
      R"({"id":"a","t":1,"v":2,"in":{"x":1.5e-3,"y":[true,false,null],"s":"\u00e9\ud83d\ude00"},"out":{"p":-0.0}})",
      R"({"in":{"k":"cafÃ©","e":"\n\t\"\\\/"},"t":-5,"out":{}})",
      R"({"id":"b","t":10,"in":{"deep":[[[[{"a":[1,2,{"b":{}}]}]]]],"n":0}})",
      R"(  {"id" : "c" , "v" : 3 }  )",
      R"({})",
  };
  std::mt19937 rng(11);
  const std::string alphabet = "{}[]\",:\\ 0123456789aeuE-+.tfn\x80\xc3\xed\x01";
  std::vector<std::string> payloads = corpus;
  for (int k = 0; k < 3000; ++k) {
    std::string p = corpus[rng() % corpus.size()];
    for (int edits = 1 + static_cast<int>(rng() % 2); edits > 0; --edits) {
      const size_t at = rng() % p.size();
      switch (rng() % 3) {
        case 0: p[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: p.erase(at, 1); break;
        default: p.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (p.empty()) p = "x";
    }
    payloads.push_back(p);
  }
  auto expected = [](const std::string& p) {
    const nlohmann::json j = nlohmann::json::parse(p, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;
    return (!j.contains("id") || j["id"].is_string()) && (!j.contains("t") || j["t"].is_number()) &&
           (!j.contains("v") || j["v"].is_number());
  };
  std::vector<std::string> framed;
  for (size_t i = 0; i < payloads.size(); ++i) {
    framed.push_back(payloads[i]);
    framed.push_back("{\"id\":\"sentinel-" + std::to_string(i) + "\"}");
  }
  std::filesystem::create_directories(Dir());
  std::ofstream(Dir() + "/000001.seg", std::ios::binary) << Framed(framed);
  PredictionLogStats stats;
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir(), &stats));
  size_t r = 0;
  for (size_t i = 0; i < payloads.size(); ++i) {
    const bool read = r < records.size() && records[r].request_id.rfind("sentinel-", 0) != 0;
    if (read) ++r;
    EXPECT_EQ(read, expected(payloads[i])) << payloads[i];
    ASSERT_LT(r, records.size());
    ASSERT_EQ(records[r].request_id, "sentinel-" + std::to_string(i));
    ++r;
  }
  EXPECT_EQ(stats.torn_tails, 0);
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

// A batch is written as the same records one by one would be: the same segments, split at the
// same records, byte for byte; records Append would refuse are skipped and counted.
TEST_F(PredictionLogTest, BatchesWriteWhatSingleAppendsWrite) {
  PredictionLogOptions o;
  o.max_segment_bytes = EncodeLogRecord(Record(0)).size() * 10;
  std::vector<PredictionRecord> batch;
  for (int i = 0; i < 35; ++i) batch.push_back(Record(i));
  batch.insert(batch.begin() + 12, Record(99));
  batch[12].inputs_json = "[1]";  // not an object: refused
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir(), o));
  int64_t rejected = 0;
  ASSERT_OK(w->Append(std::span<const PredictionRecord>(batch).first(20), &rejected));
  ASSERT_OK(w->Append(std::span<const PredictionRecord>(batch).subspan(20), &rejected));
  EXPECT_EQ(rejected, 1);
  w.reset();

  testing::TempDir one_by_one;
  {
    ASSERT_OK_AND_ASSIGN(auto single, PredictionLogWriter::Open(Env::Default(), one_by_one.path(), o));
    for (int i = 0; i < 35; ++i) ASSERT_OK(single->Append(Record(i)));
  }
  const std::vector<std::string> batched = SegmentFiles(Dir()), single = SegmentFiles(one_by_one.path());
  ASSERT_EQ(batched.size(), 4u);
  ASSERT_EQ(single.size(), batched.size());
  for (size_t i = 0; i < batched.size(); ++i)
    EXPECT_EQ(testing::ReadAll(batched[i]), testing::ReadAll(single[i])) << "segment " << i;
  ASSERT_OK_AND_ASSIGN(auto all, ReadPredictionLog(Env::Default(), Dir()));
  ASSERT_EQ(all.size(), 35u);
  for (int i = 0; i < 35; ++i) EXPECT_EQ(all[i].request_id, "req-" + std::to_string(i));
}

// Records framed elsewhere (as the model server frames a small request's) are written as
// Append writes them, segments rotating at the same records, by size and by time; frames that
// do not parse, or do not match their times, are refused whole and write nothing.
TEST_F(PredictionLogTest, FramedRecordsWriteWhatAppendWrites) {
  PredictionLogOptions o;
  o.max_segment_bytes = EncodeLogRecord(Record(0)).size() * 10;
  o.max_segment_age_us = 30'000'000;
  const int64_t t0 = 1'700'000'000'000'000;
  std::vector<PredictionRecord> records;
  for (int i = 0; i < 35; ++i) records.push_back(Record(i, t0 + (i < 20 ? i : i * 5'000'000)));
  std::string frames;
  std::vector<int64_t> times;
  for (const PredictionRecord& r : records) {
    AppendLogRecord(&frames, r.request_id, r.time_us, r.model_version, r.inputs_json, r.outputs_json);
    times.push_back(r.time_us);
  }
  EXPECT_EQ(frames.substr(0, EncodeLogRecord(records[0]).size()), EncodeLogRecord(records[0]));
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir(), o));
  int64_t rejected = 0;
  EXPECT_EQ(w->AppendFramed(std::string_view(frames).substr(0, frames.size() - 1), times, &rejected).code(),
            StatusCode::kInvalidArgument);  // the last record cut short
  EXPECT_EQ(w->AppendFramed(frames, std::span<const int64_t>(times).first(34), &rejected).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(w->segments_started(), 0);
  size_t half = 0;  // two calls, split after record 16
  for (int i = 0; i < 17; ++i) half += EncodeLogRecord(records[static_cast<size_t>(i)]).size();
  ASSERT_OK(w->AppendFramed(std::string_view(frames).substr(0, half), std::span<const int64_t>(times).first(17), &rejected));
  ASSERT_OK(w->AppendFramed(std::string_view(frames).substr(half), std::span<const int64_t>(times).subspan(17), &rejected));
  EXPECT_EQ(rejected, 0);
  w.reset();

  testing::TempDir appended;
  {
    ASSERT_OK_AND_ASSIGN(auto single, PredictionLogWriter::Open(Env::Default(), appended.path(), o));
    for (const PredictionRecord& r : records) ASSERT_OK(single->Append(r));
  }
  const std::vector<std::string> framed = SegmentFiles(Dir()), single = SegmentFiles(appended.path());
  ASSERT_GE(framed.size(), 5u);  // by size, then by time
  ASSERT_EQ(single.size(), framed.size());
  for (size_t i = 0; i < framed.size(); ++i)
    EXPECT_EQ(testing::ReadAll(framed[i]), testing::ReadAll(single[i])) << "segment " << i;
  ASSERT_OK_AND_ASSIGN(auto all, ReadPredictionLog(Env::Default(), Dir()));
  ASSERT_EQ(all.size(), records.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].request_id, records[i].request_id);
    EXPECT_EQ(all[i].time_us, records[i].time_us);
    EXPECT_EQ(all[i].inputs_json, records[i].inputs_json);
  }
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
  // Framed elsewhere, between two others: only it is left out, and counted.
  std::string frames;
  for (const PredictionRecord& each : {Record(3), r, Record(4)})
    AppendLogRecord(&frames, each.request_id, each.time_us, each.model_version, each.inputs_json, each.outputs_json);
  const std::vector<int64_t> times = {Record(3).time_us, r.time_us, Record(4).time_us};
  int64_t rejected = 0;
  ASSERT_OK(w->AppendFramed(frames, times, &rejected));
  EXPECT_EQ(rejected, 1);
  ASSERT_OK_AND_ASSIGN(auto records, ReadPredictionLog(Env::Default(), Dir()));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].request_id, Record(3).request_id);
  EXPECT_EQ(records[2].request_id, Record(4).request_id);
}

TEST_F(PredictionLogTest, RejectsInputsThatAreNotAnObject) {
  ASSERT_OK_AND_ASSIGN(auto w, PredictionLogWriter::Open(Env::Default(), Dir()));
  PredictionRecord r = Record(1);
  r.inputs_json = "[1,2]";
  EXPECT_EQ(w->Append(r).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gyre
