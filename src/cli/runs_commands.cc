// gyre runs list | show | compare
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <cstdio>
#include <ostream>
#include <set>

#include "cli/context.h"
#include "cli/format.h"
#include "track/tracker.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

json Num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string Duration(const RunRecord& r) {
  if (r.end_us == 0) return "running";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(r.end_us - r.start_us) / 1e6);
  return buf;
}

json RunJson(const RunRecord& r) {
  return json{{"run_id", r.run_id},         {"experiment", r.experiment},
              {"name", r.name},             {"status", r.status},
              {"start", TimeText(r.start_us)}, {"end", r.end_us ? json(TimeText(r.end_us)) : json(nullptr)},
              {"user", r.user},             {"host", r.host},
              {"command", r.command},       {"gyre_version", r.gyre_version},
              {"git_commit", r.git_commit}, {"git_dirty", r.git_dirty},
              {"parent_run_id", r.parent_run_id.empty() ? json(nullptr) : json(r.parent_run_id)}};
}

json ViewJson(const RunView& v) {
  json j = RunJson(v.run);
  json params = json::object(), tags = json::object(), metrics = json::object();
  for (const auto& [k, val] : v.params) params[k] = val;
  for (const auto& [k, val] : v.tags) tags[k] = val;
  for (const auto& m : v.metrics) metrics[m.key] = {{"value", Num(m.value)}, {"step", m.step}};
  j["params"] = params;
  j["metrics"] = metrics;
  j["tags"] = tags;
  json artifacts = json::array(), inputs = json::array();
  for (const auto& a : v.artifacts) artifacts.push_back({{"path", a.path}, {"sha256", a.sha256}, {"bytes", a.bytes}});
  for (const auto& i : v.inputs) inputs.push_back({{"dataset", i.dataset}, {"version", i.version}});
  j["artifacts"] = artifacts;
  j["inputs"] = inputs;
  return j;
}

// What a pipeline run decided and why it ran (its gyre.outcome and gyre.trigger tags), so that
// `gyre runs list` shows the loop's decisions; "" for other runs.
Result<std::pair<std::string, std::string>> PipelineOutcome(CliContext& ctx, const RunRecord& r) {
  if (r.name.rfind("pipeline ", 0) != 0) return std::make_pair(std::string(), std::string());
  ASSIGN_OR_RETURN(KeyValues tags, ctx.meta()->GetTags(r.run_id));
  std::string outcome, trigger;
  for (const auto& [k, v] : tags) {
    if (k == "gyre.outcome") outcome = v;
    if (k == "gyre.trigger") trigger = v;
  }
  return std::make_pair(outcome, trigger);
}

Status RunsList(CliContext& ctx, const std::string& experiment) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(auto runs, ctx.meta()->ListRuns(experiment));
  if (ctx.json) {
    json list = json::array();
    for (const auto& r : runs) {
      json j = RunJson(r);
      ASSIGN_OR_RETURN(auto decided, PipelineOutcome(ctx, r));
      if (!decided.first.empty()) j["outcome"] = decided.first;
      if (!decided.second.empty()) j["trigger"] = decided.second;
      list.push_back(j);
    }
    ctx.out << json{{"runs", list}}.dump(2) << "\n";
    return Status::OK();
  }
  if (runs.empty()) {
    ctx.out << "no runs yet" << (experiment.empty() ? "" : " in experiment " + experiment) << "\n";
    return Status::OK();
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    ASSIGN_OR_RETURN(auto decided, PipelineOutcome(ctx, r));
    std::string outcome = decided.first.empty() ? "-" : decided.first;
    if (!decided.second.empty() && decided.second != "manual") outcome += " (" + decided.second + ")";
    rows.push_back({ShortSha(r.run_id), r.experiment, r.name.empty() ? "-" : r.name, r.status, TimeText(r.start_us),
                    Duration(r), outcome});
  }
  PrintTable(ctx.out, {"RUN", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", "PIPELINE OUTCOME"}, rows);
  return Status::OK();
}

void PrintKeyValues(std::ostream& out, const std::string& title, const KeyValues& kv) {
  if (kv.empty()) return;
  out << "\n" << title << ":\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : kv) rows.push_back({"  " + k, v});
  PrintTable(out, {"  KEY", "VALUE"}, rows);
}

json StepsJson(const std::vector<StepExecutionRecord>& steps) {
  json out = json::array();
  for (const auto& e : steps) {
    json j{{"step", e.step}, {"kind", e.kind}, {"status", e.status}, {"seconds", e.seconds},
           {"cache_key", e.cache_key}};
    j["inputs"] = json::parse(e.inputs_json.empty() ? "{}" : e.inputs_json, nullptr, false);
    j["outputs"] = json::parse(e.outputs_json.empty() ? "{}" : e.outputs_json, nullptr, false);
    if (e.kind == "run") j["exit_code"] = e.exit_code;
    if (!e.error.empty()) j["error"] = e.error;
    if (!e.log_sha256.empty()) j["log_sha256"] = e.log_sha256;
    if (e.cached_from) j["cached_from"] = e.cached_from;
    out.push_back(j);
  }
  return out;
}

// A pipeline run's steps with what each read and made (its lineage).
void PrintSteps(std::ostream& out, const std::vector<StepExecutionRecord>& steps) {
  out << "\nsteps:\n";
  for (const auto& e : steps) {
    char head[128];
    std::snprintf(head, sizeof head, "  %-9s %-18s %6.2f s", e.status.c_str(), e.step.c_str(), e.seconds);
    out << head << (e.error.empty() ? "" : "  " + e.error) << "\n";
    json in = json::parse(e.inputs_json.empty() ? "{}" : e.inputs_json, nullptr, false);
    json o = json::parse(e.outputs_json.empty() ? "{}" : e.outputs_json, nullptr, false);
    if (in.is_object() && !in.empty()) out << "      read  " << in.dump() << "\n";
    if (o.is_object() && o.contains("values") && !o["values"].empty()) out << "      made  " << o["values"].dump() << "\n";
  }
}

Status RunsShow(CliContext& ctx, const std::string& id) {
  RETURN_IF_ERROR(ctx.OpenStores());
  Tracker tracker(ctx.meta(), ctx.objects(), ctx.env);
  ASSIGN_OR_RETURN(RunView v, tracker.GetRun(id));
  ASSIGN_OR_RETURN(auto children, ctx.meta()->ListChildRuns(v.run.run_id));
  ASSIGN_OR_RETURN(auto built, ctx.meta()->ModelVersionsFromRun(v.run.run_id));  // lineage, downstream
  ASSIGN_OR_RETURN(auto steps, ctx.meta()->ListStepExecutions(v.run.run_id));   // a pipeline run's steps
  if (ctx.json) {
    json j = ViewJson(v);
    if (!steps.empty()) j["steps"] = StepsJson(steps);
    json kids = json::array();
    for (const auto& c : children) kids.push_back(c.run_id);
    j["child_runs"] = kids;
    json models = json::array();
    for (const auto& m : built) models.push_back(m.model + ":" + std::to_string(m.version));
    j["models"] = models;
    ctx.out << j.dump(2) << "\n";
    return Status::OK();
  }
  const RunRecord& r = v.run;
  ctx.out << "run " << r.run_id << (r.name.empty() ? "" : "  (" + r.name + ")") << "\n"
          << "  experiment  " << r.experiment << "\n  status      " << r.status << "\n  started     "
          << TimeText(r.start_us) << "\n  duration    " << Duration(r) << "\n  user        " << r.user << "@"
          << r.host << "\n  command     " << (r.command.empty() ? "-" : r.command) << "\n  gyre        "
          << r.gyre_version << "\n  git         "
          << (r.git_commit.empty() ? "-" : r.git_commit + (r.git_dirty ? " (uncommitted changes)" : "")) << "\n";
  if (!r.parent_run_id.empty()) ctx.out << "  parent      " << r.parent_run_id << "\n";
  PrintKeyValues(ctx.out, "params", v.params);
  if (!v.metrics.empty()) {
    ctx.out << "\nmetrics (latest):\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : v.metrics) rows.push_back({"  " + m.key, Short(m.value), std::to_string(m.step)});
    PrintTable(ctx.out, {"  KEY", "VALUE", "STEP"}, rows);
  }
  PrintKeyValues(ctx.out, "tags", v.tags);
  if (!v.inputs.empty()) {
    ctx.out << "\ninputs:\n";
    for (const auto& i : v.inputs) ctx.out << "  " << i.dataset << ":" << i.version << "\n";
  }
  if (!built.empty()) {
    ctx.out << "\nregistered as:\n";
    for (const auto& m : built) ctx.out << "  " << m.model << ":" << m.version << "\n";
  }
  if (!steps.empty()) PrintSteps(ctx.out, steps);
  if (!v.artifacts.empty()) {
    ctx.out << "\nartifacts:\n";
    for (const auto& a : v.artifacts) ctx.out << "  " << a.path << "  " << Bytes(static_cast<uint64_t>(a.bytes)) << "  " << ShortSha(a.sha256) << "\n";
  }
  return Status::OK();
}

Status RunsCompare(CliContext& ctx, const std::vector<std::string>& ids) {
  if (ids.size() < 2) return InvalidArgument("compare needs at least two runs");
  RETURN_IF_ERROR(ctx.OpenStores());
  Tracker tracker(ctx.meta(), ctx.objects(), ctx.env);
  std::vector<RunView> views;
  for (const auto& id : ids) {
    ASSIGN_OR_RETURN(RunView v, tracker.GetRun(id));
    views.push_back(std::move(v));
  }
  // Params: only the keys whose values differ (or are missing somewhere).
  std::set<std::string> param_keys, metric_keys;
  std::vector<std::map<std::string, std::string>> params(views.size());
  std::vector<std::map<std::string, double>> metrics(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    for (const auto& [k, v] : views[i].params) params[i][k] = v, param_keys.insert(k);
    for (const auto& m : views[i].metrics) metrics[i][m.key] = m.value, metric_keys.insert(m.key);
  }
  std::vector<std::string> differing;
  for (const auto& k : param_keys) {
    std::set<std::string> values;
    for (auto& p : params) values.insert(p.count(k) ? p[k] : std::string("\x01missing"));
    if (values.size() > 1) differing.push_back(k);
  }
  if (ctx.json) {
    json runs = json::array(), diff = json::object(), mets = json::object();
    for (const auto& v : views) runs.push_back(v.run.run_id);
    for (const auto& k : differing) {
      json row = json::array();
      for (auto& p : params) row.push_back(p.count(k) ? json(p[k]) : json(nullptr));
      diff[k] = row;
    }
    for (const auto& k : metric_keys) {
      json row = json::array(), delta = json::array();
      for (auto& m : metrics) {
        row.push_back(m.count(k) ? Num(m[k]) : json(nullptr));
        delta.push_back(m.count(k) && metrics[0].count(k) ? Num(m[k] - metrics[0][k]) : json(nullptr));
      }
      mets[k] = {{"values", row}, {"delta_vs_first", delta}};
    }
    ctx.out << json{{"runs", runs}, {"params_differing", diff}, {"metrics", mets}}.dump(2) << "\n";
    return Status::OK();
  }
  std::vector<std::string> header = {"PARAM"};
  for (const auto& v : views) header.push_back(ShortSha(v.run.run_id));
  std::vector<std::vector<std::string>> rows;
  for (const auto& k : differing) {
    std::vector<std::string> row = {k};
    for (auto& p : params) row.push_back(p.count(k) ? p[k] : "-");
    rows.push_back(row);
  }
  if (rows.empty()) ctx.out << "params: all the same\n";
  else PrintTable(ctx.out, header, rows);
  header[0] = "METRIC";
  rows.clear();
  for (const auto& k : metric_keys) {
    std::vector<std::string> row = {k};
    for (auto& m : metrics) {
      if (!m.count(k)) {
        row.push_back("-");
        continue;
      }
      std::string cell = Short(m[k]);
      if (&m != &metrics[0] && metrics[0].count(k)) {
        double d = m[k] - metrics[0][k];
        cell += " (" + std::string(d >= 0 ? "+" : "") + Short(d) + ")";
      }
      row.push_back(cell);
    }
    rows.push_back(row);
  }
  ctx.out << "\n";
  if (!rows.empty()) PrintTable(ctx.out, header, rows);
  return Status::OK();
}

}  // namespace

void AddRunsCommands(CLI::App& app, CliContext& ctx, Action* action) {
  CLI::App* runs = app.add_subcommand("runs", "tracked runs: what was run, with which data, params and results");
  runs->require_subcommand(1);
  runs->fallthrough();

  auto experiment = std::make_shared<std::string>();
  CLI::App* c = runs->add_subcommand("list", "runs, newest first");
  c->add_option("--experiment", *experiment, "only this experiment's runs");
  c->callback([&ctx, action, experiment] { *action = [&ctx, experiment] { return RunsList(ctx, *experiment); }; });

  auto id = std::make_shared<std::string>();
  c = runs->add_subcommand("show", "one run: params, latest metrics, tags, inputs, artifacts");
  c->add_option("RUN", *id, "run id (or a unique prefix)")->required();
  c->callback([&ctx, action, id] { *action = [&ctx, id] { return RunsShow(ctx, *id); }; });

  auto ids = std::make_shared<std::vector<std::string>>();
  c = runs->add_subcommand("compare", "params that differ and metrics side by side, with deltas against the first");
  c->add_option("RUNS", *ids, "two or more run ids (or unique prefixes)")->required()->expected(2, -1);
  c->callback([&ctx, action, ids] { *action = [&ctx, ids] { return RunsCompare(ctx, *ids); }; });
}

}  // namespace gyre
