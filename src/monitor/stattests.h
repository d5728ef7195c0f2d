// Two-sample drift statistics under Evidently's names, each equal to scipy 1.10 (or to
// Evidently's own formula where it has one) for the same data. Samples are given as their
// distinct values with counts, which is also how reference statistics are stored: a test
// never needs the rows themselves. Missing and infinite values are dropped beforehand, as
// Evidently does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gyre {

// A numeric sample: distinct finite values ascending, how often each occurs, and the total.
struct NumericSample {
  std::vector<double> values;
  std::vector<int64_t> counts;
  int64_t size = 0;

  // Drops NaN and infinities, sorts and groups.
  static NumericSample FromValues(std::vector<double> values);
  int64_t distinct() const { return static_cast<int64_t>(values.size()); }
};

// Counts of each category in the union of both samples, aligned; keys sorted ascending
// (the order Evidently's z-test depends on).
struct CategoryCounts {
  std::vector<std::string> keys;
  std::vector<double> reference;
  std::vector<double> current;
};

// Category counts of two numeric samples whose distinct values serve as the categories.
CategoryCounts CountsOf(const NumericSample& reference, const NumericSample& current);

struct TestResult {
  double statistic = 0;
  std::optional<double> p_value;  // empty for distances
};

// --- Tests on numeric samples. Each sample must hold at least one value. ---
// scipy.stats.ks_2samp, two-sided, method "auto" (exact when max(n1, n2) <= 10,000).
TestResult KsTest(const NumericSample& reference, const NumericSample& current);
// scipy.stats.wasserstein_distance.
double Wasserstein(const NumericSample& reference, const NumericSample& current);
// Evidently's `wasserstein`: the distance over max(population std of reference, 0.001).
TestResult WassersteinNorm(const NumericSample& reference, const NumericSample& current);
// scipy.stats.energy_distance.
TestResult EnergyDistance(const NumericSample& reference, const NumericSample& current);
// scipy.stats.anderson_ksamp([reference, current]) (midrank); p is scipy's interpolated
// significance level, capped to [0.001, 0.25]. Needs two distinct values overall.
TestResult AndersonKsamp(const NumericSample& reference, const NumericSample& current);
// scipy.stats.cramervonmises_2samp, method "auto" (exact when max(n1, n2) <= 20). Needs two
// values in each sample.
TestResult CramerVonMises(const NumericSample& reference, const NumericSample& current);
// scipy.stats.ttest_ind (equal variances, two-sided).
TestResult TTest(const NumericSample& reference, const NumericSample& current);
// scipy.stats.mannwhitneyu(reference, current, alternative="less"), as Evidently calls it;
// the statistic is U of the reference sample.
TestResult MannWhitney(const NumericSample& reference, const NumericSample& current);

// --- Binned divergences (Evidently's get_binned_data) ---
struct BinnedShares {
  std::vector<double> reference;
  std::vector<double> current;
};
// A numeric column with more than 20 distinct reference values gets equal-width Sturges bins
// over both samples (numpy's histogram_bin_edges); otherwise each distinct value is a bin.
// With fill_zeroes, each empty share becomes 1e-4, or the smallest share / 1e6 when that is
// at most 1e-4 (per array, no renormalisation).
BinnedShares BinNumeric(const NumericSample& reference, const NumericSample& current,
                        bool numeric_type, bool fill_zeroes);
BinnedShares BinCategories(const CategoryCounts& counts, bool fill_zeroes);
// numpy.histogram_bin_edges(values, bins="sturges") of a sample given by distinct values.
std::vector<double> SturgesEdges(std::span<const double> distinct_sorted, int64_t size);

double Psi(const BinnedShares& shares);            // sum (r - c) ln(r / c)
double KlDivergence(const BinnedShares& shares);   // scipy.stats.entropy(r, c)
double JensenShannon(const BinnedShares& shares);  // scipy.spatial.distance.jensenshannon
// Credit-risk PSI: 10 bins cut at the reference deciles (numpy's linear quantiles), open at
// both ends, shares filled as above.
double PsiQuantile(const NumericSample& reference, const NumericSample& current);

// Evidently's Hellinger distance: over category shares, or over Sturges density histograms of
// the distinct values of both samples for a numeric column.
double HellingerCategorical(const CategoryCounts& counts);
double HellingerNumeric(const NumericSample& reference, const NumericSample& current);

// --- Tests on categories ---
// Evidently's chisquare: expected = reference counts scaled to the current total;
// scipy.stats.chisquare with k - 1 degrees of freedom.
TestResult ChiSquare(const CategoryCounts& counts);
// Evidently's two-proportion z-test on the first sorted key against the rest.
TestResult ZTest(const CategoryCounts& counts);

}  // namespace gyre
