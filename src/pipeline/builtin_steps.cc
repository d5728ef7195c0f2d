// The built-in steps but the gate: each calls the library the matching command calls, so a
// pipeline step and `gyre data add` / `gyre train` / `gyre models alias` behave alike.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/sha256.h"
#include "data/dataset.h"
#include "data/reader.h"
#include "pipeline/graph.h"
#include "pipeline/steps.h"
#include "pipeline/training.h"
#include "registry/registry.h"
#include "train/metrics.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

// A run id or a prefix of one (a model reference always has a letter past 'f' or a colon).
bool IsHexPrefix(const std::string& s) {
  return s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<bool> BoolArg(const StepEnv& s, const std::string& key, bool fallback) {
  const std::string v = s.Arg(key);
  if (v.empty()) return fallback;
  if (v == "true" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "no" || v == "0") return false;
  return InvalidArgument("with." + key + ": expected true or false, got \"" + v + "\"");
}

// A `data`-like argument: a file (relative to the spec) or a dataset reference.
struct DataArg {
  std::string file;  // absolute, when it is a file
  DatasetVersionRecord version;  // when it is a dataset version
};

Result<DataArg> ResolveData(StepEnv& s, const std::string& what) {
  DataArg d;
  const std::string path = SpecPath(*s.spec, what);
  if (s.env->FileExists(path)) {
    d.file = path;
    return d;
  }
  auto ref = ParseDatasetRef(what);
  if (!ref.ok()) return NotFound(what + " is neither a file (" + path + ") nor a dataset NAME[:V]");
  DatasetCatalog catalog(s.meta, s.objects, s.env);
  ASSIGN_OR_RETURN(d.version, catalog.Get(*ref));
  return d;
}

// What a resolved data argument holds, for a cache key.
Result<std::string> KeyOf(const DataArg& d) {
  if (!d.file.empty()) {
    ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(d.file));
    return "file " + sha;
  }
  return "dataset " + d.version.dataset + ":" + std::to_string(d.version.version) + " " + d.version.sha256;
}

}  // namespace

Result<std::string> DataKey(StepEnv& s, const std::string& what) {
  ASSIGN_OR_RETURN(DataArg d, ResolveData(s, what));
  return KeyOf(d);
}

namespace {

Result<StepOutputs> Ingest(StepEnv& s) {
  const std::string file = SpecPath(*s.spec, s.Arg("file"));
  if (!s.env->FileExists(file)) return NotFound("with.file: no such file " + file);
  AddOptions o;
  o.name = s.Arg("dataset");
  o.label = s.Arg("label");
  ASSIGN_OR_RETURN(o.strict, BoolArg(s, "strict", false));
  DatasetCatalog catalog(s.meta, s.objects, s.env);
  ASSIGN_OR_RETURN(AddOutcome added, catalog.Add(file, o));
  const DatasetVersionRecord& v = added.version;
  StepOutputs out;
  const std::string ref = v.dataset + ":" + std::to_string(v.version);
  out.Set("dataset", v.dataset);
  out.Set("version", std::to_string(v.version));
  out.Set("ref", ref);
  out.Set("rows", std::to_string(v.rows));
  out.Set("anomalies", std::to_string(added.report.anomalies.size()));
  out.Set("created", added.created ? "true" : "false");
  out.inputs_json = json{{"file", file}, {"sha256", v.sha256}}.dump();
  s.log += (added.created ? "new version " : "identical to ") + ref + " (" + std::to_string(v.rows) + " rows, " +
           std::to_string(added.report.anomalies.size()) + " anomalies)\n";
  return out;
}

Result<StepOutputs> Validate(StepEnv& s) {
  ASSIGN_OR_RETURN(DataArg d, ResolveData(s, s.Arg("data")));
  DatasetCatalog catalog(s.meta, s.objects, s.env);
  std::string against = s.Arg("dataset", d.version.dataset);
  if (against.empty()) return InvalidArgument("with.dataset: name the dataset whose schema a file is checked against");
  ASSIGN_OR_RETURN(DatasetRef ref, ParseDatasetRef(against));
  Schema schema;
  if (ref.version == 0) {
    ASSIGN_OR_RETURN(schema, catalog.GetSchema(ref.name));
  } else {
    ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(ref));
    ASSIGN_OR_RETURN(schema, catalog.GetSchemaOf(v));
  }
  const std::string path = d.file.empty() ? catalog.PathOf(d.version) : d.file;
  const ReadOptions read = d.file.empty() ? DatasetCatalog::ReadOptionsFor(d.version) : ReadOptions{};
  ASSIGN_OR_RETURN(ValidationReport report, ValidateFile(path, schema, nullptr, nullptr, read));
  StepOutputs out;
  out.Set("valid", report.valid() ? "true" : "false");
  out.Set("anomalies", std::to_string(report.anomalies.size()));
  out.Set("rows", std::to_string(report.rows));
  out.inputs_json = json{{"data", s.Arg("data")}, {"schema_of", against}}.dump();
  s.log += ReportToJson(report, 2) + "\n";
  ASSIGN_OR_RETURN(bool allow, BoolArg(s, "allow_anomalies", false));
  if (!report.valid() && !allow) {
    std::string kinds;
    for (size_t i = 0; i < report.anomalies.size() && i < 5; ++i) {
      kinds += (i ? "; " : "") + report.anomalies[i].column + ": " + report.anomalies[i].kind;
    }
    return FailedPrecondition(std::to_string(report.anomalies.size()) + " anomalies in " + s.Arg("data") +
                              " against the schema of " + against + " (" + kinds + ")");
  }
  return out;
}

Result<TrainOptions> TrainOptionsOf(const StepEnv& s) {
  TrainOptions o;
  o.label = s.Arg("label");
  if (!s.Arg("task").empty()) {
    ASSIGN_OR_RETURN(Task t, ParseTask(s.Arg("task")));
    o.task = t;
  }
  if (const SpecValue* set = s.args.Get("set")) {
    if (set->kind != SpecValue::Kind::kMap) return InvalidArgument("with.set: expected a map of XGBoost parameters");
    for (const auto& [k, v] : set->fields) o.params[k] = v.text;
  }
  try {
    if (!s.Arg("seed").empty()) o.seed = std::stoull(s.Arg("seed"));
    if (!s.Arg("test_fraction").empty()) o.test_fraction = std::stod(s.Arg("test_fraction"));
  } catch (const std::exception&) {
    return InvalidArgument("with.seed and with.test_fraction must be numbers");
  }
  o.split_by = s.Arg("split_by");
  return o;
}

Result<StepOutputs> Train(StepEnv& s) {
  ASSIGN_OR_RETURN(TrainOptions options, TrainOptionsOf(s));
  ASSIGN_OR_RETURN(DataArg d, ResolveData(s, s.Arg("data")));
  const std::string what = d.file.empty() ? d.version.dataset + ":" + std::to_string(d.version.version) : d.file;
  ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(s.meta, s.objects, s.env, what));
  StartSummary(data, InputColumns(data.table, options));
  Tracker tracker(s.meta, s.objects, s.env);
  RunOptions ro{s.Arg("experiment", s.spec->name), s.step->id, "gyre run " + s.spec->file, s.pipeline_run,
                s.spec->dir};
  ASSIGN_OR_RETURN(auto trained, TrainOneRun(tracker, data, options, ro));
  const TrainResult& r = trained.second;
  StepOutputs out;
  out.Set("run", trained.first);
  out.Set("task", TaskName(r.bundle.task));
  out.Set("train_rows", std::to_string(r.train_rows));
  out.Set("test_rows", std::to_string(r.test_rows));
  for (const auto& [k, v] : r.metrics) out.Set("metrics." + k, DoubleText(v));
  out.inputs_json = json{{"data", data.ref}}.dump();
  s.log += "run " + trained.first + " on " + data.ref + "\n";
  return out;
}

Result<StepOutputs> Evaluate(StepEnv& s) {
  ASSIGN_OR_RETURN(auto model, LoadModelBytes(s, s.Arg("model")));
  ASSIGN_OR_RETURN(auto predictor, Predictor::Load(model.first));
  ASSIGN_OR_RETURN(Table table, LoadTableArg(s, s.Arg("data")));
  ASSIGN_OR_RETURN(auto metrics, EvaluateOn(*predictor, table));
  StepOutputs out;
  out.Set("rows", std::to_string(table.num_rows()));
  for (const auto& [k, v] : metrics) out.Set("metrics." + k, DoubleText(v));
  out.inputs_json = json{{"model", model.second}, {"data", s.Arg("data")}}.dump();
  return out;
}

Result<StepOutputs> Register(StepEnv& s) {
  Registry registry(s.meta, s.env, DefaultActor());
  ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Register(s.Arg("run"), s.Arg("model")));
  if (!s.Arg("alias").empty()) RETURN_IF_ERROR(registry.SetAlias(v.model, v.version, s.Arg("alias")));
  StepOutputs out;
  out.Set("model", v.model);
  out.Set("version", std::to_string(v.version));
  out.Set("ref", v.model + ":" + std::to_string(v.version));
  out.inputs_json = json{{"run", v.run_id}}.dump();
  s.log += "registered run " + v.run_id + " as " + v.model + ":" + std::to_string(v.version) + "\n";
  return out;
}

Result<StepOutputs> Promote(StepEnv& s) {
  Registry registry(s.meta, s.env, DefaultActor());
  const std::string model = s.Arg("model"), alias = s.Arg("alias", "champion");
  int64_t version = 0;
  try {
    version = std::stoll(s.Arg("version"));
  } catch (const std::exception&) {
    return InvalidArgument("with.version: expected a version number, got \"" + s.Arg("version") + "\"");
  }
  std::string previous;
  auto before = s.meta->GetModelVersionByAlias(model, alias);
  if (before.ok()) previous = std::to_string(before->version);
  RETURN_IF_ERROR(registry.SetAlias(model, version, alias));
  StepOutputs out;
  out.Set("model", model);
  out.Set("version", std::to_string(version));
  out.Set("previous", previous);
  out.Set("ref", model + ":" + std::to_string(version));
  out.inputs_json = json{{"model", model}, {"version", version}, {"alias", alias}}.dump();
  s.log += model + ":" + alias + " now points at version " + std::to_string(version) +
           (previous.empty() ? "" : " (was " + previous + ")") + "\n";
  return out;
}

}  // namespace

std::string StepEnv::Arg(const std::string& key, const std::string& fallback) const {
  const SpecValue* v = args.Get(key);
  return v && v->kind == SpecValue::Kind::kScalar && !v->text.empty() ? v->text : fallback;
}

Result<ModelObject> FindModelObject(StepEnv& s, const std::string& what) {
  if (what.size() >= 6 && what.find(':') == std::string::npos && IsHexPrefix(what)) {
    Tracker tracker(s.meta, s.objects, s.env);
    ASSIGN_OR_RETURN(RunView run, tracker.GetRun(what));
    for (const auto& a : run.artifacts) {
      if (a.path == "model") return ModelObject{a.sha256, "run " + run.run.run_id};
    }
    return NotFound("run " + run.run.run_id + " made no model");
  }
  ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(what));
  Registry registry(s.meta, s.env, DefaultActor());
  ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Resolve(ref));
  return ModelObject{v.bundle_sha256, v.model + ":" + std::to_string(v.version)};
}

Result<std::pair<std::string, std::string>> LoadModelBytes(StepEnv& s, const std::string& what) {
  ASSIGN_OR_RETURN(ModelObject m, FindModelObject(s, what));
  ASSIGN_OR_RETURN(std::string bytes, s.objects->Get(m.sha256));
  return std::make_pair(std::move(bytes), m.description);
}

Result<Table> LoadTableArg(StepEnv& s, const std::string& what) {
  ASSIGN_OR_RETURN(DataArg d, ResolveData(s, what));
  if (!d.file.empty()) return ReadTable(d.file);
  DatasetCatalog catalog(s.meta, s.objects, s.env);
  return ReadTable(catalog.PathOf(d.version), DatasetCatalog::ReadOptionsFor(d.version));
}

Result<std::map<std::string, double>> EvaluateOn(const Predictor& predictor, const Table& table) {
  const ModelBundle& b = predictor.bundle();
  const Column* label = table.Find(b.signature.label);
  if (label == nullptr) return InvalidArgument("the data has no label column " + b.signature.label);
  EncodeReport report;
  ASSIGN_OR_RETURN(Predictions p, predictor.Predict(table, &report));
  std::vector<float> y, outputs;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    if (!label->IsValid(r)) continue;
    if (b.task == Task::kRegression) {
      y.push_back(static_cast<float>(label->NumberAt(r)));
    } else {
      const std::string v = label->ValueToString(r);
      const auto& c = b.signature.classes;
      auto it = std::find(c.begin(), c.end(), v);
      if (it == c.end()) {
        return InvalidArgument("label " + v + " in row " + std::to_string(r + 1) + " is not a class the model knows");
      }
      y.push_back(static_cast<float>(it - c.begin()));
    }
    const float* row = &p.values[static_cast<size_t>(r * p.width)];
    outputs.insert(outputs.end(), row, row + p.width);
  }
  if (y.empty()) return InvalidArgument("no labelled rows to evaluate on");
  return EvaluateTask(b.task, static_cast<int>(b.signature.classes.size()), y, outputs);
}

Result<std::string> BuiltinKeyState(StepEnv& s) {
  const std::string& kind = s.step->kind;
  if (kind == "ingest") {
    ASSIGN_OR_RETURN(std::string sha, Sha256OfFile(SpecPath(*s.spec, s.Arg("file"))));
    return "file " + sha;
  }
  if (kind == "train") return DataKey(s, s.Arg("data"));
  if (kind == "validate") {
    ASSIGN_OR_RETURN(DataArg d, ResolveData(s, s.Arg("data")));
    ASSIGN_OR_RETURN(std::string data, KeyOf(d));
    // The schema may have been edited since.
    ASSIGN_OR_RETURN(DatasetRef ref, ParseDatasetRef(s.Arg("dataset", d.version.dataset)));
    ASSIGN_OR_RETURN(auto dataset, s.meta->FindDataset(ref.name));
    return data + " schema " + (dataset ? Sha256Hex(dataset->schema_yaml) : "none");
  }
  if (kind == "evaluate") {
    ASSIGN_OR_RETURN(ModelObject model, FindModelObject(s, s.Arg("model")));
    ASSIGN_OR_RETURN(std::string data, DataKey(s, s.Arg("data")));
    return "model " + model.sha256 + " " + data;
  }
  if (kind == "gate") return GateKeyState(s);
  return std::string();  // register and promote: their arguments say it all
}

Result<StepOutputs> RunBuiltin(StepEnv& s) {
  const std::string& kind = s.step->kind;
  if (kind == "ingest") return Ingest(s);
  if (kind == "validate") return Validate(s);
  if (kind == "train") return Train(s);
  if (kind == "evaluate") return Evaluate(s);
  if (kind == "gate") return RunGate(s);
  if (kind == "register") return Register(s);
  if (kind == "promote") return Promote(s);
  return InvalidArgument("unknown step kind " + kind);
}

}  // namespace gyre
