// gyre drift | monitor
#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iterator>
#include <optional>
#include <ostream>
#include <cmath>
#include <thread>

#include "cli/context.h"
#include "cli/monitor_common.h"
#include "cli/format.h"
#include "core/log.h"
#include "data/dataset.h"
#include "monitor/drift.h"
#include "monitor/drift_io.h"
#include "monitor/model_monitor.h"
#include "monitor/prediction_log.h"
#include "registry/registry.h"

namespace gyre {
namespace {

struct Side {
  DatasetSummary summary;
  std::string name;
};

Result<Side> SummarizePath(CliContext& ctx, const std::string& path, const ReadOptions& base,
                           const std::vector<std::string>& count_only = {}) {
  FileProgress progress(ctx, "reading " + path, path);
  ReadOptions read = base;
  read.on_progress = progress.Callback();
  ASSIGN_OR_RETURN(DatasetSummary s, SummarizeFile(path, read, count_only));
  return Side{std::move(s), path};
}

// A dataset version's reference statistics: stored with the version the first time they are
// needed, then read back instead of the data.
Result<Side> DatasetReference(CliContext& ctx, const DatasetRef& ref) {
  RETURN_IF_ERROR(ctx.OpenStores());
  DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
  ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(ref));
  const std::string name = v.dataset + ":" + std::to_string(v.version);
  if (!v.reference_sha256.empty()) {
    ASSIGN_OR_RETURN(std::string bytes, ctx.objects()->Get(v.reference_sha256));
    ASSIGN_OR_RETURN(DatasetSummary s, ParseSummary(bytes));
    return Side{std::move(s), name};
  }
  ASSIGN_OR_RETURN(Side side, SummarizePath(ctx, catalog.PathOf(v), DatasetCatalog::ReadOptionsFor(v)));
  ASSIGN_OR_RETURN(std::string sha, ctx.objects()->PutBytes(SerializeSummary(side.summary)));
  RETURN_IF_ERROR(ctx.meta()->SetDatasetReferenceStats(v.dataset, v.version, sha));
  LogDebug("stored the reference statistics of " + name + " as " + sha);
  side.name = name;
  return side;
}

Result<Side> LoadReference(CliContext& ctx, const std::string& text) {
  if (ctx.env->FileExists(text)) return SummarizePath(ctx, text, {});
  auto ref = ParseDatasetRef(text);
  if (!ref.ok()) return NotFound("--reference " + text + ": no such file or dataset");
  return DatasetReference(ctx, *ref);
}

std::string PValueText(const std::optional<double>& p) {
  if (!p) return "-";
  if (*p != 0 && *p < 1e-4) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2e", *p);
    return buf;
  }
  return Short(*p);
}

void PrintDrift(std::ostream& out, const DriftReport& r, const Side& ref, const Side& cur) {
  out << "drift of " << cur.name << " (" << Thousands(cur.summary.rows) << " rows) against "
      << ref.name << " (" << Thousands(ref.summary.rows) << " rows)\n";
  std::vector<std::vector<std::string>> rows;
  for (const ColumnDrift& c : r.columns)
    rows.push_back({c.column, DriftKindName(c.kind), c.method, Short(c.statistic),
                    PValueText(c.p_value), Short(c.threshold), c.drift ? "DRIFT" : "-"});
  PrintTable(out, {"column", "type", "method", "statistic", "p-value", "threshold", "drift"}, rows);
  for (const SkippedColumn& s : r.skipped) out << "not tested: " << s.column << " (" << s.reason << ")\n";
  out << (r.dataset_drift ? "dataset drift: " : "no dataset drift: ") << r.drifted << " of "
      << r.columns.size() << " columns drifted (" << Pct(r.drift_share) << "; the dataset drifts at "
      << Pct(r.share_threshold) << ")\n";
}

struct DriftArgs {
  std::string reference, current, method = "auto", config, html;
  std::vector<std::string> column_methods;     // COLUMN=METHOD
  std::vector<std::string> column_thresholds;  // COLUMN=T
  std::optional<double> threshold;
  bool all_stats = false, fail_on_drift = false;
};

Status BuildOptions(CliContext& ctx, const DriftArgs& a, DriftOptions& o) {
  if (!a.config.empty()) {
    ASSIGN_OR_RETURN(std::string yaml, ctx.env->ReadFile(a.config));
    RETURN_IF_ERROR(ApplyDriftConfig(yaml, a.config, o));
  }
  if (a.method != "auto" || a.config.empty()) o.method = a.method;
  if (o.method != "auto" && !FindDriftMethod(o.method))
    return InvalidArgument("--method " + o.method + ": unknown (methods: auto, " + [] {
      std::string s;
      for (const std::string& n : DriftMethodNames()) s += (s.empty() ? "" : ", ") + n;
      return s;
    }() + ")");
  if (a.threshold) o.threshold = a.threshold;
  for (const std::string& cm : a.column_methods) {
    const size_t eq = cm.find('=');
    if (eq == std::string::npos || !FindDriftMethod(cm.substr(eq + 1)))
      return InvalidArgument("--column-method " + cm + ": expected COLUMN=METHOD with a known method");
    o.per_column[cm.substr(0, eq)].method = cm.substr(eq + 1);
  }
  for (const std::string& ct : a.column_thresholds) {
    const size_t eq = ct.find('=');
    char* end = nullptr;
    const double t = eq == std::string::npos ? -1 : std::strtod(ct.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || !end || *end != '\0' || !(t >= 0))
      return InvalidArgument("--column-threshold " + ct + ": expected COLUMN=T with a number T >= 0");
    o.per_column[ct.substr(0, eq)].threshold = t;
  }
  o.all_stats = a.all_stats;
  return Status::OK();
}

Status Drift(CliContext& ctx, const DriftArgs& a) {
  DriftOptions options;
  RETURN_IF_ERROR(BuildOptions(ctx, a, options));
  // Two files are read at the same time: each reader alone leaves part of a core idle.
  std::optional<Result<Side>> ref_read;
  std::thread reader;
  if (ctx.env->FileExists(a.reference)) {
    reader = std::thread([&] {
      Result<DatasetSummary> s = SummarizeFile(a.reference);
      if (s.ok()) ref_read.emplace(Side{std::move(*s), a.reference});
      else ref_read.emplace(s.status());
    });
  } else {
    ref_read.emplace(LoadReference(ctx, a.reference));
  }
  // A reference in hand before the current file is read rules some columns out (identifiers,
  // free text): of those the current file's values are not kept.
  std::vector<std::string> count_only;
  if (!reader.joinable() && ref_read->ok()) count_only = UntestedColumns((*ref_read)->summary, options);
  Result<Side> cur_read = SummarizePath(ctx, a.current, {}, count_only);
  if (reader.joinable()) reader.join();
  ASSIGN_OR_RETURN(Side ref, std::move(*ref_read));
  ASSIGN_OR_RETURN(Side cur, std::move(cur_read));
  ASSIGN_OR_RETURN(DriftReport report, ComputeDrift(ref.summary, cur.summary, options));
  if (!a.html.empty()) {
    DriftHtmlOptions h{"Drift of " + cur.name, ref.name, cur.name, TimeText(ctx.env->NowMicros())};
    RETURN_IF_ERROR(WriteFileAtomic(ctx.env, a.html, RenderDriftHtml(report, ref.summary, cur.summary, h)));
  }
  if (ctx.json) ctx.out << DriftReportToJson(report, 2) << "\n";
  else PrintDrift(ctx.out, report, ref, cur);
  if (!a.html.empty() && !ctx.json) ctx.out << "wrote " << a.html << "\n";
  ctx.printed_result = true;
  if (a.fail_on_drift && report.dataset_drift)
    return FailedPrecondition("dataset drift: " + std::to_string(report.drifted) + " of " +
                              std::to_string(report.columns.size()) + " columns drifted");
  return Status::OK();
}


struct MonitorArgs {
  std::string model, since, html, alerts;
  int64_t window = 1000;
  int history = 20;
  double max_drop = 0.05;
  bool fail_on_drift = false;
};

nlohmann::json PerformanceJson(const WindowPerformance& p, const std::map<std::string, double>& holdout) {
  return {{"rows", p.rows}, {"labeled", p.labeled}, {"realized", p.realized}, {"estimated", p.estimated},
          {"holdout", holdout}};
}

void PrintPerformance(std::ostream& out, const WindowPerformance& p, const MonitorData& d) {
  const std::string metric = PrimaryMetric(d.bundle.task).first;
  out << "performance (" << metric << "): holdout "
      << (d.holdout.count(metric) ? Short(d.holdout.at(metric)) : "-");
  if (p.estimated.count(metric)) out << ", estimated " << Short(p.estimated.at(metric));
  if (p.realized.count(metric))
    out << ", realized " << Short(p.realized.at(metric)) << " on " << Thousands(p.labeled) << " labels";
  else
    out << ", no labels yet";
  out << "\n";
}

void PrintAlerts(std::ostream& out, const std::vector<FiredAlert>& fired) {
  for (const FiredAlert& a : fired) out << "ALERT " << a.name << ": " << a.message << "\n";
}

// "2026-11-01T00:00:00Z", or a span back from now: "30m", "12h", "7d".
Result<int64_t> ParseSince(const std::string& text, int64_t now_us) {
  if (auto t = ParseTimestamp(text)) return *t;
  static const std::map<char, int64_t> kUnits = {{'s', 1'000'000}, {'m', 60'000'000},
                                                 {'h', 3'600'000'000}, {'d', 86'400'000'000}};
  if (text.size() >= 2 && kUnits.count(text.back())) {
    try {
      size_t used = 0;
      const double n = std::stod(text.substr(0, text.size() - 1), &used);
      const double span = n * static_cast<double>(kUnits.at(text.back()));
      if (used == text.size() - 1 && n >= 0 && std::isfinite(span) && span <= static_cast<double>(now_us))
        return now_us - static_cast<int64_t>(span);
    } catch (const std::exception&) {
    }
  }
  return InvalidArgument("--since " + text + ": expected an ISO-8601 time or a span such as 30m, 12h, 7d");
}

nlohmann::json WindowJson(const WindowDrift& w) {
  nlohmann::json j = nlohmann::json::parse(DriftReportToJson(w.inputs));
  j["window"] = {{"rows", w.rows},
                 {"from", w.rows ? FormatTimestamp(w.first_us) : ""},
                 {"to", w.rows ? FormatTimestamp(w.last_us) : ""}};
  nlohmann::json pred = nlohmann::json::parse(DriftReportToJson(w.predictions));
  j["prediction_drift"] = {{"drift", pred["number_of_drifted_columns"].get<int>() > 0},
                           {"columns", pred["columns"]}};
  return j;
}

void PrintMonitor(std::ostream& out, const MonitorData& d, const WindowDrift& latest,
                  const std::vector<HistoryPoint>& history) {
  out << d.version.model << ":" << d.version.version << ": " << Thousands(static_cast<int64_t>(d.records.size()))
      << " logged predictions; latest window " << Thousands(latest.rows) << " rows, "
      << FormatTimestamp(latest.first_us) << " to " << FormatTimestamp(latest.last_us) << "\n";
  Side ref{d.reference, "the training data"}, cur{DatasetSummary{}, "the window"};
  cur.summary.rows = latest.rows;
  PrintDrift(out, latest.inputs, ref, cur);
  out << "prediction drift:";
  for (const ColumnDrift& c : latest.predictions.columns)
    out << " " << c.column << " " << c.method << " " << Short(c.statistic) << (c.drift ? " DRIFT" : "");
  out << "\n";
  if (history.size() > 1) {
    out << "drift share by window (oldest first):";
    for (const HistoryPoint& h : history) out << " " << Pct(h.drift_share) << (h.dataset_drift ? "*" : "");
    out << "\n";
  }
  if (d.log.torn_tails + d.log.corrupt_records > 0)
    out << "note: the log had " << d.log.torn_tails << " torn tail(s) and " << d.log.corrupt_records
        << " damaged record(s), skipped\n";
}

Status Monitor(CliContext& ctx, const MonitorArgs& a) {
  if (a.window <= 0) return InvalidArgument("--window must be at least 1");
  if (a.history <= 0) return InvalidArgument("--history must be at least 1");
  ASSIGN_OR_RETURN(MonitorData d, LoadMonitorData(ctx, a.model, /*need_reference=*/true));
  std::vector<PredictionRecord> recent;  // the latest window: copied alone, never the whole log
  if (!a.since.empty()) {
    ASSIGN_OR_RETURN(int64_t since, ParseSince(a.since, ctx.env->NowMicros()));
    std::copy_if(d.records.begin(), d.records.end(), std::back_inserter(recent),
                 [&](const PredictionRecord& r) { return r.time_us >= since; });
  } else {
    recent.assign(d.records.end() - std::min<int64_t>(a.window, std::ssize(d.records)), d.records.end());
  }
  if (recent.empty())
    return NotFound("no logged predictions of " + d.version.model + ":" +
                              std::to_string(d.version.version) + " to monitor" +
                              (a.since.empty() ? "" : " since " + a.since));
  DriftOptions options;
  ASSIGN_OR_RETURN(WindowDrift latest, DriftOfWindow(recent, d.bundle, d.reference, options));
  ASSIGN_OR_RETURN(std::vector<WindowPerformance> perf,
                   PerformanceByWindow(recent, d.labels, d.bundle, d.calibration, recent.size()));
  ASSIGN_OR_RETURN(std::vector<AlertRule> rules, LoadAlertRules(ctx, a.alerts, d.bundle.task, a.max_drop));
  const MonitorFigures figures{&latest.inputs, &latest.predictions, perf[0].realized, perf[0].estimated, d.holdout};
  ASSIGN_OR_RETURN(std::vector<FiredAlert> fired, RaiseAlerts(ctx, d, rules, figures));
  // The history: the whole log in windows of the same size, the latest last.
  std::vector<HistoryPoint> history;
  nlohmann::json history_json = nlohmann::json::array();
  // Windows are cut from the newest record, so the last `history` of them are cut the same from
  // the log's last history × window records: only those are looked at.
  const int64_t n = std::ssize(d.records);
  const int64_t kept = a.window > n / a.history ? n : a.history * a.window;  // no overflow
  auto windows = WindowsByCount(std::span<const PredictionRecord>(d.records).last(static_cast<size_t>(kept)),
                                static_cast<size_t>(a.window));
  if (static_cast<int>(windows.size()) > a.history) windows.erase(windows.begin(), windows.end() - a.history);
  for (const auto& w : windows) {
    // The last window is often the latest one itself: it is not computed twice.
    const bool same = w.size() == recent.size() && w.front().request_id == recent.front().request_id &&
                      w.front().time_us == recent.front().time_us;
    WindowDrift computed;
    if (!same) {
      ASSIGN_OR_RETURN(computed, DriftOfWindow(w, d.bundle, d.reference, options));
    }
    const WindowDrift& wd = same ? latest : computed;
    HistoryPoint h{FormatTimestamp(wd.first_us), wd.rows, wd.inputs.drift_share, wd.inputs.dataset_drift,
                   wd.predictions.drifted > 0};
    history_json.push_back({{"from", h.label}, {"to", FormatTimestamp(wd.last_us)}, {"rows", h.rows},
                            {"drift_share", h.drift_share}, {"dataset_drift", h.dataset_drift},
                            {"prediction_drift", h.prediction_drift}});
    history.push_back(std::move(h));
  }
  if (!a.html.empty()) {
    // One page for inputs and outputs: the table shows both, the verdict and its figures stay
    // the inputs' (as in the JSON), so the header never contradicts itself.
    DriftReport combined = latest.inputs;
    combined.columns.insert(combined.columns.end(), latest.predictions.columns.begin(), latest.predictions.columns.end());
    DriftHtmlOptions h{"Monitoring " + d.version.model + ":" + std::to_string(d.version.version),
                       "training data", "latest " + std::to_string(recent.size()) + " predictions",
                       TimeText(ctx.env->NowMicros()), history, latest.inputs.columns.size()};
    RETURN_IF_ERROR(WriteFileAtomic(ctx.env, a.html, RenderDriftHtml(combined, d.reference, latest.current, h)));
  }
  if (ctx.json) {
    nlohmann::json j = WindowJson(latest);
    j["model"] = d.version.model;
    j["version"] = d.version.version;
    j["log"] = {{"records", d.log.records}, {"segments", d.log.segments}, {"torn_tails", d.log.torn_tails},
                {"corrupt_records", d.log.corrupt_records}};
    j["history"] = history_json;
    j["performance"] = PerformanceJson(perf[0], d.holdout);
    j["alerts"] = AlertsJson(fired);
    ctx.out << j.dump(2) << "\n";
  } else {
    PrintMonitor(ctx.out, d, latest, history);
    PrintPerformance(ctx.out, perf[0], d);
    PrintAlerts(ctx.out, fired);
    if (!a.html.empty()) ctx.out << "wrote " << a.html << "\n";
  }
  ctx.printed_result = true;
  if (a.fail_on_drift && !fired.empty())
    return FailedPrecondition(std::to_string(fired.size()) + " alert(s) on the latest window of " +
                              d.version.model + ":" + std::to_string(d.version.version));
  return Status::OK();
}

}  // namespace

void AddMonitorCommands(CLI::App& app, CliContext& ctx, Action* action) {
  auto drift = std::make_shared<DriftArgs>();
  CLI::App* c = app.add_subcommand("drift", "stage 5: data drift of a file against a reference, column by column");
  c->add_option("--reference", drift->reference, "reference data: a file, or a dataset NAME[:V]")->required();
  c->add_option("--current", drift->current, "current data: a CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  std::vector<std::string> methods = DriftMethodNames();
  methods.insert(methods.begin(), "auto");
  c->add_option("--method", drift->method, "test for every column: auto (Evidently's choice) or a method name")
      ->check(CLI::IsMember(methods));
  c->add_option("--threshold", drift->threshold, "drift threshold for every column (default: the method's)");
  c->add_option("--column-method", drift->column_methods, "COLUMN=METHOD, for one column (repeatable)");
  c->add_option("--column-threshold", drift->column_thresholds, "COLUMN=T, for one column (repeatable)");
  c->add_option("--config", drift->config, "YAML with method, threshold, drift_share and per-column settings")
      ->check(CLI::ExistingFile);
  c->add_flag("--all-stats", drift->all_stats, "also report every statistic that applies to each column");
  c->add_option("--html", drift->html, "write a self-contained HTML report here");
  c->add_flag("--fail-on-drift", drift->fail_on_drift, "exit 3 when the dataset drifts");
  c->callback([&ctx, action, drift] { *action = [&ctx, drift] { return Drift(ctx, *drift); }; });

  auto m = std::make_shared<MonitorArgs>();
  c = app.add_subcommand("monitor", "stage 5: drift of a model's logged traffic against its training data");
  c->add_option("MODEL_REF", m->model, "NAME, NAME:VERSION or NAME:ALIAS")->required();
  c->add_option("--window", m->window, "the latest N logged predictions (default 1000)");
  c->add_option("--since", m->since, "the predictions since a time (ISO-8601) or a span back (30m, 12h, 7d)")
      ->excludes("--window");
  c->add_option("--history", m->history, "how many past windows to show (default 20)");
  c->add_option("--html", m->html, "write a self-contained HTML report here");
  c->add_option("--alerts", m->alerts, "YAML alert rules (default: dataset drift, prediction drift, a drop of the main metric)")
      ->check(CLI::ExistingFile);
  c->add_option("--max-drop", m->max_drop, "default rules: how far the main metric may fall below the holdout's (0.05)");
  c->add_flag("--fail-on-drift", m->fail_on_drift, "exit 3 when an alert fires on the latest window");
  c->callback([&ctx, action, m] { *action = [&ctx, m] { return Monitor(ctx, *m); }; });
}

}  // namespace gyre
