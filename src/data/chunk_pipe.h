// Hands chunks to a sink on a worker thread, two at most in flight, so that parsing the next
// chunk overlaps with consuming this one. Internal to data/.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "data/reader.h"

namespace gyre {

class ChunkPipe {
 public:
  explicit ChunkPipe(ChunkSink* sink);
  ~ChunkPipe();  // drains and joins

  // Queues a chunk; returns the first error the sink reported, if any (then stop sending).
  Status Push(std::unique_ptr<Chunk> chunk);
  // Waits until every queued chunk was consumed; returns the sink's first error.
  Status Drain();
  // A consumed chunk whose memory can be reused, or nullptr.
  std::unique_ptr<Chunk> TakeRecycled();

 private:
  void Work();

  ChunkSink* sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Chunk>> queue_;  // guarded by mu_
  std::vector<std::unique_ptr<Chunk>> done_;  // guarded by mu_: consumed, for reuse
  bool busy_ = false;                         // guarded by mu_
  bool stop_ = false;                         // guarded by mu_
  Status error_;                              // guarded by mu_
  std::thread worker_;
};

}  // namespace gyre
