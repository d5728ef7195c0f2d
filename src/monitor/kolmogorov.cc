// The two-sided one-sample Kolmogorov distribution, P(D_n >= d), computed the way
// scipy.stats.kstwo.sf does it (Simard and L'Ecuyer 2011): each region of (n, d) uses the
// method that is exact or accurate there, so the p-values of ks_2samp's asymptotic mode agree
// with scipy's to rounding.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>
#include <vector>

#include "monitor/special.h"

namespace gyre::special {
namespace {

constexpr int kScaleExp = 128;
const double kScaleUp = std::ldexp(1.0, kScaleExp);
const double kScaleDown = std::ldexp(1.0, -kScaleExp);
constexpr double kPi = std::numbers::pi;

double Clip01(double p) { return std::clamp(p, 0.0, 1.0); }

// log(n! / n^n) by Stirling's series with n log n taken out first.
double LogFactorialOverPower(int64_t n) {
  static constexpr double kCoeffs[] = {
      -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double rn = 1.0 / static_cast<double>(n), x = rn / static_cast<double>(n);
  double poly = 0;
  for (double c : kCoeffs) poly = poly * x + c;
  return std::log(static_cast<double>(n)) / 2 - static_cast<double>(n) +
         std::log(2 * kPi) / 2 + rn * poly;
}

using Matrix = std::vector<double>;  // row-major m x m

Matrix Multiply(const Matrix& a, const Matrix& b, int m) {
  Matrix c(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < m; ++k) {
      const double aik = a[i * m + k];
      if (aik == 0) continue;
      for (int j = 0; j < m; ++j) c[i * m + j] += aik * b[k * m + j];
    }
  return c;
}

// Durbin's matrix method as Marsaglia, Tsang and Wang compute it: P(D_n < d) is the k-th
// diagonal entry of (n!/n^n) H^n, with scaling to keep the powers in range.
double DurbinCdf(int64_t n, double d) {
  if (d >= 1) return 1;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0;
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;
  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (int j = 1; j <= m; ++j) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1.0 - std::pow(h, j)) * fac;
  }
  const double tt = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;
  Matrix hm(static_cast<size_t>(m) * m, 0.0);
  for (int i = 1; i < m; ++i)
    for (int r = i - 1; r < m; ++r) hm[r * m + i] = w[r - (i - 1)];
  for (int r = 0; r < m; ++r) hm[r * m] = v[r];
  for (int c = 0; c < m; ++c) hm[(m - 1) * m + c] = v[m - 1 - c];

  Matrix power(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) power[i * m + i] = 1.0;
  int64_t exponent = 0, h_exponent = 0;
  for (int64_t left = n; left > 0; left /= 2) {
    if (left % 2) {
      power = Multiply(power, hm, m);
      exponent += h_exponent;
    }
    hm = Multiply(hm, hm, m);
    h_exponent *= 2;
    if (std::fabs(hm[(k - 1) * m + (k - 1)]) > kScaleUp) {
      for (double& x : hm) x /= kScaleUp;
      h_exponent += kScaleExp;
    }
  }
  double p = power[(k - 1) * m + (k - 1)];
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<double>(i) * p / static_cast<double>(n);
    if (std::fabs(p) < kScaleDown) {
      p *= kScaleUp;
      exponent -= kScaleExp;
    }
  }
  return Clip01(exponent != 0 ? std::ldexp(p, static_cast<int>(exponent)) : p);
}

// Columns [j1, j2] of row i of Pomeranz's recursion that can be non-zero.
std::pair<int64_t, int64_t> PomeranzRange(int64_t i, int64_t n, int64_t ll, int ceilf,
                                          int roundf) {
  int64_t j1, j2;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const int64_t half = (i + 1) / 2, odd = (i + 1) % 2;
    if (odd == 0) {
      if (half == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return {std::max<int64_t>(j1 + 2, 0), std::min(j2, n)};
}

// Pomeranz's recursion (1974): each row convolves the previous one with (almost) Poisson
// probabilities; only two rows and a few columns are live at a time.
double PomeranzCdf(int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const int64_t ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int ceilf = f > 0 ? 1 : 0, roundf = f > 0.5 ? 1 : 0;
  const int64_t npwrs = 2 * (ll + 1);
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const double dn = static_cast<double>(n);
  for (int64_t m = 1; m < npwrs; ++m) {
    gpower[m] = gpower[m - 1] * (g / dn) / static_cast<double>(m);
    twogpower[m] = twogpower[m - 1] * (2 * g / dn) / static_cast<double>(m);
    onem2gpower[m] = onem2gpower[m - 1] * ((1 - 2 * g) / dn) / static_cast<double>(m);
  }
  std::vector<double> v0(npwrs, 0.0), v1(npwrs, 0.0), conv;
  v1[0] = 1;
  int64_t v0s = 0, v1s = 0, exponent = 0;
  auto [j1, j2] = PomeranzRange(0, n, ll, ceilf, roundf);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    std::swap(v0, v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    std::tie(j1, j2) = PomeranzRange(i, n, ll, ceilf, roundf);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 <= 0) continue;
    // As numpy slices do, the window stops at the end of the row.
    const int64_t avail = std::min(ln2, npwrs - (k1 - v0s));
    conv.assign(avail + ln2 - 1, 0.0);
    for (int64_t a = 0; a < avail; ++a)
      for (int64_t b = 0; b < ln2; ++b) conv[a + b] += v0[k1 - v0s + a] * pwrs[b];
    const int64_t start = j1 - k1;
    const int64_t len = std::min(j2 - j1 + 1, static_cast<int64_t>(conv.size()) - start);
    for (int64_t c = 0; c < len; ++c) v1[c] = conv[start + c];
    const double top = *std::max_element(v1.begin(), v1.end());
    if (top > 0 && top < kScaleDown) {
      for (double& y : v1) y *= kScaleUp;
      exponent -= kScaleExp;
    }
    v1s = v0s + j1 - k1;
  }
  double ans = v1[n - v1s];
  for (int64_t m = 1; m <= n; ++m) {
    if (std::fabs(ans) > kScaleUp) {
      ans *= kScaleDown;
      exponent += kScaleExp;
    }
    ans *= static_cast<double>(m);
  }
  if (exponent != 0) ans = std::ldexp(ans, static_cast<int>(exponent));
  return Clip01(ans);
}

// Pelz and Good's (1976) expansion of P(D_n <= x) in powers of 1/sqrt(n).
double PelzGoodCdf(int64_t n, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double z = std::sqrt(static_cast<double>(n)) * x;
  const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0;
  double q = std::exp(qlog);
  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4;
  const double k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
  const double k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);
  double k[4] = {0, 0, 0, 0};
  const int maxk = static_cast<int>(std::ceil(16 * z / kPi));
  for (int kk = maxk; kk > 0; --kk) {
    const double m = 2.0 * kk - 1, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double qpower = std::pow(q, 8.0 * kk);
    const double coeffs[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                              k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) k[i] = k[i] * qpower + coeffs[i];
  }
  const double sqrt2pi = std::sqrt(2 * kPi);
  const double div[4] = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i) k[i] = k[i] * q * sqrt2pi / div[i];
  q = std::exp(-pi2 / 2 / z2);
  double k2extra = 0, k3extra = 0;
  const double sqrt3z = std::sqrt(3.0) * z;
  for (int kk = maxk; kk > 0; --kk) {
    const double ks2 = static_cast<double>(kk) * kk, qp = std::pow(q, ks2);
    const double kspi = kPi * kk;
    k2extra += ks2 * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
  }
  k[2] += k2extra * pi2 * sqrt2pi / (-36 * z3);
  k[3] += k3extra * pi2 * sqrt2pi / (216 * z6);
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += k[i] / std::pow(static_cast<double>(n), i / 2.0);
  return sum;
}

}  // namespace

double KolmogorovSf(int64_t n, double x) {
  if (n <= 0 || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const double dn = static_cast<double>(n), t = dn * x;
  if (t <= 1) {  // Ruben and Gambino: exact for 1/2n <= x <= 1/n
    if (t <= 0.5) return 1;
    double prob;
    if (n <= 140) {
      prob = 1;
      for (int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * (1.0 / dn) * (2 * t - 1);
    } else {
      prob = std::exp(LogFactorialOverPower(n) + dn * std::log(2 * t - 1));
    }
    return Clip01(1 - prob);
  }
  if (t >= dn - 1) return Clip01(2 * std::pow(1 - x, dn));
  if (x >= 0.5) return Clip01(2 * Smirnov(n, x));
  const double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return Clip01(1 - DurbinCdf(n, x));
    if (nxsquared <= 4) return Clip01(1 - PomeranzCdf(n, x));
    return Clip01(2 * Smirnov(n, x));
  }
  if (nxsquared >= 370) return 0;
  if (nxsquared >= 2.2) return Clip01(2 * Smirnov(n, x));
  double cdf;
  if (n <= 100000 && dn * std::pow(x, 1.5) <= 1.4)
    cdf = DurbinCdf(n, x);
  else
    cdf = PelzGoodCdf(n, x);
  return Clip01(1 - cdf);
}

// K_nu(x) = integral over t >= 0 of exp(-x cosh t) cosh(nu t). The integrand is analytic and
// decays double-exponentially, so the trapezoid rule converges geometrically.
double BesselK(double nu, double x) {
  if (!(x > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (x > 745) return 0;
  constexpr double kStep = 1.0 / 32;
  double sum = 0.5 * 1.0;  // t = 0: exp(-x (cosh 0 - 1)) cosh(0) / 2
  for (int i = 1;; ++i) {
    const double t = i * kStep;
    const double term = std::exp(-x * (std::cosh(t) - 1)) * std::cosh(nu * t);
    sum += term;
    if (term < sum * 1e-18) break;
  }
  return sum * kStep * std::exp(-x);
}

}  // namespace gyre::special
