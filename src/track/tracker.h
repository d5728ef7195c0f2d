// Experiment tracking: runs with their params, metrics, tags, artifacts and input datasets,
// recorded so that any run can be understood and replayed. What trainers and pipelines call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/metadata_store.h"
#include "store/object_store.h"

namespace gyre {

enum class RunStatus { kRunning, kFinished, kFailed, kKilled };
const char* RunStatusName(RunStatus s);  // RUNNING, FINISHED, FAILED, KILLED

struct RunOptions {
  std::string experiment = "Default";
  std::string name;
  std::string command;        // the command line that started the run
  std::string parent_run_id;  // for child runs (one trial of a search)
  std::string working_dir = ".";  // where to read the git commit from
};

// Everything recorded about one run.
struct RunView {
  RunRecord run;
  KeyValues params, tags;
  std::vector<MetricPoint> metrics;  // latest point of each key
  std::vector<ArtifactRecord> artifacts;
  std::vector<RunInputRecord> inputs;
};

// Keys (params, metrics, tags) follow MLflow's rule: letters, digits, '_', '-', '.', ' ', ':', '/',
// at most 250 characters, not starting with '/' and without "..".
Status CheckKey(const std::string& what, const std::string& key);

class Tracker {
 public:
  // The stores and env must outlive the tracker. Thread-compatible.
  Tracker(MetadataStore* meta, ObjectStore* objects, Env* env) : meta_(meta), objects_(objects), env_(env) {}

  // Creates the experiment if needed and a RUNNING run with who, where, what and which code.
  Result<std::string> StartRun(const RunOptions& options);
  Status EndRun(const std::string& run_id, RunStatus status);

  Status LogParam(const std::string& run_id, const std::string& key, const std::string& value);
  Status LogParams(const std::string& run_id, const KeyValues& params);
  // `timestamp_us` 0 means now.
  Status LogMetric(const std::string& run_id, const std::string& key, double value, int64_t step = 0,
                   int64_t timestamp_us = 0);
  // Everything in one transaction: the fast way to log many points.
  Status LogBatch(const std::string& run_id, const KeyValues& params, std::vector<MetricPoint> metrics,
                  const KeyValues& tags);
  Status SetTag(const std::string& run_id, const std::string& key, const std::string& value);
  // Stores a file or bytes as an object and records it at `path` inside the run.
  Status LogArtifactFile(const std::string& run_id, const std::string& path, const std::string& local_file);
  Status LogArtifactBytes(const std::string& run_id, const std::string& path, const std::string& bytes);
  // Records that the run used a dataset version.
  Status LogInput(const std::string& run_id, const std::string& dataset, int64_t version);

  Result<RunView> GetRun(const std::string& run_id_or_prefix);

 private:
  MetadataStore* meta_;
  ObjectStore* objects_;
  Env* env_;
};

// Buffers metric points and writes them in batches of `batch_size` (and on Flush or
// destruction), so that a training loop can log every step cheaply.
class MetricLogger {
 public:
  MetricLogger(Tracker* tracker, std::string run_id, size_t batch_size = 10000)
      : tracker_(tracker), run_id_(std::move(run_id)), batch_size_(batch_size) {}
  ~MetricLogger();  // flushes; an error there is lost, so call Flush to see it
  Status Log(const std::string& key, double value, int64_t step);
  Status Flush();

 private:
  Tracker* tracker_;
  std::string run_id_;
  size_t batch_size_;
  std::vector<MetricPoint> pending_;
};

// A new run id: 32 random lowercase hex digits.
std::string NewRunId();

}  // namespace gyre
