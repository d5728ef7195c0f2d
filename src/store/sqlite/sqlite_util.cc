#include "store/sqlite/sqlite_util.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace gyre {

SqliteStmt::~SqliteStmt() { sqlite3_finalize(stmt_); }

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  StatusCode code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? StatusCode::kUnavailable
                    : (rc & 0xff) == SQLITE_CONSTRAINT                         ? StatusCode::kAlreadyExists
                                                                               : StatusCode::kIOError;
  return Status(code, std::string("metadata store: ") + sqlite3_errmsg(db_));
}

void SqliteStmt::Reset() { sqlite3_reset(stmt_); }  // bindings stay until re-bound
void SqliteStmt::BindInt(int index, int64_t v) { sqlite3_bind_int64(stmt_, index, v); }
void SqliteStmt::BindDouble(int index, double v) { sqlite3_bind_double(stmt_, index, v); }
void SqliteStmt::BindText(int index, std::string_view v) {
  sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

int64_t SqliteStmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double SqliteStmt::Double(int col) const { return sqlite3_column_double(stmt_, col); }
bool SqliteStmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::string SqliteStmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

Status SqliteDb::Error(int rc, const std::string& what) const {
  StatusCode code = (rc & 0xff) == SQLITE_BUSY ? StatusCode::kUnavailable : StatusCode::kIOError;
  return Status(code, "metadata store " + path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  // Memory statistics cost a global mutex on every allocation; Gyre does not read them.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) return db->Error(rc, "opening");
  sqlite3_busy_timeout(raw, 10000);
  // journal_mode=WAL needs the write lock once, when the file is new; retry like any writer.
  Status st;
  for (int attempt = 0; attempt < 200; ++attempt) {
    st = db->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
    if (st.code() != StatusCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!st.ok()) return st;
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  StatusCode code = (rc & 0xff) == SQLITE_BUSY ? StatusCode::kUnavailable : StatusCode::kIOError;
  return Status(code, "metadata store " + path_ + ": " + msg);
}

Result<std::unique_ptr<SqliteStmt>> SqliteDb::Prepare(const std::string& sql, const std::vector<SqlValue>& args) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "preparing a statement");
  auto out = std::make_unique<SqliteStmt>(db_, stmt);
  for (size_t i = 0; i < args.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    const SqlValue& v = args[i];
    if (std::holds_alternative<int64_t>(v)) sqlite3_bind_int64(stmt, idx, std::get<int64_t>(v));
    else if (std::holds_alternative<double>(v)) sqlite3_bind_double(stmt, idx, std::get<double>(v));
    else if (std::holds_alternative<std::string>(v)) {
      const auto& s = std::get<std::string>(v);
      sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt, idx);
    }
  }
  return out;
}

Status SqliteDb::Run(const std::string& sql, const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, Prepare(sql, args));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  (void)row;
  return Status::OK();
}

Result<std::vector<int64_t>> SqliteDb::QueryInts(const std::string& sql, const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, Prepare(sql, args));
  std::vector<int64_t> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(stmt->Int(0));
  }
  return out;
}

Status SqliteDb::Transaction(const std::function<Status()>& body) {
  // The busy timeout covers most waits; this loop covers the rest (a long writer elsewhere).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int attempt = 0;; ++attempt) {
    Status st = Exec("BEGIN IMMEDIATE");
    if (st.ok()) {
      st = body();
      if (st.ok()) st = Exec("COMMIT");
      if (st.ok()) return st;
      (void)Exec("ROLLBACK");
    }
    if (st.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() > deadline) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + (attempt % 20) * 5));
  }
}

}  // namespace gyre
