#include "pipeline/training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "data/dataset.h"
#include "data/reader.h"
#include "data/stats.h"
#include "monitor/model_monitor.h"
#include "monitor/performance.h"

namespace gyre {

using json = nlohmann::ordered_json;

namespace {

// The named columns' summaries: those the profile counted from its counts (equal to what
// SummarizeTable makes of the same rows, at a fraction of the cost), the others summarized.
DatasetSummary SummaryOf(const Table& table, const std::vector<std::string>& columns, const StatsBuilder* profile) {
  std::vector<std::optional<ColumnSummary>> counted(static_cast<size_t>(table.num_columns()));
  std::vector<std::string> rest;
  for (int c = 0; c < table.num_columns(); ++c) {
    const Column& col = table.column(c);
    if (std::find(columns.begin(), columns.end(), col.name()) == columns.end()) continue;
    std::optional<CountedColumn> from = profile ? profile->Counted(c) : std::nullopt;
    if (!from) {
      rest.push_back(col.name());
      continue;
    }
    ColumnSummary& s = counted[static_cast<size_t>(c)].emplace();
    s.name = col.name();
    s.type = col.type();
    s.missing = from->missing;
    s.numeric.values = std::move(from->values);
    s.numeric.counts = std::move(from->counts);
    for (int64_t n : s.numeric.counts) s.numeric.size += n;
  }
  DatasetSummary summarized = SummarizeTable(table, rest);
  DatasetSummary out;
  out.rows = table.num_rows();
  size_t next = 0;  // both in the table's order
  for (int c = 0; c < table.num_columns(); ++c) {
    if (counted[static_cast<size_t>(c)]) out.columns.push_back(std::move(*counted[static_cast<size_t>(c)]));
    else if (next < summarized.columns.size() && summarized.columns[next].name == table.column(c).name())
      out.columns.push_back(std::move(summarized.columns[next++]));
  }
  return out;
}

// Compressing the training data's summary can wait for a spare core: nothing needs it before
// the model is trained. At a lower priority it takes less from XGBoost's threads, which wait
// for each other at every step (one thread put off stalls both). Not the lowest: on a machine
// that other work keeps busy (a server under load), nice 19 would get a few percent of a core,
// and the end of the training would wait seconds for it; nice 5 still gets about a quarter.
constexpr int kCompressionNice = 5;

}  // namespace

void StartSummary(TrainingData& d, std::vector<std::string> columns) {
  const Table* table = &d.table;
  std::shared_ptr<StatsBuilder> profile = d.profile;
  // The profile finishes once its counts have been read for the summary.
  auto read = std::make_shared<std::promise<void>>();
  std::shared_future<void> counts_read = read->get_future().share();
  d.summary = std::async(std::launch::async, [table, columns = std::move(columns), profile, read] {
                struct Done {  // however the summary ends, the profile may then finish
                  std::promise<void>* p;
                  ~Done() { p->set_value(); }
                } done{read.get()};
                return SummaryOf(*table, columns, profile.get());
              }).share();
  d.compressed_summary = std::async(std::launch::async, [summary = d.summary] {
                           LowerThisThreadPriority(kCompressionNice);
                           return CompressColumns(summary.get().columns);
                         }).share();
  if (profile) {
    d.stats_json = std::async(std::launch::async, [profile, counts_read] {
                     counts_read.wait();
                     return StatsToJson(profile->Finish());
                   }).share();
  }
}

Result<TrainResult> TrainForRun(const TrainingData& data, const TrainOptions& options) {
  std::future<std::string> reference, calibration;
  TrainOptions o = options;
  o.on_holdout = [&data, &reference, &calibration, caller = options.on_holdout](const TrainResult& r) {
    if (caller) caller(r);
    if (r.bundle.task == Task::kBinary) {
      calibration = std::async(std::launch::async, [outputs = r.holdout_outputs, labels = r.holdout_labels] {
        return FitIsotonic(outputs, labels).ToJson();
      });
    }
    ModelBundle outputs_of;  // what naming the output columns takes
    outputs_of.task = r.bundle.task;
    outputs_of.signature.classes = r.bundle.signature.classes;
    reference = std::async(std::launch::async, [&data, b = std::move(outputs_of), outputs = r.holdout_outputs,
                                                width = r.holdout_width] {
      const DatasetSummary summary = SummarizeTable(OutputsTable(b, outputs, width));
      const DatasetSummary& training = data.summary.get();
      std::string own;  // without StartSummary's compression
      const std::string& compressed = data.compressed_summary.valid() ? data.compressed_summary.get()
                                                                       : (own = CompressColumns(training.columns));
      return SerializeFramed(training.rows, training.columns.size(), compressed, summary.columns);
    });
  };
  ASSIGN_OR_RETURN(TrainResult r, TrainModel(data.table, o));
  r.bundle.reference_stats_json = data.stats_json.get();
  // Both were started whenever TrainModel succeeds (the calibration for a binary model).
  if (calibration.valid()) r.bundle.calibration_json = calibration.get();
  r.bundle.reference_summary = reference.get();
  return r;
}

Status LayOutAsBefore(const ModelBundle& before, ModelBundle* again) {
  if (before.reference_summary.empty()) again->reference_summary.clear();
  if (before.calibration_json.empty()) again->calibration_json.clear();
  if (!before.reference_summary.empty() && IsOneFrame(before.reference_summary)) {
    ASSIGN_OR_RETURN(again->reference_summary, AsOneFrame(again->reference_summary));
  }
  return Status::OK();
}

Result<TrainingData> LoadTrainingData(MetadataStore* meta, ObjectStore* objects, Env* env, const std::string& what) {
  TrainingData d;
  if (env->FileExists(what)) {
    auto stats = std::make_shared<StatsBuilder>();  // the profile, in the same pass as the read
    ASSIGN_OR_RETURN(d.table, ReadTable(what, {}, nullptr, stats.get()));
    d.ref = what;
    d.profile = stats;
    d.stats_json = std::async(std::launch::deferred, [stats] { return StatsToJson(stats->Finish()); }).share();
    return d;
  }
  auto ref = ParseDatasetRef(what);
  if (!ref.ok()) return NotFound("no such file or dataset: " + what);
  DatasetCatalog catalog(meta, objects, env);
  ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(*ref));
  ASSIGN_OR_RETURN(d.table, ReadTable(catalog.PathOf(v), DatasetCatalog::ReadOptionsFor(v)));
  d.ref = v.dataset + ":" + std::to_string(v.version);
  d.dataset = v.dataset;
  d.version = v.version;
  std::promise<std::string> stats;
  stats.set_value(v.stats_json);
  d.stats_json = stats.get_future().share();
  return d;
}

// The shortest text that reads back as the same double.
std::string DoubleText(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

// Everything a run records about one training: params, metrics, input, artifacts.
namespace {

Status RecordTraining(Tracker& tracker, const std::string& run, const TrainingData& d, const TrainOptions& o,
                      const TrainResult& r) {
  KeyValues params = {{"data", d.ref}, {"label", r.bundle.signature.label}, {"task", TaskName(r.bundle.task)},
                      {"train_rows", std::to_string(r.train_rows)}, {"test_rows", std::to_string(r.test_rows)},
                      {"test_fraction", DoubleText(o.test_fraction)}, {"split_by", o.split_by},
                      {"validation_fraction", DoubleText(r.validation_fraction)},
                      {"split_seed", std::to_string(o.seed)}};
  for (const auto& e : o.exclude) params.emplace_back("exclude." + e, "true");
  const json used = json::parse(r.bundle.params_json);
  for (const auto& [k, v] : used.items()) params.emplace_back(k, v.get<std::string>());
  std::vector<MetricPoint> metrics;
  for (const auto& [k, v] : r.metrics) metrics.push_back({k, v, 0, 0});
  metrics.push_back({"best_rounds", static_cast<double>(r.best_rounds), 0, 0});  // fewer after early stopping
  for (const auto& [k, v] : r.validation_metrics) metrics.push_back({"validation_" + k, v, 0, 0});
  RETURN_IF_ERROR(tracker.LogBatch(run, params, metrics, {}));
  if (!d.dataset.empty()) RETURN_IF_ERROR(tracker.LogInput(run, d.dataset, d.version));
  RETURN_IF_ERROR(tracker.LogArtifactBytes(run, "model", r.bundle.Serialize()));
  json importance = json::array();
  for (const auto& [name, gain] : r.importance) importance.push_back({{"input", name}, {"total_gain", gain}});
  json report{{"metrics", json::parse(r.bundle.metrics_json)}, {"train_rows", r.train_rows},
              {"test_rows", r.test_rows}, {"excluded", r.excluded}, {"importance", importance}};
  return tracker.LogArtifactBytes(run, "evaluation.json", report.dump(2));
}

}  // namespace

Result<std::pair<std::string, TrainResult>> TrainOneRun(Tracker& tracker, const TrainingData& data,
                                                        const TrainOptions& options, const RunOptions& ro) {
  ASSIGN_OR_RETURN(std::string run, tracker.StartRun(ro));
  auto trained = TrainForRun(data, options);
  if (!trained.ok()) {
    (void)tracker.SetTag(run, "error", trained.status().ToString());
    (void)tracker.EndRun(run, RunStatus::kFailed);
    return trained.status();
  }
  TrainResult& r = *trained;
  r.bundle.dataset = data.dataset.empty() ? "" : data.ref;
  r.bundle.run_id = run;
  Status recorded = RecordTraining(tracker, run, data, options, r);
  RETURN_IF_ERROR(tracker.EndRun(run, recorded.ok() ? RunStatus::kFinished : RunStatus::kFailed));
  RETURN_IF_ERROR(recorded);
  return std::make_pair(run, std::move(r));
}

Result<RecordedTraining> RecordedTrainingOf(const RunView& run) {
  std::map<std::string, std::string> p(run.params.begin(), run.params.end());
  if (p.count("data") == 0 || p.count("label") == 0) {
    return InvalidArgument("run " + run.run.run_id + " was not made by a training");
  }
  RecordedTraining r;
  r.data = p["data"];
  TrainOptions& o = r.options;
  o.label = p["label"];
  ASSIGN_OR_RETURN(Task task, ParseTask(p["task"]));
  o.task = task;
  try {
    // The split's seed; XGBoost's own `seed` (which --set may have changed) is a parameter.
    // Runs recorded before split_seed existed used `seed` for both.
    o.seed = std::stoull(p.count("split_seed") ? p["split_seed"] : (p.count("seed") ? p["seed"] : "0"));
    o.test_fraction = p.count("test_fraction") ? std::stod(p["test_fraction"]) : 0.2;
    o.validation_fraction = p.count("validation_fraction") ? std::stod(p["validation_fraction"]) : 0.0;
  } catch (const std::exception&) {
    return InvalidArgument("run " + run.run.run_id + ": its recorded split does not read back as numbers");
  }
  o.split_by = p["split_by"];
  static const std::set<std::string> kMeta = {"data", "label", "task", "train_rows", "test_rows", "test_fraction",
                                              "split_by", "split_seed", "validation_fraction"};
  for (const auto& [k, val] : p) {
    if (k.rfind("exclude.", 0) == 0) o.exclude.push_back(k.substr(8));
    else if (kMeta.count(k) == 0) o.params[k] = val;
  }
  return r;
}

}  // namespace gyre
