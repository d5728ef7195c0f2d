// A tree ensemble of an XGBoost model evaluated natively: the same trees, walked the way
// XGBoost 1.7's CPU predictor walks them, summed and transformed in the same float order, so
// the outputs are XGBoost's to the bit. A call costs no configuration parsing, no OpenMP
// region and no thread-local buffers, which is most of what XGBoost spends on a one-row
// prediction. Internal to model/ and train/ (as xgboost_util.h, which makes one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gyre {

class Forest {
 public:
  // From XGBoost's JSON model document (the bundle's UBJSON, decoded). Null when the model is
  // one this evaluator does not cover (a booster other than gbtree, categorical splits, an
  // objective other than binary:logistic, reg:logistic, multi:softprob or reg:squarederror,
  // or anything malformed): the caller then keeps using XGBoost.
  static std::unique_ptr<Forest> FromUbjson(const std::string& ubjson);
  static std::unique_ptr<Forest> FromJsonText(const std::string& json);

  size_t features() const { return features_; }
  size_t outputs_per_row() const { return groups_; }
  // `n` dense row-major rows of features() floats (NaN is missing) to `out`, which holds
  // n * outputs_per_row() values: what XGBoost's prediction (type "value") gives.
  void Predict(const float* rows, size_t n, float* out) const;
  // `n` rows (row-major) whose values sit on, just below and just above the trees' thresholds,
  // or are missing: rows that take both ways at many splits, for checking this evaluator
  // against XGBoost on the model itself.
  std::vector<float> ProbeRows(size_t n) const;

 private:
  friend struct ForestBuilder;
  enum class Transform { kIdentity, kSigmoid, kSoftmax };
  struct Node {
    float value;        // the split threshold; NaN at a leaf
    uint32_t feature;   // the split's input, and whether a missing value goes left
    int32_t left;       // the left child (the right one follows it); at a leaf, the node before
  };
  static constexpr uint32_t kDefaultLeft = 1u << 31;
  static constexpr uint32_t kFeature = kDefaultLeft - 1;

  template <size_t K, bool kMissing>
  void WalkRows(const Node* tree, int depth, const float* rows, size_t group, float* margins) const;
  template <size_t K, bool kMissing>
  void WalkTrees(size_t first, const float* row, float* margins) const;
  template <bool kMissing>
  void WalkAllTrees(const float* row, float* margins) const;
  static constexpr size_t kBlockRows = 64;  // rows that go down each tree together
  void PredictBlock(const float* rows, size_t n, float* margins) const;  // n <= kBlockRows

  std::vector<Node> nodes_;
  std::vector<float> leaf_values_;  // by node: a leaf's value (0 for splits)
  std::vector<uint32_t> roots_;   // the first node of each tree, in boosting order
  std::vector<int> depths_;       // each tree's deepest leaf, in splits from the root
  std::vector<uint32_t> groups_of_;  // the output (class) each tree adds to
  size_t features_ = 0;
  size_t groups_ = 1;
  float base_margin_ = 0;
  Transform transform_ = Transform::kIdentity;
};

}  // namespace gyre
