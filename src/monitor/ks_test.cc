// The two-sample Kolmogorov-Smirnov test and the ECDF distances, as scipy 1.10 computes them.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "monitor/pooled.h"
#include "monitor/special.h"
#include "monitor/stattests.h"

namespace gyre {
namespace {

constexpr int64_t kMaxExactN = 10000;  // scipy's MAX_AUTO_N

// P(D_{n,n} >= h/n): 2 (A0 - A0 A1 + ...), each term a ratio of binomials evaluated by a
// Horner-like product to avoid cancellation.
double ProbOutsideSquare(int64_t n, int64_t h) {
  double p = 0.0;
  for (int64_t k = n / h; k >= 0; --k) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j)
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

// 1 - (share of lattice paths staying strictly inside |x/m - y/n| < h/lcm), computed
// directly by Viehmann's recursion, as scipy's _compute_outer_prob_inside_method.
double OuterProbInside(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g, ng = n / g;
  auto ceil_div = [](int64_t a, int64_t b) {
    return static_cast<int64_t>(std::ceil(static_cast<double>(a) / static_cast<double>(b)));
  };
  auto floor_div = [](int64_t a, int64_t b) {
    return static_cast<int64_t>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
  };
  int64_t minj = 0, maxj = std::min(ceil_div(h, mg), n + 1);
  int64_t curlen = maxj - minj;
  const int64_t len_a = std::min(2 * maxj + 2, n + 1);
  std::vector<double> a(len_a, 1.0);
  std::fill(a.begin() + minj, a.begin() + maxj, 0.0);
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj, lastlen = curlen;
    minj = std::min(std::max(floor_div(ng * i - h, mg) + 1, int64_t{0}), n);
    maxj = std::min(ceil_div(ng * i + h, mg), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      const int64_t j = jj + minj;
      val = (a[jj + minj - lastminj] * static_cast<double>(i) + val * static_cast<double>(j)) /
            static_cast<double>(i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen)
      std::fill(a.begin() + (maxj - minj), a.begin() + (maxj - minj) + (lastlen - curlen), 1.0);
  }
  return a[maxj - minj - 1];
}

// scipy's _attempt_exact_2kssamp for the two-sided test; empty when it cannot be computed.
std::optional<double> ExactKsP(int64_t n1, int64_t n2, double& d) {
  const int64_t g = std::gcd(n1, n2);
  const double lcm = static_cast<double>(n1 / g) * static_cast<double>(n2);
  const int64_t h = static_cast<int64_t>(std::nearbyint(d * lcm));
  d = static_cast<double>(h) / lcm;
  if (h == 0) return 1.0;
  const double p = n1 == n2 ? ProbOutsideSquare(n1, h) : OuterProbInside(n1, n2, g, h);
  if (!(p >= 0 && p <= 1)) return std::nullopt;
  return p;
}

}  // namespace

Pooled Pooled::Of(const NumericSample& reference, const NumericSample& current) {
  Pooled p;
  p.n_ref = reference.size;
  p.n_cur = current.size;
  const size_t nr = reference.values.size(), nc = current.values.size();
  p.values.reserve(nr + nc);
  size_t i = 0, j = 0;
  while (i < nr || j < nc) {
    const bool take_r = j == nc || (i < nr && reference.values[i] <= current.values[j]);
    const bool take_c = i == nr || (j < nc && current.values[j] <= reference.values[i]);
    p.values.push_back(take_r ? reference.values[i] : current.values[j]);
    p.ref.push_back(take_r ? reference.counts[i++] : 0);
    p.cur.push_back(take_c ? current.counts[j++] : 0);
  }
  return p;
}

TestResult KsTest(const NumericSample& reference, const NumericSample& current) {
  return KsTest(Pooled::Of(reference, current));
}

TestResult KsTest(const Pooled& pooled) {
  const int64_t n1 = pooled.n_ref, n2 = pooled.n_cur;
  double max_s = -2, min_s = 2;
  int64_t c1 = 0, c2 = 0;
  for (size_t k = 0; k < pooled.values.size(); ++k) {
    c1 += pooled.ref[k];
    c2 += pooled.cur[k];
    const double diff = static_cast<double>(c1) / static_cast<double>(n1) -
                        static_cast<double>(c2) / static_cast<double>(n2);
    max_s = std::max(max_s, diff);
    min_s = std::min(min_s, diff);
  }
  const double neg = std::clamp(-min_s, 0.0, 1.0);
  double d = neg > max_s ? neg : max_s;
  std::optional<double> p;
  if (std::max(n1, n2) <= kMaxExactN) p = ExactKsP(n1, n2, d);
  if (!p) {
    const double m = static_cast<double>(std::max(n1, n2)), n = static_cast<double>(std::min(n1, n2));
    const auto en = static_cast<int64_t>(std::nearbyint(m * n / (m + n)));
    p = special::KolmogorovSf(en, d);
  }
  return {d, std::clamp(*p, 0.0, 1.0)};
}

double CdfDistance(const Pooled& pooled, int power) {
  const double n1 = static_cast<double>(pooled.n_ref), n2 = static_cast<double>(pooled.n_cur);
  long double sum = 0;
  int64_t c1 = 0, c2 = 0;
  for (size_t k = 0; k + 1 < pooled.values.size(); ++k) {
    c1 += pooled.ref[k];
    c2 += pooled.cur[k];
    const double gap = std::fabs(static_cast<double>(c1) / n1 - static_cast<double>(c2) / n2);
    const double delta = pooled.values[k + 1] - pooled.values[k];
    sum += static_cast<long double>(power == 1 ? gap : gap * gap) * delta;
  }
  return static_cast<double>(sum);
}

double Wasserstein(const NumericSample& reference, const NumericSample& current) {
  return CdfDistance(Pooled::Of(reference, current), 1);
}

TestResult WassersteinNorm(const NumericSample& reference, const NumericSample& current) {
  return {CdfDistance(Pooled::Of(reference, current), 1) / PopulationStdFloor(reference), std::nullopt};
}

double PopulationStdFloor(const NumericSample& reference) {
  long double sum = 0, sq = 0;
  const double n = static_cast<double>(reference.size);
  for (size_t i = 0; i < reference.values.size(); ++i)
    sum += static_cast<long double>(reference.values[i]) * reference.counts[i];
  const long double mean = sum / n;
  for (size_t i = 0; i < reference.values.size(); ++i) {
    const long double d = reference.values[i] - mean;
    sq += d * d * reference.counts[i];
  }
  const double std_pop = static_cast<double>(std::sqrt(sq / n));
  return std::max(std_pop, 0.001);
}

TestResult EnergyDistance(const NumericSample& reference, const NumericSample& current) {
  return {std::sqrt(2.0) * std::sqrt(CdfDistance(Pooled::Of(reference, current), 2)), std::nullopt};
}

}  // namespace gyre
