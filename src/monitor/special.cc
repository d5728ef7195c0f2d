#include "monitor/special.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace gyre::special {
namespace {

using Ld = long double;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double Clip01(double p) { return std::clamp(p, 0.0, 1.0); }

}  // namespace

double NormalSf(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }
double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

namespace {

// The regularized upper incomplete gamma Q(a, x) (scipy.special.gammaincc).
// Series for P when x < a + 1, Lentz's continued fraction for Q otherwise (both converge
// fast there); long double keeps the prefactor's large logarithms from costing digits.
double GammaQ(double a, double x) {
  if (std::isnan(a) || std::isnan(x) || a <= 0 || x < 0) return kNan;
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  const Ld la = a, lx = x;
  const Ld log_prefactor = la * std::log(lx) - lx - std::lgamma(la);
  constexpr Ld kEps = std::numeric_limits<Ld>::epsilon();
  if (lx < la + 1) {
    Ld ap = la, term = 1 / la, sum = term;
    for (int i = 0; i < 100000 && std::fabs(term) > std::fabs(sum) * kEps; ++i) {
      ap += 1;
      term *= lx / ap;
      sum += term;
    }
    return static_cast<double>(1 - sum * std::exp(log_prefactor));
  }
  constexpr Ld kTiny = std::numeric_limits<Ld>::min() / kEps;
  Ld b = lx + 1 - la, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const Ld an = -i * (i - la);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const Ld delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) <= kEps) break;
  }
  return static_cast<double>(std::exp(log_prefactor) * h);
}

}  // namespace

double ChiSquareSf(double x, double df) {
  if (std::isnan(x)) return kNan;
  if (x <= 0) return 1.0;
  return GammaQ(df / 2, x / 2);
}

namespace {

// Continued fraction for I_x(a, b) (Numerical Recipes' betacf, modified Lentz), which
// converges quickly when x < (a + 1) / (a + b + 2).
Ld BetaContinuedFraction(Ld a, Ld b, Ld x) {
  constexpr Ld kEps = std::numeric_limits<Ld>::epsilon();
  constexpr Ld kTiny = std::numeric_limits<Ld>::min() / kEps;
  const Ld qab = a + b, qap = a + 1, qam = a - 1;
  Ld c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  Ld h = d;
  for (int m = 1; m < 1000000; ++m) {
    const int m2 = 2 * m;
    Ld aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const Ld delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) <= kEps) break;
  }
  return h;
}

// The regularized incomplete beta I_x(a, b), with y = 1 - x given separately so that a caller
// that knows it exactly keeps its precision.
Ld IncompleteBetaLd(Ld a, Ld b, Ld x, Ld y) {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const Ld log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                       a * (x > 0.5L ? std::log1p(-y) : std::log(x)) +
                       b * (y > 0.5L ? std::log1p(-x) : std::log(y));
  const Ld front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, y) / b;
}

}  // namespace

double StudentTCdf(double df, double t) {
  if (std::isnan(t) || std::isnan(df) || df <= 0) return kNan;
  if (t == 0) return 0.5;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const Ld ldf = df, t2 = static_cast<Ld>(t) * t;
  const Ld x = ldf / (ldf + t2), y = t2 / (ldf + t2);
  const Ld tail = 0.5L * IncompleteBetaLd(ldf / 2, 0.5L, x, y);  // P(T < -|t|)
  return static_cast<double>(t < 0 ? tail : 1 - tail);
}

// The Birnbaum-Tingey sum, every term in log space and long double: all terms are
// positive, so the sum is as accurate as its terms.
double Smirnov(int64_t n, double d) {
  if (!(n > 0 && d >= 0 && d <= 1)) return kNan;
  if (d == 0) return 1.0;
  const Ld ld = d, ln = static_cast<Ld>(n);
  const int64_t last = static_cast<int64_t>(std::floor(ln * (1 - ld)));
  const Ld lgamma_n1 = std::lgamma(ln + 1);
  Ld sum = 0;
  for (int64_t v = 0; v <= last; ++v) {
    const Ld evn = ld + v / ln;
    const Ld rest = 1 - evn;
    if (rest <= 0 && n - v > 0) continue;
    const Ld log_term = lgamma_n1 - std::lgamma(static_cast<Ld>(v) + 1) -
                        std::lgamma(static_cast<Ld>(n - v) + 1) + (v - 1) * std::log(evn) +
                        (n - v > 0 ? (n - v) * std::log(rest) : 0);
    sum += std::exp(log_term);
  }
  return Clip01(static_cast<double>(sum * ld));
}

}  // namespace gyre::special
