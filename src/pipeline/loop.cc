#include "pipeline/loop.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "pipeline/graph.h"
#include "store/layout.h"
#include "store/metadata_store.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// What the loop has handled, kept between restarts.
struct LoopState {
  std::map<std::string, std::string> files;  // landed file -> "size mtime" when it was run
  int64_t last_event_id = -1;                // -1: not looked yet
  int64_t last_run_us = 0;
  std::string last_file;  // the newest landed file: the data of schedule and alert runs
};

LoopState LoadState(Env* env, const std::string& path) {
  LoopState s;
  auto text = env->ReadFile(path);
  if (!text.ok()) return s;
  try {
    json j = json::parse(*text);
    for (const auto& [k, v] : j["files"].items()) s.files[k] = v.get<std::string>();
    s.last_event_id = j["last_event_id"].get<int64_t>();
    s.last_run_us = j["last_run_us"].get<int64_t>();
    s.last_file = j["last_file"].get<std::string>();
  } catch (const json::exception&) {
    return LoopState{};  // a damaged state file: start afresh rather than stop
  }
  return s;
}

Status SaveState(Env* env, const std::string& path, const LoopState& s) {
  json files = json::object();
  for (const auto& [k, v] : s.files) files[k] = v;
  json j{{"files", files}, {"last_event_id", s.last_event_id}, {"last_run_us", s.last_run_us},
         {"last_file", s.last_file}};
  RETURN_IF_ERROR(env->CreateDirs(DirName(path)));
  return WriteFileAtomic(env, path, j.dump(2));
}

// "size mtime" of a file: it counts as landed once this stays the same between two polls.
std::string Signature(const fs::path& p) {
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  auto time = fs::last_write_time(p, ec).time_since_epoch().count();
  return std::to_string(size) + " " + std::to_string(time);
}

class Loop {
 public:
  Loop(std::string file, const LoopOptions& o) : file_(std::move(file)), o_(o) {}

  Result<LoopSummary> Run() {
    ASSIGN_OR_RETURN(PipelineSpec spec, LoadPipeline(file_));
    name_ = spec.name;
    state_path_ = HomeLayout(o_.run.home).LoopStateFile(name_);
    state_ = LoadState(o_.run.env, state_path_);
    ASSIGN_OR_RETURN(meta_, MetadataStore::Open(HomeLayout(o_.run.home), o_.run.env));
    const auto start = std::chrono::steady_clock::now();
    bool first = true;
    while (!Stopping(start)) {
      // A broken spec is reported once and waited out; its triggers stay pending.
      const bool ok = Reload(&spec);
      if (ok) RETURN_IF_ERROR(Poll(spec));
      if (first) Emit("started", "watching " + Describe(spec.triggers));  // once the first look is done
      first = false;
      if (ok && (!pending_files_.empty() || retrain_)) {
        RunOnce(spec);
        if (o_.max_runs > 0 && summary_.runs >= o_.max_runs) break;
        continue;
      }
      Sleep(start);
    }
    Emit("stopped", std::to_string(summary_.runs) + " runs");
    return summary_;
  }

 private:
  static std::string Describe(const TriggerSpec& t) {
    std::string out;
    if (!t.watch_folder.empty()) out += "folder " + t.watch_folder + " (" + t.watch_pattern + ")";
    if (t.every_seconds > 0) out += (out.empty() ? "" : ", ") + std::string("every ") + std::to_string(static_cast<int64_t>(t.every_seconds)) + " s";
    if (!t.alert_model.empty()) out += (out.empty() ? "" : ", ") + std::string("alerts of ") + t.alert_model;
    return out.empty() ? "no triggers (the spec declares none)" : out;
  }

  // Reads the spec again; false (after saying why, once per distinct problem) when it cannot
  // be read or has problems.
  bool Reload(PipelineSpec* spec) {
    std::string problem;
    auto fresh = LoadPipeline(file_);
    if (!fresh.ok()) {
      problem = fresh.status().ToString();
    } else {
      for (const auto& p : CheckPipeline(*fresh)) problem += (problem.empty() ? "" : "; ") + FormatProblem(*fresh, p);
    }
    if (!problem.empty()) {
      if (problem != problem_) Emit("problem", "the pipeline cannot run until it is fixed: " + problem);
      problem_ = problem;
      return false;
    }
    if (!problem_.empty()) Emit("problem", "the pipeline is fixed");
    problem_.clear();
    *spec = std::move(*fresh);
    return true;
  }

  void Emit(const std::string& kind, const std::string& detail, const PipelineRunReport* run = nullptr) {
    if (o_.on_event) o_.on_event({kind, detail, run});
  }

  bool Stopping(std::chrono::steady_clock::time_point start) const {
    if (o_.stop && o_.stop->load()) return true;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return o_.max_seconds > 0 && elapsed >= o_.max_seconds;
  }

  void Sleep(std::chrono::steady_clock::time_point start) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(o_.poll_seconds);
    while (std::chrono::steady_clock::now() < until && !Stopping(start)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void PollFolder(const PipelineSpec& spec) {
    const std::string dir = SpecPath(spec, spec.triggers.watch_folder);
    std::error_code ec;
    const bool exists = fs::is_directory(dir, ec);
    if (exists != folder_seen_) {  // said once each way: files dropped elsewhere are not seen
      Emit("problem", exists ? "the watched folder " + dir + " exists now"
                             : "the watched folder " + dir + " does not exist (yet): nothing lands there");
      folder_seen_ = exists;
    }
    std::set<std::string> names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      // Dot files are files being written (ours are renamed into place when complete).
      if (it->path().filename().string()[0] == '.') continue;
      if (it->is_regular_file() && GlobMatch(spec.triggers.watch_pattern, it->path().filename().string())) {
        names.insert(it->path().string());
      }
    }
    for (const auto& path : names) {  // in name order: date-stamped files land in date order
      const std::string sig = Signature(path);
      auto done = state_.files.find(path);
      if (done != state_.files.end() && done->second == sig) continue;
      const bool settled = last_seen_[path] == sig;
      last_seen_[path] = sig;
      if (!settled || queued_.count(path)) continue;
      queued_.insert(path);
      pending_files_.push_back(path);
      Emit("trigger", "file " + path + " landed");
    }
  }

  Status PollAlerts(const PipelineSpec& spec) {
    ASSIGN_OR_RETURN(auto events, meta_->ListEvents(spec.triggers.alert_model, 100));
    const int64_t newest = events.empty() ? 0 : events.front().id;
    if (state_.last_event_id < 0) {  // the first look: alerts from before the loop started are history
      state_.last_event_id = newest;
      return SaveState(o_.run.env, state_path_, state_);
    }
    std::string fired;
    for (auto e = events.rbegin(); e != events.rend(); ++e) {  // oldest first
      if (e->id > state_.last_event_id) fired += (fired.empty() ? "" : ", ") + e->name + " (event " + std::to_string(e->id) + ")";
    }
    if (fired.empty()) return Status::OK();
    state_.last_event_id = newest;
    Trigger("alert: " + fired);
    return SaveState(o_.run.env, state_path_, state_);
  }

  void Trigger(const std::string& why) {
    Emit("trigger", why + (retrain_ ? " (coalesced with: " + reason_ + ")" : ""));
    reason_ = retrain_ ? reason_ + "; " + why : why;
    retrain_ = true;
  }

  Status Poll(const PipelineSpec& spec) {
    const TriggerSpec& t = spec.triggers;
    if (!t.watch_folder.empty()) PollFolder(spec);
    if (!t.alert_model.empty()) RETURN_IF_ERROR(PollAlerts(spec));
    const int64_t now = o_.run.env->NowMicros();
    if (t.every_seconds > 0 && !retrain_ && now - state_.last_run_us >= static_cast<int64_t>(t.every_seconds * 1e6)) {
      Trigger("schedule (every " + std::to_string(static_cast<int64_t>(t.every_seconds)) + " s)");
    }
    return Status::OK();
  }

  void RunOnce(const PipelineSpec& spec) {
    PipelineRunOptions run = o_.run;
    std::string file;
    if (!pending_files_.empty()) {
      file = pending_files_.front();
      pending_files_.pop_front();
      run.trigger = "file " + file + (retrain_ ? "; " + reason_ : "");
    } else {
      run.trigger = reason_;
      file = state_.last_file;
    }
    if (!file.empty() && !spec.triggers.watch_folder.empty()) run.params.emplace_back(spec.triggers.watch_param, file);
    retrain_ = false;  // this run answers every trigger so far
    reason_.clear();
    state_.last_run_us = o_.run.env->NowMicros();
    auto report = RunPipeline(spec, run);
    ++summary_.runs;
    if (queued_.erase(file) > 0) {  // a landed file: handled, whatever the run's outcome
      state_.files[file] = Signature(file);
      state_.last_file = file;
    }
    if (!report.ok()) {
      ++summary_.failed;
      Emit("run", "could not run: " + report.status().ToString());
    } else {
      summary_.failed += report->status == "FAILED";
      summary_.rejected += report->rejected;
      Emit("run", run.trigger, &*report);
    }
    Status saved = SaveState(o_.run.env, state_path_, state_);
    if (!saved.ok()) Emit("run", "could not save the loop's state: " + saved.ToString());
  }

  std::string file_;
  const LoopOptions& o_;
  std::string name_, state_path_;
  LoopState state_;
  std::unique_ptr<MetadataStore> meta_;
  std::deque<std::string> pending_files_;
  std::set<std::string> queued_;
  std::map<std::string, std::string> last_seen_;
  bool retrain_ = false;
  bool folder_seen_ = true;  // so that a missing folder is reported at the first look
  std::string reason_, problem_;
  LoopSummary summary_;
};

}  // namespace

bool GlobMatch(const std::string& pattern, const std::string& name) {
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<LoopSummary> RunLoop(const std::string& pipeline_file, const LoopOptions& options) {
  return Loop(pipeline_file, options).Run();
}

}  // namespace gyre
