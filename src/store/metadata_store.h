// The metadata store: what Gyre knows about datasets (and, later, runs and models), behind one
// interface. The embedded backend is SQLite (store/sqlite/); SQL stays inside backends.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/layout.h"

namespace gyre {

struct DatasetRecord {
  std::string name;
  std::string label;
  std::string schema_yaml;  // the current schema
  int64_t created_us = 0;
  int64_t latest_version = 0;
};

struct DatasetVersionRecord {
  std::string dataset;
  int64_t version = 0;
  std::string sha256;  // the object holding the file's bytes
  std::string format;  // csv, jsonl
  int64_t rows = 0;
  int64_t columns = 0;
  int64_t bytes = 0;
  std::string source;         // where the file came from (absolute path)
  std::string stats_json;     // DatasetStats as JSON
  std::string anomalies_json; // anomalies found against the schema when added
  std::string schema_sha256;  // sha256 of the schema YAML it was validated against
  int64_t created_us = 0;
  std::string reference_sha256;  // drift reference statistics, once computed ("" before)
};

// A ground-truth label that arrived after the prediction it belongs to.
struct FeedbackLabel {
  std::string request_id;
  std::string label;
};

// Something monitoring noticed (an alert that fired), for people and for the loop to act on.
struct EventRecord {
  int64_t id = 0;  // assigned by the store
  int64_t time_us = 0;
  std::string kind;  // "alert"
  std::string model;
  int64_t version = 0;
  std::string name;          // the rule's name
  std::string figures_json;  // what it saw: {"metric": ..., "value": ..., "threshold": ...}
};

// One step of a pipeline run (pipeline/): what it read and made, and how it ended.
struct StepExecutionRecord {
  int64_t id = 0;  // assigned by the store
  std::string run_id;  // the pipeline run
  std::string step, kind;
  std::string status;     // ran, cached, failed, skipped, rejected
  std::string cache_key;  // sha256 of the step's spec, input contents and code version
  int64_t started_us = 0;
  double seconds = 0;
  std::string inputs_json;   // lineage: each input with its sha256
  std::string outputs_json;  // each output: a value, or a path with its sha256
  int64_t exit_code = 0;     // of a run: command
  std::string log_sha256;    // the step's captured output, when it has one
  std::string error;
  int64_t cached_from = 0;   // a cached step: the execution whose outputs it reused
  std::string objects;       // objects it holds (log, outputs, folder manifests), space separated
};

// What a caller knows when adding a version; the store assigns the number.
struct NewDatasetVersion {
  DatasetVersionRecord version;  // version number ignored
  std::string label;             // used when the dataset is new
  std::string schema_yaml;       // used when the dataset is new
};

// Tracking (track/): experiments, runs and what they logged. Field names follow MLflow's data
// model, which a later REST API exposes.
struct ExperimentRecord {
  int64_t id = 0;
  std::string name;
  int64_t created_us = 0;
};

struct RunRecord {
  std::string run_id;  // 32 lowercase hex digits
  std::string experiment;
  std::string name;
  std::string status;  // RUNNING, FINISHED, FAILED, KILLED
  int64_t start_us = 0;
  int64_t end_us = 0;  // 0 while running
  std::string user, host, command, gyre_version;
  std::string git_commit;  // of the working tree the run started in; empty outside git
  bool git_dirty = false;
  std::string parent_run_id;  // empty for a top-level run
};

struct MetricPoint {
  std::string key;
  double value = 0;
  int64_t step = 0;
  int64_t timestamp_us = 0;
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct ArtifactRecord {
  std::string path;    // inside the run, e.g. "model/bundle.tar"
  std::string sha256;  // the object holding the bytes
  int64_t bytes = 0;
};

struct RunInputRecord {
  std::string dataset;
  int64_t version = 0;
};

// Registry (registry/): registered models, their versions and aliases, and the audit log.
struct ModelRecord {
  std::string name;
  std::string description;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  int64_t latest_version = 0;
};

struct ModelVersionRecord {
  std::string model;
  int64_t version = 0;
  std::string run_id;          // the run that produced it
  std::string bundle_sha256;   // the object holding the model bundle
  std::string signature_json;  // inputs and outputs it expects
  std::string status = "READY";
  int64_t created_us = 0;
  std::vector<std::string> aliases;  // filled by the getters
};

// One change of the registry: who did what to which object, and the object before and after
// (JSON, "null" when it did not exist).
struct AuditRecord {
  int64_t id = 0;
  int64_t time_us = 0;
  std::string actor, action, object, before, after;
};

// An object the metadata points at, and what points at it (for `gyre doctor`).
struct ObjectReference {
  std::string sha256;
  std::string owner;  // e.g. "dataset tx:2 (data)", "run 3f2a… artifact model"
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;
  // Opens (creating if needed) the SQLite store of a home and applies pending migrations.
  static Result<std::unique_ptr<MetadataStore>> Open(const HomeLayout& layout, Env* env);

  virtual Result<std::optional<DatasetRecord>> FindDataset(const std::string& name) = 0;
  virtual Result<std::vector<DatasetRecord>> ListDatasets() = 0;
  // In one transaction: creates the dataset if new, then records the next version. When the
  // dataset already has a version with the same sha256, nothing is written and that version
  // is returned with `*created` false.
  virtual Result<DatasetVersionRecord> AddDatasetVersion(const NewDatasetVersion& request, bool* created) = 0;
  virtual Result<std::optional<DatasetVersionRecord>> FindVersionBySha(const std::string& dataset,
                                                                       const std::string& sha256) = 0;
  // `version` 0 means the latest.
  virtual Result<DatasetVersionRecord> GetDatasetVersion(const std::string& dataset, int64_t version) = 0;
  virtual Result<std::vector<DatasetVersionRecord>> ListDatasetVersions(const std::string& dataset) = 0;
  virtual Status UpdateSchema(const std::string& dataset, const std::string& schema_yaml) = 0;
  // Records the object holding a version's drift reference statistics.
  virtual Status SetDatasetReferenceStats(const std::string& dataset, int64_t version,
                                          const std::string& sha256) = 0;
  // The schema version of the database (number of migrations applied).
  virtual Result<int64_t> SchemaVersion() = 0;

  // Tracking. Run ids may be given by a unique prefix where noted.
  virtual Result<ExperimentRecord> GetOrCreateExperiment(const std::string& name, int64_t now_us) = 0;
  virtual Result<std::vector<ExperimentRecord>> ListExperiments() = 0;
  // The experiment must exist; the run id must be new.
  virtual Status CreateRun(const RunRecord& run) = 0;
  // Moves a RUNNING run to a terminal status (FailedPrecondition if it is not running).
  virtual Status FinishRun(const std::string& run_id, const std::string& status, int64_t end_us) = 0;
  // In one transaction: params (immutable: a different value for a logged key is an error and
  // nothing of the batch is written), metric points (history kept, latest value tracked per
  // key) and tags (last value wins).
  virtual Status LogBatch(const std::string& run_id, const KeyValues& params,
                          const std::vector<MetricPoint>& metrics, const KeyValues& tags) = 0;
  // The full id of the run whose id starts with `prefix` (NotFound, or InvalidArgument when
  // the prefix is ambiguous).
  virtual Result<std::string> ResolveRunId(const std::string& prefix) = 0;
  virtual Result<RunRecord> GetRun(const std::string& run_id) = 0;
  // Newest first; all experiments when `experiment` is empty.
  virtual Result<std::vector<RunRecord>> ListRuns(const std::string& experiment) = 0;
  // The runs started as children of `run_id` (the trials of a search), oldest first.
  virtual Result<std::vector<RunRecord>> ListChildRuns(const std::string& run_id) = 0;
  virtual Result<KeyValues> GetParams(const std::string& run_id) = 0;
  virtual Result<KeyValues> GetTags(const std::string& run_id) = 0;
  // The point with the highest step (then timestamp) of each key.
  virtual Result<std::vector<MetricPoint>> GetLatestMetrics(const std::string& run_id) = 0;
  // Every point of one key, by step then timestamp.
  virtual Result<std::vector<MetricPoint>> GetMetricHistory(const std::string& run_id, const std::string& key) = 0;
  // An artifact path is written once per run (AlreadyExists otherwise).
  virtual Status AddArtifact(const std::string& run_id, const ArtifactRecord& artifact) = 0;
  virtual Result<std::vector<ArtifactRecord>> ListArtifacts(const std::string& run_id) = 0;
  // The dataset version must exist.
  virtual Status AddRunInput(const std::string& run_id, const RunInputRecord& input) = 0;
  virtual Result<std::vector<RunInputRecord>> ListRunInputs(const std::string& run_id) = 0;
  // The runs that used a dataset (any version when `version` is 0), newest first.
  virtual Result<std::vector<RunRecord>> RunsUsingDataset(const std::string& dataset, int64_t version) = 0;

  // Registry. Every change is one transaction that also appends to the audit log and bumps
  // the change counter.
  virtual Result<ModelRecord> CreateModel(const std::string& name, const std::string& description,
                                          const std::string& actor, int64_t now_us) = 0;
  virtual Result<std::optional<ModelRecord>> FindModel(const std::string& name) = 0;
  virtual Result<std::vector<ModelRecord>> ListModels() = 0;
  // Creates the model if needed and the next version of it. The run must exist.
  virtual Result<ModelVersionRecord> CreateModelVersion(const ModelVersionRecord& version,
                                                        const std::string& actor, int64_t now_us) = 0;
  virtual Result<ModelVersionRecord> GetModelVersion(const std::string& model, int64_t version) = 0;
  virtual Result<ModelVersionRecord> GetModelVersionByAlias(const std::string& model, const std::string& alias) = 0;
  virtual Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& model) = 0;
  // Points `alias` at `version`, moving it if it pointed elsewhere (aliases are unique per model).
  virtual Status SetAlias(const std::string& model, const std::string& alias, int64_t version,
                          const std::string& actor, int64_t now_us) = 0;
  virtual Status DeleteAlias(const std::string& model, const std::string& alias, const std::string& actor,
                             int64_t now_us) = 0;
  virtual Status SetModelTag(const std::string& model, const std::string& key, const std::string& value,
                             const std::string& actor, int64_t now_us) = 0;
  virtual Result<KeyValues> GetModelTags(const std::string& model) = 0;
  // Lineage: the model versions a run produced.
  virtual Result<std::vector<ModelVersionRecord>> ModelVersionsFromRun(const std::string& run_id) = 0;
  // Newest first; only entries about `object` (e.g. "fraud" or "fraud:3") when it is given.
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& object, int64_t limit) = 0;
  // Goes up by one with every registry change: a cheap way for another process (the model
  // server) to notice that an alias moved.
  virtual Result<int64_t> RegistryChangeCounter() = 0;

  // Integrity: every object reference, and what the database's own checks report (page
  // structure, foreign keys), one line per problem.
  // --- monitoring ---
  // Stores labels by (model, request id), a later label replacing an earlier one; one
  // transaction. Returns how many were new or changed.
  virtual Result<int64_t> AddFeedback(const std::string& model, const std::vector<FeedbackLabel>& labels,
                                      int64_t now_us) = 0;
  virtual Result<std::vector<FeedbackLabel>> GetFeedback(const std::string& model) = 0;
  virtual Result<int64_t> RecordEvent(const EventRecord& event) = 0;  // returns its id
  // The newest first; every model's when `model` is empty.
  virtual Result<std::vector<EventRecord>> ListEvents(const std::string& model, int64_t limit) = 0;

  // --- pipelines ---
  virtual Result<int64_t> AddStepExecution(const StepExecutionRecord& e) = 0;  // returns its id
  // In execution order.
  virtual Result<std::vector<StepExecutionRecord>> ListStepExecutions(const std::string& run_id) = 0;
  // The newest execution that ran (or rejected, for a gate) with this key: a cache hit.
  virtual Result<std::optional<StepExecutionRecord>> FindCachedExecution(const std::string& cache_key) = 0;

  virtual Result<std::vector<ObjectReference>> ListObjectReferences() = 0;
  virtual Result<std::vector<std::string>> CheckDatabase() = 0;
};

}  // namespace gyre
