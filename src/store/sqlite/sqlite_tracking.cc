// Tracking in SQLite: experiments, runs, params, metrics (history and latest), tags,
// artifacts and run inputs. A batch of points is one transaction with one prepared statement
// re-bound per point, and the latest value of each key is updated once per batch (MLflow's SQL
// store merges one row and updates latest_metrics for every point it logs).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>
#include <tuple>

#include "store/sqlite/sqlite_store.h"

namespace gyre {
namespace {

const char kRunColumns[] =
    "SELECT r.run_id, e.name, r.name, r.status, r.start_us, r.end_us, r.user, r.host, r.command, "
    "r.gyre_version, r.git_commit, r.git_dirty, COALESCE(r.parent_run_id, '') "
    "FROM runs r JOIN experiments e ON e.id = r.experiment_id ";

RunRecord RunFromRow(const SqliteStmt& s) {
  RunRecord r;
  r.run_id = s.Text(0);
  r.experiment = s.Text(1);
  r.name = s.Text(2);
  r.status = s.Text(3);
  r.start_us = s.Int(4);
  r.end_us = s.Int(5);
  r.user = s.Text(6);
  r.host = s.Text(7);
  r.command = s.Text(8);
  r.gyre_version = s.Text(9);
  r.git_commit = s.Text(10);
  r.git_dirty = s.Int(11) != 0;
  r.parent_run_id = s.Text(12);
  return r;
}

Result<KeyValues> QueryKeyValues(SqliteDb* db, const std::string& sql, const std::string& run_id) {
  ASSIGN_OR_RETURN(auto stmt, db->Prepare(sql, {SqlValue(run_id)}));
  KeyValues out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.emplace_back(stmt->Text(0), stmt->Text(1));
  }
}

// Rows of (key, value, is_nan, step, timestamp_us).
Result<std::vector<MetricPoint>> QueryMetrics(SqliteDb* db, const std::string& sql, const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db->Prepare(sql, args));
  std::vector<MetricPoint> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Text(0), stmt->Int(2) ? std::nan("") : stmt->Double(1), stmt->Int(3), stmt->Int(4)});
  }
}

// Binds (run, key, step, timestamp_us, value, is_nan). SQLite has no NaN: it is stored as 0
// with is_nan = 1 (as MLflow does); infinities are kept.
void BindPoint(SqliteStmt* stmt, int64_t run, int64_t key, const MetricPoint& p) {
  stmt->Reset();
  stmt->BindInt(1, run);
  stmt->BindInt(2, key);
  stmt->BindInt(3, p.step);
  stmt->BindInt(4, p.timestamp_us);
  stmt->BindDouble(5, std::isnan(p.value) ? 0.0 : p.value);
  stmt->BindInt(6, std::isnan(p.value) ? 1 : 0);
}

}  // namespace

Result<ExperimentRecord> SqliteStore::GetOrCreateExperiment(const std::string& name, int64_t now_us) {
  ExperimentRecord out;
  Status st = db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(db_->Run("INSERT OR IGNORE INTO experiments (name, created_us) VALUES (?, ?)",
                             {SqlValue(name), SqlValue(now_us)}));
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT id, name, created_us FROM experiments WHERE name = ?", {SqlValue(name)}));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Internal("experiment " + name + " vanished");
    out = {stmt->Int(0), stmt->Text(1), stmt->Int(2)};
    return Status::OK();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<ExperimentRecord>> SqliteStore::ListExperiments() {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT id, name, created_us FROM experiments ORDER BY name", {}));
  std::vector<ExperimentRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Int(0), stmt->Text(1), stmt->Int(2)});
  }
}

Status SqliteStore::CreateRun(const RunRecord& r) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM experiments WHERE name = ?", {SqlValue(r.experiment)}));
    if (ids.empty()) return NotFound("no experiment named " + r.experiment);
    if (!r.parent_run_id.empty()) RETURN_IF_ERROR(CheckRunExists(r.parent_run_id));
    ASSIGN_OR_RETURN(auto same, db_->QueryInts("SELECT 1 FROM runs WHERE run_id = ?", {SqlValue(r.run_id)}));
    if (!same.empty()) return AlreadyExists("run " + r.run_id + " already exists");
    SqlValue parent = r.parent_run_id.empty() ? SqlValue(nullptr) : SqlValue(r.parent_run_id);
    return db_->Run(
        "INSERT INTO runs (run_id, experiment_id, name, status, start_us, end_us, user, host, command, "
        "gyre_version, git_commit, git_dirty, parent_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {SqlValue(r.run_id), SqlValue(ids[0]), SqlValue(r.name), SqlValue(r.status), SqlValue(r.start_us),
         SqlValue(r.end_us), SqlValue(r.user), SqlValue(r.host), SqlValue(r.command), SqlValue(r.gyre_version),
         SqlValue(r.git_commit), SqlValue(int64_t{r.git_dirty}), parent});
  });
}

Result<int64_t> SqliteStore::RunKey(const std::string& run_id) {
  ASSIGN_OR_RETURN(auto rows, db_->QueryInts("SELECT id FROM runs WHERE run_id = ?", {SqlValue(run_id)}));
  if (rows.empty()) return NotFound("no run " + run_id + " (see: gyre runs list)");
  return rows[0];
}

Status SqliteStore::CheckRunExists(const std::string& run_id) { return RunKey(run_id).status(); }

Status SqliteStore::FinishRun(const std::string& run_id, const std::string& status, int64_t end_us) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT status FROM runs WHERE run_id = ?", {SqlValue(run_id)}));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return NotFound("no run " + run_id + " (see: gyre runs list)");
    if (stmt->Text(0) != "RUNNING") {
      return FailedPrecondition("run " + run_id + " already ended (" + stmt->Text(0) + ")");
    }
    return db_->Run("UPDATE runs SET status = ?, end_us = ? WHERE run_id = ?",
                    {SqlValue(status), SqlValue(end_us), SqlValue(run_id)});
  });
}

Status SqliteStore::InsertParams(const std::string& run_id, const KeyValues& params) {
  if (params.empty()) return Status::OK();
  ASSIGN_OR_RETURN(auto find, db_->Prepare("SELECT value FROM params WHERE run_id = ? AND key = ?", {}));
  ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)", {}));
  for (const auto& [key, value] : params) {
    find->Reset();
    find->BindText(1, run_id);
    find->BindText(2, key);
    ASSIGN_OR_RETURN(bool logged, find->Step());
    if (logged) {
      if (find->Text(0) == value) continue;  // logging the same value again is fine, as in MLflow
      return InvalidArgument("param " + key + " of run " + run_id + " was already logged as \"" + find->Text(0) +
                             "\"; params cannot change (log a new run, or use a tag)");
    }
    insert->Reset();
    insert->BindText(1, run_id);
    insert->BindText(2, key);
    insert->BindText(3, value);
    ASSIGN_OR_RETURN(bool ignored, insert->Step());
    (void)ignored;
  }
  return Status::OK();
}

Result<int64_t> SqliteStore::MetricNameId(const std::string& name) {
  RETURN_IF_ERROR(db_->Run("INSERT OR IGNORE INTO metric_names (name) VALUES (?)", {SqlValue(name)}));
  ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM metric_names WHERE name = ?", {SqlValue(name)}));
  if (ids.empty()) return Internal("metric name " + name + " vanished");
  return ids[0];
}

Status SqliteStore::InsertMetrics(int64_t run, const std::vector<MetricPoint>& metrics) {
  if (metrics.empty()) return Status::OK();
  // Each name once per batch; then the points in key order, so that each key's points land
  // next to each other in the B-tree.
  std::unordered_map<std::string_view, int64_t> ids;
  for (const MetricPoint& p : metrics) {
    if (ids.count(p.key) == 0) {
      ASSIGN_OR_RETURN(ids[p.key], MetricNameId(p.key));
    }
  }
  std::vector<std::pair<int64_t, const MetricPoint*>> order;
  order.reserve(metrics.size());
  for (const MetricPoint& p : metrics) order.emplace_back(ids[p.key], &p);
  std::stable_sort(order.begin(), order.end(), [](const auto& x, const auto& y) {
    return std::tie(x.first, x.second->step) < std::tie(y.first, y.second->step);
  });
  // The same point logged twice is stored once, as in MLflow.
  ASSIGN_OR_RETURN(auto insert, db_->Prepare(
      "INSERT OR IGNORE INTO metrics (run, key, step, timestamp_us, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)", {}));
  std::unordered_map<int64_t, const MetricPoint*> latest;  // per key, in this batch
  for (const auto& [key, p] : order) {
    BindPoint(insert.get(), run, key, *p);
    ASSIGN_OR_RETURN(bool ignored, insert->Step());
    (void)ignored;
    const MetricPoint*& best = latest[key];
    if (best == nullptr || std::tie(p->step, p->timestamp_us) >= std::tie(best->step, best->timestamp_us)) best = p;
  }
  ASSIGN_OR_RETURN(auto upsert, db_->Prepare(
      "INSERT INTO latest_metrics (run, key, step, timestamp_us, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (run, key) DO UPDATE SET step = excluded.step, timestamp_us = excluded.timestamp_us, "
      "value = excluded.value, is_nan = excluded.is_nan WHERE (excluded.step, excluded.timestamp_us) >= "
      "(latest_metrics.step, latest_metrics.timestamp_us)", {}));
  for (const auto& [key, p] : latest) {
    BindPoint(upsert.get(), run, key, *p);
    ASSIGN_OR_RETURN(bool ignored, upsert->Step());
    (void)ignored;
  }
  return Status::OK();
}

Status SqliteStore::LogBatch(const std::string& run_id, const KeyValues& params, const std::vector<MetricPoint>& metrics,
                             const KeyValues& tags) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(int64_t run, RunKey(run_id));
    RETURN_IF_ERROR(InsertParams(run_id, params));
    RETURN_IF_ERROR(InsertMetrics(run, metrics));
    for (const auto& [key, value] : tags) {
      RETURN_IF_ERROR(db_->Run("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) "
                               "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
                               {SqlValue(run_id), SqlValue(key), SqlValue(value)}));
    }
    return Status::OK();
  });
}

Result<std::string> SqliteStore::ResolveRunId(const std::string& prefix) {
  bool hex = !prefix.empty() && prefix.size() <= 32 &&
             std::all_of(prefix.begin(), prefix.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (!hex) return InvalidArgument("\"" + prefix + "\" is not a run id (32 hex digits, or a unique prefix of one)");
  std::string lower = prefix;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT run_id FROM runs WHERE run_id >= ? AND run_id < ? LIMIT 2",
                                           {SqlValue(lower), SqlValue(lower + "g")}));
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    ids.push_back(stmt->Text(0));
  }
  if (ids.empty()) return NotFound("no run " + prefix + " (see: gyre runs list)");
  if (ids.size() > 1) return InvalidArgument("run prefix " + prefix + " is ambiguous: give more digits");
  return ids[0];
}

Result<std::vector<RunRecord>> SqliteStore::QueryRuns(const std::string& where_sql, const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kRunColumns) + where_sql, args));
  std::vector<RunRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back(RunFromRow(*stmt));
  }
}

Result<RunRecord> SqliteStore::GetRun(const std::string& run_id) {
  ASSIGN_OR_RETURN(auto rows, QueryRuns("WHERE r.run_id = ?", {SqlValue(run_id)}));
  if (rows.empty()) return NotFound("no run " + run_id + " (see: gyre runs list)");
  return rows[0];
}

Result<std::vector<RunRecord>> SqliteStore::ListRuns(const std::string& experiment) {
  if (experiment.empty()) return QueryRuns("ORDER BY r.start_us DESC, r.run_id", {});
  ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM experiments WHERE name = ?", {SqlValue(experiment)}));
  if (ids.empty()) return NotFound("no experiment named " + experiment);
  return QueryRuns("WHERE r.experiment_id = ? ORDER BY r.start_us DESC, r.run_id", {SqlValue(ids[0])});
}

Result<std::vector<RunRecord>> SqliteStore::ListChildRuns(const std::string& run_id) {
  return QueryRuns("WHERE r.parent_run_id = ? ORDER BY r.start_us, r.run_id", {SqlValue(run_id)});
}

Result<KeyValues> SqliteStore::GetParams(const std::string& run_id) {
  return QueryKeyValues(db_.get(), "SELECT key, value FROM params WHERE run_id = ? ORDER BY key", run_id);
}

Result<KeyValues> SqliteStore::GetTags(const std::string& run_id) {
  return QueryKeyValues(db_.get(), "SELECT key, value FROM tags WHERE run_id = ? ORDER BY key", run_id);
}

Result<std::vector<MetricPoint>> SqliteStore::GetLatestMetrics(const std::string& run_id) {
  return QueryMetrics(db_.get(),
                      "SELECT n.name, m.value, m.is_nan, m.step, m.timestamp_us FROM latest_metrics m "
                      "JOIN runs r ON r.id = m.run JOIN metric_names n ON n.id = m.key WHERE r.run_id = ? "
                      "ORDER BY n.name",
                      {SqlValue(run_id)});
}

Result<std::vector<MetricPoint>> SqliteStore::GetMetricHistory(const std::string& run_id, const std::string& key) {
  return QueryMetrics(db_.get(),
                      "SELECT n.name, m.value, m.is_nan, m.step, m.timestamp_us FROM metrics m "
                      "JOIN runs r ON r.id = m.run JOIN metric_names n ON n.id = m.key "
                      "WHERE r.run_id = ? AND n.name = ? ORDER BY m.step, m.timestamp_us",
                      {SqlValue(run_id), SqlValue(key)});
}

Status SqliteStore::AddArtifact(const std::string& run_id, const ArtifactRecord& a) {
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(CheckRunExists(run_id));
    ASSIGN_OR_RETURN(auto same, db_->QueryInts("SELECT 1 FROM artifacts WHERE run_id = ? AND path = ?",
                                               {SqlValue(run_id), SqlValue(a.path)}));
    if (!same.empty()) return AlreadyExists("run " + run_id + " already has an artifact at " + a.path);
    return db_->Run("INSERT INTO artifacts (run_id, path, sha256, bytes) VALUES (?, ?, ?, ?)",
                    {SqlValue(run_id), SqlValue(a.path), SqlValue(a.sha256), SqlValue(a.bytes)});
  });
}

Result<std::vector<ArtifactRecord>> SqliteStore::ListArtifacts(const std::string& run_id) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT path, sha256, bytes FROM artifacts WHERE run_id = ? ORDER BY path",
                                           {SqlValue(run_id)}));
  std::vector<ArtifactRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Int(2)});
  }
}

Status SqliteStore::AddRunInput(const std::string& run_id, const RunInputRecord& input) {
  return db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(CheckRunExists(run_id));
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts(
        "SELECT v.dataset_id FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id "
        "WHERE d.name = ? AND v.version = ?", {SqlValue(input.dataset), SqlValue(input.version)}));
    if (ids.empty()) {
      return NotFound("no dataset version " + input.dataset + ":" + std::to_string(input.version));
    }
    return db_->Run("INSERT OR IGNORE INTO run_inputs (run_id, dataset_id, version) VALUES (?, ?, ?)",
                    {SqlValue(run_id), SqlValue(ids[0]), SqlValue(input.version)});
  });
}

Result<std::vector<RunInputRecord>> SqliteStore::ListRunInputs(const std::string& run_id) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
      "SELECT d.name, i.version FROM run_inputs i JOIN datasets d ON d.id = i.dataset_id "
      "WHERE i.run_id = ? ORDER BY d.name, i.version", {SqlValue(run_id)}));
  std::vector<RunInputRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Text(0), stmt->Int(1)});
  }
}

Result<std::vector<RunRecord>> SqliteStore::RunsUsingDataset(const std::string& dataset, int64_t version) {
  return QueryRuns(
      "WHERE r.run_id IN (SELECT i.run_id FROM run_inputs i JOIN datasets d ON d.id = i.dataset_id "
      "WHERE d.name = ? AND (? = 0 OR i.version = ?)) ORDER BY r.start_us DESC, r.run_id",
      {SqlValue(dataset), SqlValue(version), SqlValue(version)});
}

}  // namespace gyre
