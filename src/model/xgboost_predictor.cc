// The XGBoost backend of Predictor.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "model/forest.h"
#include "model/predictor.h"
#include "model/xgboost_util.h"

namespace gyre {
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
    // The trees evaluated natively when they can be, and only if they give XGBoost's very
    // bits on rows that probe the model's own thresholds; XGBoost answers otherwise.
    forest_ = Forest::FromUbjson(bundle_.model);
    if (forest_ && !ForestAgrees()) forest_.reset();
    return Status::OK();
  }

  bool ForestAgrees() const {
    constexpr size_t kProbes = 256;
    if (forest_->features() != bundle_.signature.features.size()) return false;
    const std::vector<float> rows = forest_->ProbeRows(kProbes);
    auto expected = PredictDense(booster_.get(), rows.data(), kProbes, forest_->features());
    if (!expected.ok() || expected->size() != kProbes * forest_->outputs_per_row()) return false;
    std::vector<float> got(expected->size());
    forest_->Predict(rows.data(), kProbes, got.data());
    return std::memcmp(got.data(), expected->data(), got.size() * sizeof(float)) == 0;
  }
  bool native() const override { return forest_ != nullptr; }
  const ModelBundle& bundle() const override { return bundle_; }

  Result<Predictions> Predict(const Table& table, EncodeReport* report) const override {
    ASSIGN_OR_RETURN(std::vector<float> data, EncodeFeatures(table, bundle_.signature, report));
    return PredictEncoded(data.data(), table.num_rows());
  }

  // Large batches are split over the cores (each part its own matrix and call: prediction is
  // thread-safe); small ones, the server's, stay on the caller's thread.
  Result<Predictions> PredictEncoded(const float* data, int64_t rows) const override {
    const int64_t parts = rows >= 50000 ? std::max<int64_t>(1, std::thread::hardware_concurrency()) : 1;
    if (parts == 1) return PredictPart(data, rows);
    const int64_t per = (rows + parts - 1) / parts;
    const size_t width = bundle_.signature.features.size();
    std::vector<Result<Predictions>> results(static_cast<size_t>(parts), Result<Predictions>(Predictions{}));
    std::vector<std::thread> threads;
    for (int64_t k = 0; k < parts; ++k) {
      int64_t begin = k * per, count = std::min(per, rows - begin);
      threads.emplace_back([&, k, begin, count] {
        results[static_cast<size_t>(k)] = PredictPart(data + static_cast<size_t>(begin) * width, std::max<int64_t>(count, 0));
      });
    }
    for (auto& t : threads) t.join();
    Predictions all;
    all.rows = rows;
    for (auto& r : results) {
      if (!r.ok()) return r.status();
      all.width = r->rows > 0 ? r->width : all.width;
      all.values.insert(all.values.end(), r->values.begin(), r->values.end());
      all.predicted_class.insert(all.predicted_class.end(), r->predicted_class.begin(), r->predicted_class.end());
    }
    return all;
  }

  Result<Predictions> PredictPart(const float* data, int64_t rows) const {
    Predictions p;
    p.rows = rows;
    if (rows == 0) return p;
    // In-place prediction reads the rows where they are, with no DMatrix to build: the same
    // trees give the same numbers, and a one-row request skips most of the per-call cost.
    if (forest_) {
      p.values.resize(static_cast<size_t>(rows) * forest_->outputs_per_row());
      forest_->Predict(data, static_cast<size_t>(rows), p.values.data());
    } else {
      ASSIGN_OR_RETURN(p.values, PredictDense(booster_.get(), data, static_cast<size_t>(rows),
                                              bundle_.signature.features.size()));
    }
    const size_t total = p.values.size();
    p.width = static_cast<int>(total / static_cast<size_t>(rows));
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
  std::unique_ptr<Forest> forest_;
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
