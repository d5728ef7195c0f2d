#include "model/forest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <type_traits>

namespace gyre {

using nlohmann::json;

struct ForestBuilder {
  // XGBoost writes its parameters as strings ("5E-1", "100"; older documents as numbers) and
  // reads its float ones as floats: so does this.
  template <typename T>
  static bool Param(const json& j, T* out) {
    if (j.is_number()) {
      *out = j.get<T>();
      return true;
    }
    if (!j.is_string()) return false;
    const std::string& s = j.get_ref<const std::string&>();
    char* end = nullptr;
    if constexpr (std::is_same_v<T, float>) *out = std::strtof(s.c_str(), &end);
    else *out = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
  }

  static bool Objective(const json& learner, Forest* f) {
    const json& obj = learner.at("objective").at("name");
    const std::string name = obj.get<std::string>();
    float base = 0.5f;
    if (learner.at("learner_model_param").contains("base_score") &&
        !Param(learner["learner_model_param"]["base_score"], &base))
      return false;
    if (name == "binary:logistic" || name == "reg:logistic") {
      if (!(base > 0.0f && base < 1.0f) || f->groups_ != 1) return false;
      f->transform_ = Forest::Transform::kSigmoid;
      f->base_margin_ = -logf(1.0f / base - 1.0f);  // the objective's ProbToMargin, in float
    } else if (name == "multi:softprob") {
      f->transform_ = Forest::Transform::kSoftmax;
      f->base_margin_ = base;
    } else if (name == "reg:squarederror") {
      if (f->groups_ != 1) return false;
      f->transform_ = Forest::Transform::kIdentity;
      f->base_margin_ = base;
    } else {
      return false;
    }
    return true;
  }

  // One tree's nodes, appended; false when it is not a plain numeric tree whose every node is
  // reached once from the root, with the right child next to the left (as XGBoost lays them
  // out and its predictor assumes).
  static bool Tree(const json& t, size_t features, Forest* f) {
    const json& left = t.at("left_children");
    const json& right = t.at("right_children");
    const json& index = t.at("split_indices");
    const json& cond = t.at("split_conditions");
    const json& dleft = t.at("default_left");
    const size_t n = left.size();
    if (n == 0 || right.size() != n || index.size() != n || cond.size() != n || dleft.size() != n) return false;
    if (t.contains("split_type"))
      for (const json& s : t["split_type"])
        if (s.get<int>() != 0) return false;  // a categorical split
    if (t.contains("categories_nodes") && !t["categories_nodes"].empty()) return false;
    const size_t base = f->nodes_.size();
    std::vector<char> leaf(n, 0);
    for (size_t i = 0; i < n; ++i) {
      // A leaf turns into itself whatever the row holds: a NaN threshold sends every value
      // right, missing ones too (no default left), and its "left child" is the node before it.
      Forest::Node node{NAN, 0, static_cast<int32_t>(i) - 1};
      float leaf_value = 0;
      const int32_t l = left[i].get<int32_t>(), r = right[i].get<int32_t>();
      if (l >= 0) {
        const int64_t feature = index[i].get<int64_t>();
        if (feature < 0 || static_cast<size_t>(feature) >= features) return false;
        if (r != l + 1 || static_cast<size_t>(r) >= n) return false;
        const bool goes_left = dleft[i].is_boolean() ? dleft[i].get<bool>() : dleft[i].get<int>() != 0;
        node.value = cond[i].get<float>();
        if (std::isnan(node.value)) return false;  // a split that sends all right: not XGBoost's
        node.feature = static_cast<uint32_t>(feature) | (goes_left ? Forest::kDefaultLeft : 0);
        node.left = l;
      } else {
        leaf[i] = 1;
        leaf_value = cond[i].get<float>();
      }
      f->nodes_.push_back(node);
      f->leaf_values_.push_back(leaf_value);
    }
    // Every node reached at most once: no cycles, so every walk ends at a leaf within the
    // tree's depth.
    std::vector<char> seen(n, 0);
    std::vector<std::pair<int32_t, int>> stack = {{0, 0}};
    int depth = 0;
    while (!stack.empty()) {
      const auto [k, d] = stack.back();
      stack.pop_back();
      if (seen[static_cast<size_t>(k)]++) return false;
      depth = std::max(depth, d);
      const Forest::Node& node = f->nodes_[base + static_cast<size_t>(k)];
      if (!leaf[static_cast<size_t>(k)]) {
        stack.push_back({node.left, d + 1});
        stack.push_back({node.left + 1, d + 1});
      }
    }
    f->roots_.push_back(static_cast<uint32_t>(base));
    f->depths_.push_back(depth);
    return true;
  }

  static std::unique_ptr<Forest> Build(const json& doc) {
    auto f = std::make_unique<Forest>();
    const json& learner = doc.at("learner");
    const json& booster = learner.at("gradient_booster");
    if (booster.at("name") != "gbtree") return nullptr;
    const json& param = learner.at("learner_model_param");
    double features = 0, classes = 0, targets = 1;
    if (!Param(param.at("num_feature"), &features) || !Param(param.at("num_class"), &classes)) return nullptr;
    if (param.contains("num_target") && !Param(param["num_target"], &targets)) return nullptr;
    if (features < 1 || features > 1e6 || classes < 0 || classes > 1e5 || targets != 1) return nullptr;
    f->features_ = static_cast<size_t>(features);
    f->groups_ = classes > 1 ? static_cast<size_t>(classes) : 1;
    if (!Objective(learner, f.get())) return nullptr;
    const json& model = booster.at("model");
    const json& trees = model.at("trees");
    const json& info = model.at("tree_info");
    if (info.size() != trees.size()) return nullptr;
    for (size_t i = 0; i < trees.size(); ++i) {
      const int64_t group = info[i].get<int64_t>();
      if (group < 0 || static_cast<size_t>(group) >= f->groups_) return nullptr;
      if (!Tree(trees[i], f->features_, f.get())) return nullptr;
      f->groups_of_.push_back(static_cast<uint32_t>(group));
    }
    return f;
  }

  static std::unique_ptr<Forest> Guarded(const json& doc) {
    try {  // a document of another shape (a missing key, a wrong type) is simply not covered
      return Build(doc);
    } catch (const json::exception&) {
      return nullptr;
    }
  }
};

std::unique_ptr<Forest> Forest::FromUbjson(const std::string& ubjson) {
  json doc = json::from_ubjson(ubjson, /*strict=*/true, /*allow_exceptions=*/false);
  return doc.is_discarded() ? nullptr : ForestBuilder::Guarded(doc);
}

std::unique_ptr<Forest> Forest::FromJsonText(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return doc.is_discarded() ? nullptr : ForestBuilder::Guarded(doc);
}

// XGBoost's walk: a missing value follows the node's default, any other goes left when it is
// below the threshold (so infinities go to their side, and a NaN threshold sends all right).
// K rows go down the tree together, a level at a time, without branches: their walks overlap
// instead of each waiting on its own chain of loads, and a leaf stays where it is (see Tree).
template <size_t K, bool kMissing>
void Forest::WalkRows(const Node* tree, int depth, const float* rows, size_t group, float* margins) const {
  int32_t at[K] = {};
  for (int d = 0; d < depth; ++d)
    for (size_t k = 0; k < K; ++k) {
      const Node& node = tree[at[k]];
      const float v = rows[k * features_ + (node.feature & kFeature)];
      bool left = v < node.value;  // never at a leaf, whose value is NaN
      if constexpr (kMissing) left |= std::isnan(v) & ((node.feature & kDefaultLeft) != 0);
      at[k] = node.left + static_cast<int32_t>(!left);
    }
  const float* leaves = leaf_values_.data() + (tree - nodes_.data());
  for (size_t k = 0; k < K; ++k) margins[k * groups_ + group] += leaves[at[k]];
}

// One row down K trees together (the few-rows case: a served request), a level at a time, the
// leaves then added in boosting order. A row without missing values skips the test for them.
template <size_t K, bool kMissing>
void Forest::WalkTrees(size_t first, const float* row, float* margins) const {
  int32_t at[K];
  const Node* trees[K];
  int depth = 0;
  for (size_t k = 0; k < K; ++k) {
    trees[k] = nodes_.data() + roots_[first + k];
    at[k] = 0;
    depth = std::max(depth, depths_[first + k]);
  }
  for (int d = 0; d < depth; ++d)
    for (size_t k = 0; k < K; ++k) {
      const Node& node = trees[k][at[k]];
      const float v = row[node.feature & kFeature];
      bool left = v < node.value;  // never at a leaf, whose value is NaN
      if constexpr (kMissing) left |= std::isnan(v) & ((node.feature & kDefaultLeft) != 0);
      at[k] = node.left + static_cast<int32_t>(!left);
    }
  for (size_t k = 0; k < K; ++k) margins[groups_of_[first + k]] += leaf_values_[roots_[first + k] + at[k]];
}

// A row down every tree, in groups of trees as large as fit what is left.
template <bool kMissing>
void Forest::WalkAllTrees(const float* row, float* margins) const {
  const size_t n = roots_.size();
  size_t t = 0;
  for (; t + 8 <= n; t += 8) WalkTrees<8, kMissing>(t, row, margins);
  for (; t + 4 <= n; t += 4) WalkTrees<4, kMissing>(t, row, margins);
  for (; t < n; ++t) WalkTrees<1, kMissing>(t, row, margins);
}

// Tree by tree over a block of rows, so that each tree is read once per block; each row's sum
// still takes its trees in boosting order, in float, from the base margin, as XGBoost's does.
// Rows without missing values (by row, or by group of kLanes rows) skip the test for them.
void Forest::PredictBlock(const float* rows, size_t n, float* margins) const {
  constexpr size_t kLanes = 8;
  std::fill(margins, margins + n * groups_, base_margin_);
  auto any_missing = [this](const float* first, size_t count) {
    return std::any_of(first, first + count * features_, [](float v) { return std::isnan(v); });
  };
  if (n < kLanes) {
    for (size_t r = 0; r < n; ++r) {
      const float* row = rows + r * features_;
      if (any_missing(row, 1)) WalkAllTrees<true>(row, margins + r * groups_);
      else WalkAllTrees<false>(row, margins + r * groups_);
    }
    return;
  }
  std::array<bool, kBlockRows> missing;  // by group of kLanes rows, then by row of the rest
  size_t groups = 0;
  for (size_t r = 0; r < n; r += r + kLanes <= n ? kLanes : 1)
    missing[groups++] = any_missing(rows + r * features_, r + kLanes <= n ? kLanes : 1);
  for (size_t t = 0; t < roots_.size(); ++t) {
    const Node* tree = nodes_.data() + roots_[t];
    const size_t group = groups_of_[t];
    size_t r = 0, g = 0;
    for (; r + kLanes <= n; r += kLanes, ++g) {
      if (missing[g]) WalkRows<kLanes, true>(tree, depths_[t], rows + r * features_, group, margins + r * groups_);
      else WalkRows<kLanes, false>(tree, depths_[t], rows + r * features_, group, margins + r * groups_);
    }
    for (; r < n; ++r, ++g) {
      if (missing[g]) WalkRows<1, true>(tree, depths_[t], rows + r * features_, group, margins + r * groups_);
      else WalkRows<1, false>(tree, depths_[t], rows + r * features_, group, margins + r * groups_);
    }
  }
}

void Forest::Predict(const float* rows, size_t n, float* out) const {
  for (size_t begin = 0; begin < n; begin += kBlockRows)
    PredictBlock(rows + begin * features_, std::min(kBlockRows, n - begin), out + begin * groups_);
  const size_t total = n * groups_;
  switch (transform_) {
    case Transform::kIdentity: break;
    case Transform::kSigmoid:  // XGBoost's Sigmoid: the exponent capped, so it never overflows
      for (size_t i = 0; i < total; ++i) out[i] = 1.0f / (expf(std::min(-out[i], 88.7f)) + 1.0f + 1e-16f);
      break;
    case Transform::kSoftmax:  // XGBoost's Softmax: max in float, the sum in double
      for (size_t r = 0; r < n; ++r) {
        float* p = out + r * groups_;
        float wmax = p[0];
        for (size_t g = 1; g < groups_; ++g) wmax = fmaxf(p[g], wmax);
        double wsum = 0;
        for (size_t g = 0; g < groups_; ++g) {
          p[g] = expf(p[g] - wmax);
          wsum += p[g];
        }
        for (size_t g = 0; g < groups_; ++g) p[g] /= static_cast<float>(wsum);
      }
      break;
  }
}

std::vector<float> Forest::ProbeRows(size_t n) const {
  std::vector<std::vector<float>> thresholds(features_);
  for (const Node& node : nodes_)
    if (!std::isnan(node.value)) thresholds[node.feature & kFeature].push_back(node.value);  // a split
  for (auto& t : thresholds) {
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
  }
  std::vector<float> rows(n * features_);
  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < features_; ++c) {
      const std::vector<float>& t = thresholds[c];
      float v = t.empty() ? static_cast<float>(r % 3) : t[(r * 7 + c * 3) % t.size()];
      switch ((r + c) % 5) {
        case 1: v = std::nextafter(v, -INFINITY); break;
        case 2: v = std::nextafter(v, INFINITY); break;
        case 3: v = NAN; break;
        default: break;  // on the threshold: goes right
      }
      rows[r * features_ + c] = v;
    }
  return rows;
}

}  // namespace gyre
