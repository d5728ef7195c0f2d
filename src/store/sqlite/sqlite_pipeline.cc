// Pipeline step executions in SQLite: one row per step per run, found again by cache key.
#include "store/sqlite/sqlite_store.h"

namespace gyre {
namespace {

const char kColumns[] =
    "SELECT id, run_id, step, kind, status, cache_key, started_us, seconds, inputs_json, outputs_json, exit_code, "
    "log_sha256, error, cached_from, objects FROM step_executions ";

StepExecutionRecord FromRow(const SqliteStmt& s) {
  StepExecutionRecord e;
  e.id = s.Int(0);
  e.run_id = s.Text(1);
  e.step = s.Text(2);
  e.kind = s.Text(3);
  e.status = s.Text(4);
  e.cache_key = s.Text(5);
  e.started_us = s.Int(6);
  e.seconds = s.Double(7);
  e.inputs_json = s.Text(8);
  e.outputs_json = s.Text(9);
  e.exit_code = s.Int(10);
  e.log_sha256 = s.Text(11);
  e.error = s.Text(12);
  e.cached_from = s.Int(13);
  e.objects = s.Text(14);
  return e;
}

}  // namespace

Result<int64_t> SqliteStore::AddStepExecution(const StepExecutionRecord& e) {
  int64_t id = 0;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(CheckRunExists(e.run_id));
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO step_executions (run_id, step, kind, status, cache_key, started_us, seconds, inputs_json, "
        "outputs_json, exit_code, log_sha256, error, cached_from, objects) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {SqlValue(e.run_id), SqlValue(e.step), SqlValue(e.kind), SqlValue(e.status), SqlValue(e.cache_key),
         SqlValue(e.started_us), SqlValue(e.seconds), SqlValue(e.inputs_json), SqlValue(e.outputs_json),
         SqlValue(e.exit_code), SqlValue(e.log_sha256), SqlValue(e.error), SqlValue(e.cached_from),
         SqlValue(e.objects)}));
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT last_insert_rowid()", {}));
    id = ids.empty() ? 0 : ids[0];
    return Status::OK();
  }));
  return id;
}

Result<std::vector<StepExecutionRecord>> SqliteStore::ListStepExecutions(const std::string& run_id) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kColumns) + "WHERE run_id = ? ORDER BY id", {SqlValue(run_id)}));
  std::vector<StepExecutionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back(FromRow(*stmt));
  }
}

Result<std::optional<StepExecutionRecord>> SqliteStore::FindCachedExecution(const std::string& cache_key) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kColumns) +
                                               "WHERE cache_key = ? AND status IN ('ran', 'rejected') "
                                               "ORDER BY id DESC LIMIT 1",
                                           {SqlValue(cache_key)}));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<StepExecutionRecord>();
  return std::optional<StepExecutionRecord>(FromRow(*stmt));
}

}  // namespace gyre
