// Divergences over binned shares and the category tests, with Evidently's binning and its
// empty-bin fill, and numpy's bin edges.
#include <algorithm>
#include <cmath>
#include <limits>

#include "monitor/pooled.h"
#include "monitor/special.h"
#include "monitor/stattests.h"

namespace gyre {
namespace {

// Evidently's fill for PSI and KL: an empty share becomes 1e-4, or the smallest non-zero
// share / 1e6 when that is already at most 1e-4.
void FillZeroes(std::vector<double>& shares) {
  double smallest = std::numeric_limits<double>::infinity();
  for (double s : shares)
    if (s != 0) smallest = std::min(smallest, s);
  const double fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4;
  for (double& s : shares)
    if (s == 0) s = fill;
}

// numpy.histogram counts for a sample given by distinct values: [e_i, e_i+1) per bin, the
// last bin closed, values outside the edges dropped.
std::vector<double> Histogram(const std::vector<double>& values,
                              const std::vector<int64_t>& counts,
                              const std::vector<double>& edges) {
  const size_t bins = edges.size() - 1;
  std::vector<double> out(bins, 0.0);
  size_t b = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (v < edges.front() || v > edges.back()) continue;
    while (b + 1 < bins && v >= edges[b + 1]) ++b;
    out[b] += static_cast<double>(counts[i]);
  }
  return out;
}

std::vector<double> Shares(std::vector<double> counts, double total) {
  for (double& c : counts) c /= total;
  return counts;
}

double SumOf(const std::vector<double>& v) {
  long double s = 0;
  for (double x : v) s += x;
  return static_cast<double>(s);
}

// scipy.special.rel_entr.
double RelEntr(double x, double y) {
  if (x > 0 && y > 0) return x * std::log(x / y);
  if (x == 0 && y >= 0) return 0;
  return std::numeric_limits<double>::infinity();
}

}  // namespace

std::vector<double> SturgesEdges(std::span<const double> distinct_sorted, int64_t size) {
  double first = distinct_sorted.front(), last = distinct_sorted.back();
  const double ptp = last - first;
  if (first == last) {
    first -= 0.5;
    last += 0.5;
  }
  const double width = ptp / (std::log2(static_cast<double>(size)) + 1.0);
  const int64_t bins = width != 0 ? static_cast<int64_t>(std::ceil((last - first) / width)) : 1;
  std::vector<double> edges(bins + 1);
  const double step = (last - first) / static_cast<double>(bins);
  for (int64_t i = 0; i <= bins; ++i) edges[i] = static_cast<double>(i) * step + first;
  edges.back() = last;
  return edges;
}

CategoryCounts CountsOf(const NumericSample& reference, const NumericSample& current) {
  const Pooled pooled = Pooled::Of(reference, current);
  CategoryCounts out;
  for (size_t i = 0; i < pooled.values.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", pooled.values[i]);
    out.keys.emplace_back(buf);
    out.reference.push_back(static_cast<double>(pooled.ref[i]));
    out.current.push_back(static_cast<double>(pooled.cur[i]));
  }
  return out;
}

BinnedShares BinCategories(const CategoryCounts& counts, bool fill_zeroes) {
  BinnedShares out{Shares(counts.reference, SumOf(counts.reference)),
                   Shares(counts.current, SumOf(counts.current))};
  if (fill_zeroes) {
    FillZeroes(out.reference);
    FillZeroes(out.current);
  }
  return out;
}

BinnedShares BinNumeric(const NumericSample& reference, const NumericSample& current,
                        bool numeric_type, bool fill_zeroes) {
  return BinPooled(Pooled::Of(reference, current), !(numeric_type && reference.distinct() > 20),
                   fill_zeroes);
}

BinnedShares BinPooled(const Pooled& pooled, bool by_value, bool fill_zeroes) {
  BinnedShares out;
  if (by_value) {
    CategoryCounts counts;
    counts.reference.assign(pooled.ref.begin(), pooled.ref.end());
    counts.current.assign(pooled.cur.begin(), pooled.cur.end());
    return BinCategories(counts, fill_zeroes);
  }
  const std::vector<double> edges = SturgesEdges(pooled.values, pooled.n_ref + pooled.n_cur);
  out.reference = Shares(Histogram(pooled.values, pooled.ref, edges), static_cast<double>(pooled.n_ref));
  out.current = Shares(Histogram(pooled.values, pooled.cur, edges), static_cast<double>(pooled.n_cur));
  if (fill_zeroes) {
    FillZeroes(out.reference);
    FillZeroes(out.current);
  }
  return out;
}

double Psi(const BinnedShares& s) {
  long double sum = 0;
  for (size_t i = 0; i < s.reference.size(); ++i)
    sum += (s.reference[i] - s.current[i]) * std::log(s.reference[i] / s.current[i]);
  return static_cast<double>(sum);
}

double KlDivergence(const BinnedShares& s) {
  const double sr = SumOf(s.reference), sc = SumOf(s.current);
  long double sum = 0;
  for (size_t i = 0; i < s.reference.size(); ++i)
    sum += RelEntr(s.reference[i] / sr, s.current[i] / sc);
  return static_cast<double>(sum);
}

double JensenShannon(const BinnedShares& s) {
  const double sr = SumOf(s.reference), sc = SumOf(s.current);
  long double left = 0, right = 0;
  for (size_t i = 0; i < s.reference.size(); ++i) {
    const double p = s.reference[i] / sr, q = s.current[i] / sc, m = (p + q) / 2.0;
    left += RelEntr(p, m);
    right += RelEntr(q, m);
  }
  return std::sqrt(static_cast<double>(left + right) / 2.0);
}

namespace {

// numpy.quantile(values, q) with linear interpolation, over distinct values with counts.
double LinearQuantile(const NumericSample& s, double q) {
  const double h = static_cast<double>(s.size - 1) * q;
  const auto lo = static_cast<int64_t>(std::floor(h));
  auto at = [&](int64_t rank) {
    int64_t seen = 0;
    for (size_t i = 0; i < s.values.size(); ++i) {
      seen += s.counts[i];
      if (rank < seen) return s.values[i];
    }
    return s.values.back();
  };
  const double a = at(lo), b = at(std::min(lo + 1, s.size - 1));
  return a + (h - static_cast<double>(lo)) * (b - a);
}

}  // namespace

double PsiQuantile(const NumericSample& reference, const NumericSample& current) {
  std::vector<double> cuts;
  for (int i = 1; i <= 9; ++i) cuts.push_back(LinearQuantile(reference, i / 10.0));
  auto shares = [&](const NumericSample& s) {
    std::vector<double> counts(cuts.size() + 1, 0.0);
    for (size_t i = 0; i < s.values.size(); ++i) {
      // Bin b holds (cut[b-1], cut[b]]: the first cut at or above the value.
      const auto b = std::lower_bound(cuts.begin(), cuts.end(), s.values[i]) - cuts.begin();
      counts[b] += static_cast<double>(s.counts[i]);
    }
    return Shares(counts, static_cast<double>(s.size));
  };
  BinnedShares binned{shares(reference), shares(current)};
  FillZeroes(binned.reference);
  FillZeroes(binned.current);
  return Psi(binned);
}

double HellingerCategorical(const CategoryCounts& counts) {
  const BinnedShares s = BinCategories(counts, false);
  long double bc = 0;
  for (size_t i = 0; i < s.reference.size(); ++i) bc += std::sqrt(s.reference[i] * s.current[i]);
  return std::sqrt(std::max(0.0, 1.0 - static_cast<double>(bc)));
}

double HellingerNumeric(const NumericSample& reference, const NumericSample& current) {
  const Pooled pooled = Pooled::Of(reference, current);
  const std::vector<double> edges =
      SturgesEdges(pooled.values, static_cast<int64_t>(pooled.values.size()));
  const std::vector<double> h1 = Histogram(reference.values, reference.counts, edges);
  const std::vector<double> h2 = Histogram(current.values, current.counts, edges);
  const double s1 = SumOf(h1), s2 = SumOf(h2);
  // Densities use each bin's own width; the sum uses the nominal one, as Evidently does.
  const double nominal = (edges.back() - edges.front()) / static_cast<double>(edges.size() - 1);
  // Summed left to right in double, as Evidently does: when the distributions nearly
  // coincide, 1 - bc cancels and only the same rounding gives the same distance.
  double bc = 0;
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    const double width = edges[i + 1] - edges[i];
    const double d1 = h1[i] / width / s1, d2 = h2[i] / width / s2;
    bc += std::sqrt(d1 * d2) * nominal;
  }
  const double clipped = std::clamp(bc, 0.0, 1.0);
  return std::sqrt(1.0 - clipped);
}

TestResult ChiSquare(const CategoryCounts& counts) {
  const double n_ref = SumOf(counts.reference), n_cur = SumOf(counts.current);
  const double scale = n_cur / n_ref;
  long double stat = 0;
  for (size_t i = 0; i < counts.keys.size(); ++i) {
    const double expected = counts.reference[i] * scale, observed = counts.current[i];
    const double diff = observed - expected;
    stat += diff * diff / expected;
  }
  const double x = static_cast<double>(stat);
  if (counts.keys.size() < 2) return {x, 1.0};
  return {x, special::ChiSquareSf(x, static_cast<double>(counts.keys.size() - 1))};
}

TestResult ZTest(const CategoryCounts& counts) {
  const double n1 = SumOf(counts.reference), n2 = SumOf(counts.current);
  if (counts.keys.size() < 2) return {0.0, 1.0};  // one value on both sides: no change
  const double p1 = (n1 - counts.reference[0]) / n1, p2 = (n2 - counts.current[0]) / n2;
  const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const double z = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return {z, 2 * (1 - special::NormalCdf(std::fabs(z)))};
}

NumericSample NumericSample::FromValues(std::vector<double> values) {
  std::erase_if(values, [](double v) { return !std::isfinite(v); });
  std::sort(values.begin(), values.end());
  NumericSample s;
  s.size = static_cast<int64_t>(values.size());
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    s.values.push_back(values[i]);
    s.counts.push_back(static_cast<int64_t>(j - i));
    i = j;
  }
  return s;
}

}  // namespace gyre
