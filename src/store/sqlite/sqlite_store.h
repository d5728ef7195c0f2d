// The SQLite implementation of MetadataStore. Internal to store/sqlite/: other folders see
// only store/metadata_store.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/metadata_store.h"
#include "store/sqlite/sqlite_util.h"

namespace gyre {

class SqliteStore : public MetadataStore {
 public:
  SqliteStore(Env* env, std::unique_ptr<SqliteDb> db) : env_(env), db_(std::move(db)) {}

  Status Migrate();
  Result<std::optional<DatasetRecord>> FindDataset(const std::string& name) override;
  Result<std::vector<DatasetRecord>> ListDatasets() override;
  Result<DatasetVersionRecord> AddDatasetVersion(const NewDatasetVersion& request, bool* created) override;
  Result<std::optional<DatasetVersionRecord>> FindVersionBySha(const std::string& dataset,
                                                               const std::string& sha256) override;
  Result<DatasetVersionRecord> GetDatasetVersion(const std::string& dataset, int64_t version) override;
  Result<std::vector<DatasetVersionRecord>> ListDatasetVersions(const std::string& dataset) override;
  Status UpdateSchema(const std::string& dataset, const std::string& schema_yaml) override;
  Status SetDatasetReferenceStats(const std::string& dataset, int64_t version,
                                  const std::string& sha256) override;
  Result<int64_t> SchemaVersion() override;

  // Tracking (sqlite_tracking.cc).
  Result<ExperimentRecord> GetOrCreateExperiment(const std::string& name, int64_t now_us) override;
  Result<std::vector<ExperimentRecord>> ListExperiments() override;
  Status CreateRun(const RunRecord& run) override;
  Status FinishRun(const std::string& run_id, const std::string& status, int64_t end_us) override;
  Status LogBatch(const std::string& run_id, const KeyValues& params, const std::vector<MetricPoint>& metrics,
                  const KeyValues& tags) override;
  Result<std::string> ResolveRunId(const std::string& prefix) override;
  Result<RunRecord> GetRun(const std::string& run_id) override;
  Result<std::vector<RunRecord>> ListRuns(const std::string& experiment) override;
  Result<std::vector<RunRecord>> ListChildRuns(const std::string& run_id) override;
  Result<KeyValues> GetParams(const std::string& run_id) override;
  Result<KeyValues> GetTags(const std::string& run_id) override;
  Result<std::vector<MetricPoint>> GetLatestMetrics(const std::string& run_id) override;
  Result<std::vector<MetricPoint>> GetMetricHistory(const std::string& run_id, const std::string& key) override;
  Status AddArtifact(const std::string& run_id, const ArtifactRecord& artifact) override;
  Result<std::vector<ArtifactRecord>> ListArtifacts(const std::string& run_id) override;
  Status AddRunInput(const std::string& run_id, const RunInputRecord& input) override;
  Result<std::vector<RunInputRecord>> ListRunInputs(const std::string& run_id) override;
  Result<std::vector<RunRecord>> RunsUsingDataset(const std::string& dataset, int64_t version) override;

  // Registry (sqlite_registry.cc).
  Result<ModelRecord> CreateModel(const std::string& name, const std::string& description, const std::string& actor,
                                  int64_t now_us) override;
  Result<std::optional<ModelRecord>> FindModel(const std::string& name) override;
  Result<std::vector<ModelRecord>> ListModels() override;
  Result<ModelVersionRecord> CreateModelVersion(const ModelVersionRecord& version, const std::string& actor,
                                                int64_t now_us) override;
  Result<ModelVersionRecord> GetModelVersion(const std::string& model, int64_t version) override;
  Result<ModelVersionRecord> GetModelVersionByAlias(const std::string& model, const std::string& alias) override;
  Result<std::vector<ModelVersionRecord>> ListModelVersions(const std::string& model) override;
  Status SetAlias(const std::string& model, const std::string& alias, int64_t version, const std::string& actor,
                  int64_t now_us) override;
  Status DeleteAlias(const std::string& model, const std::string& alias, const std::string& actor,
                     int64_t now_us) override;
  Status SetModelTag(const std::string& model, const std::string& key, const std::string& value,
                     const std::string& actor, int64_t now_us) override;
  Result<KeyValues> GetModelTags(const std::string& model) override;
  Result<std::vector<ModelVersionRecord>> ModelVersionsFromRun(const std::string& run_id) override;
  Result<std::vector<AuditRecord>> ListAudit(const std::string& object, int64_t limit) override;
  Result<int64_t> RegistryChangeCounter() override;

  Result<int64_t> AddFeedback(const std::string& model, const std::vector<FeedbackLabel>& labels,
                              int64_t now_us) override;
  Result<std::vector<FeedbackLabel>> GetFeedback(const std::string& model) override;
  Result<int64_t> RecordEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> ListEvents(const std::string& model, int64_t limit) override;
  // Pipelines (sqlite_pipeline.cc).
  Result<int64_t> AddStepExecution(const StepExecutionRecord& e) override;
  Result<std::vector<StepExecutionRecord>> ListStepExecutions(const std::string& run_id) override;
  Result<std::optional<StepExecutionRecord>> FindCachedExecution(const std::string& cache_key) override;
  Result<std::vector<ObjectReference>> ListObjectReferences() override;
  Result<std::vector<std::string>> CheckDatabase() override;

 private:
  // Registry helpers; callers hold a transaction.
  Result<int64_t> ModelKey(const std::string& name);
  Result<std::vector<ModelRecord>> QueryModels(const std::string& where_sql, const std::vector<SqlValue>& args);
  Status Audit(const std::string& actor, int64_t now_us, const std::string& action, const std::string& object,
               const std::string& before, const std::string& after);
  Result<std::vector<ModelVersionRecord>> QueryModelVersions(const std::string& where_sql,
                                                             const std::vector<SqlValue>& args);
  Result<std::vector<RunRecord>> QueryRuns(const std::string& where_sql, const std::vector<SqlValue>& args);
  Status CheckRunExists(const std::string& run_id);
  Result<int64_t> RunKey(const std::string& run_id);  // the integer key of a run
  Status InsertParams(const std::string& run_id, const KeyValues& params);
  Status InsertMetrics(int64_t run, const std::vector<MetricPoint>& metrics);
  Result<int64_t> MetricNameId(const std::string& name);
  Result<std::vector<DatasetVersionRecord>> QueryVersions(const std::string& where_sql,
                                                          const std::vector<SqlValue>& args);
  Result<std::vector<DatasetRecord>> QueryDatasets(const std::string& where_sql,
                                                   const std::vector<SqlValue>& args);
  Env* env_;
  std::unique_ptr<SqliteDb> db_;
};


}  // namespace gyre
