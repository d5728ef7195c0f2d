// gyre pipeline check, gyre run, gyre loop
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <thread>

#include "cli/context.h"
#include "cli/format.h"
#include "pipeline/loop.h"
#include "pipeline/pipeline.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

Status PipelineCheck(CliContext& ctx, const std::string& file) {
  ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipeline(file));
  const std::vector<SpecProblem> problems = CheckPipeline(spec);
  if (ctx.json) {
    json list = json::array();
    for (const auto& p : problems) {
      list.push_back({{"line", p.pos.line}, {"column", p.pos.column}, {"step", p.step}, {"message", p.message}});
    }
    json steps = json::array();
    for (const auto& s : spec.steps) steps.push_back({{"id", s.id}, {"kind", s.kind}});
    ctx.out << json{{"file", file}, {"pipeline", spec.name}, {"valid", problems.empty()}, {"problems", list},
                    {"steps", steps}}.dump(2) << "\n";
  } else if (problems.empty()) {
    ctx.out << file << ": pipeline " << spec.name << ", " << spec.steps.size() << " steps, no problems\n";
  } else {
    for (const auto& p : problems) ctx.out << FormatProblem(spec, p) << "\n";
  }
  ctx.printed_result = true;
  if (!problems.empty()) {
    return FailedPrecondition(std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
                              " in " + file);
  }
  return Status::OK();
}

struct RunArgs {
  std::string file;
  bool force = false;
  std::vector<std::string> params;
  int parallel = 0;
};

Result<PipelineRunOptions> RunOptionsOf(CliContext& ctx, const RunArgs& a) {
  PipelineRunOptions o;
  o.home = ctx.layout().root;
  o.env = ctx.env;
  o.force = a.force;
  o.parallel = a.parallel;
  o.command_line = ctx.command_line;
  for (const auto& kv : a.params) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--param " + kv + ": expected name=value");
    o.params.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return o;
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

void PrintStep(std::ostream& out, const StepReport& s) {
  char line[160];
  std::snprintf(line, sizeof line, "  %-9s %-18s %7.2f s", s.status.c_str(), s.id.c_str(), s.seconds);
  out << line;
  if (!s.error.empty()) out << "  " << s.error;
  for (const auto& [k, v] : s.outputs) {
    if (s.kind == "gate" && k == "reason" && s.error.empty()) out << "  " << v;  // why it passed
  }
  out << "\n";
  if (!s.log_tail.empty()) out << "    output:\n      " << s.log_tail << "\n";
}

json RunJson(const PipelineRunReport& r) {
  json steps = json::array();
  for (const auto& s : r.steps) {
    json outputs = json::object();
    for (const auto& [k, v] : s.outputs) outputs[k] = v;
    json step{{"id", s.id}, {"kind", s.kind}, {"status", s.status}, {"seconds", s.seconds}, {"outputs", outputs}};
    if (!s.error.empty()) step["error"] = s.error;
    if (s.kind == "run") step["exit_code"] = s.exit_code;
    steps.push_back(step);
  }
  json j{{"run_id", r.run_id}, {"pipeline", r.pipeline}, {"status", r.status}, {"rejected", r.rejected},
         {"seconds", r.seconds}, {"steps", steps}};
  if (r.rejected) j["gate"] = {{"step", r.rejected_by}, {"reason", r.reason}};
  return j;
}

// The exit code of a finished run: 1 when a step failed, 3 when a gate rejected.
Status Outcome(const PipelineRunReport& r) {
  if (r.status == "FAILED") {
    std::string failed;
    for (const auto& s : r.steps) {
      if (s.status == "failed") failed += (failed.empty() ? "" : "; ") + ("step " + s.id + ": " + s.error);
    }
    return InvalidArgument("pipeline run " + r.run_id + " failed: " + failed);
  }
  if (r.rejected) return FailedPrecondition("the gate (step " + r.rejected_by + ") rejected the challenger: " + r.reason);
  return Status::OK();
}

Status Run(CliContext& ctx, const RunArgs& a) {
  ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipeline(a.file));
  ASSIGN_OR_RETURN(PipelineRunOptions o, RunOptionsOf(ctx, a));
  if (!ctx.json) {
    ctx.out << "pipeline " << spec.name << " (" << spec.steps.size() << " steps)\n";
    o.on_step = [&ctx](const StepReport& s) { PrintStep(ctx.out, s); ctx.out.flush(); };
  }
  ASSIGN_OR_RETURN(PipelineRunReport r, RunPipeline(spec, o));
  if (ctx.json) {
    ctx.out << RunJson(r).dump(2) << "\n";
  } else {
    int cached = 0;
    for (const auto& s : r.steps) cached += s.status == "cached";
    ctx.out << "run " << r.run_id << ": " << (r.status == "FAILED" ? "failed" : r.rejected ? "rejected by the gate" : "finished")
            << " in " << Seconds(r.seconds) << " (" << cached << " of " << r.steps.size() << " steps cached)\n";
  }
  ctx.printed_result = true;
  return Outcome(r);
}

struct LoopArgs {
  std::string file;
  double poll = 1, max_seconds = 0;
  int max_runs = 0, parallel = 0;
};

std::string Clock(Env* env) {
  const std::time_t t = static_cast<std::time_t>(env->NowMicros() / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// Runs until SIGINT or SIGTERM (then finishes the current run), --max-runs or --max-seconds.
Status Loop(CliContext& ctx, const LoopArgs& a) {
  LoopOptions o;
  ASSIGN_OR_RETURN(o.run, RunOptionsOf(ctx, RunArgs{a.file, false, {}, a.parallel}));
  o.poll_seconds = a.poll;
  o.max_runs = a.max_runs;
  o.max_seconds = a.max_seconds;
  std::atomic<bool> stop{false}, finished{false};
  o.stop = &stop;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t before;
  pthread_sigmask(SIG_BLOCK, &signals, &before);
  std::thread waiter([&] {
    const timespec tick{0, 100 * 1000 * 1000};
    while (!finished) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) stop = true;
    }
  });
  json events = json::array();
  o.on_event = [&](const LoopEvent& e) {
    json j{{"time", Clock(ctx.env)}, {"kind", e.kind}, {"detail", e.detail}};
    if (e.run) j["run"] = RunJson(*e.run);
    if (ctx.json) {
      events.push_back(j);
      return;
    }
    ctx.out << Clock(ctx.env) << "  " << e.kind << ": " << e.detail << "\n";
    if (e.run) {
      for (const auto& s : e.run->steps) PrintStep(ctx.out, s);
      ctx.out << "  run " << e.run->run_id << " "
              << (e.run->status == "FAILED" ? "failed" : e.run->rejected ? "rejected by the gate" : "finished") << "\n";
    }
    ctx.out.flush();
  };
  // The signal thread must be joined however the loop ends.
  Result<LoopSummary> summary = Internal("the loop did not run");
  try {
    summary = RunLoop(a.file, o);
  } catch (const std::exception& ex) {
    summary = Internal(std::string("unexpected failure in the loop: ") + ex.what());
  }
  finished = true;
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  RETURN_IF_ERROR(summary.status());
  if (ctx.json) {
    ctx.out << json{{"runs", summary->runs}, {"failed", summary->failed}, {"rejected", summary->rejected},
                    {"events", events}}.dump(2) << "\n";
    ctx.printed_result = true;
  }
  return Status::OK();
}

}  // namespace

void AddPipelineCommands(CLI::App& app, CliContext& ctx, Action* action) {
  CLI::App* p = app.add_subcommand("pipeline", "stage 3: pipeline specs");
  p->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* c = p->add_subcommand("check", "check a pipeline spec (for CI); exit 3 on problems");
  c->add_option("PIPELINE", *file, "the pipeline YAML file")->required();
  c->callback([&ctx, action, file] { *action = [&ctx, file] { return PipelineCheck(ctx, *file); }; });

  auto r = std::make_shared<RunArgs>();
  c = app.add_subcommand("run", "stage 3: run a pipeline once (unchanged steps are cached)");
  c->add_option("PIPELINE", r->file, "the pipeline YAML file")->required();
  c->add_flag("--force", r->force, "run every step, even the unchanged ones");
  c->add_option("--param", r->params, "override a parameter, name=value");
  c->add_option("--parallel", r->parallel, "steps at once (default: the cores)");
  c->callback([&ctx, action, r] { *action = [&ctx, r] { return Run(ctx, *r); }; });

  auto l = std::make_shared<LoopArgs>();
  c = app.add_subcommand("loop", "stage 3: continuous training: run a pipeline on its triggers until stopped");
  c->add_option("PIPELINE", l->file, "the pipeline YAML file (its triggers: say when to run)")->required();
  c->add_option("--poll", l->poll, "seconds between looks at the triggers")->check(CLI::Range(0.01, 3600.0));
  c->add_option("--max-runs", l->max_runs, "stop after this many runs");
  c->add_option("--max-seconds", l->max_seconds, "stop after this many seconds");
  c->add_option("--parallel", l->parallel, "steps at once (default: the cores)");
  c->callback([&ctx, action, l] { *action = [&ctx, l] { return Loop(ctx, *l); }; });
}

}  // namespace gyre
