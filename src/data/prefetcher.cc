#include "data/prefetcher.h"

#include <algorithm>

namespace gyre {

constexpr int kBatchesInFlight = 3;  // one being converted, up to two read ahead
constexpr int kRampBatches = 3;      // batches of 1/8, 1/4 and 1/2 of the size come first

BatchPrefetcher::BatchPrefetcher(RowSource* source, int64_t rows_per_batch)
    : source_(source), rows_(rows_per_batch) {
  source_->MakeBatchesSelfContained();
  for (int i = 0; i < kBatchesInFlight; ++i) {
    free_.push_back(std::make_unique<RowBatch>());
    // Sized for a whole batch at once, so that the small first ones do not make it grow.
    free_.back()->fields.reserve(static_cast<size_t>(std::min<int64_t>(rows_, 1 << 20)) * source_->column_names().size());
  }
  thread_ = std::thread([this] { Loop(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BatchPrefetcher::Loop() {
  for (;;) {
    std::unique_ptr<RowBatch> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !free_.empty() || stop_; });
      if (stop_) return;
      batch = std::move(free_.back());
      free_.pop_back();
    }
    // The first batches are smaller, so that the threads after this one start sooner.
    const int64_t rows = std::max<int64_t>(1, rows_ >> std::max(0, kRampBatches - batches_++));
    Result<bool> more = source_->NextBatch(batch.get(), rows);
    batch->bytes_read = source_->bytes_read();
    std::lock_guard<std::mutex> lock(mu_);
    if (!more.ok() || !*more) {
      if (!more.ok()) error_ = more.status();
      done_ = true;
      cv_.notify_all();
      return;
    }
    ready_.push_back(std::move(batch));
    cv_.notify_all();
  }
}

Result<std::unique_ptr<RowBatch>> BatchPrefetcher::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (!ready_.empty()) {
    std::unique_ptr<RowBatch> batch = std::move(ready_.front());
    ready_.pop_front();
    return batch;
  }
  if (!error_.ok()) return error_;
  return std::unique_ptr<RowBatch>();
}

void BatchPrefetcher::Recycle(std::unique_ptr<RowBatch> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(batch));
  cv_.notify_all();
}

}  // namespace gyre
