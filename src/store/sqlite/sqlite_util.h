// A thin, Status-returning wrapper over the SQLite C API. Internal to store/sqlite/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gyre {

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStmt();
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;

  Result<bool> Step();  // true: a row is available
  // For running one statement many times: reset, then bind by 1-based index (every
  // parameter: old bindings stay), then Step.
  void Reset();
  void BindInt(int index, int64_t v);
  void BindDouble(int index, double v);
  void BindText(int index, std::string_view v);  // copied by SQLite
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // WAL, a busy timeout, foreign keys on, synchronous=FULL (a commit survives power loss).
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();

  Status Exec(const std::string& sql);  // one or more statements, no parameters
  Result<std::unique_ptr<SqliteStmt>> Prepare(const std::string& sql, const std::vector<SqlValue>& args);
  Status Run(const std::string& sql, const std::vector<SqlValue>& args);
  Result<std::vector<int64_t>> QueryInts(const std::string& sql, const std::vector<SqlValue>& args);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on error; retried while
  // another process holds the write lock, so callers never see "database is locked".
  Status Transaction(const std::function<Status()>& body);

 private:
  explicit SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Error(int rc, const std::string& what) const;

  sqlite3* db_;
  std::string path_;
};

}  // namespace gyre
