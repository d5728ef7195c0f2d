// Reads batches from a RowSource on a thread of its own, one or two ahead of the caller, so
// that tokenizing the next batch overlaps with converting this one. Internal to data/.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "data/row_source.h"

namespace gyre {

class BatchPrefetcher {
 public:
  // Makes `source` self-contained and starts reading; `source` must outlive this object and
  // must not be used by anyone else until it is destroyed.
  BatchPrefetcher(RowSource* source, int64_t rows_per_batch);
  ~BatchPrefetcher();  // stops reading and joins

  // The next batch, or nullptr at the end; the source's error if it failed.
  Result<std::unique_ptr<RowBatch>> Next();
  // Gives a consumed batch back for reuse.
  void Recycle(std::unique_ptr<RowBatch> batch);

 private:
  void Loop();

  RowSource* source_;
  const int64_t rows_;
  int batches_ = 0;  // read so far (by the reading thread only)
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<RowBatch>> ready_;  // guarded by mu_
  std::vector<std::unique_ptr<RowBatch>> free_;  // guarded by mu_
  bool done_ = false;                            // guarded by mu_: no more batches will come
  bool stop_ = false;                            // guarded by mu_
  Status error_;                                 // guarded by mu_
  std::thread thread_;
};

}  // namespace gyre
