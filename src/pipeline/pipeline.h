// Stage 3: pipelines. A spec (pipeline/spec.h) runs as one tracked run whose steps execute in
// dependency order, independent ones in parallel, each recorded with its inputs and outputs
// (lineage) and skipped when its cache key (spec, input contents, code version) was seen
// before. The loop (pipeline/loop.h) runs it on triggers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "pipeline/spec.h"

namespace gyre {

struct StepReport {
  std::string id, kind;
  std::string status;  // ran, cached, failed, skipped, rejected
  double seconds = 0;
  std::string error;     // why it failed, was skipped or rejected
  int64_t exit_code = 0;  // of a run: command
  std::string log_tail;  // the end of a failed run: command's output
  std::vector<std::pair<std::string, std::string>> outputs;
};

struct PipelineRunOptions {
  std::string home;  // the Gyre home folder
  Env* env = Env::Default();
  bool force = false;  // run every step, cached or not
  std::vector<std::pair<std::string, std::string>> params;  // overrides of the spec's params
  int parallel = 0;  // steps at once; 0: the machine's cores
  std::string trigger = "manual";  // recorded with the run
  std::string gyre_binary;  // $GYRE of run: steps; default: $GYRE if set, else this executable
  std::string command_line;
  // Called as each step ends, from the thread that schedules (one call at a time).
  std::function<void(const StepReport&)> on_step;
};

struct PipelineRunReport {
  std::string run_id, pipeline;
  std::string status;  // FINISHED or FAILED (a step failed)
  bool rejected = false;  // a gate rejected its challenger
  std::string rejected_by, reason;
  double seconds = 0;
  std::vector<StepReport> steps;  // in file order
};

// Checks the spec first (InvalidArgument naming every problem, nothing run). A failed step
// fails the run and skips its dependants; the others still run and keep their results.
Result<PipelineRunReport> RunPipeline(const PipelineSpec& spec, const PipelineRunOptions& options);

}  // namespace gyre
