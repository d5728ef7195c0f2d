// Running one built-in step (ingest, validate, train, evaluate, gate, register, promote) and
// what its cache key must hold beyond its arguments. Internal to pipeline/.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "data/table.h"
#include "model/predictor.h"
#include "pipeline/spec.h"
#include "store/layout.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace gyre {

// What a step runs with. The stores are the step's own (SQLite connections are per thread).
struct StepEnv {
  const PipelineSpec* spec = nullptr;
  const StepSpec* step = nullptr;
  SpecValue args;  // `with`, references resolved
  MetadataStore* meta = nullptr;
  ObjectStore* objects = nullptr;
  Env* env = nullptr;
  std::string pipeline_run;  // the run of the pipeline (the parent of a training run)
  std::string log;           // what the step did, for people
  std::string Arg(const std::string& key, const std::string& fallback = "") const;
};

struct StepOutputs {
  std::vector<std::pair<std::string, std::string>> values;
  bool rejected = false;  // a gate said no: dependants are skipped
  std::string reason;
  std::string inputs_json;  // lineage: what the step read
  std::string report_json;  // a gate's decision with its figures (kept with the run)
  void Set(const std::string& key, const std::string& value) { values.emplace_back(key, value); }
};

// Text that changes whenever what the step would read changes: a file's sha256, the version a
// dataset reference means now, and for a gate the champion it would face.
Result<std::string> BuiltinKeyState(StepEnv& s);
Result<StepOutputs> RunBuiltin(StepEnv& s);

// The gate (gate.cc).
Result<std::string> GateKeyState(StepEnv& s);
Result<StepOutputs> RunGate(StepEnv& s);

// A model's metrics on a labelled table (the bundle's label column), by the names runs use.
Result<std::map<std::string, double>> EvaluateOn(const Predictor& predictor, const Table& table);
// A model by run id (32 hex digits, or a unique prefix) or NAME[:V|ALIAS]: the object holding
// its bundle and a description ("fraud:3" or "run 3f2a…"), found without reading the bundle.
struct ModelObject {
  std::string sha256, description;
};
Result<ModelObject> FindModelObject(StepEnv& s, const std::string& what);
// The same with the bundle's bytes: {bytes, description}.
Result<std::pair<std::string, std::string>> LoadModelBytes(StepEnv& s, const std::string& what);
// What a data argument (a file, or a dataset reference) means now, for a cache key.
Result<std::string> DataKey(StepEnv& s, const std::string& what);
// A labelled table from a file or a dataset reference.
Result<Table> LoadTableArg(StepEnv& s, const std::string& what);

}  // namespace gyre
