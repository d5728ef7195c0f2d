#include "pipeline/graph.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "pipeline/refs.h"

namespace gyre {
namespace {

// Every string of a step that may hold references.
void ForEachText(const SpecValue& v, const std::function<void(const std::string&)>& fn) {
  if (v.kind == SpecValue::Kind::kScalar) fn(v.text);
  for (const auto& item : v.items) ForEachText(item, fn);
  for (const auto& [k, field] : v.fields) ForEachText(field, fn);
}

std::vector<std::string> ReferencedSteps(const StepSpec& s) {
  std::vector<std::string> out;
  auto scan = [&](const std::string& text) {
    auto refs = FindRefs(text);
    if (!refs.ok()) return;
    for (const auto& r : *refs) {
      if (r.scope == "steps") out.push_back(r.step);
    }
  };
  scan(s.run);
  for (const auto& p : s.inputs) scan(p.path);
  for (const auto& p : s.outputs) scan(p.path);
  for (const auto& [k, v] : s.env) scan(v);
  ForEachText(s.with, scan);
  return out;
}

bool Inside(const std::string& path, const std::string& folder) {
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
                            path[folder.size()] == '/');
}

}  // namespace

std::string SpecPath(const PipelineSpec& spec, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(spec.dir) / p;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  std::string out = (ec ? p : abs).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

StepGraph BuildGraph(const PipelineSpec& spec) {
  const int n = static_cast<int>(spec.steps.size());
  std::map<std::string, int> index;
  for (int i = 0; i < n; ++i) index[spec.steps[static_cast<size_t>(i)].id] = i;
  // Which step writes each output path.
  std::vector<std::pair<std::string, int>> produced;
  for (int i = 0; i < n; ++i) {
    for (const auto& o : spec.steps[static_cast<size_t>(i)].outputs) {
      if (o.path.find("${") == std::string::npos) produced.emplace_back(SpecPath(spec, o.path), i);
    }
  }
  StepGraph g;
  g.deps.resize(static_cast<size_t>(n));
  g.dependants.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const StepSpec& s = spec.steps[static_cast<size_t>(i)];
    std::vector<int>& d = g.deps[static_cast<size_t>(i)];
    auto add = [&](const std::string& id) {
      auto it = index.find(id);
      if (it != index.end() && it->second != i) d.push_back(it->second);
    };
    for (const auto& [id, pos] : s.needs) add(id);
    for (const auto& id : ReferencedSteps(s)) add(id);
    for (const auto& in : s.inputs) {
      if (in.path.find("${") != std::string::npos) continue;
      const std::string p = SpecPath(spec, in.path);
      for (const auto& [out, producer] : produced) {
        if (producer != i && Inside(p, out)) d.push_back(producer);
      }
    }
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    for (int dep : d) g.dependants[static_cast<size_t>(dep)].push_back(i);
  }
  return g;
}

std::string FindCycle(const PipelineSpec& spec, const StepGraph& graph) {
  const size_t n = spec.steps.size();
  std::vector<int> state(n, 0);  // 0 new, 1 on the path, 2 done
  std::vector<int> path;
  std::string cycle;
  std::function<bool(int)> visit = [&](int v) {
    state[static_cast<size_t>(v)] = 1;
    path.push_back(v);
    for (int d : graph.deps[static_cast<size_t>(v)]) {
      if (state[static_cast<size_t>(d)] == 1) {
        auto from = std::find(path.begin(), path.end(), d);
        for (auto it = from; it != path.end(); ++it) cycle += spec.steps[static_cast<size_t>(*it)].id + " -> ";
        cycle += spec.steps[static_cast<size_t>(d)].id;
        return true;
      }
      if (state[static_cast<size_t>(d)] == 0 && visit(d)) return true;
    }
    path.pop_back();
    state[static_cast<size_t>(v)] = 2;
    return false;
  };
  for (size_t i = 0; i < n; ++i) {
    if (state[i] == 0 && visit(static_cast<int>(i))) return cycle;
  }
  return "";
}

}  // namespace gyre
