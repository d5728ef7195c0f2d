// Distribution functions the drift tests need, written to give scipy 1.10's values (the
// golden tests hold them to 1e-9 relative). Internal to monitor/.
#pragma once

#include <cstdint>

namespace gyre::special {

// Upper tail of the standard normal, P(Z > z) (scipy.stats.norm.sf).
double NormalSf(double z);
// P(Z <= z) (scipy.special.ndtr).
double NormalCdf(double z);

// Chi-square survival function with df degrees of freedom (scipy.stats.chi2.sf).
double ChiSquareSf(double x, double df);

// Student's t CDF at t with df degrees of freedom (scipy.special.stdtr).
double StudentTCdf(double df, double t);

// One-sided Smirnov survival P(D+_n >= d) (scipy.special.smirnov).
double Smirnov(int64_t n, double d);
// Two-sided one-sample Kolmogorov-Smirnov survival P(D_n >= d) (scipy.stats.kstwo.sf),
// following Simard and L'Ecuyer's choice of method by n and d as scipy does.
double KolmogorovSf(int64_t n, double d);

// Modified Bessel function of the second kind K_nu(x), x > 0 (scipy.special.kv).
double BesselK(double nu, double x);

}  // namespace gyre::special
