#include "model/features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace gyre {

int CategoryIndex(const FeatureSpec& spec, std::string_view value) {
  auto it = std::lower_bound(spec.categories.begin(), spec.categories.end(), value);
  if (it == spec.categories.end() || *it != value) return -1;
  return static_cast<int>(it - spec.categories.begin());
}

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
// Rows are encoded this many at a time, input by input, so that the block of the output
// being written stays in cache instead of one pass over the whole matrix per input.
constexpr size_t kBlockRows = 2048;
// Tables of this many rows or more are encoded on two threads.
constexpr size_t kTwoThreadRows = 65536;

// One signature input bound to its table column.
struct InputEncoder {
  const Column* col;
  const FeatureSpec* spec;
  // Category index per dictionary code, for string columns, found when a row first uses the
  // code: a dictionary may hold values no row of this table has (a served request's columns
  // are reused, dictionary and all).
  std::vector<int> category;
};

constexpr int kNotLookedUp = -2;

Result<InputEncoder> Bind(const Table& table, const FeatureSpec& spec, size_t inputs, int position) {
  const Column* col = table.Find(spec.name, position);
  if (col == nullptr) {
    return InvalidArgument("input column " + spec.name + " is missing (the model needs " + std::to_string(inputs) +
                               " input columns)",
                           {"", 0, 0, spec.name});
  }
  if (spec.type != ColumnType::kString && col->type() == ColumnType::kString) {
    return InvalidArgument("column " + spec.name + ": expected " + ColumnTypeName(spec.type) + " values, found text",
                           {"", 0, 0, spec.name});
  }
  InputEncoder e{col, &spec, {}};
  if (spec.type == ColumnType::kString && col->type() == ColumnType::kString)
    e.category.assign(col->dictionary().size(), kNotLookedUp);  // each distinct value looked up once
  return e;
}

// Writes input `offset` of output rows [begin, end); output row i is table row row_of(i).
template <typename RowOf>
void EncodeRange(InputEncoder& e, RowOf row_of, size_t begin, size_t end, size_t offset, size_t stride,
                 float* out, int64_t* unseen) {
  const Column& col = *e.col;
  const bool all_valid = col.null_count() == 0;
  auto put = [&](auto value_of) {
    for (size_t i = begin; i < end; ++i) {
      const int64_t r = row_of(i);
      out[i * stride + offset] = all_valid || col.IsValid(r) ? value_of(static_cast<size_t>(r)) : kMissing;
    }
  };
  auto category = [&](int index) {
    if (index >= 0) return static_cast<float>(index);
    ++*unseen;
    return kMissing;
  };
  if (e.spec->type == ColumnType::kString) {
    if (col.type() == ColumnType::kString) {
      put([&](size_t r) {
        const auto code = static_cast<size_t>(col.codes()[r]);
        if (e.category[code] == kNotLookedUp)
          e.category[code] = CategoryIndex(*e.spec, col.dictionary().Get(static_cast<int32_t>(code)));
        return category(e.category[code]);
      });
    } else {  // numbers or flags as categories: by their text
      put([&](size_t r) { return category(CategoryIndex(*e.spec, col.ValueToString(static_cast<int64_t>(r)))); });
    }
    return;
  }
  switch (col.type()) {
    case ColumnType::kInt64: put([&](size_t r) { return static_cast<float>(col.ints()[r]); }); break;
    case ColumnType::kFloat64: put([&](size_t r) { return static_cast<float>(col.doubles()[r]); }); break;
    case ColumnType::kBool: put([&](size_t r) { return static_cast<float>(col.bools()[r]); }); break;
    case ColumnType::kTimestamp:  // as seconds
      put([&](size_t r) { return static_cast<float>(static_cast<double>(col.ints()[r]) * 1e-6); });
      break;
    case ColumnType::kString: break;  // refused by Bind
  }
}

}  // namespace

Result<std::vector<float>> EncodeFeatures(const Table& table, const Signature& signature, EncodeReport* report,
                                          const std::vector<int64_t>* rows) {
  const size_t inputs = signature.features.size();
  std::vector<InputEncoder> encoders;
  encoders.reserve(inputs);
  for (const FeatureSpec& spec : signature.features) {
    ASSIGN_OR_RETURN(InputEncoder e, Bind(table, spec, inputs, static_cast<int>(encoders.size())));
    encoders.push_back(std::move(e));
  }
  const size_t n = rows ? rows->size() : static_cast<size_t>(table.num_rows());
  std::vector<float> out(n * inputs);
  auto encode = [&](std::vector<InputEncoder>& with, size_t from, size_t to, int64_t* unseen) {
    for (size_t begin = from; begin < to; begin += kBlockRows) {
      const size_t end = std::min(to, begin + kBlockRows);
      for (size_t i = 0; i < inputs; ++i) {
        if (rows) EncodeRange(with[i], [rows](size_t k) { return (*rows)[k]; }, begin, end, i, inputs, out.data(), unseen);
        else EncodeRange(with[i], [](size_t k) { return static_cast<int64_t>(k); }, begin, end, i, inputs, out.data(), unseen);
      }
    }
  };
  if (n < kTwoThreadRows) {  // a served request's rows: on its own thread
    encode(encoders, 0, n, &report->unseen_categories);
  } else {  // a training set or a batch: the second half on another thread, with its own caches
    const size_t half = n / 2 / kBlockRows * kBlockRows;
    std::vector<InputEncoder> second = encoders;
    int64_t second_unseen = 0;
    std::thread helper([&] { encode(second, half, n, &second_unseen); });
    encode(encoders, 0, half, &report->unseen_categories);
    helper.join();
    report->unseen_categories += second_unseen;
  }
  // The columns no input was bound to (Bind found each input's already) and not the label.
  std::vector<char> bound(static_cast<size_t>(table.num_columns()), 0);
  for (const InputEncoder& e : encoders) bound[static_cast<size_t>(e.col - &table.column(0))] = 1;
  for (int c = 0; c < table.num_columns(); ++c) {
    const std::string& name = table.column(c).name();
    if (!bound[static_cast<size_t>(c)] && name != signature.label) report->ignored_columns.push_back(name);
  }
  return out;
}

}  // namespace gyre
