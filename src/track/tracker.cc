#include "track/tracker.h"

#include "core/identity.h"

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <random>

namespace gyre {
namespace {

constexpr size_t kMaxKey = 250;
constexpr size_t kMaxParamValue = 6000;  // MLflow's limit
constexpr size_t kMaxTagValue = 8000;

// The output of a shell command run in `dir` (stdout only), or "" if it failed.
std::string Capture(const std::string& dir, const std::string& command) {
  std::string quoted = "'";
  for (char c : dir) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  std::string full = "cd " + quoted + "' 2>/dev/null && " + command + " 2>/dev/null";
  std::FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  std::array<char, 512> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int rc = ::pclose(pipe);
  if (rc != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

Status CheckValue(const std::string& what, const std::string& key, const std::string& value, size_t limit) {
  if (value.size() > limit) {
    return InvalidArgument(what + " " + key + ": value of " + std::to_string(value.size()) + " bytes is over the limit of " +
                           std::to_string(limit));
  }
  return Status::OK();
}

}  // namespace

const char* RunStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning: return "RUNNING";
    case RunStatus::kFinished: return "FINISHED";
    case RunStatus::kFailed: return "FAILED";
    case RunStatus::kKilled: return "KILLED";
  }
  return "?";
}

Status CheckKey(const std::string& what, const std::string& key) {
  bool ok = !key.empty() && key.size() <= kMaxKey && key[0] != '/' && key.find("..") == std::string::npos;
  for (char c : key) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' || c == ':');
  }
  if (!ok) {
    return InvalidArgument("invalid " + what + " name \"" + key + "\": use letters, digits, '_', '-', '.', ' ', ':' and '/' "
                           "(at most 250, not starting with '/')", {"", 0, 0, key});
  }
  return Status::OK();
}

std::string NewRunId() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^ (static_cast<uint64_t>(::getpid()) << 32));
  static const char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) {
    id[static_cast<size_t>(i)] = kHex[(a >> (4 * i)) & 15];
    id[static_cast<size_t>(16 + i)] = kHex[(b >> (4 * i)) & 15];
  }
  return id;
}

Result<std::string> Tracker::StartRun(const RunOptions& options) {
  if (options.experiment.empty()) return InvalidArgument("an experiment needs a name");
  const int64_t now = env_->NowMicros();
  RETURN_IF_ERROR(meta_->GetOrCreateExperiment(options.experiment, now).status());
  RunRecord r;
  r.run_id = NewRunId();
  r.experiment = options.experiment;
  r.name = options.name;
  r.status = RunStatusName(RunStatus::kRunning);
  r.start_us = now;
  r.user = UserName();
  r.host = HostName();
  r.command = options.command;
  r.gyre_version = GYRE_VERSION;
  r.git_commit = Capture(options.working_dir, "git rev-parse HEAD");
  r.git_dirty = !r.git_commit.empty() && !Capture(options.working_dir, "git status --porcelain").empty();
  r.parent_run_id = options.parent_run_id;
  RETURN_IF_ERROR(meta_->CreateRun(r));
  return r.run_id;
}

Status Tracker::EndRun(const std::string& run_id, RunStatus status) {
  if (status == RunStatus::kRunning) return InvalidArgument("a run ends FINISHED, FAILED or KILLED");
  return meta_->FinishRun(run_id, RunStatusName(status), env_->NowMicros());
}

Status Tracker::LogParam(const std::string& run_id, const std::string& key, const std::string& value) {
  return LogParams(run_id, {{key, value}});
}

Status Tracker::LogParams(const std::string& run_id, const KeyValues& params) {
  return LogBatch(run_id, params, {}, {});
}

Status Tracker::LogMetric(const std::string& run_id, const std::string& key, double value, int64_t step,
                          int64_t timestamp_us) {
  return LogBatch(run_id, {}, {{key, value, step, timestamp_us}}, {});
}

Status Tracker::SetTag(const std::string& run_id, const std::string& key, const std::string& value) {
  return LogBatch(run_id, {}, {}, {{key, value}});
}

Status Tracker::LogBatch(const std::string& run_id, const KeyValues& params, std::vector<MetricPoint> metrics,
                         const KeyValues& tags) {
  for (const auto& [k, v] : params) {
    RETURN_IF_ERROR(CheckKey("param", k));
    RETURN_IF_ERROR(CheckValue("param", k, v, kMaxParamValue));
  }
  for (const auto& [k, v] : tags) {
    RETURN_IF_ERROR(CheckKey("tag", k));
    RETURN_IF_ERROR(CheckValue("tag", k, v, kMaxTagValue));
  }
  const int64_t now = env_->NowMicros();
  std::string last_key;  // points usually come in runs of one key: check each name once
  for (MetricPoint& p : metrics) {
    if (p.key != last_key) RETURN_IF_ERROR(CheckKey("metric", p.key));
    last_key = p.key;
    if (p.timestamp_us == 0) p.timestamp_us = now;
  }
  return meta_->LogBatch(run_id, params, metrics, tags);
}

Status Tracker::LogArtifactBytes(const std::string& run_id, const std::string& path, const std::string& bytes) {
  RETURN_IF_ERROR(CheckKey("artifact", path));
  ASSIGN_OR_RETURN(std::string sha, objects_->PutBytes(bytes));
  return meta_->AddArtifact(run_id, {path, sha, static_cast<int64_t>(bytes.size())});
}

Status Tracker::LogArtifactFile(const std::string& run_id, const std::string& path, const std::string& local_file) {
  RETURN_IF_ERROR(CheckKey("artifact", path));
  ASSIGN_OR_RETURN(uint64_t size, env_->FileSize(local_file));
  ASSIGN_OR_RETURN(std::string sha, objects_->PutFile(local_file));
  return meta_->AddArtifact(run_id, {path, sha, static_cast<int64_t>(size)});
}

Status Tracker::LogInput(const std::string& run_id, const std::string& dataset, int64_t version) {
  return meta_->AddRunInput(run_id, {dataset, version});
}

Result<RunView> Tracker::GetRun(const std::string& run_id_or_prefix) {
  RunView v;
  ASSIGN_OR_RETURN(std::string id, meta_->ResolveRunId(run_id_or_prefix));
  ASSIGN_OR_RETURN(v.run, meta_->GetRun(id));
  ASSIGN_OR_RETURN(v.params, meta_->GetParams(id));
  ASSIGN_OR_RETURN(v.tags, meta_->GetTags(id));
  ASSIGN_OR_RETURN(v.metrics, meta_->GetLatestMetrics(id));
  ASSIGN_OR_RETURN(v.artifacts, meta_->ListArtifacts(id));
  ASSIGN_OR_RETURN(v.inputs, meta_->ListRunInputs(id));
  return v;
}

MetricLogger::~MetricLogger() { (void)Flush(); }

Status MetricLogger::Log(const std::string& key, double value, int64_t step) {
  pending_.push_back({key, value, step, 0});
  return pending_.size() >= batch_size_ ? Flush() : Status::OK();
}

Status MetricLogger::Flush() {
  if (pending_.empty()) return Status::OK();
  std::vector<MetricPoint> batch;
  batch.swap(pending_);
  return tracker_->LogBatch(run_id_, {}, std::move(batch), {});
}

}  // namespace gyre
