// gyre feedback | events
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "cli/monitor_common.h"
#include "data/reader.h"

namespace gyre {
namespace {

using nlohmann::json;

struct FeedbackArgs {
  std::string model, input, id_column = "request_id", label_column, alerts;
  int64_t window = 1000;
  double max_drop = 0.05;
  bool fail_on_alert = false;
};

// The (request id, label) pairs of a feedback file; a missing id or label is an error naming
// the row, since a label that cannot be joined is lost.
Result<std::vector<FeedbackLabel>> ReadLabels(const std::string& path, const std::string& id_name,
                                              const std::string& label_name) {
  ReadOptions read;
  read.fixed_types[id_name] = ColumnType::kString;
  read.fixed_types[label_name] = ColumnType::kString;
  ASSIGN_OR_RETURN(Table t, ReadTable(path, read));
  const Column* id = t.Find(id_name);
  const Column* label = t.Find(label_name);
  if (!id || !label)
    return InvalidArgument("needs columns " + id_name + " and " + label_name + " (use --id-column, --label-column)",
                           Location{path, 1, 0, !id ? id_name : label_name});
  std::vector<FeedbackLabel> out;
  out.reserve(static_cast<size_t>(t.num_rows()));
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (!id->IsValid(r) || !label->IsValid(r))
      return InvalidArgument("data row " + std::to_string(r + 1) + " has no " + (id->IsValid(r) ? label_name : id_name),
                             Location{path, 0, 0, id->IsValid(r) ? label_name : id_name});
    out.push_back({std::string(id->StringAt(r)), std::string(label->StringAt(r))});
  }
  return out;
}

void PrintWindows(std::ostream& out, const std::vector<WindowPerformance>& windows, const MonitorData& d) {
  const std::string metric = PrimaryMetric(d.bundle.task).first;
  std::vector<std::vector<std::string>> rows;
  for (const WindowPerformance& w : windows)
    rows.push_back({FormatTimestamp(w.first_us), Thousands(w.rows), Thousands(w.labeled),
                    w.realized.count(metric) ? Short(w.realized.at(metric)) : "-",
                    w.estimated.count(metric) ? Short(w.estimated.at(metric)) : "-"});
  PrintTable(out, {"window from", "predictions", "labeled", "realized " + metric, "estimated " + metric}, rows);
  if (d.holdout.count(metric)) out << "holdout " << metric << ": " << Short(d.holdout.at(metric)) << "\n";
}

Status Feedback(CliContext& ctx, const FeedbackArgs& a) {
  if (a.window <= 0) return InvalidArgument("--window must be at least 1");
  ASSIGN_OR_RETURN(MonitorData d, LoadMonitorData(ctx, a.model, /*need_reference=*/false));
  if (d.records.empty()) return NotFound("no logged predictions of " + d.version.model + " to join the labels to");
  ASSIGN_OR_RETURN(std::vector<AlertRule> rules, LoadAlertRules(ctx, a.alerts, d.bundle.task, a.max_drop));
  const std::string label_name =
      !a.label_column.empty() ? a.label_column : (d.bundle.signature.label.empty() ? "label" : d.bundle.signature.label);
  ASSIGN_OR_RETURN(std::vector<FeedbackLabel> labels, ReadLabels(a.input, a.id_column, label_name));
  for (size_t i = 0; i < labels.size(); ++i) {  // all or nothing: check every label first
    Status s = CheckLabel(labels[i].label, d.bundle);
    if (!s.ok()) return InvalidArgument(s.message(), Location{a.input, 0, 0, label_name + " of data row " + std::to_string(i + 1)});
  }
  int64_t unmatched = 0;
  std::map<std::string, bool> logged;
  for (const PredictionRecord& r : d.records) logged[r.request_id] = true;
  for (const FeedbackLabel& l : labels) unmatched += logged.count(l.request_id) ? 0 : 1;
  ASSIGN_OR_RETURN(int64_t changed, ctx.meta()->AddFeedback(d.version.model, labels, ctx.env->NowMicros()));
  for (FeedbackLabel& l : labels) d.labels[l.request_id] = l.label;
  ASSIGN_OR_RETURN(std::vector<WindowPerformance> windows,
                   PerformanceByWindow(d.records, d.labels, d.bundle, d.calibration, static_cast<size_t>(a.window)));
  // Alerts look at the latest window that has labels (performance is what feedback adds).
  const WindowPerformance* latest = &windows.back();
  for (auto it = windows.rbegin(); it != windows.rend(); ++it)
    if (it->labeled > 0) {
      latest = &*it;
      break;
    }
  const MonitorFigures figures{nullptr, nullptr, latest->realized, latest->estimated, d.holdout};
  ASSIGN_OR_RETURN(std::vector<FiredAlert> fired, RaiseAlerts(ctx, d, rules, figures));
  if (ctx.json) {
    json w = json::array();
    for (const WindowPerformance& p : windows)
      w.push_back({{"from", FormatTimestamp(p.first_us)}, {"to", FormatTimestamp(p.last_us)}, {"rows", p.rows},
                   {"labeled", p.labeled}, {"realized", p.realized}, {"estimated", p.estimated}});
    ctx.out << json{{"model", d.version.model}, {"version", d.version.version}, {"received", labels.size()},
                    {"stored", changed}, {"unmatched", unmatched}, {"holdout", d.holdout}, {"windows", w},
                    {"alerts", AlertsJson(fired)}}.dump(2)
            << "\n";
  } else {
    ctx.out << Thousands(static_cast<int64_t>(labels.size())) << " labels for " << d.version.model << " ("
            << Thousands(changed) << " new or changed, " << Thousands(unmatched) << " with no logged prediction)\n";
    PrintWindows(ctx.out, windows, d);
    for (const FiredAlert& f : fired) ctx.out << "ALERT " << f.name << ": " << f.message << "\n";
  }
  ctx.printed_result = true;
  if (a.fail_on_alert && !fired.empty())
    return FailedPrecondition(std::to_string(fired.size()) + " alert(s) on " + d.version.model);
  return Status::OK();
}

Status Events(CliContext& ctx, const std::string& model, int64_t limit) {
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(std::vector<EventRecord> events, ctx.meta()->ListEvents(model, limit));
  if (ctx.json) {
    json out = json::array();
    for (const EventRecord& e : events)
      out.push_back({{"id", e.id}, {"time", FormatTimestamp(e.time_us)}, {"kind", e.kind}, {"model", e.model},
                     {"version", e.version}, {"name", e.name}, {"figures", json::parse(e.figures_json)}});
    ctx.out << out.dump(2) << "\n";
    return Status::OK();
  }
  std::vector<std::vector<std::string>> rows;
  for (const EventRecord& e : events)
    rows.push_back({std::to_string(e.id), TimeText(e.time_us), e.kind, e.model + ":" + std::to_string(e.version),
                    e.name, e.figures_json});
  PrintTable(ctx.out, {"id", "time", "kind", "model", "name", "figures"}, rows);
  return Status::OK();
}

}  // namespace

void AddFeedbackCommands(CLI::App& app, CliContext& ctx, Action* action) {
  auto f = std::make_shared<FeedbackArgs>();
  CLI::App* c = app.add_subcommand("feedback", "stage 5: ground-truth labels joined to logged predictions; performance by window");
  c->add_option("MODEL_REF", f->model, "NAME, NAME:VERSION or NAME:ALIAS")->required();
  c->add_option("--input", f->input, "CSV or JSON Lines with a request id and a label per row")->required()
      ->check(CLI::ExistingFile);
  c->add_option("--id-column", f->id_column, "the request id column (default request_id)");
  c->add_option("--label-column", f->label_column, "the label column (default: the model's label)");
  c->add_option("--window", f->window, "predictions per window (default 1000)");
  c->add_option("--alerts", f->alerts, "YAML alert rules (default: the main metric falls by --max-drop)")
      ->check(CLI::ExistingFile);
  c->add_option("--max-drop", f->max_drop, "default rules: how far the main metric may fall below the holdout's (0.05)");
  c->add_flag("--fail-on-alert", f->fail_on_alert, "exit 3 when an alert fires");
  c->callback([&ctx, action, f] { *action = [&ctx, f] { return Feedback(ctx, *f); }; });

  auto model = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(50);
  c = app.add_subcommand("events", "the alerts monitoring raised, newest first");
  c->add_option("MODEL", *model, "only this model's");
  c->add_option("--limit", *limit, "at most this many (default 50)");
  c->callback([&ctx, action, model, limit] { *action = [&ctx, model, limit] { return Events(ctx, *model, *limit); }; });
}

}  // namespace gyre
