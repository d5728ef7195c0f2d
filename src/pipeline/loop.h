// `gyre loop`: continuous training (level 1). Watches the triggers a spec declares — files
// landing in a folder, an interval, alerts of a model — and runs the pipeline, one run at a
// time. Each landed file gets its own run (each becomes a dataset version); interval and alert
// triggers that arrive during a run are coalesced into the next one. What it has handled is
// kept in the home (loops/NAME.json), so a restarted loop neither repeats nor misses work.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "pipeline/pipeline.h"

namespace gyre {

struct LoopEvent {
  // started (after the first look at the triggers), trigger, run, problem (the spec cannot
  // run, or is fixed again), stopped
  std::string kind;
  std::string detail;  // what happened, for people
  const PipelineRunReport* run = nullptr;  // for kind "run"
};

struct LoopOptions {
  PipelineRunOptions run;      // home, env, parallel, $GYRE
  double poll_seconds = 1;     // how often the triggers are looked at
  int max_runs = 0;            // stop after this many runs (0: until stopped)
  double max_seconds = 0;      // stop after this long (0: until stopped)
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGTERM) to stop after the current run
  std::function<void(const LoopEvent&)> on_event;
};

struct LoopSummary {
  int runs = 0, failed = 0, rejected = 0;
};

// Re-reads the spec before every run (a change is picked up; a broken one is reported and
// waited out). Returns when stopped, or on an error that makes going on pointless.
Result<LoopSummary> RunLoop(const std::string& pipeline_file, const LoopOptions& options);

// Whether `name` matches a glob of `*` and `?`.
bool GlobMatch(const std::string& pattern, const std::string& name);

}  // namespace gyre
