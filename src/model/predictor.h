// Loads a model bundle once and predicts many rows. Predict is safe to call from many threads
// at once (the model server depends on it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"
#include "model/features.h"

namespace gyre {

struct Predictions {
  int64_t rows = 0;
  // Binary: the probability of the second class per row. Multiclass: `classes` probabilities
  // per row. Regression: the value per row.
  std::vector<float> values;
  int width = 1;                    // values per row
  std::vector<int> predicted_class;  // classifiers: the class index per row
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  static Result<std::unique_ptr<Predictor>> Load(const std::string& bundle_bytes);
  virtual const ModelBundle& bundle() const = 0;
  virtual Result<Predictions> Predict(const Table& table, EncodeReport* report) const = 0;
  // From an already encoded row-major matrix (`rows` x the signature's inputs).
  virtual Result<Predictions> PredictEncoded(const float* data, int64_t rows) const = 0;
  // Whether the trees are evaluated natively (model/forest.h) rather than by XGBoost's
  // predictor; the answers are the same either way.
  virtual bool native() const = 0;
};

}  // namespace gyre
