#include "data/value_counts.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gyre {
namespace {

__extension__ using Int128 = __int128;

constexpr double kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int kFinest = 6;

// llround without the call: the values here are below 1e15 in magnitude.
inline int64_t RoundToInt(double y) { return static_cast<int64_t>(y + (y >= 0 ? 0.5 : -0.5)); }

// Whether `x` is the parser's double for some k / 10^s: a decimal of at most s places.
inline bool IsDecimal(double x, int s) {
  return static_cast<double>(RoundToInt(x * kPow10[s])) / kPow10[s] == x;
}

// Division by a constant power of ten, one loop per scale: the compiler turns each into a
// multiplication (a division by a variable costs tens of cycles).
template <int S>
void DivideAll(std::span<const int64_t> values, int64_t* keys) {
  for (size_t i = 0; i < values.size(); ++i) keys[i] = values[i] / kPow10Int[S];
}

inline bool DivisibleByPow10(int64_t v, int s) {
  switch (s) {
    case 0: return true;
    case 1: return v % 10 == 0;
    case 2: return v % 100 == 0;
    case 3: return v % 1000 == 0;
    case 4: return v % 10000 == 0;
    case 5: return v % 100000 == 0;
    default: return v % 1000000 == 0;
  }
}

}  // namespace

bool ValueCounts::Add(std::span<const double> values, uint64_t max_keys) {
  if (values.empty()) return true;
  if (!counts_.empty() && !floats_) return false;
  if (static_cast<uint64_t>(total_) + values.size() > std::numeric_limits<uint32_t>::max()) return false;
  int s = std::max(scale_, 0);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : values) {
    if (!(std::fabs(x) < 1e9)) return false;  // also NaN and infinities
    while (!IsDecimal(x, s)) {
      if (++s > kFinest) return false;
    }
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (!Cover(s, RoundToInt(lo * kPow10[s]), RoundToInt(hi * kPow10[s]), max_keys)) return false;
  floats_ = true;
  keys_.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) keys_[i] = RoundToInt(values[i] * kPow10[s]);
  Count(keys_);
  return true;
}

bool ValueCounts::Add(std::span<const int64_t> values, uint64_t max_keys) {
  if (values.empty()) return true;
  if (!counts_.empty() && floats_) return false;
  if (static_cast<uint64_t>(total_) + values.size() > std::numeric_limits<uint32_t>::max()) return false;
  int s = scale_ < 0 ? kFinest : scale_;
  auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  for (int64_t v : values) {
    while (!DivisibleByPow10(v, s)) --s;
    if (s == 0) break;
  }
  if (!Cover(s, *lo_it / kPow10Int[s], *hi_it / kPow10Int[s], max_keys)) return false;
  keys_.resize(values.size());
  switch (s) {
    case 0: std::copy(values.begin(), values.end(), keys_.begin()); break;
    case 1: DivideAll<1>(values, keys_.data()); break;
    case 2: DivideAll<2>(values, keys_.data()); break;
    case 3: DivideAll<3>(values, keys_.data()); break;
    case 4: DivideAll<4>(values, keys_.data()); break;
    case 5: DivideAll<5>(values, keys_.data()); break;
    default: DivideAll<6>(values, keys_.data()); break;
  }
  Count(keys_);
  return true;
}

// Keys only ever get finer (floats: more places; integers: a smaller step), so the keys
// counted so far become multiples of 10^|scale - scale_| of themselves. The counts get slack
// when they grow, so that a column whose range widens chunk by chunk (an id) is copied a
// logarithmic number of times.
bool ValueCounts::Cover(int scale, int64_t lo, int64_t hi, uint64_t max_keys) {
  const int64_t factor = counts_.empty() ? 1 : kPow10Int[std::abs(scale - scale_)];
  const int64_t old_lo = base_ * factor;
  const int64_t old_hi = (base_ + static_cast<int64_t>(counts_.size()) - 1) * factor;
  if (!counts_.empty()) {
    if (factor == 1 && lo >= old_lo && hi <= old_hi) return true;
    lo = std::min(lo, old_lo);
    hi = std::max(hi, old_hi);
  }
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span >= max_keys) return false;
  uint64_t size = span + 1;
  int64_t base = lo;
  constexpr int64_t kNearEdge = int64_t{1} << 62;  // no slack where it could overflow
  if (!counts_.empty() && lo > -kNearEdge && hi < kNearEdge) {
    size = std::min<uint64_t>(max_keys, std::max<uint64_t>(size, 2 * counts_.size()));
    if (lo < old_lo) base = hi - static_cast<int64_t>(size - 1);  // grew downwards: slack below
  }
  std::vector<uint32_t> grown(size, 0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    grown[static_cast<size_t>((base_ + static_cast<int64_t>(i)) * factor - base)] = counts_[i];
  }
  counts_.swap(grown);
  base_ = base;
  scale_ = scale;
  return true;
}

void ValueCounts::Count(std::span<const int64_t> keys) {
  uint32_t* counts = counts_.data();
  const int64_t base = base_;
  for (int64_t k : keys) ++counts[k - base];
  total_ += static_cast<int64_t>(keys.size());
}

double ValueCounts::Value(int64_t key) const {
  return floats_ ? static_cast<double>(key) / kPow10[scale_] : static_cast<double>(IntValue(key));
}

int64_t ValueCounts::IntValue(int64_t key) const { return key * kPow10Int[scale_]; }

int64_t ValueCounts::MinKey() const {
  auto it = std::find_if(counts_.begin(), counts_.end(), [](uint32_t c) { return c != 0; });
  return base_ + (it - counts_.begin());
}

int64_t ValueCounts::MaxKey() const {
  auto it = std::find_if(counts_.rbegin(), counts_.rend(), [](uint32_t c) { return c != 0; });
  return base_ + static_cast<int64_t>(counts_.size()) - 1 - (it - counts_.rbegin());
}

double ValueCounts::Sum() const {
  Int128 sum = 0;
  ForEach([&](int64_t key, uint32_t c) { sum += static_cast<Int128>(key) * c; });
  return floats_ ? static_cast<double>(sum) / kPow10[scale_]
                 : static_cast<double>(sum * kPow10Int[std::max(scale_, 0)]);
}

void ValueCounts::Drain(std::vector<double>* out) {
  ForEach([&](int64_t key, uint32_t c) { out->insert(out->end(), c, Value(key)); });
  *this = ValueCounts();
}

void ValueCounts::Drain(std::vector<int64_t>* out) {
  ForEach([&](int64_t key, uint32_t c) { out->insert(out->end(), c, IntValue(key)); });
  *this = ValueCounts();
}

}  // namespace gyre
