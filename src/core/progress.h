// A one-line progress display on stderr, drawn only when stderr is a terminal (never in
// pipes, CI logs or --json output). Not thread-safe: one owner updates it.
#pragma once

#include <cstdint>
#include <string>

namespace gyre {

class Progress {
 public:
  // `total` in `unit`s (e.g. bytes); 0 means unknown.
  Progress(std::string label, uint64_t total, bool enabled = true);
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(uint64_t done);
  void Finish();

  // Whether progress is drawn at all in this process (stderr is a tty).
  static bool TerminalAttached();

 private:
  std::string label_;
  uint64_t total_;
  bool active_;
  int64_t last_draw_us_ = 0;
  bool drawn_ = false;
};

}  // namespace gyre
