#include "data/value_counts.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gyre {
namespace {

__extension__ using Int128 = __int128;

constexpr double kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int kFinest = 6;
// Spans and counts stay below 2^31, so that the moments' integer sums cannot overflow.
constexpr uint64_t kMaxSpan = uint64_t{1} << 31;
constexpr int64_t kMaxTotal = int64_t{1} << 31;
// Adding 1.5 * 2^52 to a double below 2^51 in magnitude rounds it to an integer, which the
// low bits of the sum then hold: a rounding and a conversion that two doubles at a time take.
constexpr double kRounder = 6755399441055744.0;

// Whether `x` is the parser's double for some k / 10^s: a decimal of at most s places.
inline bool IsDecimal(double x, int s) {
  const double k = (x * kPow10[s] + kRounder) - kRounder;
  return k / kPow10[s] == x;
}

// The keys (x * 10^s, rounded) of the values, and the smallest and largest, for as long as
// each value is a decimal of at most s places below 1e9 in magnitude: returns the index of
// the first that is not (n when all are).
size_t DecimalKeys(const double* x, size_t n, int s, int64_t* keys, double* lo, double* hi) {
  const double p = kPow10[s];
  size_t i = 0;
#if defined(__SSE2__)
  const __m128d vp = _mm_set1_pd(p), rounder = _mm_set1_pd(kRounder), limit = _mm_set1_pd(1e9);
  const __m128d abs_mask = _mm_castsi128_pd(_mm_set1_epi64x(0x7FFFFFFFFFFFFFFF));
  const __m128i rounder_bits = _mm_castpd_si128(rounder);
  __m128d vlo = _mm_set1_pd(*lo), vhi = _mm_set1_pd(*hi);
  for (; i + 2 <= n; i += 2) {
    const __m128d v = _mm_loadu_pd(x + i);
    const __m128d shifted = _mm_add_pd(_mm_mul_pd(v, vp), rounder);
    const __m128d k = _mm_sub_pd(shifted, rounder);
    const __m128d ok = _mm_and_pd(_mm_cmpeq_pd(_mm_div_pd(k, vp), v), _mm_cmplt_pd(_mm_and_pd(v, abs_mask), limit));
    if (_mm_movemask_pd(ok) != 3) break;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(keys + i), _mm_sub_epi64(_mm_castpd_si128(shifted), rounder_bits));
    vlo = _mm_min_pd(vlo, k);
    vhi = _mm_max_pd(vhi, k);
  }
  double lanes[2];
  _mm_storeu_pd(lanes, vlo);
  *lo = std::min(lanes[0], lanes[1]);
  _mm_storeu_pd(lanes, vhi);
  *hi = std::max(lanes[0], lanes[1]);
#endif
  for (; i < n; ++i) {
    if (!(std::fabs(x[i]) < 1e9)) return i;  // also NaN and infinities
    const double k = (x[i] * p + kRounder) - kRounder;
    if (k / p != x[i]) return i;
    keys[i] = static_cast<int64_t>(k);
    *lo = std::min(*lo, k);
    *hi = std::max(*hi, k);
  }
  return n;
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
  if (total_ + static_cast<int64_t>(values.size()) >= kMaxTotal) return false;
  keys_.resize(values.size());
  // A value with more places than the scale so far makes the scale finer, and the keys are
  // computed again: at most six times in all.
  for (int s = std::max(scale_, 0);;) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const size_t bad = DecimalKeys(values.data(), values.size(), s, keys_.data(), &lo, &hi);
    if (bad == values.size()) {
      if (!Cover(s, static_cast<int64_t>(lo), static_cast<int64_t>(hi), max_keys)) return false;
      floats_ = true;
      Count(keys_);
      return true;
    }
    const double x = values[bad];
    if (!(std::fabs(x) < 1e9)) return false;
    do {
      if (++s > kFinest) return false;
    } while (!IsDecimal(x, s));
  }
}

bool ValueCounts::Add(std::span<const int64_t> values, uint64_t max_keys) {
  if (values.empty()) return true;
  if (!counts_.empty() && floats_) return false;
  if (total_ + static_cast<int64_t>(values.size()) >= kMaxTotal) return false;
  int s = scale_ < 0 ? kFinest : scale_;
  auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  for (int64_t v : values) {
    if (s == 0) break;
    while (!DivisibleByPow10(v, s)) --s;
  }
  if (!Cover(s, *lo_it / kPow10Int[s], *hi_it / kPow10Int[s], max_keys)) return false;
  if (s == 0) {
    Count(values);  // the values are their own keys
    return true;
  }
  keys_.resize(values.size());
  switch (s) {
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
// counted so far become multiples of 10^|scale - scale_| of themselves. The counts at least
// double when they grow, so that a column whose range widens chunk by chunk (an id, a heavy
// tail) is copied a logarithmic number of times: in the fraud data, what all columns allocate
// in all is about what growing each to its final size in one step would (measured: 79 MB
// against 78 MB), where growing by a quarter or a half allocates 94 or 81 MB.
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
  const uint64_t limit = std::min(max_keys, kMaxSpan);
  if (span >= limit) return false;
  uint64_t size = span + 1;
  int64_t base = lo;
  constexpr int64_t kNearEdge = int64_t{1} << 62;  // no room added where it could overflow
  if (!counts_.empty() && lo > -kNearEdge && hi < kNearEdge) {
    size = std::min<uint64_t>(limit, std::max<uint64_t>(size, 2 * counts_.size()));
    if (lo < old_lo) base = hi - static_cast<int64_t>(size - 1);  // grew downwards: room below
  }
  std::vector<uint32_t> grown(size, 0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    grown[static_cast<size_t>((base_ + static_cast<int64_t>(i)) * factor - base)] = counts_[i];
  }
  counts_.swap(grown);
  base_ = base;
  SetScale(scale);
  return true;
}

void ValueCounts::SetScale(int scale) {
  scale_ = scale;
  divisor_ = kPow10[scale];
  step_ = kPow10Int[scale];
}

void ValueCounts::Count(std::span<const int64_t> keys) {
  uint32_t* counts = counts_.data();
  const int64_t base = base_;
  for (int64_t k : keys) ++counts[k - base];
  total_ += static_cast<int64_t>(keys.size());
}

// With keys k0 + d (d below 2^31) and n below 2^31: S1 = sum(d) < 2^62 and S2 = sum(d^2) < 2^93,
// so n * S2 - S1^2, which is n times the sum of squared deviations, is exact in 128 bits.
ValueCounts::Moments ValueCounts::ComputeMoments() const {
  const auto first = static_cast<size_t>(std::find_if(counts_.begin(), counts_.end(), [](uint32_t c) { return c != 0; }) -
                                         counts_.begin());
  const auto last = counts_.size() - 1 -
                    static_cast<size_t>(std::find_if(counts_.rbegin(), counts_.rend(), [](uint32_t c) { return c != 0; }) -
                                        counts_.rbegin());
  const int64_t k0 = base_ + static_cast<int64_t>(first);
  Int128 s1 = 0, s2 = 0;
  int64_t negatives = 0;
  for (size_t i = first; i <= last; ++i) {
    const uint32_t c = counts_[i];
    const auto d = static_cast<Int128>(i - first);
    s1 += d * c;
    s2 += d * d * c;
    if (base_ + static_cast<int64_t>(i) < 0) negatives += c;
  }
  const Int128 n = total_;
  const int64_t zero_index = -base_;
  Moments m;
  m.zeros = zero_index >= 0 && static_cast<uint64_t>(zero_index) < counts_.size() ? counts_[static_cast<size_t>(zero_index)] : 0;
  m.negatives = negatives;
  const Int128 key_sum = static_cast<Int128>(k0) * n + s1;
  const auto deviations = static_cast<double>(n * s2 - s1 * s1) / static_cast<double>(n);  // in keys squared
  if (floats_) {
    m.sum = static_cast<double>(key_sum) / divisor_;
    m.m2 = deviations / divisor_ / divisor_;
  } else {
    m.sum = static_cast<double>(key_sum * step_);
    m.m2 = deviations * static_cast<double>(step_) * static_cast<double>(step_);
  }
  m.mean = floats_ ? static_cast<double>(key_sum) / static_cast<double>(n) / divisor_
                   : static_cast<double>(key_sum * step_) / static_cast<double>(n);
  m.min = Value(k0);
  m.max = Value(base_ + static_cast<int64_t>(last));
  return m;
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
