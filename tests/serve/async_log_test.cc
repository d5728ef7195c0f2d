// The model server's log writer: records pushed framed (a small request's) and made by jobs (a
// large request's) reach the log in the order they were pushed, none lost between threads,
// and what is past the queue's capacity is dropped and counted, never waited for.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "monitor/prediction_log.h"
#include "serve/serve_parts.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

PredictionRecord Record(const std::string& id, int64_t t) {
  return {id, t, 1, "{\"x\":" + std::to_string(t - kT0) + "}", "{\"prediction\":1}"};
}

// Pushes `ids` as one framed run.
bool PushFramed(serve::AsyncLog& log, const std::vector<std::string>& ids, int64_t t) {
  std::string frames;
  std::vector<int64_t> times;
  for (const std::string& id : ids) {
    const PredictionRecord r = Record(id, t);
    AppendLogRecord(&frames, r.request_id, r.time_us, r.model_version, r.inputs_json, r.outputs_json);
    times.push_back(t);
  }
  return log.PushFramed(frames, times);
}

std::vector<PredictionRecord> Logged(const std::string& dir) {
  auto records = ReadPredictionLog(Env::Default(), dir);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  return records.ok() ? *records : std::vector<PredictionRecord>{};
}

TEST(AsyncLogTest, FramedRunsAndJobsAreWrittenInPushOrder) {
  testing::TempDir dir;
  const std::string logs = dir.File("logs/m");
  std::vector<std::string> pushed;
  {
    serve::AsyncLog log(Env::Default(), logs, 100'000);
    for (int i = 0; i < 400; ++i) {
      const int64_t t = kT0 + i;
      const std::string id = "r" + std::to_string(i);
      if (i % 7 == 3) {  // a job of two records
        ASSERT_TRUE(log.Push([id, t] { return std::vector<PredictionRecord>{Record(id + "/0", t), Record(id + "/1", t)}; }, 2));
        pushed.insert(pushed.end(), {id + "/0", id + "/1"});
      } else if (i % 5 == 0) {  // a framed run of three
        ASSERT_TRUE(PushFramed(log, {id + "/0", id + "/1", id + "/2"}, t));
        pushed.insert(pushed.end(), {id + "/0", id + "/1", id + "/2"});
      } else {
        ASSERT_TRUE(PushFramed(log, {id}, t));
        pushed.push_back(id);
      }
      if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(6));  // across the writer's wakes
    }
    log.Flush();
    EXPECT_EQ(log.depth(), 0);
    EXPECT_EQ(log.write_errors(), 0);
    const std::vector<PredictionRecord> logged = Logged(logs);
    ASSERT_EQ(logged.size(), pushed.size());
    for (size_t i = 0; i < logged.size(); ++i) {
      ASSERT_EQ(logged[i].request_id, pushed[i]) << "record " << i;
      EXPECT_EQ(logged[i].inputs_json, Record("", logged[i].time_us).inputs_json);
    }
  }
}

TEST(AsyncLogTest, TwoThreadsLoseNothingAndKeepTheirOwnOrder) {
  testing::TempDir dir;
  const std::string logs = dir.File("logs/m");
  constexpr int kEach = 5000;
  {
    serve::AsyncLog log(Env::Default(), logs, 1'000'000);
    std::vector<std::thread> threads;
    for (const char* name : {"a", "b"})
      threads.emplace_back([&log, name] {
        for (int i = 0; i < kEach; ++i) EXPECT_TRUE(PushFramed(log, {name + std::to_string(i)}, kT0 + i));
      });
    for (std::thread& t : threads) t.join();
  }  // the destructor writes what is queued
  int next_a = 0, next_b = 0;
  for (const PredictionRecord& r : Logged(logs)) {
    int& next = r.request_id[0] == 'a' ? next_a : next_b;
    ASSERT_EQ(r.request_id.substr(1), std::to_string(next)) << r.request_id;
    ++next;
  }
  EXPECT_EQ(next_a, kEach);
  EXPECT_EQ(next_b, kEach);
}

TEST(AsyncLogTest, PastItsCapacityRecordsAreDroppedAndCounted) {
  testing::TempDir dir;
  const std::string logs = dir.File("logs/m");
  {
    serve::AsyncLog log(Env::Default(), logs, 10);
    std::vector<std::string> eleven;
    for (int i = 0; i < 11; ++i) eleven.push_back("big" + std::to_string(i));
    EXPECT_FALSE(PushFramed(log, eleven, kT0));
    EXPECT_FALSE(log.Push([] { return std::vector<PredictionRecord>(11, Record("job", kT0)); }, 11));
    EXPECT_TRUE(PushFramed(log, {"small"}, kT0));
    log.Flush();
    EXPECT_EQ(log.dropped(), 22);
  }
  const std::vector<PredictionRecord> logged = Logged(logs);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].request_id, "small");
}

}  // namespace
}  // namespace gyre
