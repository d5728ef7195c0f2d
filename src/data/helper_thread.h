// One extra thread that runs a job while the caller runs another, then joins up: enough to
// spread a batch's columns over the two cores of a small machine. Internal to data/.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace gyre {

class HelperThread {
 public:
  HelperThread();
  ~HelperThread();
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Starts `job` on the helper; Wait() returns once it has finished. One job at a time.
  void Start(std::function<void()> job);
  void Wait();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;  // guarded by mu_
  bool running_ = false;       // guarded by mu_
  bool stop_ = false;          // guarded by mu_
  std::thread thread_;
};

}  // namespace gyre
