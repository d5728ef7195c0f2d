// gyre train, gyre predict
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <future>
#include <map>
#include <tuple>
#include <memory>
#include <ostream>

#include "cli/context.h"
#include "cli/format.h"
#include "core/sha256.h"
#include "data/dataset.h"
#include "monitor/drift.h"
#include "monitor/model_monitor.h"
#include "monitor/performance.h"
#include "monitor/prediction_log.h"
#include "data/reader.h"
#include "data/stats.h"
#include "model/predictor.h"
#include "registry/registry.h"
#include "track/tracker.h"
#include "train/trainer.h"
#include "pipeline/training.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

struct TrainArgs {
  std::string data, label, task, experiment = "Default", register_as, alias, split_by;
  std::vector<std::string> sets;
  uint64_t seed = 0;
  double test_fraction = 0.2;
  std::string search = "grid";
  int trials = 0;
};

using ParamSet = std::map<std::string, std::string>;

// `--set k=a,b` lists values to try: every combination (grid), or `trials` of them drawn with
// the seed (random).
Result<std::vector<ParamSet>> ExpandSearch(const std::vector<std::string>& sets, const std::string& search, int trials,
                                           uint64_t seed) {
  std::vector<ParamSet> grid = {{}};
  for (const auto& kv : sets) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("--set " + kv + ": expected key=value");
    std::vector<std::string> values;
    for (size_t start = eq + 1;;) {
      size_t comma = kv.find(',', start);
      values.push_back(kv.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (grid.size() * values.size() > 10000) {
      return InvalidArgument("the --set lists make over 10,000 combinations: give fewer values");
    }
    std::vector<ParamSet> next;
    for (const auto& base : grid) {
      for (const auto& v : values) {
        ParamSet p = base;
        p[kv.substr(0, eq)] = v;
        next.push_back(std::move(p));
      }
    }
    grid = std::move(next);
  }
  if (search == "grid") return grid;
  if (search != "random") return InvalidArgument("--search " + search + ": use grid or random");
  if (trials < 1) return InvalidArgument("--search random needs --trials N (N >= 1)");
  std::vector<size_t> order(grid.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (size_t i = order.size(); i > 1; --i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::swap(order[i - 1], order[(state >> 33) % i]);
  }
  std::vector<ParamSet> picked;
  for (size_t i = 0; i < order.size() && static_cast<int>(picked.size()) < trials; ++i) picked.push_back(grid[order[i]]);
  return picked;
}

// The holdout metric that picks the best trial, and whether larger is better.
std::pair<std::string, bool> SelectionMetric(Task task) {
  switch (task) {
    case Task::kBinary: return {"roc_auc", true};
    case Task::kMulticlass: return {"log_loss", false};
    case Task::kRegression: return {"rmse", false};
  }
  return {"", true};
}

Result<TrainOptions> ParseTrainOptions(const TrainArgs& a) {
  TrainOptions o;
  o.label = a.label;
  if (!a.task.empty()) {
    ASSIGN_OR_RETURN(Task t, ParseTask(a.task));
    o.task = t;
  }
  o.seed = a.seed;
  o.test_fraction = a.test_fraction;
  o.split_by = a.split_by;
  return o;
}

std::string FloatText(float v);

void PrintTraining(CliContext& ctx, const std::string& run, const TrainingData& data, const TrainResult& r) {
  ctx.out << "run " << run << ": " << TaskName(r.bundle.task) << " model of " << r.bundle.signature.label << " on "
          << data.ref << " (" << Thousands(r.train_rows) << " rows to train, " << Thousands(r.test_rows)
          << " held out)\n";
  for (const auto& [k, v] : r.metrics) ctx.out << "  " << k << "  " << Short(v) << "\n";
  if (!r.excluded.empty()) {
    ctx.out << "left out:";
    for (const auto& e : r.excluded) ctx.out << " " << e << ";";
    ctx.out << "\n";
  }
}

Status Train(CliContext& ctx, const TrainArgs& a) {
  ASSIGN_OR_RETURN(TrainOptions options, ParseTrainOptions(a));
  ASSIGN_OR_RETURN(std::vector<ParamSet> trials, ExpandSearch(a.sets, a.search, a.trials, a.seed));
  RETURN_IF_ERROR(ctx.OpenStores());
  ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(ctx.meta(), ctx.objects(), ctx.env, a.data));
  StartSummary(data, InputColumns(data.table, options));
  Tracker tracker(ctx.meta(), ctx.objects(), ctx.env);
  json out;
  std::string best_run;
  TrainResult best;
  if (trials.size() == 1) {
    options.params = trials[0];
    ASSIGN_OR_RETURN(auto one, TrainOneRun(tracker, data, options, RunOptions{a.experiment, "", ctx.command_line, "", "."}));
    best_run = one.first;
    best = std::move(one.second);
  } else {
    // A search: one parent run, a child run per trial, the best kept by its holdout metric.
    RunOptions ro{a.experiment, "search", ctx.command_line, "", "."};
    ASSIGN_OR_RETURN(std::string parent, tracker.StartRun(ro));
    json tried = json::array();
    std::string metric;
    bool higher = true;
    // Trials are compared on a validation share of the training rows, never on the holdout,
    // so that the holdout metrics of the winner stay an honest estimate.
    if (options.validation_fraction == 0) options.validation_fraction = 0.1;
    for (const auto& params : trials) {
      options.params = params;
      auto result = TrainOneRun(tracker, data, options, RunOptions{a.experiment, "", ctx.command_line, parent, "."});
      if (!result.ok()) {  // the failed trial is on record; so is the search's failure
        (void)tracker.SetTag(parent, "error", result.status().ToString());
        (void)tracker.EndRun(parent, RunStatus::kFailed);
        return result.status();
      }
      auto& trial = *result;
      std::tie(metric, higher) = SelectionMetric(trial.second.bundle.task);
      double value = trial.second.validation_metrics[metric];
      tried.push_back({{"run_id", trial.first}, {"params", params}, {"validation_" + metric, value}});
      if (best_run.empty() || (higher ? value > best.validation_metrics[metric] : value < best.validation_metrics[metric])) {
        best_run = trial.first;
        best = std::move(trial.second);
      }
    }
    RETURN_IF_ERROR(tracker.LogBatch(parent, {{"search", a.search}, {"trials", std::to_string(trials.size())},
                                              {"selection_metric", metric}},
                                     {{"best_validation_" + metric, best.validation_metrics[metric], 0, 0}},
                                     {{"best_run", best_run}}));
    RETURN_IF_ERROR(tracker.EndRun(parent, RunStatus::kFinished));
    out["parent_run_id"] = parent;
    out["trials"] = tried;
  }
  out["run_id"] = best_run;
  out["metrics"] = json::parse(best.bundle.metrics_json);
  if (!a.register_as.empty()) {
    Registry registry(ctx.meta(), ctx.env, DefaultActor());
    ASSIGN_OR_RETURN(ModelVersionRecord v, registry.Register(best_run, a.register_as));
    if (!a.alias.empty()) RETURN_IF_ERROR(registry.SetAlias(v.model, v.version, a.alias));
    out["model"] = v.model;
    out["version"] = v.version;
  }
  if (ctx.json) {
    ctx.out << out.dump(2) << "\n";
    return Status::OK();
  }
  if (out.contains("trials")) ctx.out << "searched " << trials.size() << " parameter sets; the best:\n";
  PrintTraining(ctx, best_run, data, best);
  if (out.contains("model")) {
    ctx.out << "registered " << a.register_as << ":" << out["version"].get<int64_t>()
            << (a.alias.empty() ? "" : " as " + a.alias) << "\n";
  }
  return Status::OK();
}

// The columns a bundle's reference summarizes: the inputs, or every column of the table for
// bundles made before the reference kept the inputs only (those hold the label too).
std::vector<std::string> SummarizedColumns(const ModelBundle& before, const Table& table, const TrainOptions& o) {
  auto old = ParseSummary(before.reference_summary);
  if (old.ok() && old->Find(o.label) != nullptr) return table.ColumnNames();
  return InputColumns(table, o);
}

// Retrains from what a run recorded and says whether the bundle is byte for byte the same.
Status Reproduce(CliContext& ctx, const std::string& id) {
  RETURN_IF_ERROR(ctx.OpenStores());
  Tracker tracker(ctx.meta(), ctx.objects(), ctx.env);
  ASSIGN_OR_RETURN(RunView v, tracker.GetRun(id));
  const ArtifactRecord* model = nullptr;
  for (const auto& art : v.artifacts) {
    if (art.path == "model") model = &art;
  }
  auto recorded = RecordedTrainingOf(v);
  if (model == nullptr || !recorded.ok()) {
    return InvalidArgument("run " + v.run.run_id + " was not made by gyre train: nothing to reproduce");
  }
  ASSIGN_OR_RETURN(std::string original, ctx.objects()->Get(model->sha256));
  ASSIGN_OR_RETURN(ModelBundle before, ModelBundle::Parse(original));
  ASSIGN_OR_RETURN(TrainingData data, LoadTrainingData(ctx.meta(), ctx.objects(), ctx.env, recorded->data));
  const TrainOptions& o = recorded->options;
  StartSummary(data, SummarizedColumns(before, data.table, o));
  ASSIGN_OR_RETURN(TrainResult r, TrainForRun(data, o));
  r.bundle.dataset = data.dataset.empty() ? "" : data.ref;
  r.bundle.run_id = v.run.run_id;
  RETURN_IF_ERROR(LayOutAsBefore(before, &r.bundle));
  const std::string again = Sha256Hex(r.bundle.Serialize());
  const bool identical = again == model->sha256;
  if (ctx.json) {
    ctx.out << json{{"run_id", v.run.run_id}, {"identical", identical}, {"original_sha256", model->sha256},
                    {"reproduced_sha256", again}, {"metrics", json::parse(r.bundle.metrics_json)}}.dump(2) << "\n";
  } else {
    ctx.out << "retrained run " << v.run.run_id << " from " << recorded->data << ": the model is "
            << (identical ? "identical, byte for byte" : "DIFFERENT") << " (" << ShortSha(again) << ")\n";
  }
  ctx.printed_result = true;
  if (!identical) return FailedPrecondition("the retrained model differs from the one run " + v.run.run_id + " recorded");
  return Status::OK();
}

struct PredictArgs {
  std::string model, input, output, id;
  bool log = false;
};

// Appends each prediction to the model's log, as the model server does for every request, so
// that `gyre monitor` sees batch scoring too.
Status LogPredictions(CliContext& ctx, const ModelVersionRecord& v, const ModelBundle& b, const Table& input,
                      const Predictions& p, const std::string& id) {
  ASSIGN_OR_RETURN(auto writer, PredictionLogWriter::Open(ctx.env, ctx.layout().ModelLogDir(v.model)));
  const Column* id_col = id.empty() ? nullptr : input.Find(id);
  const int64_t now = ctx.env->NowMicros();
  const std::string batch = "batch-" + std::to_string(now) + "-";
  std::vector<std::string> inputs = InputsJson(input, b.signature), outputs = OutputsJson(b, p);
  for (int64_t r = 0; r < p.rows; ++r) {
    PredictionRecord rec;
    rec.request_id = id_col ? id_col->ValueToString(r) : batch + std::to_string(r);
    rec.time_us = now;
    rec.model_version = v.version;
    rec.inputs_json = std::move(inputs[static_cast<size_t>(r)]);
    rec.outputs_json = std::move(outputs[static_cast<size_t>(r)]);
    RETURN_IF_ERROR(writer->Append(rec));
  }
  return writer->Sync();
}

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
  if (a.log) RETURN_IF_ERROR(LogPredictions(ctx, v, predictor->bundle(), input, p, a.id));
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
  c->add_option("--search", t->search, "with --set k=a,b,...: try every combination (grid) or --trials of them (random)");
  c->add_option("--trials", t->trials, "with --search random: how many parameter sets to try");
  c->callback([&ctx, action, t] { *action = [&ctx, t] { return Train(ctx, *t); }; });

  {  // `runs reproduce` belongs with the runs commands but needs the trainer
    CLI::App* runs = app.get_subcommand("runs");
    auto id = std::make_shared<std::string>();
    CLI::App* r = runs->add_subcommand("reproduce", "retrain from what a run recorded; exit 3 if the model differs");
    r->add_option("RUN", *id, "run id (or a unique prefix)")->required();
    r->callback([&ctx, action, id] { *action = [&ctx, id] { return Reproduce(ctx, *id); }; });
  }

  auto p = std::make_shared<PredictArgs>();
  c = app.add_subcommand("predict", "predict with a registered model; CSV out");
  c->add_option("MODEL_REF", p->model, "NAME, NAME:VERSION or NAME:ALIAS")->required();
  c->add_option("--input", p->input, "CSV or JSON Lines file")->required()->check(CLI::ExistingFile);
  c->add_option("--output", p->output, "write the predictions here (default: stdout)");
  c->add_option("--id", p->id, "copy this input column into the output");
  c->add_flag("--log", p->log, "append the predictions to the model's prediction log (for gyre monitor)");
  c->callback([&ctx, action, p] { *action = [&ctx, p] { return Predict(ctx, *p); }; });
}

}  // namespace gyre
