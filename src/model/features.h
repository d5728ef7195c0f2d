// Turning a table into the float matrix a model reads, by the model's signature.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"

namespace gyre {

struct EncodeReport {
  int64_t unseen_categories = 0;             // read as missing
  std::vector<std::string> ignored_columns;  // in the table, not in the signature
};

// Row-major, one column per signature input; missing values are NaN. One row per table row,
// or per entry of `rows` (table row numbers, in that order). A signature input absent from
// the table, or text where numbers are expected, is an InvalidArgument naming the column.
Result<std::vector<float>> EncodeFeatures(const Table& table, const Signature& signature, EncodeReport* report,
                                          const std::vector<int64_t>* rows = nullptr);

// The value of a string column's row as a category index, or -1 when it is not one of them.
int CategoryIndex(const FeatureSpec& spec, std::string_view value);

}  // namespace gyre
