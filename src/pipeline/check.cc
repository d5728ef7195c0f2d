// `gyre pipeline check`: everything that can be known wrong about a spec without running it.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "core/env.h"
#include "pipeline/builtins.h"
#include "pipeline/graph.h"
#include "pipeline/refs.h"
#include "pipeline/spec.h"

namespace gyre {
namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

struct Checker {
  const PipelineSpec& spec;
  std::vector<SpecProblem> problems;

  void Add(SpecPos pos, const std::string& step, const std::string& message) {
    problems.push_back({pos, step, message});
  }

  // A reference is known when it names a param, a step's declared output, or (inside a
  // `run:` step) one of that step's inputs or outputs.
  void CheckRef(const SpecRef& r, const StepSpec* s, bool command, SpecPos pos) {
    const std::string where = s ? s->id : "";
    if (r.scope == "params") {
      bool found = std::any_of(spec.params.begin(), spec.params.end(), [&](const auto& p) { return p.first == r.key; });
      if (!found && !(r.key == spec.triggers.watch_param && !spec.triggers.watch_folder.empty())) {
        Add(pos, where, r.ToString() + ": no such parameter");
      }
      return;
    }
    if (r.scope == "inputs" || r.scope == "outputs") {
      if (!command) {
        Add(pos, where, r.ToString() + ": only a run: command (or its env) can name its own " + r.scope);
        return;
      }
      const auto& list = r.scope == "inputs" ? s->inputs : s->outputs;
      if (std::none_of(list.begin(), list.end(), [&](const StepPath& p) { return p.name == r.key; })) {
        Add(pos, where, r.ToString() + ": the step declares no such " + r.scope.substr(0, r.scope.size() - 1));
      }
      return;
    }
    const StepSpec* target = spec.Find(r.step);
    if (target == nullptr) {
      Add(pos, where, r.ToString() + ": no step " + r.step);
    } else if (s && target->id == s->id) {
      Add(pos, where, r.ToString() + ": a step cannot use its own outputs");
    } else if (target->kind == "run") {
      if (std::none_of(target->outputs.begin(), target->outputs.end(), [&](const StepPath& p) { return p.name == r.key; })) {
        Add(pos, where, r.ToString() + ": step " + r.step + " declares no output " + r.key);
      }
    } else if (const BuiltinInfo* b = FindBuiltin(target->kind); b && !BuiltinHasOutput(*b, r.key)) {
      std::string keys;
      for (const auto& o : b->outputs) keys += (keys.empty() ? "" : ", ") + (o.back() == '.' ? o + "NAME" : o);
      Add(pos, where, r.ToString() + ": a " + target->kind + " step has no output " + r.key + " (" + keys + ")");
    }
  }

  void CheckText(const std::string& text, const StepSpec* s, bool command, SpecPos pos) {
    auto refs = FindRefs(text);
    if (!refs.ok()) {
      Add(pos, s ? s->id : "", refs.status().message());
      return;
    }
    for (const auto& r : *refs) CheckRef(r, s, command, pos);
  }

  void CheckValue(const SpecValue& v, const StepSpec& s) {
    if (v.kind == SpecValue::Kind::kScalar) CheckText(v.text, &s, false, v.pos);
    for (const auto& item : v.items) CheckValue(item, s);
    for (const auto& [k, field] : v.fields) CheckValue(field, s);
  }

  void CheckGate(const StepSpec& s) {
    if (const SpecValue* req = s.with.Get("require")) {
      if (req->kind != SpecValue::Kind::kList) Add(req->pos, s.id, "require must be a list such as [roc_auc >= 0.8]");
      for (const auto& item : req->items) {
        if (item.text.find("${") != std::string::npos) continue;  // checked once resolved, at run time
        auto c = ParseCondition(item.text);
        if (!c.ok()) Add(item.pos, s.id, "require: " + c.status().message());
      }
    }
    if (const SpecValue* better = s.with.Get("better_than_champion")) {
      if (better->kind != SpecValue::Kind::kMap) {
        Add(better->pos, s.id, "better_than_champion must map metrics to the least gain, e.g. {roc_auc: 0.01}");
      }
      for (const auto& [metric, v] : better->fields) {
        char* end = nullptr;
        std::strtod(v.text.c_str(), &end);
        if (!KnownMetric(metric)) Add(v.pos, s.id, "better_than_champion: unknown metric " + metric);
        if (v.text.find("${") != std::string::npos) continue;
        if (v.text.empty() || *end != '\0') Add(v.pos, s.id, "better_than_champion." + metric + ": expected a number");
      }
    }
  }

  void CheckBuiltin(const StepSpec& s, const BuiltinInfo& b) {
    if (!s.inputs.empty() || !s.outputs.empty() || !s.env.empty()) {
      Add(s.pos, s.id, "inputs, outputs and env belong to run: steps; a " + s.kind + " step takes with:");
    }
    for (const auto& key : b.required) {
      if (s.with.Get(key) == nullptr) Add(s.pos, s.id, "a " + s.kind + " step needs with." + key);
    }
    for (const auto& [key, v] : s.with.fields) {
      const bool known = std::count(b.required.begin(), b.required.end(), key) +
                         std::count(b.optional.begin(), b.optional.end(), key);
      if (!known) {
        std::string all;
        for (const auto& k : b.required) all += (all.empty() ? "" : ", ") + k;
        for (const auto& k : b.optional) all += ", " + k;
        Add(v.pos, s.id, "a " + s.kind + " step has no argument " + key + " (" + all + ")");
      }
    }
    CheckValue(s.with, s);
    if (s.kind == "gate") CheckGate(s);
  }

  void CheckRun(const StepSpec& s, const std::map<std::string, std::string>& producer) {
    if (!s.with.fields.empty()) Add(s.with.pos, s.id, "with: belongs to built-in steps; a run: step takes inputs and outputs");
    CheckText(s.run, &s, true, s.run_pos);
    for (const auto& [k, v] : s.env) CheckText(v, &s, true, s.run_pos);
    const std::string home = SpecPath(spec, ".");
    for (const auto& p : s.outputs) {
      if (p.path.empty()) Add(p.pos, s.id, "output " + p.name + " has no path");
      CheckText(p.path, &s, false, p.pos);
      // Outputs are removed before their step runs: never the pipeline's folder or above it.
      const std::string out = SpecPath(spec, p.path);
      if (!p.path.empty() && p.path.find("${") == std::string::npos &&
          (out == "/" || home == out || home.rfind(out + "/", 0) == 0)) {
        Add(p.pos, s.id, "output " + p.name + " (" + out + ") holds the pipeline's own folder; a step's outputs are replaced when it runs");
      }
    }
    for (const auto& p : s.inputs) {
      if (p.path.empty()) {
        Add(p.pos, s.id, "input " + p.name + " has no path");
        continue;
      }
      CheckText(p.path, &s, false, p.pos);
      if (p.path.find("${") != std::string::npos) continue;
      const std::string path = SpecPath(spec, p.path);
      bool made = false;
      for (const auto& [out, step] : producer) {
        if (path == out || path.rfind(out + "/", 0) == 0) made = true;
      }
      if (!made && !Env::Default()->FileExists(path)) {
        Add(p.pos, s.id, "input " + p.name + ": " + path + " does not exist and no step makes it");
      }
    }
  }

  void CheckStep(const StepSpec& s, const std::map<std::string, std::string>& producer) {
    if (s.id.empty() || !std::all_of(s.id.begin(), s.id.end(), IdChar)) {
      Add(s.pos, s.id, "step ids use letters, digits, '_' and '-'");
    }
    for (const auto& [id, pos] : s.needs) {
      if (id == s.id) Add(pos, s.id, "a step cannot need itself");
      else if (spec.Find(id) == nullptr) Add(pos, s.id, "needs " + id + ", but there is no such step");
    }
    if (s.kind.empty()) {
      Add(s.pos, s.id, "give run: (a command) or uses: (one of " + BuiltinNames() + ")");
    } else if (s.kind == "run") {
      CheckRun(s, producer);
    } else if (const BuiltinInfo* b = FindBuiltin(s.kind)) {
      CheckBuiltin(s, *b);
    } else {
      Add(s.pos, s.id, "unknown step kind " + s.kind + " (use run: or one of " + BuiltinNames() + ")");
    }
  }

  void Run() {
    problems = spec.shape_problems;
    if (spec.name.empty()) Add({1, 1}, "", "the pipeline needs a name");
    else if (spec.name[0] == '.' || !std::all_of(spec.name.begin(), spec.name.end(), [](char c) { return IdChar(c) || c == '.'; }))
      Add({1, 1}, "", "the name " + spec.name + " must use letters, digits, '_', '-' and '.' (and not start with '.')");
    if (spec.steps.empty()) Add({1, 1}, "", "the pipeline has no steps");
    for (const auto& [k, v] : spec.params) CheckText(v, nullptr, false, {});
    std::map<std::string, std::string> producer;  // output path -> step
    for (const auto& s : spec.steps) {
      for (const auto& o : s.outputs) {
        if (o.path.empty() || o.path.find("${") != std::string::npos) continue;
        auto [it, fresh] = producer.emplace(SpecPath(spec, o.path), s.id);
        if (!fresh) Add(o.pos, s.id, "output " + o.path + " is already written by step " + it->second);
      }
    }
    for (const auto& s : spec.steps) CheckStep(s, producer);
    const TriggerSpec& t = spec.triggers;
    if (!t.watch_folder.empty() &&
        std::none_of(spec.params.begin(), spec.params.end(), [&](const auto& p) { return p.first == t.watch_param; })) {
      Add(t.pos, "", "triggers.watch gives landed files to parameter " + t.watch_param + ", which params does not declare");
    }
    const std::string cycle = FindCycle(spec, BuildGraph(spec));
    if (!cycle.empty()) Add({}, "", "the steps wait for each other in a cycle: " + cycle);
    std::stable_sort(problems.begin(), problems.end(), [](const SpecProblem& a, const SpecProblem& b) {
      return a.pos.line != b.pos.line ? (a.pos.line == 0 ? false : b.pos.line == 0 || a.pos.line < b.pos.line)
                                      : a.pos.column < b.pos.column;
    });
  }
};

}  // namespace

std::vector<SpecProblem> CheckPipeline(const PipelineSpec& spec) {
  Checker c{spec, {}};
  c.Run();
  return c.problems;
}

}  // namespace gyre
