// Tests built on ranks and moments: Anderson-Darling k-sample, Cramér-von Mises, Student's t
// and Mann-Whitney U, each as scipy 1.10 computes it, from distinct values with counts.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "monitor/pooled.h"
#include "monitor/special.h"
#include "monitor/stattests.h"

namespace gyre {
namespace {

using Ld = long double;

// Least-squares parabola through (x, y) evaluated at t (numpy.polyfit(x, y, 2) + polyval).
double QuadraticFitAt(const double* x, const double* y, int n, double t) {
  Ld s[5] = {0, 0, 0, 0, 0}, r[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) {
    Ld p = 1;
    for (int k = 0; k < 5; ++k, p *= x[i]) {
      s[k] += p;
      if (k < 3) r[k] += p * y[i];
    }
  }
  // Normal equations for c0 + c1 x + c2 x^2, solved by Cramer's rule in long double.
  Ld m[3][3] = {{s[0], s[1], s[2]}, {s[1], s[2], s[3]}, {s[2], s[3], s[4]}};
  auto det = [](Ld a[3][3]) {
    return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
           a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
           a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  };
  const Ld d = det(m);
  Ld c[3];
  for (int col = 0; col < 3; ++col) {
    Ld mc[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) mc[i][j] = j == col ? r[i] : m[i][j];
    c[col] = det(mc) / d;
  }
  return static_cast<double>(c[0] + c[1] * t + c[2] * t * t);
}

}  // namespace

TestResult AndersonKsamp(const NumericSample& reference, const NumericSample& current) {
  const Pooled pooled = Pooled::Of(reference, current);
  const double n_i[2] = {static_cast<double>(pooled.n_ref), static_cast<double>(pooled.n_cur)};
  const double big_n = n_i[0] + n_i[1];
  // A2akN, equation 7 of Scholz and Stephens (1987), with midranks.
  Ld a2 = 0;
  for (int s = 0; s < 2; ++s) {
    const std::vector<int64_t>& own = s == 0 ? pooled.ref : pooled.cur;
    Ld inner_sum = 0;
    int64_t below = 0, own_below = 0;
    for (size_t j = 0; j < pooled.values.size(); ++j) {
      const double lj = static_cast<double>(pooled.ref[j] + pooled.cur[j]);
      const double bj = static_cast<double>(below) + lj / 2.0;
      const double mij = static_cast<double>(own_below + own[j]) - static_cast<double>(own[j]) / 2.0;
      const double num = big_n * mij - bj * n_i[s];
      inner_sum += lj / big_n * num * num / (bj * (big_n - bj) - big_n * lj / 4.0);
      below += pooled.ref[j] + pooled.cur[j];
      own_below += own[j];
    }
    a2 += inner_sum / n_i[s];
  }
  a2 *= (big_n - 1.0) / big_n;

  const double hh = 1.0 / n_i[0] + 1.0 / n_i[1];
  Ld cum = 0, g = 0;
  const int64_t total = pooled.n_ref + pooled.n_cur;
  for (int64_t j = 2; j < total; ++j) {  // hs_cs[j-2] = sum_{i=N-1 down to N-j+1} 1/i
    cum += 1.0L / static_cast<Ld>(total - j + 1);
    g += cum / static_cast<Ld>(j);
  }
  const Ld h = cum + 1, k = 2;
  const Ld a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * hh;
  const Ld b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * hh - 8 * h + 4 * g - 6;
  const Ld c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * hh + 4 * h;
  const Ld dd = (2 * h + 6) * k * k - 4 * h * k;
  const Ld nn = big_n;
  const Ld sigmasq =
      (a * nn * nn * nn + b * nn * nn + c * nn + dd) / ((nn - 1) * (nn - 2) * (nn - 3));
  const double stat = static_cast<double>((a2 - 1) / std::sqrt(sigmasq));

  static constexpr double kB0[] = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
  static constexpr double kB1[] = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
  static constexpr double kB2[] = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
  static constexpr double kSig[] = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
  double critical[7], log_sig[7];
  for (int i = 0; i < 7; ++i) {
    critical[i] = kB0[i] + kB1[i] / std::sqrt(1.0) + kB2[i] / 1.0;
    log_sig[i] = std::log(kSig[i]);
  }
  double p;
  if (stat < critical[0]) p = 0.25;
  else if (stat > critical[6]) p = 0.001;
  else p = std::exp(QuadraticFitAt(critical, log_sig, 7, stat));
  return {stat, p};
}

namespace {

__extension__ using Int128 = __int128;

// Sum over i = 1..c of (s2 - 2i)^2, exactly: four times the squared distance of c tied
// values from their midrank, with s2 twice the midrank's offset.
Int128 SquaredOffsets4(Int128 s2, Int128 c) {
  return c * s2 * s2 - 2 * s2 * c * (c + 1) + 2 * c * (c + 1) * (2 * c + 1) / 3;
}

// The exact null distribution of U by Xiao, Gordon and Yakovlev's frequency tables (scipy's
// _pval_cvm_2samp_exact); sizes are at most 20, so maps stay small.
double CvmExactP(Ld u, int64_t m, int64_t n) {
  const int64_t lcm = std::lcm(m, n), a = lcm / m, b = lcm / n, mn = m * n;
  const Ld zeta = std::floor(static_cast<Ld>(lcm) * lcm * (m + n) *
                             (6 * u - static_cast<Ld>(mn) * (4 * mn - 1)) /
                             (6 * static_cast<Ld>(mn) * mn));
  std::vector<std::map<int64_t, Ld>> gs(m + 1);
  gs[0][0] = 1;
  for (int64_t uu = 0; uu <= n; ++uu) {
    std::vector<std::map<int64_t, Ld>> next(m + 1);
    std::map<int64_t, Ld> tmp;
    for (int64_t v = 0; v <= m; ++v) {
      for (const auto& [value, freq] : gs[v]) tmp[value] += freq;
      std::map<int64_t, Ld> shifted;
      const int64_t add = (a * v - b * uu) * (a * v - b * uu);
      for (const auto& [value, freq] : tmp) shifted[value + add] = freq;
      tmp = shifted;
      next[v] = tmp;
    }
    gs = std::move(next);
  }
  Ld hits = 0, all = 0;
  for (const auto& [value, freq] : gs[m]) {
    all += freq;
    if (static_cast<Ld>(value) >= zeta) hits += freq;
  }
  return static_cast<double>(hits / all);
}

// Csörgő and Faraway's series for the limiting CDF of the statistic (scipy's _cdf_cvm_inf).
double CvmLimitCdf(double x) {
  double total = 0;
  for (int k = 0;; ++k) {
    const double u = std::exp(std::lgamma(k + 0.5) - std::lgamma(k + 1.0)) /
                     (std::pow(M_PI, 1.5) * std::sqrt(x));
    const double y = 4.0 * k + 1, q = y * y / (16 * x);
    const double term = u * std::sqrt(y) * std::exp(-q) * special::BesselK(0.25, q);
    total += term;
    if (std::fabs(term) < 1e-7) break;
  }
  return total;
}

}  // namespace

TestResult CramerVonMises(const NumericSample& reference, const NumericSample& current) {
  const Pooled pooled = Pooled::Of(reference, current);
  const int64_t nx = pooled.n_ref, ny = pooled.n_cur;
  // U = nx sum (rank(x_i) - i)^2 + ny sum (rank(y_j) - j)^2 with midranks for ties. Ranks
  // are half-integers, so 4U is an integer and T is formed exactly before one rounding:
  // scipy's float T cancels two terms of order n and keeps only a few digits for big samples.
  Int128 sx4 = 0, sy4 = 0;
  int64_t below = 0, bx = 0, by = 0;
  for (size_t j = 0; j < pooled.values.size(); ++j) {
    const int64_t cx = pooled.ref[j], cy = pooled.cur[j];
    const Int128 rank2 = 2 * static_cast<Int128>(below) + cx + cy + 1;
    sx4 += SquaredOffsets4(rank2 - 2 * bx, cx);
    sy4 += SquaredOffsets4(rank2 - 2 * by, cy);
    below += cx + cy;
    bx += cx;
    by += cy;
  }
  const Int128 u4 = nx * sx4 + ny * sy4;
  const Int128 k128 = static_cast<Int128>(nx) * ny;
  const Ld u = static_cast<Ld>(u4) / 4;
  const Ld k = static_cast<Ld>(k128), big_n = static_cast<Ld>(nx + ny);
  const Ld t = static_cast<Ld>(6 * u4 - 4 * k128 * (4 * k128 - 1)) / (24 * k * big_n);
  double p;
  if (std::max(nx, ny) <= 20) {
    p = CvmExactP(u, nx, ny);
  } else {
    const Ld et = (1 + 1 / big_n) / 6;
    Ld vt = (big_n + 1) * (4 * k * big_n - 3 * (static_cast<Ld>(nx) * nx + static_cast<Ld>(ny) * ny) - 2 * k);
    vt = vt / (45 * big_n * big_n * 4 * k);
    const double tn = static_cast<double>(1.0L / 6 + (t - et) / std::sqrt(45 * vt));
    p = tn < 0.003 ? 1.0 : std::max(0.0, 1.0 - CvmLimitCdf(tn));
  }
  return {static_cast<double>(t), p};
}

TestResult TTest(const NumericSample& reference, const NumericSample& current) {
  auto moments = [](const NumericSample& s, Ld& mean, Ld& var) {
    Ld sum = 0;
    for (size_t i = 0; i < s.values.size(); ++i) sum += static_cast<Ld>(s.values[i]) * s.counts[i];
    mean = sum / s.size;
    Ld sq = 0;
    for (size_t i = 0; i < s.values.size(); ++i) {
      const Ld d = s.values[i] - mean;
      sq += d * d * s.counts[i];
    }
    var = sq / (s.size - 1);
  };
  Ld m1, v1, m2, v2;
  moments(reference, m1, v1);
  moments(current, m2, v2);
  const Ld n1 = reference.size, n2 = current.size, df = n1 + n2 - 2;
  const Ld svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
  const double t = static_cast<double>((m1 - m2) / std::sqrt(svar * (1 / n1 + 1 / n2)));
  if (std::isnan(t)) return {t, std::numeric_limits<double>::quiet_NaN()};
  return {t, special::StudentTCdf(static_cast<double>(df), -std::fabs(t)) * 2};
}

namespace {

// P(U <= k) under H0 without ties: the coefficients of the Gaussian binomial [m+n, m]_q
// count the arrangements with each U, built factor by factor in exact integers.
double MannWhitneyExactCdf(int64_t k, int64_t m, int64_t n) {
  if (m > n) std::swap(m, n);
  __extension__ using Int = __int128;
  std::vector<Int> poly(m * n + m + 1, 0);
  poly[0] = 1;
  int64_t degree = 0;
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t up = n + i;  // multiply by (1 - q^(n+i)), then divide by (1 - q^i)
    for (int64_t e = degree + up; e >= up; --e) poly[e] -= poly[e - up];
    // The division is exact, so the quotient's coefficients past its degree come out zero.
    for (int64_t e = i; e <= degree + up; ++e) poly[e] += poly[e - i];
    degree += n;
  }
  Ld below = 0, all = 0;
  for (int64_t e = 0; e <= m * n; ++e) {
    all += static_cast<Ld>(poly[e]);
    if (e <= k) below += static_cast<Ld>(poly[e]);
  }
  return static_cast<double>(below / all);
}

}  // namespace

TestResult MannWhitney(const NumericSample& reference, const NumericSample& current) {
  const Pooled pooled = Pooled::Of(reference, current);
  const int64_t n1 = pooled.n_ref, n2 = pooled.n_cur;
  Ld r1 = 0, tie_term = 0;
  int64_t below = 0;
  bool ties = false;
  for (size_t j = 0; j < pooled.values.size(); ++j) {
    const int64_t c = pooled.ref[j] + pooled.cur[j];
    r1 += pooled.ref[j] * (below + (c + 1) / 2.0L);
    tie_term += static_cast<Ld>(c) * c * c - c;
    ties = ties || c > 1;
    below += c;
  }
  const Ld u1 = r1 - static_cast<Ld>(n1) * (n1 + 1) / 2;
  const Ld u = static_cast<Ld>(n1) * n2 - u1;  // "less" uses U of the current sample
  double p;
  if ((n1 <= 8 || n2 <= 8) && !ties) {
    // sf(U) = cdf(mn - U)
    p = MannWhitneyExactCdf(n1 * n2 - static_cast<int64_t>(u), n1, n2);
  } else {
    const Ld n = n1 + n2;
    const Ld s = std::sqrt(static_cast<Ld>(n1) * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    p = special::NormalSf(static_cast<double>((u - static_cast<Ld>(n1) * n2 / 2 - 0.5L) / s));
  }
  return {static_cast<double>(u1), std::clamp(p, 0.0, 1.0)};
}

}  // namespace gyre
