// One step of a pipeline run: resolve its references, compute its cache key, reuse a cached
// execution or run it, store its outputs and record the execution. Internal to pipeline/.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/pipeline.h"

namespace gyre {

using StepValues = std::vector<std::pair<std::string, std::string>>;

struct StepJob {
  const PipelineSpec* spec = nullptr;
  const StepSpec* step = nullptr;
  const PipelineRunOptions* options = nullptr;
  std::string run_id;
  const std::map<std::string, std::string>* params = nullptr;  // effective values
  std::map<std::string, StepValues> upstream;  // outputs of the steps it depends on
};

struct StepResult {
  StepReport report;
  bool rejected = false;
  std::string report_json;  // a gate's decision
};

// Never fails: every error ends as a failed step with its message (one catch-all guard here).
StepResult ExecuteStep(const StepJob& job);

// Records a step that did not run (skipped) or failed before it could record itself.
void RecordNotRun(const StepJob& job, const std::string& status, const std::string& why);

}  // namespace gyre
