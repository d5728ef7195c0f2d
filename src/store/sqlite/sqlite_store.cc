// The SQLite MetadataStore: WAL for concurrent readers beside one writer, a busy timeout so
// that several processes can share a home, foreign keys, and ordered migrations at open.
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "store/sqlite/sqlite_store.h"

namespace gyre {
namespace {

// Each entry moves the database one version up; never edit an entry once released.
const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE datasets (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      label TEXT NOT NULL DEFAULT '',
      schema_yaml TEXT NOT NULL,
      created_us INTEGER NOT NULL
    );
    CREATE TABLE dataset_versions (
      dataset_id INTEGER NOT NULL REFERENCES datasets(id),
      version INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      format TEXT NOT NULL,
      rows INTEGER NOT NULL,
      columns INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      source TEXT NOT NULL,
      stats_json TEXT NOT NULL,
      anomalies_json TEXT NOT NULL,
      schema_sha256 TEXT NOT NULL,
      created_us INTEGER NOT NULL,
      PRIMARY KEY (dataset_id, version),
      UNIQUE (dataset_id, sha256)
    );
    )sql",
    R"sql(
    CREATE TABLE experiments (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      created_us INTEGER NOT NULL
    );
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL UNIQUE,
      experiment_id INTEGER NOT NULL REFERENCES experiments(id),
      name TEXT NOT NULL,
      status TEXT NOT NULL,
      start_us INTEGER NOT NULL,
      end_us INTEGER NOT NULL,
      user TEXT NOT NULL,
      host TEXT NOT NULL,
      command TEXT NOT NULL,
      gyre_version TEXT NOT NULL,
      git_commit TEXT NOT NULL,
      git_dirty INTEGER NOT NULL,
      parent_run_id TEXT REFERENCES runs(run_id)
    );
    CREATE INDEX runs_by_experiment ON runs(experiment_id, start_us);
    CREATE INDEX runs_by_parent ON runs(parent_run_id);
    CREATE TABLE params (
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE tags (
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    -- The hot table: one B-tree keyed by the whole point (as MLflow's primary key), with the
    -- run and the metric name as integers so that comparing keys is cheap. A NaN value is
    -- stored as 0 with is_nan = 1.
    CREATE TABLE metric_names (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE metrics (
      run INTEGER NOT NULL REFERENCES runs(id),
      key INTEGER NOT NULL REFERENCES metric_names(id),
      step INTEGER NOT NULL,
      timestamp_us INTEGER NOT NULL,
      value REAL NOT NULL,
      is_nan INTEGER NOT NULL,
      PRIMARY KEY (run, key, step, timestamp_us, value, is_nan)
    ) WITHOUT ROWID;
    CREATE TABLE latest_metrics (
      run INTEGER NOT NULL REFERENCES runs(id),
      key INTEGER NOT NULL REFERENCES metric_names(id),
      step INTEGER NOT NULL,
      timestamp_us INTEGER NOT NULL,
      value REAL NOT NULL,
      is_nan INTEGER NOT NULL,
      PRIMARY KEY (run, key)
    ) WITHOUT ROWID;
    CREATE TABLE artifacts (
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      path TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      PRIMARY KEY (run_id, path)
    ) WITHOUT ROWID;
    CREATE TABLE run_inputs (
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      dataset_id INTEGER NOT NULL,
      version INTEGER NOT NULL,
      PRIMARY KEY (run_id, dataset_id, version),
      FOREIGN KEY (dataset_id, version) REFERENCES dataset_versions(dataset_id, version)
    ) WITHOUT ROWID;
    )sql",
    R"sql(
    CREATE TABLE registered_models (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL,
      created_us INTEGER NOT NULL,
      updated_us INTEGER NOT NULL
    );
    CREATE TABLE model_tags (
      model_id INTEGER NOT NULL REFERENCES registered_models(id),
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (model_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE model_versions (
      model_id INTEGER NOT NULL REFERENCES registered_models(id),
      version INTEGER NOT NULL,
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      bundle_sha256 TEXT NOT NULL,
      signature_json TEXT NOT NULL,
      status TEXT NOT NULL,
      created_us INTEGER NOT NULL,
      PRIMARY KEY (model_id, version)
    ) WITHOUT ROWID;
    CREATE TABLE model_aliases (
      model_id INTEGER NOT NULL,
      alias TEXT NOT NULL,
      version INTEGER NOT NULL,
      PRIMARY KEY (model_id, alias),
      FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
    ) WITHOUT ROWID;
    -- Append-only: nothing updates or deletes these rows.
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time_us INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      object TEXT NOT NULL,
      before_json TEXT NOT NULL,
      after_json TEXT NOT NULL
    );
    CREATE INDEX audit_by_object ON audit_log(object, id);
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE registry_changes (id INTEGER PRIMARY KEY CHECK (id = 1), counter INTEGER NOT NULL);
    INSERT INTO registry_changes VALUES (1, 0);
    )sql",
    // 4: the drift reference statistics of a dataset version, computed on first use.
    R"sql(
    ALTER TABLE dataset_versions ADD COLUMN reference_sha256 TEXT NOT NULL DEFAULT '';
    )sql",
    // 5: monitoring: ground-truth labels that arrive after predictions, and alert events.
    R"sql(
    CREATE TABLE feedback (
      model TEXT NOT NULL,
      request_id TEXT NOT NULL,
      label TEXT NOT NULL,
      received_us INTEGER NOT NULL,
      PRIMARY KEY (model, request_id)
    ) WITHOUT ROWID;
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      time_us INTEGER NOT NULL,
      kind TEXT NOT NULL,
      model TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      figures_json TEXT NOT NULL
    );
    CREATE INDEX events_by_model ON events(model, id);
    )sql",
    // 6: pipelines: every step of a pipeline run, with its cache key and lineage.
    R"sql(
    CREATE TABLE step_executions (
      id INTEGER PRIMARY KEY,
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      step TEXT NOT NULL,
      kind TEXT NOT NULL,
      status TEXT NOT NULL,
      cache_key TEXT NOT NULL,
      started_us INTEGER NOT NULL,
      seconds REAL NOT NULL,
      inputs_json TEXT NOT NULL,
      outputs_json TEXT NOT NULL,
      exit_code INTEGER NOT NULL,
      log_sha256 TEXT NOT NULL,
      error TEXT NOT NULL,
      cached_from INTEGER NOT NULL,
      objects TEXT NOT NULL
    );
    CREATE INDEX step_executions_by_key ON step_executions(cache_key, id);
    CREATE INDEX step_executions_by_run ON step_executions(run_id, id);
    )sql",
};

const char kVersionColumns[] =
    "SELECT d.name, v.version, v.sha256, v.format, v.rows, v.columns, v.bytes, v.source, v.stats_json, "
    "v.anomalies_json, v.schema_sha256, v.created_us, v.reference_sha256 "
    "FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id ";

DatasetVersionRecord VersionFromRow(SqliteStmt& s) {
  DatasetVersionRecord r;
  r.dataset = s.Text(0);
  r.version = s.Int(1);
  r.sha256 = s.Text(2);
  r.format = s.Text(3);
  r.rows = s.Int(4);
  r.columns = s.Int(5);
  r.bytes = s.Int(6);
  r.source = s.Text(7);
  r.stats_json = s.Text(8);
  r.anomalies_json = s.Text(9);
  r.schema_sha256 = s.Text(10);
  r.created_us = s.Int(11);
  r.reference_sha256 = s.Text(12);
  return r;
}

}  // namespace

Status SqliteStore::Migrate() {
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(db_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(auto rows, db_->QueryInts("SELECT version FROM schema_version", {}));
    if (rows.empty()) RETURN_IF_ERROR(db_->Run("INSERT INTO schema_version VALUES (0)", {}));
    int64_t current = rows.empty() ? 0 : rows[0];
    const int64_t known = static_cast<int64_t>(std::size(kMigrations));
    if (current > known) {
      return FailedPrecondition("the store was written by a newer Gyre (schema version " + std::to_string(current) +
                                ", this one knows " + std::to_string(known) + "): upgrade Gyre");
    }
    for (int64_t v = current; v < known; ++v) RETURN_IF_ERROR(db_->Exec(kMigrations[v]));
    return db_->Run("UPDATE schema_version SET version = ?", {SqlValue(known)});
  });
}

Result<int64_t> SqliteStore::SchemaVersion() {
  ASSIGN_OR_RETURN(auto rows, db_->QueryInts("SELECT version FROM schema_version", {}));
  return rows.empty() ? 0 : rows[0];
}

Result<std::vector<DatasetRecord>> SqliteStore::QueryDatasets(const std::string& where_sql,
                                                              const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
      "SELECT d.name, d.label, d.schema_yaml, d.created_us, "
      "(SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE dataset_id = d.id) "
      "FROM datasets d " + where_sql, args));
  std::vector<DatasetRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Int(3), stmt->Int(4)});
  }
  return out;
}

Result<std::optional<DatasetRecord>> SqliteStore::FindDataset(const std::string& name) {
  ASSIGN_OR_RETURN(auto rows, QueryDatasets("WHERE d.name = ?", {SqlValue(name)}));
  if (rows.empty()) return std::optional<DatasetRecord>();
  return std::optional<DatasetRecord>(rows[0]);
}

Result<std::vector<DatasetRecord>> SqliteStore::ListDatasets() { return QueryDatasets("ORDER BY d.name", {}); }

Result<DatasetVersionRecord> SqliteStore::AddDatasetVersion(const NewDatasetVersion& request, bool* created) {
  DatasetVersionRecord out;
  *created = false;
  const DatasetVersionRecord& v = request.version;
  Status st = db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(db_->Run("INSERT OR IGNORE INTO datasets (name, label, schema_yaml, created_us) VALUES (?, ?, ?, ?)",
                             {SqlValue(v.dataset), SqlValue(request.label), SqlValue(request.schema_yaml),
                              SqlValue(v.created_us)}));
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM datasets WHERE name = ?", {SqlValue(v.dataset)}));
    int64_t id = ids.at(0);
    ASSIGN_OR_RETURN(auto same, QueryVersions("WHERE v.dataset_id = ? AND v.sha256 = ?", {SqlValue(id), SqlValue(v.sha256)}));
    if (!same.empty()) {
      out = same[0];
      return Status::OK();
    }
    ASSIGN_OR_RETURN(auto next, db_->QueryInts(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE dataset_id = ?", {SqlValue(id)}));
    out = v;
    out.version = next.at(0);
    *created = true;
    return db_->Run(
        "INSERT INTO dataset_versions (dataset_id, version, sha256, format, rows, columns, bytes, source, "
        "stats_json, anomalies_json, schema_sha256, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {SqlValue(id), SqlValue(out.version), SqlValue(v.sha256), SqlValue(v.format), SqlValue(v.rows),
         SqlValue(v.columns), SqlValue(v.bytes), SqlValue(v.source), SqlValue(v.stats_json),
         SqlValue(v.anomalies_json), SqlValue(v.schema_sha256), SqlValue(v.created_us)});
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<DatasetVersionRecord>> SqliteStore::QueryVersions(const std::string& where_sql,
                                                                     const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kVersionColumns) + where_sql, args));
  std::vector<DatasetVersionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(VersionFromRow(*stmt));
  }
  return out;
}

Result<std::optional<DatasetVersionRecord>> SqliteStore::FindVersionBySha(const std::string& dataset,
                                                                          const std::string& sha256) {
  ASSIGN_OR_RETURN(auto rows, QueryVersions("WHERE d.name = ? AND v.sha256 = ?", {SqlValue(dataset), SqlValue(sha256)}));
  if (rows.empty()) return std::optional<DatasetVersionRecord>();
  return std::optional<DatasetVersionRecord>(rows[0]);
}

Result<DatasetVersionRecord> SqliteStore::GetDatasetVersion(const std::string& dataset, int64_t version) {
  ASSIGN_OR_RETURN(auto found, FindDataset(dataset));
  if (!found) return NotFound("no dataset named " + dataset + " (see: gyre data list)");
  if (found->latest_version == 0) return NotFound("dataset " + dataset + " has no versions");
  int64_t v = version == 0 ? found->latest_version : version;
  ASSIGN_OR_RETURN(auto rows, QueryVersions("WHERE d.name = ? AND v.version = ?", {SqlValue(dataset), SqlValue(v)}));
  if (rows.empty()) {
    return NotFound("dataset " + dataset + " has no version " + std::to_string(v) + " (versions 1 to " +
                    std::to_string(found->latest_version) + ")");
  }
  return rows[0];
}

Result<std::vector<DatasetVersionRecord>> SqliteStore::ListDatasetVersions(const std::string& dataset) {
  return QueryVersions("WHERE d.name = ? ORDER BY v.version", {SqlValue(dataset)});
}

Status SqliteStore::UpdateSchema(const std::string& dataset, const std::string& schema_yaml) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM datasets WHERE name = ?", {SqlValue(dataset)}));
    if (ids.empty()) return NotFound("no dataset named " + dataset);
    return db_->Run("UPDATE datasets SET schema_yaml = ? WHERE id = ?", {SqlValue(schema_yaml), SqlValue(ids[0])});
  });
}

Status SqliteStore::SetDatasetReferenceStats(const std::string& dataset, int64_t version,
                                             const std::string& sha256) {
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(db_->Run(
        "UPDATE dataset_versions SET reference_sha256 = ? WHERE version = ? AND dataset_id = "
        "(SELECT id FROM datasets WHERE name = ?)",
        {SqlValue(sha256), SqlValue(version), SqlValue(dataset)}));
    ASSIGN_OR_RETURN(auto changed, db_->QueryInts("SELECT changes()", {}));
    if (changed.empty() || changed[0] == 0)
      return NotFound("no dataset version " + dataset + ":" + std::to_string(version));
    return Status::OK();
  });
}

Result<std::vector<ObjectReference>> SqliteStore::ListObjectReferences() {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
      "SELECT v.sha256, 'dataset ' || d.name || ':' || v.version || ' (data)' FROM dataset_versions v "
      "JOIN datasets d ON d.id = v.dataset_id "
      "UNION ALL SELECT v.schema_sha256, 'dataset ' || d.name || ':' || v.version || ' (schema)' "
      "FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id "
      "UNION ALL SELECT v.reference_sha256, 'dataset ' || d.name || ':' || v.version || ' (reference statistics)' "
      "FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id WHERE v.reference_sha256 != '' "
      "UNION ALL SELECT sha256, 'run ' || run_id || ' artifact ' || path FROM artifacts "
      "UNION ALL SELECT v.bundle_sha256, 'model ' || m.name || ':' || v.version || ' (bundle)' "
      "FROM model_versions v JOIN registered_models m ON m.id = v.model_id "
      "UNION ALL SELECT objects, 'run ' || run_id || ' step ' || step FROM step_executions WHERE objects != ''",
      {}));
  std::vector<ObjectReference> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    // A step execution lists its objects (log, outputs) separated by spaces.
    const std::string shas = stmt->Text(0);
    for (size_t start = 0; start < shas.size();) {
      size_t space = shas.find(' ', start);
      if (space == std::string::npos) space = shas.size();
      if (space > start) out.push_back({shas.substr(start, space - start), stmt->Text(1)});
      start = space + 1;
    }
  }
}

Result<std::vector<std::string>> SqliteStore::CheckDatabase() {
  std::vector<std::string> problems;
  ASSIGN_OR_RETURN(auto check, db_->Prepare("PRAGMA integrity_check", {}));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, check->Step());
    if (!row) break;
    if (check->Text(0) != "ok") problems.push_back("integrity: " + check->Text(0));
  }
  ASSIGN_OR_RETURN(auto fk, db_->Prepare("PRAGMA foreign_key_check", {}));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, fk->Step());
    if (!row) break;
    problems.push_back("foreign key: a row of " + fk->Text(0) + " (rowid " + fk->Text(1) + ") points at a missing " +
                       fk->Text(2) + " row");
  }
  return problems;
}

Result<std::unique_ptr<MetadataStore>> MetadataStore::Open(const HomeLayout& layout, Env* env) {
  RETURN_IF_ERROR(env->CreateDirs(layout.root));
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(layout.Database()));
  auto store = std::make_unique<SqliteStore>(env, std::move(db));
  RETURN_IF_ERROR(store->Migrate());
  return std::unique_ptr<MetadataStore>(std::move(store));
}

}  // namespace gyre
