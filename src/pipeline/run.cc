// `gyre run`: one pipeline run. The scheduling thread starts every step whose dependencies are
// done (up to `parallel` at once, each on its own thread with its own store connections),
// skips the dependants of a failed step or a rejecting gate, and records the run.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/graph.h"
#include "pipeline/pipeline.h"
#include "pipeline/step_runner.h"
#include "store/layout.h"
#include "track/tracker.h"

namespace gyre {
namespace {

Result<std::map<std::string, std::string>> EffectiveParams(const PipelineSpec& spec, const PipelineRunOptions& o) {
  std::map<std::string, std::string> params(spec.params.begin(), spec.params.end());
  for (const auto& [k, v] : o.params) {
    if (params.count(k) == 0) return InvalidArgument("--param " + k + ": the pipeline declares no such parameter");
    params[k] = v;
  }
  return params;
}

Result<std::string> StartPipelineRun(Tracker& tracker, const PipelineSpec& spec, const PipelineRunOptions& o,
                                     const std::map<std::string, std::string>& params) {
  RunOptions ro{spec.name, "pipeline " + spec.name, o.command_line, "", spec.dir};
  ASSIGN_OR_RETURN(std::string run, tracker.StartRun(ro));
  KeyValues logged;
  for (const auto& [k, v] : params) logged.emplace_back("param." + k, v);
  RETURN_IF_ERROR(tracker.LogBatch(run, logged, {},
                                   {{"gyre.pipeline", spec.name}, {"gyre.pipeline.file", spec.file},
                                    {"gyre.pipeline.sha256", spec.sha256}, {"gyre.trigger", o.trigger}}));
  RETURN_IF_ERROR(tracker.LogArtifactBytes(run, "pipeline.yaml", spec.text));
  return run;
}

class Scheduler {
 public:
  Scheduler(const PipelineSpec& spec, const PipelineRunOptions& o, std::string run,
            const std::map<std::string, std::string>& params)
      : spec_(spec), options_(o), run_(std::move(run)), params_(params), graph_(BuildGraph(spec)) {
    const size_t n = spec.steps.size();
    results_.resize(n);
    state_.assign(n, kWaiting);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    parallel_ = o.parallel > 0 ? o.parallel : cores;
  }

  std::vector<StepResult> Run() {
    std::vector<std::thread> threads(spec_.steps.size());
    size_t finished = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (finished < spec_.steps.size()) {
      finished += StartReady(threads);
      cv_.wait(lock, [&] { return !done_.empty() || running_ == 0; });
      while (!done_.empty()) {
        const int i = done_.front();
        done_.pop_front();
        lock.unlock();
        threads[static_cast<size_t>(i)].join();
        if (options_.on_step) options_.on_step(results_[static_cast<size_t>(i)].report);
        lock.lock();
        state_[static_cast<size_t>(i)] = kDone;
        ++finished;
      }
    }
    return results_;
  }

 private:
  enum State { kWaiting, kRunning, kDone };

  bool Ok(int i) const {
    const StepResult& r = results_[static_cast<size_t>(i)];
    return (r.report.status == "ran" || r.report.status == "cached") && !r.rejected;
  }

  std::string WhyNot(int i) const {
    const StepResult& r = results_[static_cast<size_t>(i)];
    const std::string& id = spec_.steps[static_cast<size_t>(i)].id;
    if (r.rejected) return "gate " + id + " rejected the challenger";
    return "step " + id + (r.report.status == "skipped" ? " was skipped" : " failed");
  }

  StepJob JobFor(int i) const {
    StepJob job{&spec_, &spec_.steps[static_cast<size_t>(i)], &options_, run_, &params_, {}};
    for (int d : graph_.deps[static_cast<size_t>(i)]) {
      job.upstream[spec_.steps[static_cast<size_t>(d)].id] = results_[static_cast<size_t>(d)].report.outputs;
    }
    return job;
  }

  // Starts what can start; marks as skipped (and counts) what never will. Holds mu_.
  size_t StartReady(std::vector<std::thread>& threads) {
    size_t skipped = 0;
    for (size_t i = 0; i < spec_.steps.size(); ++i) {
      if (state_[i] != kWaiting) continue;
      std::string blocked;
      bool ready = true;
      for (int d : graph_.deps[i]) {
        if (state_[static_cast<size_t>(d)] != kDone) ready = false;
        else if (!Ok(d) && blocked.empty()) blocked = WhyNot(d);
      }
      if (!ready) continue;
      if (!blocked.empty()) {
        StepJob job = JobFor(static_cast<int>(i));
        RecordNotRun(job, "skipped", blocked);
        results_[i].report = {spec_.steps[i].id, spec_.steps[i].kind, "skipped", 0, blocked, 0, "", {}};
        state_[i] = kDone;
        if (options_.on_step) options_.on_step(results_[i].report);
        ++skipped;
        continue;
      }
      if (running_ >= parallel_) continue;
      state_[i] = kRunning;
      ++running_;
      threads[i] = std::thread([this, i, job = JobFor(static_cast<int>(i))] {
        StepResult r = ExecuteStep(job);
        std::lock_guard<std::mutex> g(mu_);
        results_[i] = std::move(r);
        --running_;
        done_.push_back(static_cast<int>(i));
        cv_.notify_one();
      });
    }
    // A skip can make more steps decidable at once.
    return skipped > 0 ? skipped + StartReady(threads) : 0;
  }

  const PipelineSpec& spec_;
  const PipelineRunOptions& options_;
  const std::string run_;
  const std::map<std::string, std::string>& params_;
  const StepGraph graph_;
  int parallel_ = 1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<StepResult> results_;
  std::vector<State> state_;
  std::deque<int> done_;
  int running_ = 0;
};

Status FinishPipelineRun(Tracker& tracker, const PipelineRunReport& r, const std::vector<StepResult>& results) {
  std::map<std::string, double> counts;
  for (const auto& s : r.steps) counts["steps_" + s.status] += 1;
  std::vector<MetricPoint> metrics{{"seconds", r.seconds, 0, 0}};
  for (const auto& [k, v] : counts) metrics.push_back({k, v, 0, 0});
  const std::string outcome = r.status == "FAILED" ? "failed" : (r.rejected ? "rejected" : "succeeded");
  KeyValues tags{{"gyre.outcome", outcome}};
  if (r.rejected) tags.emplace_back("gyre.gate.reason", r.reason);
  RETURN_IF_ERROR(tracker.LogBatch(r.run_id, {}, metrics, tags));
  for (const auto& s : results) {
    if (!s.report_json.empty()) RETURN_IF_ERROR(tracker.LogArtifactBytes(r.run_id, "gate/" + s.report.id + ".json", s.report_json));
  }
  return tracker.EndRun(r.run_id, r.status == "FAILED" ? RunStatus::kFailed : RunStatus::kFinished);
}

}  // namespace

Result<PipelineRunReport> RunPipeline(const PipelineSpec& spec, const PipelineRunOptions& options) {
  const std::vector<SpecProblem> problems = CheckPipeline(spec);
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += "\n  " + FormatProblem(spec, p);
    return InvalidArgument(std::to_string(problems.size()) + " problems in the pipeline (gyre pipeline check " +
                           spec.file + "):" + all);
  }
  ASSIGN_OR_RETURN(auto params, EffectiveParams(spec, options));
  const auto start = std::chrono::steady_clock::now();
  HomeLayout layout(options.home);
  ASSIGN_OR_RETURN(auto objects, ObjectStore::Open(layout, options.env));
  ASSIGN_OR_RETURN(auto meta, MetadataStore::Open(layout, options.env));
  Tracker tracker(meta.get(), objects.get(), options.env);
  ASSIGN_OR_RETURN(std::string run, StartPipelineRun(tracker, spec, options, params));

  std::vector<StepResult> results = Scheduler(spec, options, run, params).Run();
  PipelineRunReport report;
  report.run_id = run;
  report.pipeline = spec.name;
  report.status = "FINISHED";
  for (const auto& r : results) {
    report.steps.push_back(r.report);
    if (r.report.status == "failed") report.status = "FAILED";
    if (r.rejected && !report.rejected) {
      report.rejected = true;
      report.rejected_by = r.report.id;
      report.reason = r.report.error;
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RETURN_IF_ERROR(FinishPipelineRun(tracker, report, results));
  return report;
}

}  // namespace gyre
