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
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/env.h"
#include "monitor/prediction_log.h"

namespace gyre::serve {

// Writes records to one model's prediction log on its own thread. A request hands over a job
// that makes its records (formatting them, and a shadow's prediction, happen on the writer's
// thread, not the request's). Push never blocks: past `capacity` waiting records it drops the
// job and counts its records.
class AsyncLog {
 public:
  AsyncLog(Env* env, std::string dir, size_t capacity);
  ~AsyncLog();  // writes what is queued, then stops
  using Job = std::function<std::vector<PredictionRecord>()>;
  bool Push(Job job, int64_t records);
  int64_t depth() const;
  int64_t dropped() const { return dropped_; }
  int64_t write_errors() const { return write_errors_; }
  void Flush();  // waits until everything pushed so far is written and synced

 private:
  static constexpr size_t kWakeAt = 1024;
  static constexpr std::chrono::milliseconds kWriteEvery{5};
  static constexpr std::chrono::milliseconds kSyncEvery{1000};
  static constexpr int kWriterNice = 5;  // a quarter of a request thread's share of a busy core

  void Run();

  Env* env_;
  std::string dir_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Job> queue_;
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
