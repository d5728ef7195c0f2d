// The XGBoost backend of Predictor, and the prediction helpers of xgboost_util.h it shares with
// the trainer.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "model/forest.h"
#include "model/predictor.h"
#include "model/xgboost_util.h"

namespace gyre {

std::unique_ptr<Forest> CheckedForest(BoosterHandle booster, const std::string& ubjson, size_t features) {
  constexpr size_t kProbes = 256;
  std::unique_ptr<Forest> forest = Forest::FromUbjson(ubjson);
  if (!forest || forest->features() != features) return nullptr;
  const std::vector<float> rows = forest->ProbeRows(kProbes);
  auto expected = PredictDense(booster, rows.data(), kProbes, features);
  if (!expected.ok() || expected->size() != kProbes * forest->outputs_per_row()) return nullptr;
  std::vector<float> got(expected->size());
  forest->Predict(rows.data(), kProbes, got.data());
  if (std::memcmp(got.data(), expected->data(), got.size() * sizeof(float)) != 0) return nullptr;
  return forest;
}

// Large batches are split over the cores (prediction is thread-safe either way); small ones, a
// served request's, stay on the caller's thread.
Result<std::vector<float>> PredictRows(BoosterHandle booster, const Forest* forest, const float* data, size_t rows,
                                       size_t cols) {
  static const size_t cores = std::max(1u, std::thread::hardware_concurrency());  // glibc reads /sys for it
  const size_t parts = rows >= 50000 ? cores : 1;
  const size_t per = (rows + parts - 1) / parts;
  std::vector<Result<std::vector<float>>> results(parts, Result<std::vector<float>>(std::vector<float>{}));
  auto part = [&](size_t k) {
    const size_t begin = std::min(rows, k * per), count = std::min(per, rows - begin);
    const float* at = data + begin * cols;
    if (forest == nullptr) {
      results[k] = PredictDense(booster, at, count, cols);
    } else {
      std::vector<float> out(count * forest->outputs_per_row());
      forest->Predict(at, count, out.data());
      results[k] = std::move(out);
    }
  };
  if (parts == 1) {
    part(0);
    return std::move(results[0]);
  }
  std::vector<std::thread> threads;
  for (size_t k = 0; k < parts; ++k) threads.emplace_back(part, k);
  for (auto& t : threads) t.join();
  std::vector<float> all;
  for (auto& r : results) {
    if (!r.ok()) return r.status();
    all.insert(all.end(), r->begin(), r->end());
  }
  return all;
}

namespace {

class XgboostPredictor : public Predictor {
 public:
  explicit XgboostPredictor(ModelBundle bundle) : bundle_(std::move(bundle)) {}

  Status Init() {
    RETURN_IF_ERROR(booster_.Create({}));
    RETURN_IF_ERROR(XgbCheck(XGBoosterLoadModelFromBuffer(booster_.get(), bundle_.model.data(), bundle_.model.size()),
                             "loading the model"));
    // One thread per prediction call: the server runs many calls at once.
    RETURN_IF_ERROR(XgbCheck(XGBoosterSetParam(booster_.get(), "nthread", "1"), "setting nthread"));
    forest_ = CheckedForest(booster_.get(), bundle_.model, bundle_.signature.features.size());
    return Status::OK();
  }

  bool native() const override { return forest_ != nullptr; }
  const ModelBundle& bundle() const override { return bundle_; }

  Result<Predictions> Predict(const Table& table, EncodeReport* report) const override {
    ASSIGN_OR_RETURN(std::vector<float> data, EncodeFeatures(table, bundle_.signature, report));
    return PredictEncoded(data.data(), table.num_rows());
  }

  Result<Predictions> PredictEncoded(const float* data, int64_t rows) const override {
    Predictions p;
    p.rows = rows;
    if (rows == 0) return p;
    ASSIGN_OR_RETURN(p.values, PredictRows(booster_.get(), forest_.get(), data, static_cast<size_t>(rows),
                                           bundle_.signature.features.size()));
    p.width = static_cast<int>(p.values.size() / static_cast<size_t>(rows));
    if (bundle_.task == Task::kBinary) {
      for (float v : p.values) p.predicted_class.push_back(v >= 0.5f ? 1 : 0);
    } else if (bundle_.task == Task::kMulticlass) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* row = &p.values[static_cast<size_t>(r * p.width)];
        p.predicted_class.push_back(static_cast<int>(std::max_element(row, row + p.width) - row));
      }
    }
    return p;
  }

 private:
  ModelBundle bundle_;
  XgbBooster booster_;
  std::unique_ptr<Forest> forest_;  // the trees evaluated natively, when they give XGBoost's bits
};

}  // namespace

Result<std::unique_ptr<Predictor>> Predictor::Load(const std::string& bundle_bytes) {
  ASSIGN_OR_RETURN(ModelBundle bundle, ModelBundle::Parse(bundle_bytes));
  if (bundle.backend != "xgboost") return InvalidArgument("unknown model backend \"" + bundle.backend + "\"");
  auto p = std::make_unique<XgboostPredictor>(std::move(bundle));
  RETURN_IF_ERROR(p->Init());
  return std::unique_ptr<Predictor>(std::move(p));
}

}  // namespace gyre
