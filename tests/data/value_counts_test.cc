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

// The moments by the textbook two-pass formulas in long double.
template <typename T>
void ExpectMoments(const ValueCounts& counts, const std::vector<T>& values) {
  long double sum = 0;
  for (T v : values) sum += static_cast<long double>(v);
  const long double mean = sum / static_cast<long double>(values.size());
  long double m2 = 0;
  int64_t zeros = 0, negatives = 0;
  for (T v : values) {
    m2 += (static_cast<long double>(v) - mean) * (static_cast<long double>(v) - mean);
    zeros += v == 0;
    negatives += v < 0;
  }
  const ValueCounts::Moments m = counts.ComputeMoments();
  EXPECT_NEAR(m.sum, static_cast<double>(sum), 1e-14 * std::fabs(static_cast<double>(sum)) + 1e-300);
  EXPECT_NEAR(m.mean, static_cast<double>(mean), 1e-14 * std::fabs(static_cast<double>(mean)) + 1e-300);
  EXPECT_NEAR(m.m2, static_cast<double>(m2), 1e-13 * static_cast<double>(m2));
  EXPECT_EQ(m.min, static_cast<double>(*std::min_element(values.begin(), values.end())));
  EXPECT_EQ(m.max, static_cast<double>(*std::max_element(values.begin(), values.end())));
  EXPECT_EQ(m.zeros, zeros);
  EXPECT_EQ(m.negatives, negatives);
}

// The same values, bit for bit once sorted; -0.0 is counted as 0.0, so both sides read it so.
template <typename T>
void ExpectSameBits(std::vector<T> want, std::vector<T> got) {
  for (auto* side : {&want, &got}) {
    for (auto& v : *side) {
      if (v == 0) v = 0;
    }
    std::sort(side->begin(), side->end());
  }
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(std::memcmp(&want[i], &got[i], sizeof(T)), 0) << "value " << i << ": " << want[i] << " against " << got[i];
  }
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
  ExpectMoments(counts, all);
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
  EXPECT_LT(counts.bytes(), 3 * 4096 * sizeof(uint32_t) + 64) << "counted in seconds: 5,000 keys, two or three pages";
  std::vector<int64_t> millis = {1'790'000'000'000'000 + 1000, -5'000};
  EXPECT_FALSE(counts.Add(millis, 8192)) << "milliseconds span 5e6 keys";
  EXPECT_EQ(counts.total(), 5000);
  millis.pop_back();
  ASSERT_TRUE(counts.Add(millis, 1 << 23));
  std::vector<int64_t> all = seconds;
  all.push_back(millis[0]);
  ExpectMoments(counts, all);
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

// Counts carry past 8 bits (255, 256, 257, 511, 512 and 70,000 of one key) and keep them
// through a rescale (multiples of 1,000, then a 7); a refused chunk's counts are taken back
// across the carries (borrowing from 512 down to 256).
TEST(ValueCountsTest, CountsCarryAndBorrowPastEightBits) {
  const std::vector<std::pair<int64_t, int>> repeats = {{7, 1},       {1000, 255}, {2000, 256}, {3000, 257},
                                                        {4000, 511}, {5000, 512}, {6000, 70000}};
  std::vector<int64_t> values;
  for (size_t i = 1; i < repeats.size(); ++i) values.insert(values.end(), static_cast<size_t>(repeats[i].second), repeats[i].first);
  std::shuffle(values.begin(), values.end(), std::mt19937_64(5));
  ValueCounts counts;
  const uint64_t two_pages = 2 * 4096;
  ASSERT_TRUE(counts.Add(values, two_pages));  // counted in thousands
  values.push_back(7);
  ASSERT_TRUE(counts.Add(std::vector<int64_t>{7}, two_pages));  // rescaled to ones
  auto expect_counts = [&] {
    std::vector<std::pair<int64_t, uint32_t>> seen;
    counts.ForEach([&](int64_t key, uint32_t c) { seen.emplace_back(counts.IntValue(key), c); });
    ASSERT_EQ(seen.size(), repeats.size());
    for (size_t i = 0; i < repeats.size(); ++i) {
      EXPECT_EQ(seen[i].first, repeats[i].first);
      EXPECT_EQ(seen[i].second, static_cast<uint32_t>(repeats[i].second)) << repeats[i].first;
    }
  };
  expect_counts();
  std::vector<int64_t> refused(256, 2000);  // 2000 to 512 counts, then a third page: refused
  refused.push_back(7);
  refused.push_back(10000);
  EXPECT_FALSE(counts.Add(refused, two_pages));
  expect_counts();
  // A chunk that makes a third page (with a count past 255) before a fourth is refused leaves
  // no page behind: a third page may still be made.
  std::vector<int64_t> makes_a_page(300, 9000);
  makes_a_page.push_back(13000);
  EXPECT_FALSE(counts.Add(makes_a_page, 3 * 4096));
  expect_counts();
  ASSERT_TRUE(counts.Add(std::vector<int64_t>{13000}, 3 * 4096));
  values.push_back(13000);
  ExpectMoments(counts, values);
  std::vector<int64_t> drained;
  counts.Drain(&drained);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(drained, values);
}

TEST(ValueCountsTest, IntegersAtTheEdgesOfInt64) {
  ValueCounts counts;
  const std::vector<int64_t> edges = {INT64_MAX, INT64_MAX - 1, INT64_MAX - 2};
  ASSERT_TRUE(counts.Add(edges, 100));
  ASSERT_TRUE(counts.Add(std::vector<int64_t>{INT64_MAX - 50}, 100)) << "grows downwards near the edge";
  EXPECT_FALSE(counts.Add(std::vector<int64_t>{INT64_MIN}, 100));
  EXPECT_EQ(counts.ComputeMoments().max, static_cast<double>(INT64_MAX));
  EXPECT_EQ(counts.ComputeMoments().sum, 4 * static_cast<double>(INT64_MAX));
  std::vector<int64_t> drained;
  counts.Drain(&drained);
  ExpectSameBits({INT64_MAX, INT64_MAX - 1, INT64_MAX - 2, INT64_MAX - 50}, drained);
}

// Random columns in random chunks, as the profile feeds them: a chunk the counts refuse must
// leave them as they were, so that draining them and keeping that chunk and the rest loses and
// invents nothing. Whatever the mix of places, ranges, steps and limits, the values that come
// back are the values that went in.
TEST(ValueCountsTest, RandomChunksCountedOrKeptLoseNothing) {
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 300; ++trial) {
    const bool floats = trial % 2 == 0;
    const uint64_t max_keys = uint64_t{1} << (10 + rng() % 12);
    ValueCounts counts;
    bool counting = true;
    std::vector<double> all_d, kept_d;
    std::vector<int64_t> all_i, kept_i;
    const int chunks = 1 + static_cast<int>(rng() % 6);
    for (int c = 0; c < chunks; ++c) {
      const int n = 1 + static_cast<int>(rng() % 700);
      const double span = std::pow(10.0, static_cast<double>(rng() % 7));
      const double offset = (static_cast<double>(rng() % 2001) - 1000.0) * std::pow(10.0, static_cast<double>(rng() % 4));
      if (floats) {
        const int places = static_cast<int>(rng() % 8);  // 7 places fit no scale
        std::vector<double> chunk = ParsedDecimals(rng, n, offset - span, offset + span, places);
        if (rng() % 20 == 0) chunk[rng() % chunk.size()] = 2e9;  // too large for any scale
        all_d.insert(all_d.end(), chunk.begin(), chunk.end());
        if (counting && counts.Add(chunk, max_keys)) continue;
        if (counting) counts.Drain(&kept_d);
        counting = false;
        kept_d.insert(kept_d.end(), chunk.begin(), chunk.end());
      } else {
        const int64_t step = static_cast<int64_t>(std::pow(10.0, static_cast<double>(rng() % 7)));
        std::vector<int64_t> chunk;
        for (int i = 0; i < n; ++i) {
          chunk.push_back(static_cast<int64_t>(offset) * step + static_cast<int64_t>(rng() % static_cast<uint64_t>(span + 1)) * step);
        }
        if (rng() % 10 == 0) chunk[rng() % chunk.size()] += 3;  // a finer step
        all_i.insert(all_i.end(), chunk.begin(), chunk.end());
        if (counting && counts.Add(chunk, max_keys)) continue;
        if (counting) counts.Drain(&kept_i);
        counting = false;
        kept_i.insert(kept_i.end(), chunk.begin(), chunk.end());
      }
    }
    if (counting && counts.total() > 0) {
      if (floats) ExpectMoments(counts, all_d);
      else ExpectMoments(counts, all_i);
    }
    if (counting) {
      if (floats) counts.Drain(&kept_d);
      else counts.Drain(&kept_i);
    }
    std::sort(kept_d.begin(), kept_d.end());
    std::sort(kept_i.begin(), kept_i.end());
    if (floats) ExpectSameBits(all_d, kept_d);
    else ExpectSameBits(all_i, kept_i);
    if (::testing::Test::HasFailure()) FAIL() << "trial " << trial;
  }
}

}  // namespace
}  // namespace gyre
