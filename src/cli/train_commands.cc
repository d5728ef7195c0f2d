// gyre train, gyre predict
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <memory>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "data/reader.h"
#include "data/stats.h"
#include "model/predictor.h"
#include "registry/registry.h"
#include "track/tracker.h"
#include "train/trainer.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

struct TrainArgs {
  std::string data, label, task, experiment = "Default", register_as, alias, split_by;
  std::vector<std::string> sets;
  uint64_t seed = 0;
  double test_fraction = 0.2;
};

// The training table: a file, or a dataset version (recorded as the run's input).
struct TrainingData {
  Table table;
  std::string ref;            // NAME:V, or the file path
  std::string dataset;        // empty for a file
  int64_t version = 0;
  std::string stats_json;     // reference statistics for monitoring
};

Result<TrainingData> LoadTrainingData(CliContext& ctx, const std::string& what) {
  TrainingData d;
  if (ctx.env->FileExists(what)) {
    StatsBuilder stats;  // the reference statistics, in the same pass as the read
    ASSIGN_OR_RETURN(d.table, ReadTable(what, {}, nullptr, &stats));
    d.ref = what;
    d.stats_json = StatsToJson(stats.Finish());
    return d;
  }
  auto ref = ParseDatasetRef(what);
  if (!ref.ok()) return NotFound("no such file or dataset: " + what);
  DatasetCatalog catalog(ctx.meta(), ctx.objects(), ctx.env);
  ASSIGN_OR_RETURN(DatasetVersionRecord v, catalog.Get(*ref));
  ASSIGN_OR_RETURN(d.table, ReadTable(catalog.PathOf(v), DatasetCatalog::ReadOptionsFor(v)));
  d.ref = v.dataset + ":" + std::to_string(v.version);
  d.dataset = v.dataset;
  d.version = v.version;
  d.stats_json = v.stats_json;
  return d;
}

Result<TrainOptions> ParseTrainOptions(const TrainArgs& a) {
  TrainOptions o;
  o.label = a.label;
  if (!a.task.empty()) {
    ASSIGN_OR_RETURN(Task t, ParseTask(a.task));
    o.task = t;
  }
  for (const auto& kv : a.sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--set " + kv + ": expected key=value");
    o.params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.seed = a.seed;
  o.test_fraction = a.test_fraction;
  o.split_by = a.split_by;
  return o;
}

// Everything a run records about one training: params, metrics, input, artifacts.
Status RecordTraining(Tracker& tracker, const std::string& run, const TrainingData& d, const TrainResult& r) {
  KeyValues params = {{"data", d.ref}, {"label", r.bundle.signature.label}, {"task", TaskName(r.bundle.task)},
                      {"train_rows", std::to_string(r.train_rows)}, {"test_rows", std::to_string(r.test_rows)}};
  const json used = json::parse(r.bundle.params_json);
  for (const auto& [k, v] : used.items()) params.emplace_back(k, v.get<std::string>());
  std::vector<MetricPoint> metrics;
  for (const auto& [k, v] : r.metrics) metrics.push_back({k, v, 0, 0});
  RETURN_IF_ERROR(tracker.LogBatch(run, params, metrics, {}));
  if (!d.dataset.empty()) RETURN_IF_ERROR(tracker.LogInput(run, d.dataset, d.version));
  RETURN_IF_ERROR(tracker.LogArtifactBytes(run, "model", r.bundle.Serialize()));
  json importance = json::array();
  for (const auto& [name, gain] : r.importance) importance.push_back({{"input", name}, {"total_gain", gain}});
  json report{{"metrics", json::parse(r.bundle.metrics_json)}, {"train_rows", r.train_rows},
              {"test_rows", r.test_rows}, {"excluded", r.excluded}, {"importance", importance}};
  return tracker.LogArtifactBytes(run, "evaluation.json", report.dump(2));
}

Status Train(CliContext& ctx, const TrainArgs& a) {
  ASSIGN_OR_RETURN(TrainOptions options, ParseTrainOptions(a));
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(ctx, a.data));
  Tracker tracker(ctx.meta(), ctx.objects(), ctx.env);
  RunOptions ro;
  ro.experiment = a.experiment;
  ro.command = ctx.command_line;
  ASSIGN_OR_RETURN(std::string run, tracker.StartRun(ro));
  auto trained = TrainModel(data.table, options);
  if (!trained.ok()) {
    (void)tracker.SetTag(run, "error", trained.status().ToString());
    (void)tracker.EndRun(run, RunStatus::kFailed);
    return trained.status();
  }
  TrainResult& r = *trained;
  r.bundle.dataset = data.dataset.empty() ? "" : data.ref;
  r.bundle.run_id = run;
  r.bundle.reference_stats_json = data.stats_json;
  Status recorded = RecordTraining(tracker, run, data, r);
  RETURN_IF_ERROR(tracker.EndRun(run, recorded.ok() ? RunStatus::kFinished : RunStatus::kFailed));
  RETURN_IF_ERROR(recorded);
  json out{{"run_id", run}, {"metrics", json::parse(r.bundle.metrics_json)}};
  if (!a.register_as.empty()) {
    Registry registry(ctx.meta(), ctx.env, DefaultActor());
    ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Register(run, a.register_as));
    if (!a.alias.empty()) RETURN_IF_ERROR(registry.SetAlias(v.model, v.version, a.alias));
    out["model"] = v.model;
    out["version"] = v.version;
  }
  if (ctx.json) {
    ctx.out << out.dump(2) << "\n";
    return Status::OK();
  }
  ctx.out << "run " << run << ": " << TaskName(r.bundle.task) << " model of " << r.bundle.signature.label << " on "
          << data.ref << " (" << Thousands(r.train_rows) << " rows to train, " << Thousands(r.test_rows)
          << " held out)\n";
  for (const auto& [k, v] : r.metrics) ctx.out << "  " << k << "  " << Short(v) << "\n";
  if (!r.excluded.empty()) {
    ctx.out << "left out:";
    for (const auto& e : r.excluded) ctx.out << " " << e << ";";
    ctx.out << "\n";
  }
  if (out.contains("model")) {
    ctx.out << "registered " << a.register_as << ":" << out["version"].get<int64_t>()
            << (a.alias.empty() ? "" : " as " + a.alias) << "\n";
  }
  return Status::OK();
}

struct PredictArgs {
  std::string model, input, output, id;
};

// The shortest text that reads back as the same float.
std::string FloatText(float v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string PredictionsCsv(const Predictor& predictor, const Table& input, const Predictions& p, const std::string& id) {
  const ModelBundle& b = predictor.bundle();
  std::string csv;
  csv.reserve(static_cast<size_t>(p.rows) * 32);
  const Column* id_col = id.empty() ? nullptr : input.Find(id);
  if (id_col) csv += id + ",";
  csv += "prediction";
  if (b.task != Task::kRegression) {
    for (const auto& c : b.signature.classes) csv += ",p_" + c;
  }
  csv += "\n";
  for (int64_t r = 0; r < p.rows; ++r) {
    if (id_col) csv += id_col->ValueToString(r) + ",";
    const float* row = &p.values[static_cast<size_t>(r * p.width)];
    if (b.task == Task::kRegression) {
      csv += FloatText(row[0]) + "\n";
      continue;
    }
    csv += b.signature.classes[static_cast<size_t>(p.predicted_class[static_cast<size_t>(r)])];
    if (b.task == Task::kBinary) {
      csv += "," + FloatText(1 - row[0]) + "," + FloatText(row[0]);
    } else {
      for (int c = 0; c < p.width; ++c) csv += "," + FloatText(row[c]);
    }
    csv += "\n";
  }
  return csv;
}

Status Predict(CliContext& ctx, const PredictArgs& a) {
  ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(a.model));
  RETURN_IF_ERROR(ctx.OpenStores());
  Registry registry(ctx.meta(), ctx.env, DefaultActor());
  ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Resolve(ref));
  ASSIGN_OR_RETURN(std::string bytes, ctx.objects()->Get(v.bundle_sha256));
  ASSIGN_OR_RETURN(auto predictor, Predictor::Load(bytes));
  ASSIGN_OR_RETURN(Table input, ReadTable(a.input));
  if (!a.id.empty() && input.Find(a.id) == nullptr) return InvalidArgument("--id " + a.id + ": no such column in " + a.input);
  EncodeReport report;
  ASSIGN_OR_RETURN(Predictions p, predictor->Predict(input, &report));
  std::string csv = PredictionsCsv(*predictor, input, p, a.id);
  if (!report.ignored_columns.empty()) {
    ctx.err << "note: " << report.ignored_columns.size() << " columns the model does not use were ignored\n";
  }
  if (report.unseen_categories > 0) {
    ctx.err << "note: " << report.unseen_categories << " values were categories the model never saw (read as missing)\n";
  }
  if (!a.output.empty()) {
    RETURN_IF_ERROR(WriteFileAtomic(ctx.env, a.output, csv));
    if (ctx.json) {
      ctx.out << json{{"model", v.model}, {"version", v.version}, {"rows", p.rows}, {"output", a.output},
                      {"unseen_categories", report.unseen_categories}, {"ignored_columns", report.ignored_columns}}.dump(2)
              << "\n";
    } else {
      ctx.out << "wrote " << Thousands(p.rows) << " predictions of " << v.model << ":" << v.version << " to " << a.output << "\n";
    }
    return Status::OK();
  }
  ctx.out << csv;
  return Status::OK();
}

}  // namespace

void AddTrainCommands(CLI::App& app, CliContext& ctx, Action* action) {
  auto t = std::make_shared<TrainArgs>();
  CLI::App* c = app.add_subcommand("train", "stage 2: train and evaluate a model; every training is a tracked run");
  c->add_option("--data", t->data, "a file, or a dataset NAME[:V] (recorded as the run's input)")->required();
  c->add_option("--label", t->label, "the column to predict")->required();
  c->add_option("--task", t->task, "binary, multiclass or regression (default: from the label)");
  c->add_option("--set", t->sets, "an XGBoost parameter, key=value (num_round=N sets the rounds)");
  c->add_option("--experiment", t->experiment, "experiment of the run");
  c->add_option("--register", t->register_as, "register the model under this name");
  c->add_option("--alias", t->alias, "with --register: point this alias at the new version");
  c->add_option("--split-by", t->split_by, "hold out the latest rows by this column instead of a random sample");
  c->add_option("--seed", t->seed, "seed of the split and of XGBoost");
  c->add_option("--test-fraction", t->test_fraction, "share of rows held out for evaluation")->check(CLI::Range(0.01, 0.99));
  c->callback([&ctx, action, t] { *action = [&ctx, t] { return Train(ctx, *t); }; });

  auto p = std::make_shared<PredictArgs>();
  c = app.add_subcommand("predict", "predict with a registered model; CSV out");
  c->add_option("MODEL_REF", p->model, "NAME, NAME:VERSION or NAME:ALIAS")->required();
  c->add_option("--input", p->input, "CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  c->add_option("--output", p->output, "write the predictions here (default: stdout)");
  c->add_option("--id", p->id, "copy this input column into the output");
  c->callback([&ctx, action, p] { *action = [&ctx, p] { return Predict(ctx, *p); }; });
}

}  // namespace gyre
