// Reading a pipeline spec with yaml-cpp (exceptions stay in this file). Shape problems that do
// not stop the reading (an unknown key, a list where a map belongs) are collected for the
// checker, so that one `gyre pipeline check` shows them all.
#include "pipeline/spec.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "core/env.h"
#include "core/sha256.h"

namespace gyre {
namespace {

SpecPos PosOf(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

struct Reader {
  PipelineSpec* spec;
  void Problem(SpecPos pos, const std::string& step, const std::string& message) {
    spec->shape_problems.push_back({pos, step, message});
  }

  SpecValue Value(const YAML::Node& n) {
    SpecValue v;
    v.pos = PosOf(n);
    if (n.IsSequence()) {
      v.kind = SpecValue::Kind::kList;
      for (const auto& item : n) v.items.push_back(Value(item));
    } else if (n.IsMap()) {
      v.kind = SpecValue::Kind::kMap;
      for (const auto& kv : n) v.fields.emplace_back(kv.first.Scalar(), Value(kv.second));
    } else if (n.IsScalar()) {
      v.text = n.Scalar();
    }
    return v;
  }

  // A scalar's text, or a problem saying what was expected.
  std::string Scalar(const YAML::Node& n, const std::string& step, const std::string& what) {
    if (n.IsScalar()) return n.Scalar();
    if (!n.IsNull()) Problem(PosOf(n), step, what + " must be a single value");
    return "";
  }

  // The entries of a map in file order; repeated keys are problems (YAML forbids them, but
  // yaml-cpp keeps both).
  struct Entry {
    std::string key;
    YAML::Node key_node, value;
  };
  std::vector<Entry> Map(const YAML::Node& n, const std::string& step, const std::string& what) {
    std::vector<Entry> out;
    if (n.IsNull()) return out;
    if (!n.IsMap()) {
      Problem(PosOf(n), step, what + " must be a map of key: value");
      return out;
    }
    std::set<std::string> seen;
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) {
        Problem(PosOf(kv.first), step, what + ": " + key + " is given twice");
        continue;
      }
      out.push_back({key, kv.first, kv.second});
    }
    return out;
  }

  double Duration(const YAML::Node& n, const std::string& what) {
    const std::string text = Scalar(n, "", what);
    if (text.empty()) return 0;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    const std::string unit(end);
    const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (end == text.c_str() || scale == 0 || !std::isfinite(v) || v <= 0) {
      Problem(PosOf(n), "", what + ": expected a duration such as 30s, 15m, 6h or 1d, got \"" + text + "\"");
      return 0;
    }
    return v * scale;
  }

  void Paths(const YAML::Node& n, StepSpec& s, const std::string& what, std::vector<StepPath>* out) {
    for (const auto& [name, kn, node] : Map(n, s.id, what)) {
      out->push_back({name, Scalar(node, s.id, what + "." + name), PosOf(node)});
    }
  }

  void Needs(const YAML::Node& n, StepSpec& s) {
    if (n.IsScalar()) {
      s.needs.emplace_back(n.Scalar(), PosOf(n));
      return;
    }
    if (!n.IsSequence()) {
      Problem(PosOf(n), s.id, "needs must be a step id or a list of them");
      return;
    }
    for (const auto& item : n) s.needs.emplace_back(Scalar(item, s.id, "needs"), PosOf(item));
  }

  StepSpec Step(const std::string& id, const YAML::Node& key, const YAML::Node& body) {
    StepSpec s;
    s.id = id;
    s.pos = PosOf(key);
    for (const auto& [k, kn, v] : Map(body, id, "step " + id)) {
      if (k == "uses") s.kind = Scalar(v, id, "uses");
      else if (k == "run") {
        s.run = Scalar(v, id, "run");
        s.run_pos = PosOf(v);
      } else if (k == "with") {
        s.with = Value(v);
        if (!v.IsMap() && !v.IsNull()) Problem(PosOf(v), id, "with must be a map of argument: value");
      } else if (k == "needs") Needs(v, s);
      else if (k == "inputs") Paths(v, s, "inputs", &s.inputs);
      else if (k == "outputs") Paths(v, s, "outputs", &s.outputs);
      else if (k == "env") {
        for (const auto& [name, kn2, val] : Map(v, id, "env")) s.env.emplace_back(name, Scalar(val, id, "env." + name));
      } else if (k == "timeout") s.timeout_seconds = Duration(v, "step " + id + ": timeout");
      else if (k != "description") {
        Problem(PosOf(kn), id,
                "unknown key " + k + " (a step has uses, with, run, inputs, outputs, env, needs, timeout, description)");
      }
    }
    if (!s.run.empty() && !s.kind.empty()) Problem(s.pos, id, "give either run: (a command) or uses: (a built-in), not both");
    if (!s.run.empty()) s.kind = "run";
    return s;
  }

  void Triggers(const YAML::Node& n) {
    TriggerSpec& t = spec->triggers;
    t.pos = PosOf(n);
    for (const auto& [k, kn, v] : Map(n, "", "triggers")) {
      if (k == "watch") {
        for (const auto& [wk, wkn, wv] : Map(v, "", "triggers.watch")) {
          if (wk == "folder") t.watch_folder = Scalar(wv, "", "triggers.watch.folder");
          else if (wk == "pattern") t.watch_pattern = Scalar(wv, "", "triggers.watch.pattern");
          else if (wk == "param") t.watch_param = Scalar(wv, "", "triggers.watch.param");
          else Problem(PosOf(wkn), "", "triggers.watch: unknown key " + wk + " (folder, pattern, param)");
        }
      } else if (k == "every") {
        t.every_seconds = Duration(v, "triggers.every");
      } else if (k == "alerts") {
        for (const auto& [ak, akn, av] : Map(v, "", "triggers.alerts")) {
          if (ak == "model") t.alert_model = Scalar(av, "", "triggers.alerts.model");
          else Problem(PosOf(akn), "", "triggers.alerts: unknown key " + ak + " (model)");
        }
      } else {
        Problem(PosOf(kn), "", "triggers: unknown key " + k + " (watch, every, alerts)");
      }
    }
  }

  void Top(const YAML::Node& root) {
    for (const auto& [k, kn, v] : Map(root, "", "the pipeline")) {
      if (k == "name") spec->name = Scalar(v, "", "name");
      else if (k == "params") {
        for (const auto& [name, kn2, val] : Map(v, "", "params")) spec->params.emplace_back(name, Scalar(val, "", "params." + name));
      } else if (k == "steps") {
        for (const auto& [id, key, body] : Map(v, "", "steps")) spec->steps.push_back(Step(id, key, body));
      } else if (k == "triggers") Triggers(v);
      else if (k != "description") {
        Problem(PosOf(kn), "", "unknown key " + k + " (a pipeline has name, description, params, triggers, steps)");
      }
    }
  }
};

}  // namespace

const SpecValue* SpecValue::Get(const std::string& key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

const StepSpec* PipelineSpec::Find(const std::string& id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Result<PipelineSpec> ParsePipeline(const std::string& text, const std::string& file) {
  PipelineSpec spec;
  spec.file = file;
  spec.dir = DirName(file);
  spec.sha256 = Sha256Hex(text);
  spec.text = text;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument("not valid YAML: " + e.msg, Location{file, e.mark.line + 1, e.mark.column + 1, ""});
  }
  if (!root.IsMap()) {
    return InvalidArgument("a pipeline is a map with name, params, triggers and steps", Location{file, 1, 1, ""});
  }
  try {
    Reader{&spec}.Top(root);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(e.msg, Location{file, e.mark.line + 1, e.mark.column + 1, ""});
  }
  return spec;
}

Result<PipelineSpec> LoadPipeline(const std::string& path) {
  auto text = Env::Default()->ReadFile(path);
  if (!text.ok()) return NotFound("cannot read the pipeline " + path + ": " + text.status().message());
  return ParsePipeline(*text, path);
}

std::string FormatProblem(const PipelineSpec& spec, const SpecProblem& p) {
  std::string out = spec.file;
  if (p.pos.line > 0) out += ":" + std::to_string(p.pos.line) + ":" + std::to_string(p.pos.column);
  out += ": ";
  if (!p.step.empty()) out += "step " + p.step + ": ";
  return out + p.message;
}

}  // namespace gyre
