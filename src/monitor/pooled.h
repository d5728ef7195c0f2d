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

// The tests on a pair pooled once (drift runs several tests on each column pair).
TestResult KsTest(const Pooled& pooled);
// The integral of |U - V|^power between the two ECDFs (scipy's _cdf_distance).
double CdfDistance(const Pooled& pooled, int power);
// Evidently's normaliser of the Wasserstein distance: max(population std, 0.001).
double PopulationStdFloor(const NumericSample& reference);
// Evidently's binning: a bin per distinct value when `by_value`, else Sturges bins.
BinnedShares BinPooled(const Pooled& pooled, bool by_value, bool fill_zeroes);

}  // namespace gyre
