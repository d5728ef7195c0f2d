#include "data/stats.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <thread>
#include <unordered_map>

#include "data/sketches.h"
#include "data/value_counts.h"

namespace gyre {
namespace {

constexpr size_t kMaxExactStrings = 100000;

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct Accumulator {
  std::string name;
  ColumnType type;
  int64_t count = 0, missing = 0;
  // Numbers (int64, float64, timestamp): Welford's mean and M2, merged per chunk (Chan et al.).
  double mean = 0, m2 = 0, sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t zeros = 0, negatives = 0, infinities = 0;
  // While exact: the values counted (see ValueCounts), or, once they fit no counts, the
  // values themselves. Integers are kept as integers so that distinct counts past 2^53 stay
  // exact.
  ValueCounts counted;
  bool counting = true;
  std::vector<double> values;
  std::vector<int64_t> ints;
  bool exact = true;
  KllSketch kll;
  HyperLogLog hll;
  // Strings and bools.
  std::unordered_map<std::string, int64_t> counts;
  bool counts_capped = false;
  int64_t len_min = std::numeric_limits<int64_t>::max(), len_max = 0;
  double len_sum = 0;

  Accumulator(std::string n, ColumnType t) : name(std::move(n)), type(t) {}
  bool numeric() const { return type != ColumnType::kString && type != ColumnType::kBool; }

  void AddNumbers(const double* v, size_t n) {
    if (n == 0) return;
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += v[i];
    double cmean = s / static_cast<double>(n), cm2 = 0;
    for (size_t i = 0; i < n; ++i) {
      double d = v[i] - cmean;
      cm2 += d * d;
      min = std::min(min, v[i]);
      max = std::max(max, v[i]);
      zeros += v[i] == 0;
      negatives += v[i] < 0;
      infinities += std::isinf(v[i]);
    }
    auto na = static_cast<double>(count), nb = static_cast<double>(n);
    double delta = cmean - mean;
    mean = count == 0 ? cmean : mean + delta * nb / (na + nb);
    m2 = count == 0 ? cm2 : m2 + cm2 + delta * delta * na * nb / (na + nb);
    sum += s;
    count += static_cast<int64_t>(n);
    if (!exact) AddToSketches(v, n);
  }

  void AddToSketches(const double* v, size_t n) {
    kll.AddBatch(std::vector<double>(v, v + n));
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits;
      double canonical = v[i] == 0 ? 0.0 : v[i];  // -0.0 and 0.0 are one value
      std::memcpy(&bits, &canonical, 8);
      hll.AddHash(HashU64(bits));
    }
  }

  size_t KeptBytes() const { return (values.size() + ints.size()) * sizeof(double) + counted.bytes(); }

  // Counts the present values while they fit counts, else keeps them (with room for
  // `reserve_rows` of them, sized once).
  template <typename T>
  void Keep(std::span<const T> present, std::vector<T>* kept, uint64_t max_keys, size_t reserve_rows) {
    if (counting && counted.Add(present, max_keys)) return;
    if (counting) {
      counting = false;
      kept->reserve(reserve_rows);
      counted.Drain(kept);
    }
    kept->insert(kept->end(), present.begin(), present.end());
  }

  // While exact, chunks only append (or count) their values; the moments are computed here,
  // once, from what was kept or counted (in blocks, merged the same way as chunks).
  void AddKeptToMoments() {
    double block[4096];
    if (counting) {  // ascending, a block at a time: no vector of every value (a spike of 8 bytes a row)
      counting = false;
      size_t n = 0;
      counted.ForEach([&](int64_t key, uint32_t c) {
        const double v = counted.Value(key);
        for (uint32_t i = 0; i < c; ++i) {
          block[n++] = v;
          if (n == std::size(block)) {
            AddNumbers(block, n);
            n = 0;
          }
        }
      });
      AddNumbers(block, n);
      counted = ValueCounts();
    }
    AddNumbers(values.data(), values.size());
    for (size_t i = 0; i < ints.size(); i += 4096) {
      size_t n = std::min<size_t>(4096, ints.size() - i);
      for (size_t k = 0; k < n; ++k) block[k] = static_cast<double>(ints[i + k]);
      AddNumbers(block, n);
    }
  }

  void SwitchToSketches() {
    if (!exact) return;
    exact = false;
    AddKeptToMoments();  // also feeds the sketches, now that exact is false
    std::vector<double>().swap(values);
    std::vector<int64_t>().swap(ints);
  }

  // An int64 column turned float64: its kept or counted values become doubles.
  void WidenToFloat(uint64_t max_keys) {
    type = ColumnType::kFloat64;
    if (counting) counted.Drain(&ints);
    for (int64_t v : ints) values.push_back(static_cast<double>(v));
    std::vector<int64_t>().swap(ints);
    if (counting && counted.Add(values, max_keys)) std::vector<double>().swap(values);
    else counting = false;
  }

  // Count, moments and extremes from the counts.
  void CountedToMoments() {
    count = counted.total();
    if (count == 0) return;
    const ValueCounts::Moments m = counted.ComputeMoments();
    sum = m.sum;
    mean = m.mean;
    m2 = m.m2;
    min = m.min;
    max = m.max;
    zeros = m.zeros;
    negatives = m.negatives;
  }

  void AddCount(std::string_view value, int64_t n) {
    count += n;
    auto it = counts.find(std::string(value));
    if (it != counts.end()) {
      it->second += n;
    } else if (counts.size() < kMaxExactStrings) {
      counts.emplace(value, n);
    } else if (!counts_capped) {
      counts_capped = true;
      for (const auto& [k, c] : counts) hll.AddHash(HashBytes(k.data(), k.size()));
    }
    if (counts_capped) hll.AddHash(HashBytes(value.data(), value.size()));
    if (type == ColumnType::kString) {
      int64_t len = CodePoints(value);
      len_min = std::min(len_min, len);
      len_max = std::max(len_max, len);
      len_sum += static_cast<double>(len) * static_cast<double>(n);
    }
  }
};

// numpy.histogram's equal-width bins over [lo, hi]: linspace edges, the last bin closed.
Histogram EmptyHistogram(double lo, double hi, int bins) {
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  Histogram h;
  h.edges.resize(static_cast<size_t>(bins) + 1);
  double step = (hi - lo) / bins;
  for (int i = 0; i <= bins; ++i) h.edges[static_cast<size_t>(i)] = i * step + lo;
  h.edges.back() = hi;
  h.counts.assign(static_cast<size_t>(bins), 0);
  return h;
}

// The bin of `v`, computed and then corrected against the edges exactly as numpy does.
size_t BinOf(const Histogram& h, double v) {
  auto bins = static_cast<int64_t>(h.counts.size());
  double lo = h.edges.front(), hi = h.edges.back();
  auto idx = static_cast<int64_t>((v - lo) / (hi - lo) * static_cast<double>(bins));
  idx = std::clamp<int64_t>(idx, 0, bins - 1);
  if (v < h.edges[static_cast<size_t>(idx)] && idx > 0) --idx;
  else if (idx != bins - 1 && v >= h.edges[static_cast<size_t>(idx) + 1]) ++idx;
  return static_cast<size_t>(idx);
}

// a + (b - a) t, taken from the upper side past t = 0.5 as numpy's _lerp does: the
// interpolation pandas' describe() reports.
double Lerp(double a, double b, double t) {
  double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// From sorted values (integers compare and interpolate as doubles, as pandas converts them):
// the distinct count, the quantiles and, if asked, the histogram. numpy's bins hold
// edges[i] <= v < edges[i + 1], the last one closed, so each count is the distance between
// two binary searches.
template <typename T>
int64_t SummarizeSorted(const std::vector<T>& sorted, NumericSummary* n, bool histogram) {
  int64_t distinct = 0;
  for (size_t i = 0; i < sorted.size(); ++i) distinct += i == 0 || sorted[i] != sorted[i - 1];
  for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
    if (sorted.empty()) {
      n->quantiles[q] = std::nan("");
      continue;
    }
    double pos = (static_cast<double>(sorted.size()) - 1) * kProfileQuantiles[q];
    auto lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(lo + 1, sorted.size() - 1);
    n->quantiles[q] = Lerp(static_cast<double>(sorted[lo]), static_cast<double>(sorted[hi]), pos - static_cast<double>(lo));
  }
  if (!histogram) return distinct;
  auto below = [](T v, double e) { return static_cast<double>(v) < e; };
  auto above = [](double e, T v) { return e < static_cast<double>(v); };
  Histogram& h = n->histogram;
  const size_t bins = h.counts.size();
  for (size_t i = 0; i < bins; ++i) {
    auto from = std::lower_bound(sorted.begin(), sorted.end(), h.edges[i], below);
    auto to = i + 1 == bins ? std::upper_bound(sorted.begin(), sorted.end(), h.edges[i + 1], above)
                            : std::lower_bound(sorted.begin(), sorted.end(), h.edges[i + 1], below);
    h.counts[i] = to - from;
  }
  return distinct;
}

// The same from counts: one walk over the counted keys, ascending.
int64_t SummarizeCounts(const ValueCounts& counts, NumericSummary* n, bool histogram) {
  const auto total = static_cast<size_t>(counts.total());
  if (total == 0) {
    n->quantiles.fill(std::nan(""));
    return 0;
  }
  // The two ranks whose values each quantile interpolates between, and how far between.
  std::array<size_t, 2 * kProfileQuantiles.size()> ranks{};
  std::array<double, 2 * kProfileQuantiles.size()> at{};
  std::array<double, kProfileQuantiles.size()> frac{};
  for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
    double pos = (static_cast<double>(total) - 1) * kProfileQuantiles[q];
    ranks[2 * q] = static_cast<size_t>(std::floor(pos));
    ranks[2 * q + 1] = std::min(ranks[2 * q] + 1, total - 1);
    frac[q] = pos - std::floor(pos);
  }
  // One quantile's upper rank may pass the next one's lower rank: visit them in rank order.
  std::array<size_t, ranks.size()> order;
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return ranks[x] < ranks[y]; });
  Histogram& h = n->histogram;
  const size_t bins = histogram ? h.counts.size() : 0;
  // The bins' edges as keys: comparing keys, the walk does not wait for each key's value.
  std::vector<int64_t> key_edges(bins);
  for (size_t b = 1; b < bins; ++b) key_edges[b] = counts.FirstKeyAtLeast(h.edges[b]);
  size_t next = 0, bin = 0, seen = 0;
  int64_t distinct = 0;
  counts.ForEach([&](int64_t key, uint32_t c) {
    ++distinct;
    seen += c;
    for (; next < order.size() && ranks[order[next]] < seen; ++next) at[order[next]] = counts.Value(key);
    if (bins == 0) return;
    while (bin + 1 < bins && key >= key_edges[bin + 1]) ++bin;
    h.counts[bin] += c;
  });
  for (size_t q = 0; q < kProfileQuantiles.size(); ++q) {
    n->quantiles[q] = Lerp(at[2 * q], at[2 * q + 1], frac[q]);
  }
  return distinct;
}

ColumnStats FinishColumn(Accumulator& a, const ProfileOptions& options) {
  if (a.numeric() && a.exact) {
    if (a.counting) a.CountedToMoments();
    else a.AddKeptToMoments();
  }
  ColumnStats s;
  s.name = a.name;
  s.type = a.type;
  s.count = a.count;
  s.missing = a.missing;
  if (!a.numeric()) {
    std::vector<TopValue> top;
    for (const auto& [value, n] : a.counts) top.push_back({value, n});
    std::sort(top.begin(), top.end(), [](const TopValue& x, const TopValue& y) {
      return x.count != y.count ? x.count > y.count : x.value < y.value;
    });
    if (top.size() > static_cast<size_t>(options.top_k)) top.resize(static_cast<size_t>(options.top_k));
    s.top = std::move(top);
    s.distinct = a.counts_capped ? a.hll.Estimate() : static_cast<int64_t>(a.counts.size());
    s.distinct_exact = !a.counts_capped;
    if (a.type == ColumnType::kString && a.count > 0) {
      s.lengths = LengthSummary{a.len_min, a.len_max, a.len_sum / static_cast<double>(a.count)};
    }
    return s;
  }
  NumericSummary n;
  n.min = a.count ? a.min : std::nan("");
  n.max = a.count ? a.max : std::nan("");
  n.mean = a.count ? a.mean : std::nan("");
  n.std = a.count > 1 ? std::sqrt(a.m2 / static_cast<double>(a.count - 1)) : std::nan("");
  n.sum = a.sum;
  n.zeros = a.zeros;
  n.negatives = a.negatives;
  n.infinities = a.infinities;
  if (a.exact) {
    const bool histogram = a.count > 0 && std::isfinite(a.min) && std::isfinite(a.max);
    if (histogram) n.histogram = EmptyHistogram(a.min, a.max, options.histogram_bins);
    if (a.counting) {
      s.distinct = SummarizeCounts(a.counted, &n, histogram);
    } else if (!a.ints.empty()) {
      RadixSortInts(a.ints);
      s.distinct = SummarizeSorted(a.ints, &n, histogram);
    } else {
      RadixSortDoubles(a.values);
      s.distinct = SummarizeSorted(a.values, &n, histogram);
    }
  } else {
    n.quantiles_exact = false;
    s.distinct_exact = false;
    for (size_t i = 0; i < kProfileQuantiles.size(); ++i) n.quantiles[i] = a.kll.Quantile(kProfileQuantiles[i]);
    s.distinct = std::min<int64_t>(a.hll.Estimate(), a.count);
    // The sketch's retained items, each weighted by the number of values it stands for.
    if (a.count > 0 && std::isfinite(a.min) && std::isfinite(a.max)) {
      n.histogram = EmptyHistogram(a.min, a.max, options.histogram_bins);
      for (const auto& [v, w] : a.kll.WeightedItems()) {
        if (!std::isinf(v)) n.histogram.counts[BinOf(n.histogram, v)] += static_cast<int64_t>(w);
      }
    }
  }
  if (a.type == ColumnType::kTimestamp) {
    if (a.count > 0) {
      s.min_time = static_cast<int64_t>(a.min);
      s.max_time = static_cast<int64_t>(a.max);
    }
    return s;
  }
  s.numeric = std::move(n);
  return s;
}

}  // namespace

const ColumnStats* DatasetStats::Find(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

// The present values of a numeric or timestamp column as doubles.
void GatherNumbers(const Column& col, std::vector<double>* out) {
  out->clear();
  const bool floats = col.type() == ColumnType::kFloat64;
  for (int64_t i = 0; i < col.size(); ++i) {
    if (col.IsValid(i)) out->push_back(floats ? col.doubles()[static_cast<size_t>(i)]
                                              : static_cast<double>(col.ints()[static_cast<size_t>(i)]));
  }
}

// The values of `src` (column `col`'s) whose rows are present: `src` itself when all are.
template <typename T>
std::span<const T> Present(const Column& col, const std::vector<T>& src, std::vector<T>* scratch) {
  if (col.null_count() == 0) return src;
  scratch->clear();
  for (size_t i = 0; i < src.size(); ++i) {
    if (col.IsValid(static_cast<int64_t>(i))) scratch->push_back(src[i]);
  }
  return *scratch;
}

}  // namespace

struct StatsBuilder::Impl {
  ProfileOptions options;
  std::vector<Accumulator> columns;
  int64_t rows = 0;
  uint64_t kept_bytes = 0;
  size_t expected_rows = 0;
  bool exact = true;
  std::vector<double> scratch;
  std::vector<int64_t> scratch_ints;
  std::vector<int64_t> code_counts;
};

StatsBuilder::StatsBuilder(ProfileOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
StatsBuilder::~StatsBuilder() = default;

Status StatsBuilder::Begin(const std::vector<ColumnInfo>& columns) {
  impl_->columns.clear();
  impl_->rows = 0;
  impl_->kept_bytes = 0;
  impl_->exact = true;
  for (const auto& c : columns) {
    impl_->columns.emplace_back(c.name, c.type);
    impl_->columns.back().counting = impl_->options.count_values;
  }
  return Status::OK();
}

Status StatsBuilder::Consume(const Chunk& chunk) {
  Impl& m = *impl_;
  if (m.rows == 0) m.expected_rows = chunk.EstimatedFileRows();
  const uint64_t max_keys =
      ValueCounts::KeyLimit(std::max<uint64_t>(m.expected_rows, static_cast<uint64_t>(m.rows + chunk.table.num_rows())));
  // Kept values get room for the whole file at once, if that is within the memory budget.
  const size_t reserve_rows = m.expected_rows * sizeof(double) <= m.options.exact_memory_bytes ? m.expected_rows : 0;
  for (int c = 0; c < chunk.table.num_columns(); ++c) {
    const Column& col = chunk.table.column(c);
    Accumulator& a = m.columns[static_cast<size_t>(c)];
    if (a.type != col.type()) {
      if (a.type == ColumnType::kInt64 && col.type() == ColumnType::kFloat64) {
        a.WidenToFloat(max_keys);
      } else if (a.count > 0 || !a.values.empty() || !a.ints.empty()) {
        return Internal("column " + a.name + " changed type from " + ColumnTypeName(a.type) + " to " +
                        ColumnTypeName(col.type()));
      }
      a.type = col.type();
    }
    a.missing += col.null_count();
    const int64_t n = col.size();
    if (col.type() == ColumnType::kString || col.type() == ColumnType::kBool) {
      size_t ncodes = col.type() == ColumnType::kBool ? 2 : col.dictionary().size();
      m.code_counts.assign(ncodes, 0);
      const auto& codes = col.codes();
      const auto& bools = col.bools();
      for (int64_t i = 0; i < n; ++i) {
        if (!col.IsValid(i)) continue;
        auto k = static_cast<size_t>(i);
        ++m.code_counts[col.type() == ColumnType::kBool ? bools[k] : static_cast<size_t>(codes[k])];
      }
      for (size_t k = 0; k < ncodes; ++k) {
        if (m.code_counts[k] == 0) continue;
        std::string_view v = col.type() == ColumnType::kBool ? (k ? "true" : "false")
                                                             : col.dictionary().Get(static_cast<int32_t>(k));
        a.AddCount(v, m.code_counts[k]);
      }
      continue;
    }
    if (a.exact && col.type() == ColumnType::kFloat64) {
      a.Keep(Present(col, col.doubles(), &m.scratch), &a.values, max_keys, reserve_rows);
    } else if (a.exact) {
      a.Keep(Present(col, col.ints(), &m.scratch_ints), &a.ints, max_keys, reserve_rows);
    } else {
      GatherNumbers(col, &m.scratch);
      a.AddNumbers(m.scratch.data(), m.scratch.size());
    }
  }
  m.rows += chunk.table.num_rows();
  m.kept_bytes = 0;
  for (const auto& a : m.columns) m.kept_bytes += a.KeptBytes();
  if (m.exact && m.kept_bytes > m.options.exact_memory_bytes) {
    m.exact = false;
    for (auto& a : m.columns) a.SwitchToSketches();
  }
  return Status::OK();
}

std::optional<CountedColumn> StatsBuilder::Counted(int c) const {
  const Accumulator& a = impl_->columns[static_cast<size_t>(c)];
  if (!a.exact || !a.counting || (a.type != ColumnType::kInt64 && a.type != ColumnType::kFloat64)) return std::nullopt;
  CountedColumn out;
  out.missing = a.missing;
  a.counted.Distribution(&out.values, &out.counts);
  return out;
}

DatasetStats StatsBuilder::Finish() {
  Impl& m = *impl_;
  DatasetStats out;
  out.rows = m.rows;
  out.columns.resize(m.columns.size());
  // Sorting dominates; columns are independent, so spread them over the threads.
  int threads = std::max(1, std::min<int>(m.options.threads, static_cast<int>(m.columns.size())));
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t c; (c = next++) < m.columns.size();) out.columns[c] = FinishColumn(m.columns[c], m.options);
    });
  }
  for (auto& w : workers) w.join();
  return out;
}

Result<DatasetStats> ProfileFile(const std::string& path, const ReadOptions& read_options,
                                 const ProfileOptions& options, ScanSummary* summary) {
  StatsBuilder builder(options);
  ASSIGN_OR_RETURN(ScanSummary s, ScanFile(path, read_options, builder));
  if (summary != nullptr) *summary = std::move(s);
  return builder.Finish();
}

}  // namespace gyre
