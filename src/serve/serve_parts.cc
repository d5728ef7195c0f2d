#include "serve/serve_parts.h"

#include <cstdarg>
#include <cstdio>
#include <utility>

namespace gyre::serve {

AsyncLog::AsyncLog(Env* env, std::string dir, size_t capacity)
    : env_(env), dir_(std::move(dir)), capacity_(capacity), thread_([this] { Run(); }) {}

AsyncLog::~AsyncLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// Whether `records` more fit in the queue; if not, they are counted as dropped.
bool AsyncLog::Admit(int64_t records) {
  if (queued_records_ + records > static_cast<int64_t>(capacity_)) {
    dropped_ += records;
    return false;
  }
  queued_records_ += records;
  return true;
}

// The writer wakes by itself every few milliseconds; a request wakes it only when much is
// waiting, so that serving does not pay a thread switch per prediction.
bool AsyncLog::Push(Job job, int64_t records) {
  int64_t queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!Admit(records)) return false;
    queue_.emplace_back().job = std::move(job);
    queued = queued_records_;
  }
  if (queued >= static_cast<int64_t>(kWakeAt)) cv_.notify_one();
  return true;
}

bool AsyncLog::PushFramed(std::string_view frames, std::span<const int64_t> times) {
  int64_t queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!Admit(std::ssize(times))) return false;
    if (queue_.empty() || queue_.back().job) queue_.push_back(std::exchange(spare_, Entry{}));
    Entry& run = queue_.back();
    run.frames.append(frames);
    run.times.insert(run.times.end(), times.begin(), times.end());
    queued = queued_records_;
  }
  if (queued >= static_cast<int64_t>(kWakeAt)) cv_.notify_one();
  return true;
}

int64_t AsyncLog::depth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queued_records_;
}

void AsyncLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  flush_requested_ = true;
  cv_.notify_one();
  idle_cv_.wait(lock, [this] { return !flush_requested_ && queue_.empty() && !writing_; });
}

// Every few milliseconds (or when much is queued) takes what is waiting in one go and writes
// it outside the lock; fsyncs at most every kSyncEvery, and when asked to flush or stop.
void AsyncLog::Run() {
  // Requests come first: the writer catches up when a core is free (its queue is bounded, and
  // what it cannot take is dropped and counted, never waited for). A large request's records
  // are hundreds of kilobytes to format and copy, and on a busy machine that competed with
  // the next request.
  LowerThisThreadPriority(kWriterNice);
  std::unique_ptr<PredictionLogWriter> writer;
  auto last_sync = std::chrono::steady_clock::now();
  for (;;) {
    std::deque<Entry> batch;
    bool stopping, flushing;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kWriteEvery, [this] {
        return stop_ || flush_requested_ || queued_records_ >= static_cast<int64_t>(kWakeAt);
      });
      batch.swap(queue_);
      queued_records_ = 0;
      stopping = stop_;
      flushing = flush_requested_;
      writing_ = true;
    }
    if (!batch.empty() && !writer) {
      auto w = PredictionLogWriter::Open(env_, dir_);
      if (w.ok()) writer = std::move(*w);
    }
    for (Entry& entry : batch) Write(entry, writer.get());
    const auto now = std::chrono::steady_clock::now();
    if (writer && (stopping || flushing || now - last_sync >= kSyncEvery)) {
      if (!writer->Sync().ok()) ++write_errors_;
      last_sync = now;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (flushing && queue_.empty()) flush_requested_ = false;
      for (Entry& entry : batch) {  // the largest run's buffers are kept for the next run
        if (!entry.job && entry.frames.capacity() > spare_.frames.capacity() && entry.frames.capacity() <= kKeepBytes) {
          spare_ = std::move(entry);
          spare_.frames.clear();
          spare_.times.clear();
        }
      }
    }
    idle_cv_.notify_all();
    if (stopping) {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
    }
  }
}

// One entry's records, written with as few writes as their segments allow. Records that
// cannot be written are counted, never retried.
void AsyncLog::Write(Entry& entry, PredictionLogWriter* writer) {
  if (!entry.job) {
    if (entry.times.empty()) return;
    int64_t rejected = 0;
    if (writer == nullptr || !writer->AppendFramed(entry.frames, entry.times, &rejected).ok())
      rejected = std::ssize(entry.times);
    write_errors_ += rejected;
    return;
  }
  std::vector<PredictionRecord> records;
  try {  // a thread of its own: an exception here would end the whole server
    records = entry.job();
  } catch (const std::exception&) {
    ++write_errors_;
    return;
  }
  int64_t rejected = 0;
  if (writer == nullptr || !writer->Append(records, &rejected).ok()) rejected = std::ssize(records);
  write_errors_ += rejected;
}

void Metrics::Record(const std::string& model, int64_t version, int status, double seconds, int64_t rows) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{model, version, status}];
  Histogram& h = histograms_[model];
  size_t b = 0;
  while (b < kLatency.size() && seconds > kLatency[b]) ++b;
  ++h.latency[b];
  h.latency_sum += seconds;
  size_t r = 0;
  while (r < kRows.size() && static_cast<double>(rows) > kRows[r]) ++r;
  ++h.rows[r];
  h.rows_sum += rows;
  ++h.count;
}

void Metrics::RecordOther(int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++other_[status];
}

namespace {

void Line(std::string* out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void Line(std::string* out, const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  *out += buf;
  *out += '\n';
}

template <size_t N, size_t M>
void Buckets(std::string* out, const char* metric, const std::string& model, const std::array<double, N>& bounds,
             const std::array<int64_t, M>& counts, double sum, int64_t count) {
  int64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    cumulative += counts[i];
    Line(out, "%s_bucket{model=\"%s\",le=\"%g\"} %lld", metric, model.c_str(), bounds[i],
         static_cast<long long>(cumulative));
  }
  Line(out, "%s_bucket{model=\"%s\",le=\"+Inf\"} %lld", metric, model.c_str(), static_cast<long long>(count));
  Line(out, "%s_sum{model=\"%s\"} %.17g", metric, model.c_str(), sum);
  Line(out, "%s_count{model=\"%s\"} %lld", metric, model.c_str(), static_cast<long long>(count));
}

}  // namespace

std::string Metrics::Render(int64_t in_flight, const std::map<std::string, std::tuple<int64_t, int64_t, int64_t>>& logs) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  Line(&out, "# HELP gyre_requests_total Inference requests by model, version and HTTP status.");
  Line(&out, "# TYPE gyre_requests_total counter");
  for (const auto& [key, n] : requests_)
    Line(&out, "gyre_requests_total{model=\"%s\",version=\"%lld\",status=\"%d\"} %lld", std::get<0>(key).c_str(),
         static_cast<long long>(std::get<1>(key)), std::get<2>(key), static_cast<long long>(n));
  for (const auto& [status, n] : other_)
    Line(&out, "gyre_requests_total{model=\"\",version=\"\",status=\"%d\"} %lld", status, static_cast<long long>(n));
  Line(&out, "# HELP gyre_request_duration_seconds Time to answer an inference request.");
  Line(&out, "# TYPE gyre_request_duration_seconds histogram");
  for (const auto& [model, h] : histograms_)
    Buckets(&out, "gyre_request_duration_seconds", model, kLatency, h.latency, h.latency_sum, h.count);
  Line(&out, "# HELP gyre_request_rows Rows per inference request (batch size).");
  Line(&out, "# TYPE gyre_request_rows histogram");
  for (const auto& [model, h] : histograms_)
    Buckets(&out, "gyre_request_rows", model, kRows, h.rows, static_cast<double>(h.rows_sum), h.count);
  Line(&out, "# HELP gyre_in_flight_requests Requests being answered.");
  Line(&out, "# TYPE gyre_in_flight_requests gauge");
  Line(&out, "gyre_in_flight_requests %lld", static_cast<long long>(in_flight));
  Line(&out, "# HELP gyre_prediction_log_queue Records waiting for the prediction log writer.");
  Line(&out, "# TYPE gyre_prediction_log_queue gauge");
  for (const auto& [model, log] : logs)
    Line(&out, "gyre_prediction_log_queue{model=\"%s\"} %lld", model.c_str(), static_cast<long long>(std::get<0>(log)));
  Line(&out, "# HELP gyre_prediction_log_dropped_total Records dropped because the log queue was full.");
  Line(&out, "# TYPE gyre_prediction_log_dropped_total counter");
  for (const auto& [model, log] : logs)
    Line(&out, "gyre_prediction_log_dropped_total{model=\"%s\"} %lld", model.c_str(),
         static_cast<long long>(std::get<1>(log)));
  Line(&out, "# HELP gyre_prediction_log_write_errors_total Records the log writer failed to write.");
  Line(&out, "# TYPE gyre_prediction_log_write_errors_total counter");
  for (const auto& [model, log] : logs)
    Line(&out, "gyre_prediction_log_write_errors_total{model=\"%s\"} %lld", model.c_str(),
         static_cast<long long>(std::get<2>(log)));
  return out;
}

}  // namespace gyre::serve
