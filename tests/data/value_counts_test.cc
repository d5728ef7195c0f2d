// ValueCounts: what it counts comes back as exactly the values added, sorted; what it cannot
// count leaves it unchanged.
#include "data/value_counts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "data/text_parse.h"

namespace gyre {
namespace {

// Decimals of `places` places as the CSV reader parses them from their text.
std::vector<double> ParsedDecimals(std::mt19937_64& rng, int n, double lo, double hi, int places) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", places, u(rng));
    double v;
    EXPECT_TRUE(ParseDouble(text, &v)) << text;
    out.push_back(v);
  }
  return out;
}

template <typename T>
void ExpectSameBits(std::vector<T> want, const std::vector<T>& got) {
  std::sort(want.begin(), want.end());
  for (auto& v : want) {
    if (v == 0) v = 0;  // -0.0 is counted as 0.0
  }
  ASSERT_EQ(want.size(), got.size());
  EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(T)), 0);
}

TEST(ValueCountsTest, DecimalsGainingPlacesAndRangeComeBackSorted) {
  std::mt19937_64 rng(3);
  ValueCounts counts;
  std::vector<double> all;
  // One place, then three (a rescale), then a range widening upwards and downwards.
  for (auto [lo, hi, places] : {std::tuple{0.0, 10.0, 1}, {0.0, 10.0, 3}, {5.0, 40.0, 2}, {-30.0, 0.0, 3}}) {
    auto chunk = ParsedDecimals(rng, 3000, lo, hi, places);
    ASSERT_TRUE(counts.Add(chunk, 1 << 20));
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
  EXPECT_EQ(counts.total(), 12000);
  EXPECT_EQ(counts.Value(counts.MinKey()), *std::min_element(all.begin(), all.end()));
  EXPECT_EQ(counts.Value(counts.MaxKey()), *std::max_element(all.begin(), all.end()));
  long double exact = 0;
  for (double v : all) exact += v;
  EXPECT_NEAR(counts.Sum(), static_cast<double>(exact), 1e-12 * std::fabs(static_cast<double>(exact)));
  std::vector<double> drained;
  counts.Drain(&drained);
  ExpectSameBits(all, drained);
  EXPECT_EQ(counts.total(), 0);
}

TEST(ValueCountsTest, IntegersInStepsThenFinerComeBackSorted) {
  ValueCounts counts;
  std::vector<int64_t> seconds;  // microseconds of whole seconds: steps of 10^6
  for (int64_t i = 0; i < 5000; ++i) seconds.push_back(1'790'000'000'000'000 + (i * 7919 % 5000) * 1'000'000);
  ASSERT_TRUE(counts.Add(seconds, 8192));
  EXPECT_EQ(counts.MaxKey() - counts.MinKey(), 4999);  // counted in seconds
  std::vector<int64_t> millis = {1'790'000'000'000'000 + 1000, -5'000};
  EXPECT_FALSE(counts.Add(millis, 8192)) << "milliseconds span 5e6 keys";
  EXPECT_EQ(counts.total(), 5000);
  millis.pop_back();
  ASSERT_TRUE(counts.Add(millis, 1 << 23));
  std::vector<int64_t> all = seconds;
  all.push_back(millis[0]);
  EXPECT_DOUBLE_EQ(counts.Sum(), [&] {
    long double s = 0;
    for (int64_t v : all) s += static_cast<long double>(v);
    return static_cast<double>(s);
  }());
  std::vector<int64_t> drained;
  counts.Drain(&drained);
  ExpectSameBits(all, drained);
}

TEST(ValueCountsTest, WhatDoesNotFitLeavesTheCountsUnchanged) {
  ValueCounts counts;
  ASSERT_TRUE(counts.Add(std::vector<double>{1.5, 2.25, -0.0}, 1000));
  const std::vector<std::vector<double>> refused = {
      {1.0, INFINITY}, {std::nan("")}, {1e9}, {0.1234567}, {1.0, 50.0}, {1.0 / 3}};
  for (const auto& values : refused) {
    EXPECT_FALSE(counts.Add(values, 1000)) << values.back();
    EXPECT_EQ(counts.total(), 3);
  }
  EXPECT_FALSE(counts.Add(std::vector<int64_t>{1}, 1000)) << "one kind of value per counts";
  std::vector<double> drained;
  counts.Drain(&drained);
  ExpectSameBits({1.5, 2.25, 0.0}, drained);
}

TEST(ValueCountsTest, IntegersAtTheEdgesOfInt64) {
  ValueCounts counts;
  const std::vector<int64_t> edges = {INT64_MAX, INT64_MAX - 1, INT64_MAX - 2};
  ASSERT_TRUE(counts.Add(edges, 100));
  ASSERT_TRUE(counts.Add(std::vector<int64_t>{INT64_MAX - 50}, 100)) << "grows downwards near the edge";
  EXPECT_FALSE(counts.Add(std::vector<int64_t>{INT64_MIN}, 100));
  EXPECT_EQ(counts.IntValue(counts.MaxKey()), INT64_MAX);
  std::vector<int64_t> drained;
  counts.Drain(&drained);
  ExpectSameBits({INT64_MAX, INT64_MAX - 1, INT64_MAX - 2, INT64_MAX - 50}, drained);
}

}  // namespace
}  // namespace gyre
