// Exact counts of a numeric column's values, for the usual case of numbers read from text:
// every value a multiple of one power of ten (amounts in cents, scores to four places, counts,
// timestamps in whole seconds). Statistics then come from the counts, in one walk, with no
// values kept and nothing sorted. Internal to data/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace gyre {

class ValueCounts {
 public:
  // Counts the values, each as its multiple ("key") of the scale. Floats are multiples of
  // 10^-s (s = 0..6, smaller than 1e9 in magnitude); integers multiples of 10^s (s = 6..0).
  // The scale only ever gets finer; the keys counted so far are rescaled when it does. Counts
  // are kept in pages of 4,096 neighbouring keys, made where a key falls: false, with nothing
  // counted, when a value fits no scale, the pages would hold more than `max_keys` keys, the
  // keys would span 2^31 or more, or the count would reach 2^31; the caller then keeps the
  // values instead. One ValueCounts takes floats or integers, not both.
  bool Add(std::span<const double> values, uint64_t max_keys);
  bool Add(std::span<const int64_t> values, uint64_t max_keys);
  // The `max_keys` for a column of `rows` rows: counts (1 byte a key, 5 in pages where a count
  // passed 255: 20 bytes a row at most, 4 or less as a rule) then take about the memory that
  // keeping the values and radix-sorting them would (8 bytes a row, and 16 more while sorting).
  static uint64_t KeyLimit(uint64_t rows) { return rows < (uint64_t{1} << 14) ? uint64_t{1} << 16 : 4 * rows; }

  int64_t total() const { return total_; }
  size_t bytes() const {
    return made_ * kPageKeys + high_made_ * sizeof(uint32_t) * kPageKeys + pages_.capacity() * sizeof(Page);
  }

  // The value of `key`: exactly the double the parser made of its text (key / 10^s for floats;
  // key * 10^s for integers, converted as static_cast<double> would).
  double Value(int64_t key) const {
    return floats_ ? static_cast<double>(key) / divisor_ : static_cast<double>(key * step_);
  }
  int64_t IntValue(int64_t key) const { return key * step_; }  // integers only
  // The smallest key whose value is x or more (values grow with keys); x finite.
  int64_t FirstKeyAtLeast(double x) const;
  // Calls f(key, count) for each counted key, ascending. Keys are found sixteen slots at a
  // time, from a mask of those counted: a branch for each slot would be mispredicted at
  // about every other counted key, and counts a third full are common.
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t p = 0; p < pages_.size(); ++p) {
      const uint8_t* low = pages_[p].low.get();
      const uint32_t* high = pages_[p].high.get();
      if (low == nullptr) continue;
      const int64_t first = (first_page_ + static_cast<int64_t>(p)) * kPageKeys;
      for (int64_t i = 0; i < kPageKeys; i += 16) {
        unsigned mask = NonZeroBytes(low + i);
        if (high != nullptr) {
          for (unsigned j = 0; j < 16; ++j) mask |= static_cast<unsigned>(high[i + j] != 0) << j;
        }
        for (; mask != 0; mask &= mask - 1) {
          const int j = __builtin_ctz(mask);
          f(first + i + j, low[i + j] + (high != nullptr ? high[i + j] << 8 : 0));
        }
      }
    }
  }

  // Sum, mean, sum of squared deviations from the mean, extremes, zeros and negatives. Sums
  // are exact in integers until their final rounding; a float column's squared deviations are
  // summed from its doubles (which are not exactly its decimals). total() > 0.
  struct Moments {
    double sum, mean, m2, min, max;
    int64_t zeros, negatives;
  };
  Moments ComputeMoments() const;

  // The counted values, ascending, as their doubles (Value), and how many of each; values that
  // share a double (integers past 2^53) are one. A drift summary's sample.
  void Distribution(std::vector<double>* values, std::vector<int64_t>* counts) const;

  // Appends every counted value, ascending, and empties the counts.
  void Drain(std::vector<double>* out);
  void Drain(std::vector<int64_t>* out);

 private:
  static constexpr int kPageBits = 12;
  static constexpr int64_t kPageKeys = int64_t{1} << kPageBits;
  // A count is split: its low 8 bits in `low`, one byte a key, and the rest in `high`, made
  // for a page when one of its counts first reaches 256. Most keys of a column with many are
  // counted a few times, so its counts take a quarter of the memory (and of the cache misses)
  // that 32-bit counts would; a key counted often carries into `high` once in 256 times.
  struct Page {
    std::unique_ptr<uint8_t[]> low;
    std::unique_ptr<uint32_t[]> high;  // null until a count of the page reaches 256
  };

  // Bit j set when p[j] != 0, for j < 16: eight bytes at a time, each byte's top bit set if
  // any of its bits is, then the eight top bits gathered by one multiplication.
  static unsigned NonZeroBytes(const uint8_t* p) {
    unsigned mask = 0;
    for (int half = 0; half < 2; ++half) {
      uint64_t x;
      __builtin_memcpy(&x, p + 8 * half, 8);
      const uint64_t top = (((x & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | x) & 0x8080808080808080ull;
      mask |= static_cast<unsigned>(((top >> 7) * 0x0102040810204080ull) >> 56) << (8 * half);
    }
    return mask;
  }

  // Makes the page table cover keys [lo, hi] at scale `scale`, rescaling what is counted if
  // the scale is finer; false (nothing changed) past the limits.
  bool Cover(int scale, int64_t lo, int64_t hi, uint64_t max_keys);
  bool Rescale(int scale, uint64_t max_keys);
  void SetScale(int scale);
  void Clear();  // no counts, no pages
  // Counts the keys (within the table; the smallest lo, the largest hi); false, with nothing
  // counted, when they would need more pages than max_keys fill.
  bool Count(std::span<const int64_t> keys, int64_t lo, int64_t hi, uint64_t max_keys);
  Page& PageOf(int64_t key) { return pages_[static_cast<size_t>((key >> kPageBits) - first_page_)]; }
  uint32_t* HighOf(Page& page);            // made when first needed
  void Uncount(int64_t key);               // takes back one count of a counted key
  void MakePage(Page& page);
  void SetCount(Page& page, int64_t slot, uint32_t count);

  bool floats_ = false;
  int scale_ = -1;       // -1 until the first value
  double divisor_ = 1;   // floats: 10^scale_
  int64_t step_ = 1;     // integers: 10^scale_
  int64_t first_page_ = 0;  // pages_[i] holds keys from (first_page_ + i) * kPageKeys
  std::vector<Page> pages_;  // null where no key has fallen yet
  size_t made_ = 0;          // pages made
  size_t high_made_ = 0;     // pages with a high part
  int64_t lo_key_ = 0, hi_key_ = 0;  // the smallest and largest key counted (when total_ > 0)
  int64_t total_ = 0;
  std::vector<int64_t> keys_;  // scratch: the keys of the values being added
};

}  // namespace gyre
