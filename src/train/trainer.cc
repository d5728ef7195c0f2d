#include "train/trainer.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "model/features.h"
#include "model/forest.h"
#include "model/xgboost_util.h"
#include "train/metrics.h"

namespace gyre {
namespace {

using json = nlohmann::ordered_json;

// splitmix64: a seeded, platform-independent shuffle (std::shuffle's output is not portable).
struct SplitMix {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  void Shuffle(std::vector<size_t>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[Next() % i]);
  }
};

// The label as numbers XGBoost reads, the task, and the class names.
struct Labels {
  Task task = Task::kRegression;
  std::vector<float> y;  // per row; NaN when missing
  std::vector<std::string> classes;
};

// A number standing for a row's value, equal for equal values: the dictionary code, the
// integer, the double's bits.
uint64_t ValueKey(const Column& col, int64_t r) {
  const auto k = static_cast<size_t>(r);
  switch (col.type()) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp: return static_cast<uint64_t>(col.ints()[k]);
    case ColumnType::kFloat64: {
      uint64_t bits;
      std::memcpy(&bits, &col.doubles()[k], sizeof bits);
      return bits;
    }
    case ColumnType::kBool: return col.bools()[k];
    case ColumnType::kString: return static_cast<uint64_t>(col.codes()[k]);
  }
  return 0;
}

// The distinct values of a column as (key, a row holding it), stopping once there are more
// than `limit`.
std::unordered_map<uint64_t, int64_t> DistinctValues(const Column& col, size_t limit) {
  std::unordered_map<uint64_t, int64_t> first_row;
  uint64_t last = 0;  // labels repeat: most rows have the last row's value, found without hashing
  for (int64_t r = 0; r < col.size() && first_row.size() <= limit; ++r) {
    if (!col.IsValid(r)) continue;
    const uint64_t key = ValueKey(col, r);
    if (key != last || first_row.empty()) first_row.emplace(key, r);
    last = key;
  }
  return first_row;
}

// Classes are the distinct values' texts (numbers in numeric order). Each row's class is
// found by its value's key: only the distinct values are turned into text.
Result<Labels> EncodeLabels(const Column& col, std::optional<Task> wanted) {
  Labels l;
  const bool numeric = IsNumeric(col.type());
  // Without a task asked for, a numeric label with a third value is a regression.
  const size_t limit = numeric && !wanted ? 2 : std::numeric_limits<size_t>::max();
  const auto first_row = wanted == Task::kRegression ? std::unordered_map<uint64_t, int64_t>{}
                                                     : DistinctValues(col, limit);
  std::map<std::string, std::vector<uint64_t>> distinct;  // text -> keys (one unless texts collide)
  if (first_row.size() <= limit) {
    for (const auto& [key, row] : first_row) distinct[col.ValueToString(row)].push_back(key);
  }
  const bool zero_one = numeric && first_row.size() <= 2 &&
                        std::all_of(distinct.begin(), distinct.end(), [](const auto& d) { return d.first == "0" || d.first == "1"; });
  l.task = wanted ? *wanted : (!numeric ? (distinct.size() == 2 ? Task::kBinary : Task::kMulticlass)
                                        : (zero_one ? Task::kBinary : Task::kRegression));
  l.y.assign(static_cast<size_t>(col.size()), NAN);
  if (l.task == Task::kRegression) {
    if (!numeric) return InvalidArgument("label " + col.name() + " is text: a regression label must be a number");
    for (int64_t r = 0; r < col.size(); ++r) {
      if (col.IsValid(r)) l.y[static_cast<size_t>(r)] = static_cast<float>(col.NumberAt(r));
    }
    return l;
  }
  for (const auto& d : distinct) l.classes.push_back(d.first);
  if (numeric && !zero_one) {  // integer classes in numeric order
    std::sort(l.classes.begin(), l.classes.end(), [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
  }
  if (l.task == Task::kBinary && l.classes.size() != 2) {
    return InvalidArgument("label " + col.name() + " has " + std::to_string(l.classes.size()) +
                           " classes: binary classification needs exactly 2");
  }
  if (l.classes.size() < 2) return InvalidArgument("label " + col.name() + " has fewer than 2 classes");
  std::unordered_map<uint64_t, float> class_of;
  for (size_t c = 0; c < l.classes.size(); ++c) {
    for (uint64_t key : distinct[l.classes[c]]) class_of[key] = static_cast<float>(c);
  }
  uint64_t last_key = 0;
  float last_class = -1;
  for (int64_t r = 0; r < col.size(); ++r) {
    if (!col.IsValid(r)) continue;
    const uint64_t key = ValueKey(col, r);
    if (key != last_key || last_class < 0) last_class = class_of.at(key);
    last_key = key;
    l.y[static_cast<size_t>(r)] = last_class;
  }
  return l;
}

// An integer column whose values are all distinct. Identifiers usually ascend, which one pass
// shows; other columns usually repeat a value early, which a sorted sample shows.
bool Identifier(const Column& col) {
  if (col.type() != ColumnType::kInt64 || col.size() <= 100 || col.null_count() > 0) return false;
  const std::vector<int64_t>& v = col.ints();
  if (std::adjacent_find(v.begin(), v.end(), std::greater_equal<int64_t>()) == v.end()) return true;
  std::vector<int64_t> sorted(v.begin(), v.begin() + std::min<ptrdiff_t>(4096, std::ssize(v)));
  for (bool whole : {false, true}) {
    if (whole) sorted = v;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
  }
  return true;
}

Signature InferSignature(const Table& table, const TrainOptions& o, std::vector<std::string>* excluded) {
  Signature s;
  s.label = o.label;
  for (int c = 0; c < table.num_columns(); ++c) {
    const Column& col = table.column(c);
    if (col.name() == o.label) continue;
    if (std::find(o.exclude.begin(), o.exclude.end(), col.name()) != o.exclude.end()) {
      excluded->push_back(col.name() + " (asked)");
      continue;
    }
    if (col.type() == ColumnType::kTimestamp) {
      excluded->push_back(col.name() + " (a timestamp)");
      continue;
    }
    if (Identifier(col)) {
      excluded->push_back(col.name() + " (an identifier: every value distinct)");
      continue;
    }
    FeatureSpec f{col.name(), col.type(), {}};
    if (col.type() == ColumnType::kString) {
      std::set<std::string> cats;
      for (size_t k = 0; k < col.dictionary().size(); ++k) cats.emplace(col.dictionary().Get(static_cast<int32_t>(k)));
      f.categories.assign(cats.begin(), cats.end());
    }
    s.features.push_back(std::move(f));
  }
  return s;
}

// Holdout rows: the last `fraction` in `split_by` order, or a seeded (stratified) sample.
Result<std::vector<bool>> SplitRows(const Table& table, const Labels& labels, const TrainOptions& o) {
  const size_t n = labels.y.size();
  std::vector<bool> test(n, false);
  if (!o.split_by.empty()) {
    const Column* col = table.Find(o.split_by);
    if (col == nullptr) return InvalidArgument("--split-by " + o.split_by + ": no such column");
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return col->NumberAt(static_cast<int64_t>(a)) < col->NumberAt(static_cast<int64_t>(b));
    });
    auto first_test = static_cast<size_t>(std::llround(static_cast<double>(n) * (1 - o.test_fraction)));
    for (size_t i = first_test; i < n; ++i) test[order[i]] = true;
    return test;
  }
  SplitMix rng{o.seed * 0x2545F4914F6CDD1DULL + 7};
  std::map<float, std::vector<size_t>> strata;  // one stratum for regression
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(labels.y[i])) continue;  // unlabelled (or already held out): in no stratum
    strata[labels.task == Task::kRegression ? 0.0f : labels.y[i]].push_back(i);
  }
  for (auto& [label, rows] : strata) {
    rng.Shuffle(&rows);
    auto k = static_cast<size_t>(std::llround(static_cast<double>(rows.size()) * o.test_fraction));
    for (size_t i = 0; i < k; ++i) test[rows[i]] = true;
  }
  return test;
}

std::string Objective(const Labels& l) {
  switch (l.task) {
    case Task::kBinary: return "binary:logistic";
    case Task::kMulticlass: return "multi:softprob";
    case Task::kRegression: return "reg:squarederror";
  }
  return "";
}

// Small data trains faster on one thread: OpenMP's start-up and spinning cost more than the
// work, and cripple anything else running on the machine.
int Threads(size_t rows) {
  return rows < 50000 ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Status Configure(BoosterHandle b, const Labels& l, const TrainOptions& o, int threads,
                 std::map<std::string, std::string>* used) {
  std::map<std::string, std::string> p = {{"tree_method", "hist"}, {"max_depth", "6"}, {"eta", "0.3"},
                                          {"objective", Objective(l)}, {"seed", std::to_string(o.seed)},
                                          {"nthread", std::to_string(threads)}};
  if (l.task == Task::kMulticlass) p["num_class"] = std::to_string(l.classes.size());
  for (const auto& [k, v] : o.params) {
    if (k != "num_round" && k != "early_stopping_rounds") p[k] = v;
  }
  for (const auto& [k, v] : p) RETURN_IF_ERROR(XgbCheck(XGBoosterSetParam(b, k.c_str(), v.c_str()), ("parameter " + k).c_str()));
  *used = p;
  return Status::OK();
}

// Parses the value out of XGBoost's evaluation line "[12]\tvalid-logloss:0.1234".
Result<double> EvalValue(const char* line) {
  const char* colon = std::strrchr(line, ':');
  if (colon == nullptr) return Internal(std::string("xgboost: unexpected evaluation output: ") + line);
  return std::strtod(colon + 1, nullptr);
}

// Trains up to `rounds` rounds; with early stopping, stops once the validation metric has not
// improved for `patience` rounds and keeps the best rounds only (XGBoost's convention: the
// metric is the objective's default unless eval_metric is set; auc, aucpr, map and ndcg grow).
Status Boost(XgbBooster* booster, const XgbMatrix& train, const XgbMatrix* valid, int rounds, int patience,
             const std::string& eval_metric, int* best_rounds) {
  const bool maximize = eval_metric.rfind("auc", 0) == 0 || eval_metric.rfind("map", 0) == 0 ||
                        eval_metric.rfind("ndcg", 0) == 0;
  double best = 0;
  *best_rounds = rounds;
  for (int i = 0; i < rounds; ++i) {
    RETURN_IF_ERROR(XgbCheck(XGBoosterUpdateOneIter(booster->get(), i, train.get()), "training"));
    if (valid == nullptr) continue;
    DMatrixHandle sets[] = {valid->get()};
    const char* names[] = {"valid"};
    const char* line = nullptr;
    RETURN_IF_ERROR(XgbCheck(XGBoosterEvalOneIter(booster->get(), i, sets, names, 1, &line), "evaluating"));
    ASSIGN_OR_RETURN(double value, EvalValue(line));
    if (i == 0 || (maximize ? value > best : value < best)) {
      best = value;
      *best_rounds = i + 1;
    } else if (i + 1 - *best_rounds >= patience) {
      break;
    }
  }
  if (valid == nullptr) return Status::OK();
  BoosterHandle sliced = nullptr;
  RETURN_IF_ERROR(XgbCheck(XGBoosterSlice(booster->get(), 0, *best_rounds, 1, &sliced), "keeping the best rounds"));
  booster->Reset(sliced);
  return Status::OK();
}

// The rows of one part of the split: table row numbers, their inputs (row-major) and labels.
struct Part {
  std::vector<int64_t> rows;
  std::vector<float> x;
  std::vector<float> y;
};

// The labelled rows in their parts: trained on, held out for evaluation, and (with a
// validation share) set aside to decide when to stop. The holdout is drawn first and stays
// untouched; the validation share is drawn like it from the rest.
struct Parts {
  Part train, holdout, validating;
};

Result<Parts> SplitIntoParts(const Table& table, const Labels& labels, const TrainOptions& o, double validation) {
  ASSIGN_OR_RETURN(std::vector<bool> test, SplitRows(table, labels, o));
  std::vector<bool> valid(test.size(), false);
  if (validation > 0) {
    Labels train_only = labels;
    for (size_t i = 0; i < test.size(); ++i) {
      if (test[i]) train_only.y[i] = NAN;
    }
    TrainOptions vo = o;
    vo.seed = o.seed + 1;
    vo.split_by.clear();
    vo.test_fraction = validation;
    ASSIGN_OR_RETURN(valid, SplitRows(table, train_only, vo));
  }
  Parts p;
  for (size_t i = 0; i < labels.y.size(); ++i) {
    if (std::isnan(labels.y[i])) continue;  // rows without a label teach nothing
    Part& part = test[i] ? p.holdout : (valid[i] ? p.validating : p.train);
    part.rows.push_back(static_cast<int64_t>(i));
    part.y.push_back(labels.y[i]);
  }
  return p;
}

Result<std::map<std::string, double>> Evaluate(const Labels& l, const std::vector<float>& y, const std::vector<float>& p) {
  return EvaluateTask(l.task, static_cast<int>(l.classes.size()), y, p);
}

Result<std::vector<std::pair<std::string, double>>> Importance(BoosterHandle b, const Signature& s) {
  bst_ulong n = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  RETURN_IF_ERROR(XgbCheck(XGBoosterFeatureScore(b, R"({"importance_type": "total_gain"})", &n, &names, &dim, &shape, &scores),
                           "feature importance"));
  std::vector<std::pair<std::string, double>> out;
  for (bst_ulong i = 0; i < n; ++i) {
    std::string name = names[i];  // "f<index>" (no names were given to XGBoost)
    size_t index = name.size() > 1 && name[0] == 'f' ? std::stoul(name.substr(1)) : s.features.size();
    if (index < s.features.size()) out.emplace_back(s.features[index].name, scores[i]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace

Result<TrainResult> TrainModel(const Table& table, const TrainOptions& o) {
  const Column* label_col = table.Find(o.label);
  if (label_col == nullptr) return InvalidArgument("label " + o.label + ": no such column", {"", 0, 0, o.label});
  if (!(o.test_fraction > 0 && o.test_fraction < 1)) return InvalidArgument("the test fraction must be in (0, 1)");
  int rounds = 100, patience = 0;
  if (auto it = o.params.find("num_round"); it != o.params.end()) {
    rounds = std::atoi(it->second.c_str());
    if (rounds < 1) return InvalidArgument("num_round must be a positive integer, got " + it->second);
  }
  if (auto it = o.params.find("early_stopping_rounds"); it != o.params.end()) {
    patience = std::atoi(it->second.c_str());
    if (patience < 1) return InvalidArgument("early_stopping_rounds must be a positive integer, got " + it->second);
  }
  TrainResult r;
  ASSIGN_OR_RETURN(Labels labels, EncodeLabels(*label_col, o.task));
  Signature sig = InferSignature(table, o, &r.excluded);
  sig.classes = labels.classes;
  if (sig.features.empty()) return InvalidArgument("no input columns are left to train on");
  const double validation = o.validation_fraction > 0 ? o.validation_fraction : (patience > 0 ? 0.1 : 0.0);
  r.validation_fraction = validation;
  ASSIGN_OR_RETURN(Parts parts, SplitIntoParts(table, labels, o, validation));
  Part& train = parts.train;
  Part& holdout = parts.holdout;
  Part& validating = parts.validating;
  r.train_rows = std::ssize(train.y);
  r.test_rows = std::ssize(holdout.y);
  if (train.y.empty() || holdout.y.empty()) return InvalidArgument("too few labelled rows to hold some out for evaluation");
  if (validation > 0 && validating.y.empty()) return InvalidArgument("too few training rows to set a validation share aside");
  const size_t k = sig.features.size();
  EncodeReport report;
  for (Part* part : {&train, &holdout, &validating}) {
    ASSIGN_OR_RETURN(part->x, EncodeFeatures(table, sig, &report, &part->rows));
  }
  const int threads = Threads(labels.y.size());
  XgbMatrix dtrain, dvalid;
  RETURN_IF_ERROR(dtrain.Create(train.x.data(), train.y.size(), k, threads));
  RETURN_IF_ERROR(XgbCheck(XGDMatrixSetFloatInfo(dtrain.get(), "label", train.y.data(), train.y.size()), "setting labels"));
  if (validation > 0) {
    RETURN_IF_ERROR(dvalid.Create(validating.x.data(), validating.y.size(), k, threads));
    RETURN_IF_ERROR(XgbCheck(XGDMatrixSetFloatInfo(dvalid.get(), "label", validating.y.data(), validating.y.size()), "setting labels"));
  }
  XgbBooster booster;
  RETURN_IF_ERROR(booster.Create({dtrain.get()}));
  std::map<std::string, std::string> used;
  RETURN_IF_ERROR(Configure(booster.get(), labels, o, threads, &used));
  int best_rounds = rounds;
  RETURN_IF_ERROR(Boost(&booster, dtrain, patience > 0 ? &dvalid : nullptr, rounds, patience,
                        o.params.count("eval_metric") ? o.params.at("eval_metric") : "", &best_rounds));
  r.best_rounds = best_rounds;
  bst_ulong len = 0;
  const char* bytes = nullptr;
  RETURN_IF_ERROR(XgbCheck(XGBoosterSaveModelToBuffer(booster.get(), R"({"format": "ubj"})", &len, &bytes), "saving"));
  r.bundle.model.assign(bytes, len);
  // The holdout (and validation rows) predicted as a served model predicts them: by the
  // native trees when they give XGBoost's bits, on both cores.
  const std::unique_ptr<Forest> forest = CheckedForest(booster.get(), r.bundle.model, k);
  ASSIGN_OR_RETURN(std::vector<float> p, PredictRows(booster.get(), forest.get(), holdout.x.data(), holdout.y.size(), k));
  r.holdout_width = static_cast<int>(p.size() / holdout.y.size());
  r.holdout_outputs = std::move(p);
  r.holdout_labels = std::move(holdout.y);
  r.bundle.task = labels.task;
  r.bundle.signature = std::move(sig);
  if (o.on_holdout) o.on_holdout(r);
  ASSIGN_OR_RETURN(r.metrics, Evaluate(labels, r.holdout_labels, r.holdout_outputs));
  if (validation > 0) {
    ASSIGN_OR_RETURN(std::vector<float> pv,
                     PredictRows(booster.get(), forest.get(), validating.x.data(), validating.y.size(), k));
    ASSIGN_OR_RETURN(r.validation_metrics, Evaluate(labels, validating.y, pv));
  }
  ASSIGN_OR_RETURN(r.importance, Importance(booster.get(), r.bundle.signature));
  json metrics = json::object(), params = json::object();
  for (const auto& [key, v] : r.metrics) metrics[key] = v;
  used["num_round"] = std::to_string(rounds);
  if (patience > 0) used["early_stopping_rounds"] = std::to_string(patience);
  used.erase("nthread");  // how many threads does not change the model, so it does not belong in it
  for (const auto& [key, v] : used) params[key] = v;
  r.bundle.metrics_json = metrics.dump();
  r.bundle.params_json = params.dump();
  return r;
}

std::vector<std::string> InputColumns(const Table& table, const TrainOptions& o) {
  std::vector<std::string> excluded, names;
  for (const FeatureSpec& f : InferSignature(table, o, &excluded).features) names.push_back(f.name);
  return names;
}

Result<std::vector<bool>> HoldoutRows(const Table& table, const TrainOptions& o) {
  const Column* label_col = table.Find(o.label);
  if (label_col == nullptr) return InvalidArgument("label " + o.label + ": no such column", {"", 0, 0, o.label});
  ASSIGN_OR_RETURN(Labels labels, EncodeLabels(*label_col, o.task));
  ASSIGN_OR_RETURN(std::vector<bool> test, SplitRows(table, labels, o));
  for (size_t i = 0; i < test.size(); ++i) {
    if (std::isnan(labels.y[i])) test[i] = false;  // TrainModel evaluates labelled rows only
  }
  return test;
}

}  // namespace gyre
