// The union of two samples' distinct values with each side's count, the common ground of the
// rank and ECDF tests. Internal to monitor/.
#pragma once

#include <cstdint>
#include <vector>

#include "monitor/stattests.h"

namespace gyre {

struct Pooled {
  std::vector<double> values;  // ascending, distinct
  std::vector<int64_t> ref;    // occurrences in the reference sample
  std::vector<int64_t> cur;    // occurrences in the current sample
  int64_t n_ref = 0, n_cur = 0;

  static Pooled Of(const NumericSample& reference, const NumericSample& current);
};

}  // namespace gyre
