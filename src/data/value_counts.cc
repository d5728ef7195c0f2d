#include "data/value_counts.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gyre {
namespace {

__extension__ using Int128 = __int128;

constexpr double kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
constexpr int kFinest = 6;
// Spans and counts stay below 2^31, so that the moments' integer sums cannot overflow (and
// the page table stays below 2^19 entries).
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

// Pages of keys that `max_keys` keys fill.
size_t MaxPages(uint64_t max_keys, int page_bits) { return std::max<size_t>(1, static_cast<size_t>(max_keys >> page_bits)); }

}  // namespace

bool ValueCounts::Add(std::span<const double> values, uint64_t max_keys) {
  if (values.empty()) return true;
  if (total_ > 0 && !floats_) return false;
  if (total_ + static_cast<int64_t>(values.size()) >= kMaxTotal) return false;
  floats_ = true;
  keys_.resize(values.size());
  // A value with more places than the scale so far makes the scale finer, and the keys are
  // computed again: at most six times in all.
  for (int s = std::max(scale_, 0);;) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const size_t bad = DecimalKeys(values.data(), values.size(), s, keys_.data(), &lo, &hi);
    if (bad == values.size()) {
      const auto lo_key = static_cast<int64_t>(lo), hi_key = static_cast<int64_t>(hi);
      return Cover(s, lo_key, hi_key, max_keys) && Count(keys_, lo_key, hi_key, max_keys);
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
  if (total_ > 0 && floats_) return false;
  if (total_ + static_cast<int64_t>(values.size()) >= kMaxTotal) return false;
  floats_ = false;
  int s = scale_ < 0 ? kFinest : scale_;
  auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  for (int64_t v : values) {
    if (s == 0) break;
    while (!DivisibleByPow10(v, s)) --s;
  }
  const int64_t lo = *lo_it / kPow10Int[s], hi = *hi_it / kPow10Int[s];
  if (!Cover(s, lo, hi, max_keys)) return false;
  if (s == 0) return Count(values, lo, hi, max_keys);  // the values are their own keys
  keys_.resize(values.size());
  switch (s) {
    case 1: DivideAll<1>(values, keys_.data()); break;
    case 2: DivideAll<2>(values, keys_.data()); break;
    case 3: DivideAll<3>(values, keys_.data()); break;
    case 4: DivideAll<4>(values, keys_.data()); break;
    case 5: DivideAll<5>(values, keys_.data()); break;
    default: DivideAll<6>(values, keys_.data()); break;
  }
  return Count(keys_, lo, hi, max_keys);
}

// The page table only grows (by empty entries); pages are made by Count, where keys fall.
bool ValueCounts::Cover(int scale, int64_t lo, int64_t hi, uint64_t max_keys) {
  if (total_ > 0 && scale != scale_ && !Rescale(scale, max_keys)) return false;
  if (total_ == 0) {
    Clear();
    SetScale(scale);
  }
  if (total_ > 0) {
    lo = std::min(lo, lo_key_);
    hi = std::max(hi, hi_key_);
  }
  if (static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) >= kMaxSpan) return false;
  const int64_t first = lo >> kPageBits, last = hi >> kPageBits;
  if (pages_.empty()) {
    first_page_ = first;
    pages_.resize(static_cast<size_t>(last - first + 1));
    return true;
  }
  if (first < first_page_) {
    std::vector<Page> grown(static_cast<size_t>(first_page_ - first) + pages_.size());
    std::move(pages_.begin(), pages_.end(), grown.begin() + (first_page_ - first));
    pages_.swap(grown);
    first_page_ = first;
  }
  if (last >= first_page_ + static_cast<int64_t>(pages_.size())) pages_.resize(static_cast<size_t>(last - first_page_ + 1));
  return true;
}

// Keys only ever get finer (floats: more places; integers: a smaller step), so the keys
// counted so far become multiples of 10^|scale - scale_| of themselves, in new pages.
bool ValueCounts::Rescale(int scale, uint64_t max_keys) {
  const int64_t factor = kPow10Int[std::abs(scale - scale_)];
  const int64_t lo = lo_key_ * factor, hi = hi_key_ * factor;
  if (static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) >= kMaxSpan) return false;
  ValueCounts next;
  next.floats_ = floats_;
  next.SetScale(scale);
  next.first_page_ = lo >> kPageBits;
  next.pages_.resize(static_cast<size_t>((hi >> kPageBits) - next.first_page_ + 1));
  const size_t max_pages = MaxPages(max_keys, kPageBits);
  bool fits = true;
  ForEach([&](int64_t key, uint32_t c) {
    const int64_t k = key * factor;
    Page& page = next.PageOf(k);
    if (page.low == nullptr) {
      fits = fits && next.made_ < max_pages;
      if (!fits) return;
      next.MakePage(page);
    }
    next.SetCount(page, k & (kPageKeys - 1), c);
  });
  if (!fits) return false;
  next.lo_key_ = lo;
  next.hi_key_ = hi;
  next.total_ = total_;
  next.keys_ = std::move(keys_);  // Add's keys live on
  *this = std::move(next);
  return true;
}

void ValueCounts::Clear() {
  pages_.clear();
  first_page_ = 0;
  made_ = high_made_ = 0;
  lo_key_ = hi_key_ = 0;
  total_ = 0;
}

void ValueCounts::MakePage(Page& page) {
  page.low.reset(new uint8_t[kPageKeys]());
  ++made_;
}

uint32_t* ValueCounts::HighOf(Page& page) {
  if (page.high == nullptr) {
    page.high.reset(new uint32_t[kPageKeys]());
    ++high_made_;
  }
  return page.high.get();
}

void ValueCounts::Uncount(int64_t key) {
  Page& page = PageOf(key);
  const int64_t slot = key & (kPageKeys - 1);
  if (page.low[slot]-- == 0) --page.high[slot];  // a borrow: the count was a multiple of 256
}

void ValueCounts::SetCount(Page& page, int64_t slot, uint32_t count) {
  page.low[slot] = static_cast<uint8_t>(count);
  if (count >> 8 != 0) HighOf(page)[slot] = count >> 8;
}

void ValueCounts::SetScale(int scale) {
  scale_ = scale;
  divisor_ = kPow10[scale];
  step_ = kPow10Int[scale];
}

bool ValueCounts::Count(std::span<const int64_t> keys, int64_t lo, int64_t hi, uint64_t max_keys) {
  const size_t max_pages = MaxPages(max_keys, kPageBits);
  Page* pages = pages_.data();
  const int64_t first_page = first_page_;
  std::vector<Page*> made_here;  // rare: a page is made once
  for (size_t i = 0; i < keys.size(); ++i) {
    const int64_t k = keys[i];
    Page& page = pages[(k >> kPageBits) - first_page];
    if (page.low == nullptr) {
      if (made_ >= max_pages) {  // too many pages: take back this call's counts, and its pages
        for (size_t j = 0; j < i; ++j) Uncount(keys[j]);
        for (Page* p : made_here) {
          high_made_ -= p->high != nullptr;
          *p = Page();
          --made_;
        }
        return false;
      }
      MakePage(page);
      made_here.push_back(&page);
    }
    if (++page.low[k & (kPageKeys - 1)] == 0) ++HighOf(page)[k & (kPageKeys - 1)];  // a carry
  }
  lo_key_ = total_ > 0 ? std::min(lo_key_, lo) : lo;
  hi_key_ = total_ > 0 ? std::max(hi_key_, hi) : hi;
  total_ += static_cast<int64_t>(keys.size());
  return true;
}

// Sums of the keys are exact in integers: with keys k0 + d (d below 2^31) and n below 2^31,
// S1 = sum(d) < 2^62 and S2 = sum(d^2) < 2^93, so n * S2 - S1^2 (n times the sum of squared
// deviations) is exact in 128 bits. That is the integers' exact m2. A float column's doubles
// are not exactly its decimals (each is rounded from its text): with a large offset and a
// small spread, the decimals' m2 and the doubles' (which pandas computes) part by far more
// than 1e-9. So a float column's m2 is summed from its doubles, about the exact mean.
ValueCounts::Moments ValueCounts::ComputeMoments() const {
  const int64_t k0 = lo_key_;
  Int128 s1 = 0, s2 = 0;
  int64_t negatives = 0, zeros = 0;
  // d and c are below 2^31, so d * c and d * d fit in 64 bits; only s2's terms need 128.
  auto sum = [&](auto with_squares) {
    ForEach([&](int64_t key, uint32_t c) {
      const auto d = static_cast<uint64_t>(key - k0);
      s1 += static_cast<Int128>(d * c);
      if constexpr (with_squares) s2 += static_cast<Int128>(d * d) * c;
      negatives += key < 0 ? c : 0;
      zeros += key == 0 ? c : 0;
    });
  };
  if (floats_) sum(std::false_type());  // a float column's m2 comes from its doubles
  else sum(std::true_type());
  const Int128 n = total_;
  Moments m;
  m.zeros = zeros;
  m.negatives = negatives;
  const Int128 key_sum = static_cast<Int128>(k0) * n + s1;
  if (floats_) {
    m.sum = static_cast<double>(key_sum) / divisor_;
    m.mean = static_cast<double>(key_sum) / static_cast<double>(n) / divisor_;
    double m2 = 0;
    ForEach([&](int64_t key, uint32_t c) {
      const double d = Value(key) - m.mean;
      m2 += c * d * d;
    });
    m.m2 = m2;
  } else {
    const auto deviations = static_cast<double>(n * s2 - s1 * s1) / static_cast<double>(n);  // in keys squared
    m.sum = static_cast<double>(key_sum * step_);
    m.mean = static_cast<double>(key_sum * step_) / static_cast<double>(n);
    m.m2 = deviations * static_cast<double>(step_) * static_cast<double>(step_);
  }
  m.min = Value(lo_key_);
  m.max = Value(hi_key_);
  return m;
}

int64_t ValueCounts::FirstKeyAtLeast(double x) const {
  // An estimate within a key or two of the answer (clamped to the keys counted, so that it
  // converts), then stepped to it: values are correctly rounded, so they never decrease.
  const double scaled = floats_ ? x * divisor_ : x / static_cast<double>(step_);
  const double bounded = std::clamp(std::floor(scaled), static_cast<double>(lo_key_) - 1, static_cast<double>(hi_key_) + 1);
  auto key = static_cast<int64_t>(bounded);
  while (key > lo_key_ - 1 && Value(key - 1) >= x) --key;
  while (key <= hi_key_ && Value(key) < x) ++key;
  return key;
}

void ValueCounts::Distribution(std::vector<double>* values, std::vector<int64_t>* counts) const {
  ForEach([&](int64_t key, uint32_t c) {
    const double v = Value(key);
    if (!values->empty() && values->back() == v) {
      counts->back() += c;
      return;
    }
    values->push_back(v);
    counts->push_back(c);
  });
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
