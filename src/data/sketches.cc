#include "data/sketches.h"


#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace gyre {

uint64_t HashU64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(const char* data, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL ^ len;  // FNV-1a, then mixed
  for (size_t i = 0; i < len; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return HashU64(h);
}

void HyperLogLog::AddHash(uint64_t hash) {
  size_t index = hash >> (64 - kPrecision);
  uint64_t rest = (hash << kPrecision) | (uint64_t{1} << (kPrecision - 1));
  auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
}

int64_t HyperLogLog::Estimate() const {
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double alpha = 0.7213 / (1 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  // Small ranges: linear counting is more accurate.
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);
  return static_cast<int64_t>(std::llround(estimate));
}

size_t KllSketch::Capacity(size_t level) const {
  size_t depth = levels_.size() - 1 - level;
  double c = k_ * std::pow(2.0 / 3.0, static_cast<double>(depth));
  return std::max<size_t>(2, static_cast<size_t>(std::ceil(c)));
}

void KllSketch::Add(double v) {
  levels_[0].push_back(v);
  ++n_;
  if (levels_[0].size() >= Capacity(0)) Compress();
}

void KllSketch::Compress() {
  for (size_t h = 0; h < levels_.size(); ++h) {
    if (levels_[h].size() < Capacity(h)) continue;
    if (h + 1 == levels_.size()) levels_.emplace_back();
    auto& level = levels_[h];
    std::sort(level.begin(), level.end());
    rng_ = HashU64(rng_ + 1);
    size_t offset = rng_ & 1;
    // An odd item out stays behind so that total weight is preserved.
    double keep = 0;
    bool odd = level.size() % 2 == 1;
    if (odd) {
      keep = level.back();
      level.pop_back();
    }
    for (size_t i = offset; i < level.size(); i += 2) levels_[h + 1].push_back(level[i]);
    level.clear();
    if (odd) level.push_back(keep);
  }
}

void KllSketch::AddBatch(std::vector<double> run) {
  n_ += static_cast<int64_t>(run.size());
  RadixSortDoubles(run);
  size_t h = 0;
  for (;;) {
    if (h >= levels_.size()) levels_.emplace_back();
    if (run.size() <= Capacity(h)) break;
    // An odd item out stays at this level so that total weight is preserved.
    if (run.size() % 2 == 1) {
      levels_[h].push_back(run.back());
      run.pop_back();
    }
    rng_ = HashU64(rng_ + 1);
    size_t kept = 0;
    for (size_t i = rng_ & 1; i < run.size(); i += 2) run[kept++] = run[i];
    run.resize(kept);
    ++h;
  }
  levels_[h].insert(levels_[h].end(), run.begin(), run.end());
  Compress();
}

void KllSketch::Merge(const KllSketch& other) {
  if (other.levels_.size() > levels_.size()) levels_.resize(other.levels_.size());
  for (size_t h = 0; h < other.levels_.size(); ++h) {
    levels_[h].insert(levels_[h].end(), other.levels_[h].begin(), other.levels_[h].end());
  }
  n_ += other.n_;
  Compress();
}

std::vector<std::pair<double, uint64_t>> KllSketch::WeightedItems() const {
  std::vector<std::pair<double, uint64_t>> items;
  for (size_t h = 0; h < levels_.size(); ++h) {
    for (double v : levels_[h]) items.emplace_back(v, uint64_t{1} << h);
  }
  std::sort(items.begin(), items.end());
  return items;
}

double KllSketch::Quantile(double q) const {
  auto items = WeightedItems();
  if (items.empty()) return std::nan("");
  uint64_t total = 0;
  for (const auto& it : items) total += it.second;
  double target = q * static_cast<double>(total);
  uint64_t cum = 0;
  for (const auto& it : items) {
    cum += it.second;
    if (static_cast<double>(cum) >= target) return it.first;
  }
  return items.back().first;
}

namespace {

// Sorts unsigned keys: one read pass counts every digit position at once, then one scatter
// pass per digit, skipping the digits that every key shares.
void RadixSortKeys(std::vector<uint64_t>* keys_in) {
  std::vector<uint64_t>& keys = *keys_in;
  const size_t n = keys.size();
  constexpr int kBits = 8, kPasses = 8;
  constexpr size_t kBuckets = size_t{1} << kBits;
  std::vector<size_t> count(kBuckets * kPasses, 0);
  for (uint64_t k : keys) {
    for (int d = 0; d < kPasses; ++d) ++count[d * kBuckets + ((k >> (d * kBits)) & (kBuckets - 1))];
  }
  std::vector<uint64_t> tmp(n);
  for (int d = 0; d < kPasses; ++d) {
    size_t* c = &count[d * kBuckets];
    const int shift = d * kBits;
    if (c[(keys[0] >> shift) & (kBuckets - 1)] == n) continue;  // all share this digit
    size_t sum = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      size_t t = c[b];
      c[b] = sum;
      sum += t;
    }
    for (uint64_t k : keys) tmp[c[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(tmp);
  }
}

}  // namespace

// Values read from text usually have few decimals: amounts in cents, scores to 4 places.
// When every value is exactly m / 10^f for one f <= 6 and the integers m span a small range,
// a counting sort over m is one pass, and writing m / 10^f back gives the very same doubles
// (the check below is the parser's own operation).
// llround without the call: values here are below 1e15 in magnitude.
inline int64_t RoundToInt(double y) { return static_cast<int64_t>(y + (y >= 0 ? 0.5 : -0.5)); }

bool CountingSortDecimals(std::span<double> values) {
  static const double kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  const size_t n = values.size();
  int f = 0;
  double lo = INFINITY, hi = -INFINITY;
  for (double x : values) {
    if (!(std::fabs(x) < 1e9)) return false;  // also NaN and infinities
    while (static_cast<double>(RoundToInt(x * kPow10[f])) / kPow10[f] != x) {
      if (++f > 6) return false;
    }
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const int64_t base = RoundToInt(lo * kPow10[f]);
  const auto range = static_cast<uint64_t>(RoundToInt(hi * kPow10[f]) - base);
  if (range >= std::max<uint64_t>(uint64_t{1} << 16, 4 * n)) return false;
  std::vector<uint32_t> count(range + 1);
  for (double x : values) ++count[static_cast<uint64_t>(RoundToInt(x * kPow10[f]) - base)];
  size_t out = 0;
  for (uint64_t k = 0; k <= range; ++k) {
    if (count[k] == 0) continue;
    double v = static_cast<double>(base + static_cast<int64_t>(k)) / kPow10[f];
    if (v == 0) v = 0.0;  // -0.0 sorts with 0.0
    for (uint32_t c = count[k]; c > 0; --c) values[out++] = v;
  }
  return true;
}

void RadixSortDoubles(std::span<double> values) {
  const size_t n = values.size();
  if (n < 4096) {
    std::sort(values.begin(), values.end());
    return;
  }
  if (CountingSortDecimals(values)) return;
  // Map each double to an unsigned key with the same order, and back.
  std::vector<uint64_t> keys(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t b;
    std::memcpy(&b, &values[i], 8);
    keys[i] = (b >> 63) ? ~b : (b | 0x8000000000000000ULL);
  }
  RadixSortKeys(&keys);
  for (size_t i = 0; i < n; ++i) {
    uint64_t k = keys[i];
    uint64_t b = (k >> 63) ? (k & 0x7FFFFFFFFFFFFFFFULL) : ~k;
    std::memcpy(&values[i], &b, 8);
  }
}

void RadixSortInts(std::span<int64_t> values) {
  const size_t n = values.size();
  if (n < 4096) {
    std::sort(values.begin(), values.end());
    return;
  }
  // Counts, hours, ids and flags span small ranges, and timestamps in whole seconds do once
  // divided by 10^6: then a counting sort is one pass.
  static const int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  const int64_t low = *lo;
  int k = 6;
  for (int64_t v : values) {
    while (k > 0 && (static_cast<uint64_t>(v) - static_cast<uint64_t>(low)) % static_cast<uint64_t>(kPow10[k]) != 0) --k;
    if (k == 0) break;
  }
  const int64_t step = kPow10[k];
  const uint64_t range = (static_cast<uint64_t>(*hi) - static_cast<uint64_t>(low)) / static_cast<uint64_t>(step);
  if (range < std::max<uint64_t>(uint64_t{1} << 16, 4 * n)) {
    std::vector<uint32_t> count(range + 1);
    for (int64_t v : values) ++count[(static_cast<uint64_t>(v) - static_cast<uint64_t>(low)) / static_cast<uint64_t>(step)];
    size_t out = 0;
    for (uint64_t i = 0; i <= range; ++i) {
      const auto v = static_cast<int64_t>(static_cast<uint64_t>(low) + i * static_cast<uint64_t>(step));
      for (uint32_t c = count[i]; c > 0; --c) values[out++] = v;
    }
    return;
  }
  std::vector<uint64_t> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = static_cast<uint64_t>(values[i]) ^ 0x8000000000000000ULL;
  RadixSortKeys(&keys);
  for (size_t i = 0; i < n; ++i) values[i] = static_cast<int64_t>(keys[i] ^ 0x8000000000000000ULL);
}

}  // namespace gyre
