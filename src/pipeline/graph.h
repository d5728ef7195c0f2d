// The steps' dependency graph: `needs`, `${steps.X...}` references, and a `run:` input that is
// another step's output (a file, or inside an output folder). Internal to pipeline/.
#pragma once

#include <string>
#include <vector>

#include "pipeline/spec.h"

namespace gyre {

struct StepGraph {
  std::vector<std::vector<int>> deps;  // per step (file order): the steps it waits for
  std::vector<std::vector<int>> dependants;
};

// References to unknown steps are left out (the checker reports them).
StepGraph BuildGraph(const PipelineSpec& spec);

// A cycle as "a -> b -> a", or "" when the graph has none.
std::string FindCycle(const PipelineSpec& spec, const StepGraph& graph);

// `path` of the spec (relative to its folder) as a normalized absolute path.
std::string SpecPath(const PipelineSpec& spec, const std::string& path);

}  // namespace gyre
