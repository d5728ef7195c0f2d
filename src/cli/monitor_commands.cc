// gyre drift
#include <CLI/CLI.hpp>

#include <algorithm>
#include <optional>
#include <ostream>
#include <thread>

#include "cli/context.h"
#include "cli/format.h"
#include "core/log.h"
#include "data/dataset.h"
#include "monitor/drift.h"
#include "monitor/drift_io.h"

namespace gyre {
namespace {

struct Side {
  DatasetSummary summary;
  std::string name;
};

Result<Side> SummarizePath(CliContext& ctx, const std::string& path, const ReadOptions& base) {
  FileProgress progress(ctx, "reading " + path, path);
  ReadOptions read = base;
  read.on_progress = progress.Callback();
  ASSIGN_OR_RETURN(DatasetSummary s, SummarizeFile(path, read));
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
  std::vector<std::string> column_methods;  // COLUMN=METHOD
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
  Result<Side> cur_read = SummarizePath(ctx, a.current, {});
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
  c->add_option("--config", drift->config, "YAML with method, threshold, drift_share and per-column settings")
      ->check(CLI::ExistingFile);
  c->add_flag("--all-stats", drift->all_stats, "also report every statistic that applies to each column");
  c->add_option("--html", drift->html, "write a self-contained HTML report here");
  c->add_flag("--fail-on-drift", drift->fail_on_drift, "exit 3 when the dataset drifts");
  c->callback([&ctx, action, drift] { *action = [&ctx, drift] { return Drift(ctx, *drift); }; });
}

}  // namespace gyre
