// A pipeline spec: the YAML file a team keeps in git. Parsing keeps every position so that a
// problem found by the checker (or at run time) names its line and column.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace gyre {

struct SpecPos {
  int64_t line = 0, column = 0;  // 1-based; 0 when unknown
};

// A YAML value as the spec uses it: a scalar, a list or a map (keys in file order).
struct SpecValue {
  enum class Kind { kScalar, kList, kMap };
  Kind kind = Kind::kScalar;
  std::string text;  // scalars
  std::vector<SpecValue> items;
  std::vector<std::pair<std::string, SpecValue>> fields;
  SpecPos pos;
  const SpecValue* Get(const std::string& key) const;  // a map's field, or null
};

// A declared input or output of a `run:` step: a file or a folder, by path.
struct StepPath {
  std::string name, path;
  SpecPos pos;
};

struct StepSpec {
  std::string id;
  SpecPos pos;
  std::string kind;  // "run", or a built-in: ingest validate train evaluate gate register promote
  std::string run;   // the command of a "run" step (one shell command line)
  SpecPos run_pos;
  std::vector<StepPath> inputs, outputs;
  std::vector<std::pair<std::string, std::string>> env;
  double timeout_seconds = 0;  // 0: none
  std::vector<std::pair<std::string, SpecPos>> needs;  // as written
  SpecValue with;  // a built-in's arguments (a map)
};

// What makes `gyre loop` run the pipeline.
struct TriggerSpec {
  std::string watch_folder;          // new files here start a run ("" = no watching)
  std::string watch_pattern = "*";   // which file names count (`*` and `?` wildcards)
  std::string watch_param = "file";  // the parameter that receives the landed file's path
  double every_seconds = 0;          // a run on this interval (0 = none)
  std::string alert_model;           // alerts of this model start a run ("" = none)
  SpecPos pos;
};

struct SpecProblem {
  SpecPos pos;
  std::string step;  // the step it is about, if any
  std::string message;
};

struct PipelineSpec {
  std::string name;
  std::string file;  // where it was read from
  std::string dir;   // paths in the spec are relative to this folder (the file's)
  std::string sha256;  // of the file's bytes: recorded with every run
  std::string text;    // the file's bytes (kept with every run)
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<StepSpec> steps;  // in file order
  TriggerSpec triggers;
  std::vector<SpecProblem> shape_problems;  // found while parsing (unknown keys, wrong types)
  const StepSpec* Find(const std::string& id) const;
};

// Parses a spec. Errors are YAML syntax or shape errors that stop any further checking
// (InvalidArgument with line and column); everything else is left to CheckPipeline.
Result<PipelineSpec> ParsePipeline(const std::string& text, const std::string& file);
Result<PipelineSpec> LoadPipeline(const std::string& path);

// Everything wrong with a parsed spec, in file order: unknown keys and step kinds, missing or
// unknown arguments, `needs` and `${...}` references to nothing, cycles, inputs that neither
// exist nor are made by a step, two steps writing one path, malformed gate conditions.
std::vector<SpecProblem> CheckPipeline(const PipelineSpec& spec);

// "pipeline.yaml:12:5: step train: ..." for each problem.
std::string FormatProblem(const PipelineSpec& spec, const SpecProblem& p);

}  // namespace gyre
