// The registry in SQLite: registered models, versions, aliases, tags, and the append-only
// audit log written in the same transaction as every change it records.
#include <cstdio>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace gyre {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string VersionJson(const ModelVersionRecord& v) {
  return "{\"version\": " + std::to_string(v.version) + ", \"run_id\": " + JsonString(v.run_id) +
         ", \"bundle_sha256\": " + JsonString(v.bundle_sha256) + ", \"status\": " + JsonString(v.status) + "}";
}

const char kVersionColumns[] =
    "SELECT m.name, v.version, v.run_id, v.bundle_sha256, v.signature_json, v.status, v.created_us, "
    "(SELECT COALESCE(GROUP_CONCAT(a.alias, ','), '') FROM (SELECT alias FROM model_aliases "
    " WHERE model_id = v.model_id AND version = v.version ORDER BY alias) a) "
    "FROM model_versions v JOIN registered_models m ON m.id = v.model_id ";

}  // namespace

Status SqliteStore::Audit(const std::string& actor, int64_t now_us, const std::string& action,
                          const std::string& object, const std::string& before, const std::string& after) {
  RETURN_IF_ERROR(db_->Run(
      "INSERT INTO audit_log (time_us, actor, action, object, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)",
      {SqlValue(now_us), SqlValue(actor), SqlValue(action), SqlValue(object), SqlValue(before), SqlValue(after)}));
  return db_->Run("UPDATE registry_changes SET counter = counter + 1 WHERE id = 1", {});
}

Result<int64_t> SqliteStore::ModelKey(const std::string& name) {
  ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM registered_models WHERE name = ?", {SqlValue(name)}));
  if (ids.empty()) return NotFound("no registered model named " + name + " (see: gyre models list)");
  return ids[0];
}

Result<ModelRecord> SqliteStore::CreateModel(const std::string& name, const std::string& description,
                                             const std::string& actor, int64_t now_us) {
  Status st = db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto same, db_->QueryInts("SELECT 1 FROM registered_models WHERE name = ?", {SqlValue(name)}));
    if (!same.empty()) return AlreadyExists("a model named " + name + " is already registered");
    RETURN_IF_ERROR(db_->Run("INSERT INTO registered_models (name, description, created_us, updated_us) VALUES (?, ?, ?, ?)",
                             {SqlValue(name), SqlValue(description), SqlValue(now_us), SqlValue(now_us)}));
    return Audit(actor, now_us, "create_model", name, "null", "{\"description\": " + JsonString(description) + "}");
  });
  if (!st.ok()) return st;
  return ModelRecord{name, description, now_us, now_us, 0};
}

namespace {

const char kModelColumns[] =
    "SELECT m.name, m.description, m.created_us, m.updated_us, "
    "(SELECT COALESCE(MAX(version), 0) FROM model_versions WHERE model_id = m.id) FROM registered_models m ";

}  // namespace

Result<std::vector<ModelRecord>> SqliteStore::QueryModels(const std::string& where_sql, const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kModelColumns) + where_sql, args));
  std::vector<ModelRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Text(0), stmt->Text(1), stmt->Int(2), stmt->Int(3), stmt->Int(4)});
  }
}

Result<std::optional<ModelRecord>> SqliteStore::FindModel(const std::string& name) {
  ASSIGN_OR_RETURN(auto rows, QueryModels("WHERE m.name = ?", {SqlValue(name)}));
  if (rows.empty()) return std::optional<ModelRecord>();
  return std::optional<ModelRecord>(std::move(rows[0]));
}

Result<std::vector<ModelRecord>> SqliteStore::ListModels() { return QueryModels("ORDER BY m.name", {}); }

Result<ModelVersionRecord> SqliteStore::CreateModelVersion(const ModelVersionRecord& v, const std::string& actor,
                                                           int64_t now_us) {
  ModelVersionRecord out = v;
  Status st = db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(CheckRunExists(v.run_id));
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT id FROM registered_models WHERE name = ?", {SqlValue(v.model)}));
    if (ids.empty()) {
      RETURN_IF_ERROR(db_->Run("INSERT INTO registered_models (name, description, created_us, updated_us) VALUES (?, '', ?, ?)",
                               {SqlValue(v.model), SqlValue(now_us), SqlValue(now_us)}));
      RETURN_IF_ERROR(Audit(actor, now_us, "create_model", v.model, "null", "{\"description\": \"\"}"));
      ASSIGN_OR_RETURN(ids, db_->QueryInts("SELECT id FROM registered_models WHERE name = ?", {SqlValue(v.model)}));
    }
    ASSIGN_OR_RETURN(auto next, db_->QueryInts(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model_id = ?", {SqlValue(ids[0])}));
    out.version = next[0];
    out.created_us = now_us;
    out.aliases.clear();
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO model_versions (model_id, version, run_id, bundle_sha256, signature_json, status, created_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {SqlValue(ids[0]), SqlValue(out.version), SqlValue(v.run_id), SqlValue(v.bundle_sha256),
         SqlValue(v.signature_json), SqlValue(v.status), SqlValue(now_us)}));
    RETURN_IF_ERROR(db_->Run("UPDATE registered_models SET updated_us = ? WHERE id = ?", {SqlValue(now_us), SqlValue(ids[0])}));
    return Audit(actor, now_us, "create_version", v.model + ":" + std::to_string(out.version), "null", VersionJson(out));
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<ModelVersionRecord>> SqliteStore::QueryModelVersions(const std::string& where_sql,
                                                                        const std::vector<SqlValue>& args) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string(kVersionColumns) + where_sql, args));
  std::vector<ModelVersionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    ModelVersionRecord v{stmt->Text(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), stmt->Text(4), stmt->Text(5),
                         stmt->Int(6), {}};
    std::string aliases = stmt->Text(7);
    for (size_t start = 0; !aliases.empty() && start <= aliases.size();) {
      size_t comma = aliases.find(',', start);
      if (comma == std::string::npos) comma = aliases.size();
      v.aliases.push_back(aliases.substr(start, comma - start));
      start = comma + 1;
    }
    out.push_back(std::move(v));
  }
}

Result<ModelVersionRecord> SqliteStore::GetModelVersion(const std::string& model, int64_t version) {
  ASSIGN_OR_RETURN(auto found, FindModel(model));
  if (!found) return NotFound("no registered model named " + model + " (see: gyre models list)");
  int64_t v = version == 0 ? found->latest_version : version;
  ASSIGN_OR_RETURN(auto rows, QueryModelVersions("WHERE m.name = ? AND v.version = ?", {SqlValue(model), SqlValue(v)}));
  if (rows.empty()) {
    return NotFound("model " + model + " has no version " + std::to_string(v) +
                    (found->latest_version ? " (versions 1 to " + std::to_string(found->latest_version) + ")" : ""));
  }
  return rows[0];
}

Result<ModelVersionRecord> SqliteStore::GetModelVersionByAlias(const std::string& model, const std::string& alias) {
  ASSIGN_OR_RETURN(auto rows, QueryModelVersions(
      "JOIN model_aliases al ON al.model_id = v.model_id AND al.version = v.version WHERE m.name = ? AND al.alias = ?",
      {SqlValue(model), SqlValue(alias)}));
  if (rows.empty()) return NotFound("model " + model + " has no alias " + alias);
  return rows[0];
}

Result<std::vector<ModelVersionRecord>> SqliteStore::ListModelVersions(const std::string& model) {
  RETURN_IF_ERROR(ModelKey(model).status());
  return QueryModelVersions("WHERE m.name = ? ORDER BY v.version", {SqlValue(model)});
}

Result<std::vector<ModelVersionRecord>> SqliteStore::ModelVersionsFromRun(const std::string& run_id) {
  return QueryModelVersions("WHERE v.run_id = ? ORDER BY m.name, v.version", {SqlValue(run_id)});
}

Status SqliteStore::SetAlias(const std::string& model, const std::string& alias, int64_t version,
                             const std::string& actor, int64_t now_us) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(int64_t id, ModelKey(model));
    ASSIGN_OR_RETURN(auto exists, db_->QueryInts("SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?",
                                                 {SqlValue(id), SqlValue(version)}));
    if (exists.empty()) return NotFound("model " + model + " has no version " + std::to_string(version));
    ASSIGN_OR_RETURN(auto before, db_->QueryInts("SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?",
                                                 {SqlValue(id), SqlValue(alias)}));
    if (!before.empty() && before[0] == version) return Status::OK();  // already there: no change to record
    RETURN_IF_ERROR(db_->Run("INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?) "
                             "ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version",
                             {SqlValue(id), SqlValue(alias), SqlValue(version)}));
    RETURN_IF_ERROR(db_->Run("UPDATE registered_models SET updated_us = ? WHERE id = ?", {SqlValue(now_us), SqlValue(id)}));
    std::string was = before.empty() ? "null" : "{\"version\": " + std::to_string(before[0]) + "}";
    return Audit(actor, now_us, before.empty() ? "set_alias" : "move_alias", model + "@" + alias, was,
                 "{\"version\": " + std::to_string(version) + "}");
  });
}

Status SqliteStore::DeleteAlias(const std::string& model, const std::string& alias, const std::string& actor,
                                int64_t now_us) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(int64_t id, ModelKey(model));
    ASSIGN_OR_RETURN(auto before, db_->QueryInts("SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?",
                                                 {SqlValue(id), SqlValue(alias)}));
    if (before.empty()) return NotFound("model " + model + " has no alias " + alias);
    RETURN_IF_ERROR(db_->Run("DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", {SqlValue(id), SqlValue(alias)}));
    return Audit(actor, now_us, "delete_alias", model + "@" + alias,
                 "{\"version\": " + std::to_string(before[0]) + "}", "null");
  });
}

Status SqliteStore::SetModelTag(const std::string& model, const std::string& key, const std::string& value,
                                const std::string& actor, int64_t now_us) {
  return db_->Transaction([&]() -> Status {
    ASSIGN_OR_RETURN(int64_t id, ModelKey(model));
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT value FROM model_tags WHERE model_id = ? AND key = ?",
                                             {SqlValue(id), SqlValue(key)}));
    ASSIGN_OR_RETURN(bool had, stmt->Step());
    std::string before = had ? JsonString(stmt->Text(0)) : "null";
    RETURN_IF_ERROR(db_->Run("INSERT INTO model_tags (model_id, key, value) VALUES (?, ?, ?) "
                             "ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
                             {SqlValue(id), SqlValue(key), SqlValue(value)}));
    return Audit(actor, now_us, "set_tag", model + "#" + key, before, JsonString(value));
  });
}

Result<KeyValues> SqliteStore::GetModelTags(const std::string& model) {
  ASSIGN_OR_RETURN(int64_t id, ModelKey(model));
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT key, value FROM model_tags WHERE model_id = ? ORDER BY key", {SqlValue(id)}));
  KeyValues out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.emplace_back(stmt->Text(0), stmt->Text(1));
  }
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(const std::string& object, int64_t limit) {
  // An object's own entries and those of its versions, aliases and tags ("fraud", "fraud:2",
  // "fraud@champion", "fraud#owner").
  std::string where = object.empty() ? "" : "WHERE object = ? OR object GLOB ? OR object GLOB ? OR object GLOB ? ";
  std::vector<SqlValue> args;
  if (!object.empty()) args = {SqlValue(object), SqlValue(object + ":*"), SqlValue(object + "@*"), SqlValue(object + "#*")};
  args.push_back(SqlValue(limit > 0 ? limit : int64_t{-1}));
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
      "SELECT id, time_us, actor, action, object, before_json, after_json FROM audit_log " + where +
      "ORDER BY id DESC LIMIT ?", args));
  std::vector<AuditRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Int(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), stmt->Text(4), stmt->Text(5), stmt->Text(6)});
  }
}

Result<int64_t> SqliteStore::RegistryChangeCounter() {
  ASSIGN_OR_RETURN(auto rows, db_->QueryInts("SELECT counter FROM registry_changes WHERE id = 1", {}));
  return rows.empty() ? 0 : rows[0];
}

}  // namespace gyre
