// Monitoring in SQLite: feedback labels keyed by (model, request id) and the event log.
#include "store/sqlite/sqlite_store.h"

namespace gyre {

Result<int64_t> SqliteStore::AddFeedback(const std::string& model, const std::vector<FeedbackLabel>& labels,
                                         int64_t now_us) {
  int64_t changed = 0;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    changed = 0;
    ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
        "INSERT INTO feedback (model, request_id, label, received_us) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (model, request_id) DO UPDATE SET label = excluded.label, "
        "received_us = excluded.received_us WHERE label != excluded.label",
        {}));
    for (const FeedbackLabel& f : labels) {
      stmt->Reset();
      stmt->BindText(1, model);
      stmt->BindText(2, f.request_id);
      stmt->BindText(3, f.label);
      stmt->BindInt(4, now_us);
      RETURN_IF_ERROR(stmt->Step().status());
      ASSIGN_OR_RETURN(auto n, db_->QueryInts("SELECT changes()", {}));
      changed += n.empty() ? 0 : n[0];
    }
    return Status::OK();
  }));
  return changed;
}

Result<std::vector<FeedbackLabel>> SqliteStore::GetFeedback(const std::string& model) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT request_id, label FROM feedback WHERE model = ?",
                                           {SqlValue(model)}));
  std::vector<FeedbackLabel> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Text(0), stmt->Text(1)});
  }
}

Result<int64_t> SqliteStore::RecordEvent(const EventRecord& e) {
  int64_t id = 0;
  RETURN_IF_ERROR(db_->Transaction([&]() -> Status {
    RETURN_IF_ERROR(db_->Run(
        "INSERT INTO events (time_us, kind, model, version, name, figures_json) VALUES (?, ?, ?, ?, ?, ?)",
        {SqlValue(e.time_us), SqlValue(e.kind), SqlValue(e.model), SqlValue(e.version), SqlValue(e.name),
         SqlValue(e.figures_json)}));
    ASSIGN_OR_RETURN(auto ids, db_->QueryInts("SELECT last_insert_rowid()", {}));
    id = ids.empty() ? 0 : ids[0];
    return Status::OK();
  }));
  return id;
}

Result<std::vector<EventRecord>> SqliteStore::ListEvents(const std::string& model, int64_t limit) {
  ASSIGN_OR_RETURN(auto stmt, db_->Prepare(
      "SELECT id, time_us, kind, model, version, name, figures_json FROM events "
      "WHERE ? = '' OR model = ? ORDER BY id DESC LIMIT ?",
      {SqlValue(model), SqlValue(model), SqlValue(limit)}));
  std::vector<EventRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return out;
    out.push_back({stmt->Int(0), stmt->Int(1), stmt->Text(2), stmt->Text(3), stmt->Int(4), stmt->Text(5),
                   stmt->Text(6)});
  }
}

}  // namespace gyre
