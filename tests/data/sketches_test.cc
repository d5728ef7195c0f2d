#include "data/sketches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace gyre {
namespace {

TEST(RadixSortTest, SortsLikeStdSortIncludingNegativesAndInfinities) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1e6);
  std::vector<double> v(20000);
  for (auto& x : v) x = normal(rng);
  v[10] = INFINITY;
  v[11] = -INFINITY;
  v[12] = 0.0;
  v[13] = -0.0;
  v[14] = 5e-324;
  std::vector<double> expected = v;
  std::sort(expected.begin(), expected.end());
  RadixSortDoubles(v);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], expected[i]) << i;
}

// Values with few decimals take the counting-sort path; the result must be the same doubles.
TEST(RadixSortTest, DecimalValuesSortExactly) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0, 50);
  std::vector<double> v(50000);
  for (auto& x : v) x = std::round(normal(rng) * 100) / 100;  // two decimals, as read from text
  v[0] = 0.1;
  v[1] = -0.0;
  std::vector<double> expected = v;
  std::sort(expected.begin(), expected.end());
  RadixSortDoubles(v);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], expected[i]) << i;
}

TEST(RadixSortTest, IntsIncludingWholeSecondTimestampsAndExtremes) {
  std::mt19937_64 rng(5);
  for (int pattern = 0; pattern < 3; ++pattern) {
    std::vector<int64_t> v(20000);
    for (auto& x : v) {
      uint64_t r = rng();
      x = pattern == 0 ? 1790812800000000 + static_cast<int64_t>(r % 2592000) * 1000000  // seconds
          : pattern == 1 ? static_cast<int64_t>(r % 100)                                   // counts
                         : static_cast<int64_t>(r);                                        // anything
    }
    if (pattern == 2) {
      v[0] = std::numeric_limits<int64_t>::min();
      v[1] = std::numeric_limits<int64_t>::max();
    }
    std::vector<int64_t> expected = v;
    std::sort(expected.begin(), expected.end());
    RadixSortInts(v);
    ASSERT_EQ(v, expected) << "pattern " << pattern;
  }
}

TEST(HyperLogLogTest, EstimatesWithinItsErrorBound) {
  for (int64_t n : {100, 10000, 1000000}) {
    HyperLogLog h;
    for (int64_t i = 0; i < n; ++i) h.AddHash(HashU64(static_cast<uint64_t>(i)));
    double err = std::fabs(static_cast<double>(h.Estimate()) - static_cast<double>(n)) / static_cast<double>(n);
    EXPECT_LT(err, 0.03) << n;  // about four standard errors
  }
}

// KLL's documented bound: the normalized rank error of any quantile stays under 0.3%; and the
// retained items' weights add up to the number of values seen.
void ExpectWithinBound(const KllSketch& k, std::vector<double>* all) {
  std::sort(all->begin(), all->end());
  const auto n = static_cast<double>(all->size());
  for (double q : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
    double v = k.Quantile(q);
    double rank = static_cast<double>(std::lower_bound(all->begin(), all->end(), v) - all->begin()) / n;
    EXPECT_NEAR(rank, q, 0.003) << q;
  }
  uint64_t weight = 0;
  for (const auto& item : k.WeightedItems()) weight += item.second;
  EXPECT_EQ(weight, all->size());
}

// KLL's documented bound: the normalized rank error of any quantile stays under 0.3%.
TEST(KllSketchTest, QuantileRankErrorWithinBound) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(3, 1);
  const int n = 1000000;
  std::vector<double> all(n);
  KllSketch k;
  for (auto& x : all) {
    x = dist(rng);
    k.Add(x);
  }
  ExpectWithinBound(k, &all);
}

// Chunks added as batches (how the profile feeds it) keep the same bound.
TEST(KllSketchTest, BatchesKeepTheBound) {
  std::mt19937_64 rng(13);
  std::normal_distribution<double> dist(100, 15);
  const int n = 1000000;
  std::vector<double> all(n);
  for (auto& x : all) x = dist(rng);
  KllSketch k;
  for (int i = 0; i < n; i += 16384) {
    k.AddBatch(std::vector<double>(all.begin() + i, all.begin() + std::min(n, i + 16384)));
  }
  EXPECT_EQ(k.count(), n);
  ExpectWithinBound(k, &all);
}

// Sketches of two halves, merged, answer for the whole.
TEST(KllSketchTest, MergedHalvesKeepTheBound) {
  std::mt19937_64 rng(17);
  std::exponential_distribution<double> dist(0.5);
  const int n = 400000;
  std::vector<double> all(n);
  KllSketch left, right;
  for (int i = 0; i < n; ++i) {
    all[i] = dist(rng);
    (i % 2 ? left : right).Add(all[i]);
  }
  left.Merge(right);
  EXPECT_EQ(left.count(), n);
  ExpectWithinBound(left, &all);
}

TEST(HyperLogLogTest, MergeEqualsOneSketchOfEverything) {
  HyperLogLog a, b, all;
  for (uint64_t i = 0; i < 50000; ++i) {
    (i % 3 ? a : b).AddHash(HashU64(i));
    all.AddHash(HashU64(i));
  }
  a.Merge(b);
  EXPECT_EQ(a.Estimate(), all.Estimate());
}

}  // namespace
}  // namespace gyre
