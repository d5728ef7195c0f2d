#include "data/chunk_pipe.h"

namespace gyre {

constexpr size_t kMaxQueued = 2;

ChunkPipe::ChunkPipe(ChunkSink* sink) : sink_(sink), worker_([this] { Work(); }) {}

ChunkPipe::~ChunkPipe() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

Status ChunkPipe::Push(std::unique_ptr<Chunk> chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < kMaxQueued || !error_.ok(); });
  if (!error_.ok()) return error_;
  queue_.push_back(std::move(chunk));
  cv_.notify_all();
  return Status::OK();
}

Status ChunkPipe::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return (queue_.empty() && !busy_) || !error_.ok(); });
  return error_;
}

std::unique_ptr<Chunk> ChunkPipe::TakeRecycled() {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_.empty()) return nullptr;
  std::unique_ptr<Chunk> chunk = std::move(done_.back());
  done_.pop_back();
  return chunk;
}

void ChunkPipe::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return !queue_.empty() || stop_; });
    if (queue_.empty()) return;  // stopping, and nothing left
    std::unique_ptr<Chunk> chunk = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    const bool failed = !error_.ok();
    lock.unlock();
    Status st = failed ? Status::OK() : sink_->Consume(*chunk);
    lock.lock();
    // Reusing a consumed chunk's vectors spares the allocator (and the kernel's page faults).
    if (done_.size() < kMaxQueued) done_.push_back(std::move(chunk));
    busy_ = false;
    if (!st.ok() && error_.ok()) error_ = st;
    cv_.notify_all();
  }
}

}  // namespace gyre
