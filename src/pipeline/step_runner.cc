#include "pipeline/step_runner.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "core/sha256.h"
#include "pipeline/graph.h"
#include "pipeline/outputs.h"
#include "pipeline/refs.h"
#include "pipeline/steps.h"
#include "pipeline/subprocess.h"
#include "store/layout.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

std::string SelfPath() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

// The code version in every cache key: Gyre's version and the hash of this very executable, so
// that a rebuilt trainer or gate never reuses what an older one decided.
const std::string& CodeVersion() {
  static const std::string version = [] {
    auto sha = Sha256OfFile(SelfPath());
    return std::string(GYRE_VERSION) + " " + (sha.ok() ? *sha : "unknown");
  }();
  return version;
}

struct Stores {
  std::unique_ptr<MetadataStore> meta;
  std::unique_ptr<ObjectStore> objects;
};

Result<Stores> OpenStores(const PipelineRunOptions& o) {
  Stores s;
  HomeLayout layout(o.home);
  ASSIGN_OR_RETURN(s.objects, ObjectStore::Open(layout, o.env));
  ASSIGN_OR_RETURN(s.meta, MetadataStore::Open(layout, o.env));
  return s;
}

const StepPath* FindPath(const std::vector<StepPath>& list, const std::string& name) {
  for (const auto& p : list) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Resolves references for one step; `command` quotes values for the shell.
RefLookup Lookup(const StepJob& job, bool command) {
  return [&job, command](const SpecRef& r) -> Result<std::string> {
    std::string value;
    if (r.scope == "params") {
      auto it = job.params->find(r.key);
      if (it == job.params->end()) return NotFound(r.ToString() + ": no such parameter");
      value = it->second;
    } else if (r.scope == "steps") {
      auto it = job.upstream.find(r.step);
      if (it == job.upstream.end()) return NotFound(r.ToString() + ": step " + r.step + " has not run");
      auto kv = std::find_if(it->second.begin(), it->second.end(), [&](const auto& p) { return p.first == r.key; });
      if (kv == it->second.end()) return NotFound(r.ToString() + ": step " + r.step + " gave no output " + r.key);
      value = kv->second;
    } else {
      const StepPath* p = FindPath(r.scope == "inputs" ? job.step->inputs : job.step->outputs, r.key);
      if (p == nullptr) return NotFound(r.ToString() + ": not declared");
      ASSIGN_OR_RETURN(std::string path, Substitute(p->path, Lookup(job, false)));
      value = SpecPath(*job.spec, path);
    }
    return command ? ShellQuote(value) : value;
  };
}

Result<SpecValue> ResolveValue(const SpecValue& v, const RefLookup& lookup) {
  SpecValue out = v;
  if (v.kind == SpecValue::Kind::kScalar) {
    ASSIGN_OR_RETURN(out.text, Substitute(v.text, lookup));
  }
  for (auto& item : out.items) {
    ASSIGN_OR_RETURN(item, ResolveValue(item, lookup));
  }
  for (auto& [k, field] : out.fields) {
    ASSIGN_OR_RETURN(field, ResolveValue(field, lookup));
  }
  return out;
}

json ToJson(const SpecValue& v) {
  if (v.kind == SpecValue::Kind::kScalar) return v.text;
  json out = v.kind == SpecValue::Kind::kList ? json::array() : json::object();
  for (const auto& item : v.items) out.push_back(ToJson(item));
  for (const auto& [k, field] : v.fields) out[k] = ToJson(field);
  return out;
}

// A `run:` step, resolved.
struct Command {
  std::string text;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::pair<std::string, std::string>> inputs, outputs;  // name, absolute path
  std::vector<std::string> input_sha256;  // of each input, hashed once for the key and the lineage
};

Result<Command> ResolveCommand(const StepJob& job) {
  Command c;
  ASSIGN_OR_RETURN(c.text, Substitute(job.step->run, Lookup(job, true)));
  for (const auto& [k, v] : job.step->env) {
    ASSIGN_OR_RETURN(std::string value, Substitute(v, Lookup(job, false)));
    c.env.emplace_back(k, value);
  }
  for (const auto* list : {&job.step->inputs, &job.step->outputs}) {
    for (const auto& p : *list) {
      ASSIGN_OR_RETURN(std::string path, Substitute(p.path, Lookup(job, false)));
      (list == &job.step->inputs ? c.inputs : c.outputs).emplace_back(p.name, SpecPath(*job.spec, path));
    }
  }
  return c;
}

struct Executed {
  StepValues values;
  json inputs = json::object(), files = json::object();
  std::string log, log_file;  // text to store, or a file holding it
  std::vector<std::string> objects;
  int64_t exit_code = 0;
  bool rejected = false;
  std::string report_json, error;
};

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

Result<Executed> RunShell(const StepJob& job, const Command& c, ObjectStore* objects) {
  Executed e;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    e.inputs[c.inputs[i].first] = {{"path", c.inputs[i].second}, {"sha256", c.input_sha256[i]}};
  }
  HomeLayout layout(job.options->home);
  RETURN_IF_ERROR(job.options->env->CreateDirs(layout.TmpDir()));
  CommandSpec cs;
  cs.command = c.text;
  cs.cwd = SpecPath(*job.spec, ".");
  cs.log_path = layout.TmpDir() + "/" + UniqueTempName("step-" + job.step->id) + ".log";
  cs.env = c.env;
  std::string gyre = job.options->gyre_binary;
  if (gyre.empty()) gyre = std::getenv("GYRE") != nullptr ? std::getenv("GYRE") : SelfPath();
  cs.env.insert(cs.env.begin(), {{"GYRE", gyre}, {"GYRE_HOME", std::filesystem::absolute(job.options->home).string()},
                                 {"GYRE_RUN_ID", job.run_id}, {"GYRE_STEP", job.step->id}});
  cs.timeout_seconds = job.step->timeout_seconds;
  for (const auto& [name, path] : c.outputs) {
    // As DVC does: an output left from an earlier run must not pass for this run's work.
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return IOError("removing the old output " + name + " (" + path + ") before the step runs: " + ec.message());
    RETURN_IF_ERROR(job.options->env->CreateDirs(DirName(path)));
  }
  ASSIGN_OR_RETURN(CommandResult r, RunCommand(cs));
  e.log_file = cs.log_path;
  e.exit_code = r.exit_code;
  if (r.timed_out) e.error = "the command ran past its timeout of " + std::to_string(job.step->timeout_seconds) + " s";
  else if (r.exit_code != 0) e.error = "the command exited with code " + std::to_string(r.exit_code);
  if (!e.error.empty()) return e;
  for (const auto& [name, path] : c.outputs) {
    auto stored = StorePath(objects, path);
    if (!stored.ok()) {
      e.error = "the command did not write its declared output " + name + " (" + path + ")";
      return e;
    }
    e.files[name] = {{"path", path}, {"sha256", stored->sha256}, {"folder", stored->folder}};
    e.objects.insert(e.objects.end(), stored->objects.begin(), stored->objects.end());
    e.values.emplace_back(name, path);
  }
  return e;
}

Result<Executed> RunBuiltinStep(const StepJob& job, StepEnv& env) {
  Executed e;
  auto out = RunBuiltin(env);
  e.log = env.log;
  if (!out.ok()) {
    e.error = out.status().ToString();
    return e;
  }
  e.values = out->values;
  e.rejected = out->rejected;
  e.report_json = out->report_json;
  if (!out->inputs_json.empty()) e.inputs = json::parse(out->inputs_json);
  if (out->rejected) e.error = out->reason;
  (void)job;
  return e;
}

json OutputsJson(const Executed& e) {
  json values = json::object();
  for (const auto& [k, v] : e.values) values[k] = v;
  json out{{"values", values}, {"files", e.files}};
  if (!e.report_json.empty()) out["report"] = json::parse(e.report_json);  // a gate's decision
  return out;
}

// A cache hit: the outputs it recorded, with any missing or changed output file put back.
Result<StepResult> ReuseCached(const StepJob& job, Stores& st, const StepExecutionRecord& hit,
                               StepExecutionRecord rec) {
  StepResult res;
  json outputs = json::parse(hit.outputs_json);
  for (const auto& [name, f] : outputs["files"].items()) {
    RETURN_IF_ERROR(RestorePath(st.objects.get(), job.options->env, f["path"].get<std::string>(),
                                f["sha256"].get<std::string>(), f["folder"].get<bool>()));
  }
  for (const auto& [k, v] : outputs["values"].items()) res.report.outputs.emplace_back(k, v.get<std::string>());
  res.rejected = hit.status == "rejected";
  if (res.rejected) res.report.error = hit.error;
  res.report.exit_code = hit.exit_code;
  if (outputs.contains("report")) res.report_json = outputs["report"].dump(2);  // the decision reused
  rec.status = "cached";
  rec.cached_from = hit.id;
  rec.inputs_json = hit.inputs_json;
  rec.outputs_json = hit.outputs_json;
  rec.exit_code = hit.exit_code;
  rec.log_sha256 = hit.log_sha256;
  rec.error = hit.error;
  RETURN_IF_ERROR(st.meta->AddStepExecution(rec).status());
  res.report.status = "cached";
  return res;
}

// The cache key of a step: its kind, the code version, its resolved command or arguments, and
// what it would read now. Resolves `command` (a run: step) or `env` (a built-in) on the way.
Result<std::string> CacheKey(const StepJob& job, Stores& st, Command* command, StepEnv* env) {
  json key{{"kind", job.step->kind}, {"code", CodeVersion()}};
  if (job.step->kind == "run") {
    ASSIGN_OR_RETURN(*command, ResolveCommand(job));
    key["command"] = command->text;
    key["env"] = command->env;
    json inputs = json::object();
    for (const auto& [name, path] : command->inputs) {
      auto sha = HashPath(path);
      if (!sha.ok()) return NotFound("input " + name + ": " + path + " does not exist");
      inputs[name] = *sha;
      command->input_sha256.push_back(*sha);
    }
    key["inputs"] = inputs;
    key["outputs"] = command->outputs;
    key["timeout"] = job.step->timeout_seconds;
  } else {
    *env = StepEnv{job.spec, job.step, {}, st.meta.get(), st.objects.get(), job.options->env, job.run_id, ""};
    ASSIGN_OR_RETURN(env->args, ResolveValue(job.step->with, Lookup(job, false)));
    key["with"] = ToJson(env->args);
    ASSIGN_OR_RETURN(std::string state, BuiltinKeyState(*env));
    key["state"] = state;
  }
  return Sha256Hex(key.dump());
}

// Records what an executed step did (its log stored as an object) and reports it.
Result<StepResult> Record(const StepJob& job, Stores& st, Executed& e, StepExecutionRecord rec) {
  std::string log_text = e.log;
  if (!e.log_file.empty()) {
    ASSIGN_OR_RETURN(log_text, job.options->env->ReadFile(e.log_file));
    (void)job.options->env->RemoveFile(e.log_file);
  }
  if (!log_text.empty()) {
    ASSIGN_OR_RETURN(rec.log_sha256, st.objects->PutBytes(log_text));
    e.objects.push_back(rec.log_sha256);
  }
  rec.status = !e.error.empty() && !e.rejected ? "failed" : (e.rejected ? "rejected" : "ran");
  rec.inputs_json = e.inputs.dump();
  rec.outputs_json = OutputsJson(e).dump();
  rec.exit_code = e.exit_code;
  rec.error = e.error;
  for (const auto& o : e.objects) rec.objects += (rec.objects.empty() ? "" : " ") + o;
  RETURN_IF_ERROR(st.meta->AddStepExecution(rec).status());
  StepResult res;
  res.report.status = rec.status;
  res.report.error = e.error;
  res.report.exit_code = e.exit_code;
  res.report.outputs = e.values;
  res.rejected = e.rejected;
  res.report_json = e.report_json;
  if (rec.status == "failed" && job.step->kind == "run") res.report.log_tail = Tail(log_text, 2000);
  return res;
}

Result<StepResult> Execute(const StepJob& job) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(Stores st, OpenStores(*job.options));
  StepExecutionRecord rec;
  rec.run_id = job.run_id;
  rec.step = job.step->id;
  rec.kind = job.step->kind;
  rec.started_us = job.options->env->NowMicros();
  StepEnv env;
  Command command;
  ASSIGN_OR_RETURN(rec.cache_key, CacheKey(job, st, &command, &env));
  if (!job.options->force) {
    ASSIGN_OR_RETURN(auto hit, st.meta->FindCachedExecution(rec.cache_key));
    if (hit) return ReuseCached(job, st, *hit, rec);
  }
  ASSIGN_OR_RETURN(Executed e, job.step->kind == "run" ? RunShell(job, command, st.objects.get())
                                                       : RunBuiltinStep(job, env));
  rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Record(job, st, e, std::move(rec));
}

}  // namespace

StepResult ExecuteStep(const StepJob& job) {
  const auto start = std::chrono::steady_clock::now();
  StepResult res;
  try {
    auto r = Execute(job);
    if (r.ok()) {
      res = std::move(*r);
    } else {
      res.report.status = "failed";
      res.report.error = r.status().ToString();
      RecordNotRun(job, "failed", res.report.error);
    }
  } catch (const std::exception& e) {
    res.report.status = "failed";
    res.report.error = std::string("internal error: ") + e.what();
    RecordNotRun(job, "failed", res.report.error);
  }
  res.report.id = job.step->id;
  res.report.kind = job.step->kind;
  res.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

void RecordNotRun(const StepJob& job, const std::string& status, const std::string& why) {
  auto st = OpenStores(*job.options);
  if (!st.ok()) return;
  StepExecutionRecord rec;
  rec.run_id = job.run_id;
  rec.step = job.step->id;
  rec.kind = job.step->kind;
  rec.status = status;
  rec.started_us = job.options->env->NowMicros();
  rec.inputs_json = "{}";
  rec.outputs_json = "{}";
  rec.error = why;
  (void)st->meta->AddStepExecution(rec);
}

}  // namespace gyre
