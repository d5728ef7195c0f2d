#include "model/features.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gyre {

int CategoryIndex(const FeatureSpec& spec, std::string_view value) {
  auto it = std::lower_bound(spec.categories.begin(), spec.categories.end(), value);
  if (it == spec.categories.end() || *it != value) return -1;
  return static_cast<int>(it - spec.categories.begin());
}

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// Writes one input column into every row of `out` (stride = number of inputs).
Status EncodeColumn(const Column& col, const FeatureSpec& spec, size_t offset, size_t stride, float* out,
                    EncodeReport* report) {
  const int64_t n = col.size();
  if (spec.type == ColumnType::kString) {
    // A category column: look each distinct value up once.
    std::vector<int> index;
    if (col.type() == ColumnType::kString) {
      index.resize(col.dictionary().size());
      for (size_t k = 0; k < index.size(); ++k) index[k] = CategoryIndex(spec, col.dictionary().Get(static_cast<int32_t>(k)));
    }
    for (int64_t r = 0; r < n; ++r) {
      float v = kMissing;
      if (col.IsValid(r)) {
        int i = col.type() == ColumnType::kString ? index[static_cast<size_t>(col.codes()[static_cast<size_t>(r)])]
                                                  : CategoryIndex(spec, col.ValueToString(r));
        if (i < 0) ++report->unseen_categories;
        else v = static_cast<float>(i);
      }
      out[static_cast<size_t>(r) * stride + offset] = v;
    }
    return Status::OK();
  }
  if (col.type() == ColumnType::kString) {
    return InvalidArgument("column " + spec.name + ": expected " + ColumnTypeName(spec.type) + " values, found text",
                           {"", 0, 0, spec.name});
  }
  const double scale = col.type() == ColumnType::kTimestamp ? 1e-6 : 1.0;  // timestamps as seconds
  for (int64_t r = 0; r < n; ++r) {
    out[static_cast<size_t>(r) * stride + offset] =
        col.IsValid(r) ? static_cast<float>(col.NumberAt(r) * scale) : kMissing;
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<float>> EncodeFeatures(const Table& table, const Signature& signature, EncodeReport* report) {
  const size_t inputs = signature.features.size();
  std::vector<float> out(static_cast<size_t>(table.num_rows()) * inputs);
  for (size_t i = 0; i < inputs; ++i) {
    const FeatureSpec& spec = signature.features[i];
    const Column* col = table.Find(spec.name);
    if (col == nullptr) {
      return InvalidArgument("input column " + spec.name + " is missing (the model needs " + std::to_string(inputs) +
                                 " input columns)",
                             {"", 0, 0, spec.name});
    }
    RETURN_IF_ERROR(EncodeColumn(*col, spec, i, inputs, out.data(), report));
  }
  for (int c = 0; c < table.num_columns(); ++c) {
    const std::string& name = table.column(c).name();
    bool used = name == signature.label || std::any_of(signature.features.begin(), signature.features.end(),
                                                       [&](const FeatureSpec& f) { return f.name == name; });
    if (!used) report->ignored_columns.push_back(name);
  }
  return out;
}

}  // namespace gyre
