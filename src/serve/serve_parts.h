// The model server's helpers: the background prediction-log writer and the Prometheus
// metrics. Internal to serve/.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "core/env.h"
#include "monitor/prediction_log.h"

namespace gyre::serve {

// Writes records to one model's prediction log on its own thread, in the order they were
// pushed. A request of a few rows hands over its records framed (PushFramed): they are copied
// into the queue's buffer, so that no record is a heap object of its own, freed on the
// writer's thread (glibc's arenas made those frees cost more than the formatting); the run's
// buffer is kept for the next run. A larger request hands over a job that makes its records on the
// writer's thread (formatting them, and a shadow's prediction). Neither blocks: past
// `capacity` waiting records, what is pushed is dropped and its records counted.
class AsyncLog {
 public:
  AsyncLog(Env* env, std::string dir, size_t capacity);
  ~AsyncLog();  // writes what is queued, then stops
  using Job = std::function<std::vector<PredictionRecord>()>;
  bool Push(Job job, int64_t records);
  // `frames`: records framed by AppendLogRecord; `times`: their times, one per record.
  bool PushFramed(std::string_view frames, std::span<const int64_t> times);
  int64_t depth() const;
  int64_t dropped() const { return dropped_; }
  int64_t write_errors() const { return write_errors_; }
  void Flush();  // waits until everything pushed so far is written and synced

 private:
  static constexpr size_t kWakeAt = 1024;
  static constexpr std::chrono::milliseconds kWriteEvery{5};
  static constexpr std::chrono::milliseconds kSyncEvery{1000};
  static constexpr int kWriterNice = 5;  // a quarter of a request thread's share of a busy core
  static constexpr size_t kKeepBytes = 4 << 20;  // a larger run's buffer is given back

  // What was pushed: a job, or a run of framed records (consecutive PushFramed calls share one).
  struct Entry {
    Job job;
    std::string frames;
    std::vector<int64_t> times;
  };
  bool Admit(int64_t records);  // under mu_
  void Write(Entry& entry, PredictionLogWriter* writer);
  void Run();

  Env* env_;
  std::string dir_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Entry> queue_;
  Entry spare_;  // a written run's buffers, kept for the next so that they are not grown again
  int64_t queued_records_ = 0;
  bool stop_ = false, writing_ = false, flush_requested_ = false;
  std::atomic<int64_t> dropped_{0}, write_errors_{0};
  std::thread thread_;
};

// Request counts by model, version and status; a latency histogram and rows per request by
// model; rendered in Prometheus' text format.
class Metrics {
 public:
  void Record(const std::string& model, int64_t version, int status, double seconds, int64_t rows);
  void RecordOther(int status);  // requests that named no model
  // `logs`: per model, the log queue's depth, records dropped and records that failed to write.
  std::string Render(int64_t in_flight, const std::map<std::string, std::tuple<int64_t, int64_t, int64_t>>& logs) const;

 private:
  static constexpr std::array<double, 12> kLatency = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
  static constexpr std::array<double, 8> kRows = {1, 2, 5, 10, 100, 1000, 10000, 100000};
  struct Histogram {
    std::array<int64_t, 13> latency{};
    double latency_sum = 0;
    std::array<int64_t, 9> rows{};
    int64_t rows_sum = 0, count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, int64_t, int>, int64_t> requests_;
  std::map<int, int64_t> other_;
  std::map<std::string, Histogram> histograms_;
};

}  // namespace gyre::serve
