// Sorting numbers fast: statistics and drift tests sort whole columns.
#pragma once

#include <cstdint>
#include <span>

namespace gyre {

// Sort ascending with an LSD radix sort (NaN must not be present).
void RadixSortDoubles(std::span<double> values);
void RadixSortInts(std::span<int64_t> values);

}  // namespace gyre
