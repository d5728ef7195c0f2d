#include "core/progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace gyre {
namespace {

int64_t SteadyMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

bool Progress::TerminalAttached() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), active_(enabled && TerminalAttached()) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done) {
  if (!active_) return;
  int64_t now = SteadyMicros();
  // Redrawing more than ten times a second only costs time.
  if (drawn_ && now - last_draw_us_ < 100000) return;
  last_draw_us_ = now;
  drawn_ = true;
  if (total_ > 0) {
    double pct = 100.0 * static_cast<double>(done) / static_cast<double>(total_);
    std::fprintf(stderr, "\r%s %5.1f%%", label_.c_str(), pct > 100 ? 100.0 : pct);
  } else {
    std::fprintf(stderr, "\r%s %llu", label_.c_str(), static_cast<unsigned long long>(done));
  }
  std::fflush(stderr);
}

void Progress::Finish() {
  if (active_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  active_ = false;
}

}  // namespace gyre
