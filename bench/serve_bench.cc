// The model server's per-request work, without the network: a request body read against the
// signature, the rows encoded and predicted, the answer written, and the prediction-log
// records formatted (the log writer's share). A 100-round, depth-6 model of generated fraud
// data, as in bench/peers/compare_serve.py; one row (the wrk load) and 1,000 rows.
#include <benchmark/benchmark.h>

#include <charconv>
#include <filesystem>

#include "core/env.h"
#include "data/generate.h"
#include "data/reader.h"
#include "model/predictor.h"
#include "monitor/json_text.h"
#include "monitor/model_monitor.h"
#include "serve/answers.h"
#include "serve/request.h"
#include "train/trainer.h"

namespace gyre {
namespace {

struct Fixture {
  std::unique_ptr<Predictor> predictor;
  std::string csv_path;
};

// Never destroyed: XGBoost's learner, freed at exit, would reach for thread-local state that
// is gone by then.
const Fixture& Model() {
  static const Fixture& f = *[] {
    auto* ptr = new Fixture;
    Fixture& out = *ptr;
    FraudOptions o;
    o.rows = 20000;
    out.csv_path = (std::filesystem::temp_directory_path() / "gyre-serve-bench.csv").string();
    if (!GenerateFraudCsv(o, out.csv_path, Env::Default()).ok()) std::abort();
    auto table = ReadTable(out.csv_path);
    if (!table.ok()) std::abort();
    TrainOptions t;
    t.label = "is_fraud";
    auto trained = TrainModel(*table, t);
    if (!trained.ok()) std::abort();
    auto p = Predictor::Load(trained->bundle.Serialize());
    if (!p.ok()) std::abort();
    out.predictor = std::move(*p);
    return ptr;
  }();
  return f;
}

// `rows` rows of the generated file as MLflow's dataframe_records, inputs only.
std::string RecordsBody(int rows) {
  const Signature& sig = Model().predictor->bundle().signature;
  auto table = ReadTable(Model().csv_path);
  if (!table.ok()) std::abort();
  std::vector<std::string> inputs = InputsJson(*table, sig);
  std::string body = "{\"dataframe_records\": [";
  for (int i = 0; i < rows; ++i) body += (i ? ", " : "") + inputs[static_cast<size_t>(i)];
  return body + "]}";
}

void BM_InvocationsRequest(benchmark::State& state) {
  const Predictor& predictor = *Model().predictor;
  const std::string body = RecordsBody(static_cast<int>(state.range(0)));
  const RecordText text(predictor.bundle().signature, predictor.bundle().task);
  for (auto _ : state) {
    auto parsed = serve::ParseInvocations(body, "application/json", predictor.bundle().signature);
    if (!parsed.ok()) std::abort();
    EncodeReport report;
    auto p = predictor.Predict(parsed->table, &report);
    if (!p.ok()) std::abort();
    std::vector<std::string> outputs = text.Outputs(*p);
    benchmark::DoNotOptimize(serve::MlflowAnswer(predictor.bundle().task, *p, outputs));
    benchmark::DoNotOptimize(text.Inputs(parsed->table));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_InvocationsRequest)->Arg(1)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Reading the body alone: MLflow's records into the signature's columns.
void BM_ParseInvocations(benchmark::State& state) {
  const Predictor& predictor = *Model().predictor;
  const std::string body = RecordsBody(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto parsed = serve::ParseInvocations(body, "application/json", predictor.bundle().signature);
    if (!parsed.ok()) std::abort();
    serve::RecycleTable(std::move(parsed->table));  // as the server does after a small request
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParseInvocations)->Arg(1)->Arg(1000)->Unit(benchmark::kMicrosecond);

// The model alone on already encoded rows.
void BM_PredictEncoded(benchmark::State& state) {
  const Predictor& predictor = *Model().predictor;
  const size_t width = predictor.bundle().signature.features.size();
  const int64_t rows = state.range(0);
  auto parsed = serve::ParseInvocations(RecordsBody(static_cast<int>(rows)), "application/json",
                                        predictor.bundle().signature);
  if (!parsed.ok()) std::abort();
  EncodeReport report;
  auto encoded = EncodeFeatures(parsed->table, predictor.bundle().signature, &report);
  if (!encoded.ok() || encoded->size() != width * static_cast<size_t>(rows)) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(predictor.PredictEncoded(encoded->data(), rows));
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_PredictEncoded)->Arg(1)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Writing the logged inputs' numbers: AppendJsonNumber (arg 1) against its peer std::to_chars
// (arg 0), which gives the same text, on the decimal columns of the generated file.
void BM_NumberText(benchmark::State& state) {
  static const std::vector<double> values = [] {
    auto table = ReadTable(Model().csv_path);
    if (!table.ok()) std::abort();
    std::vector<double> out;
    for (int c = 0; c < table->num_columns(); ++c)
      if (table->column(c).type() == ColumnType::kFloat64)
        out.insert(out.end(), table->column(c).doubles().begin(), table->column(c).doubles().end());
    return out;
  }();
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (double v : values) {
      if (state.range(0) == 1) {
        AppendJsonNumber(&out, v);
      } else {
        char buf[32];
        out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
      }
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * std::ssize(values));
}
BENCHMARK(BM_NumberText)->ArgName("shortcut")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gyre

BENCHMARK_MAIN();
