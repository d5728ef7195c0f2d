// Every drift statistic against golden values from scipy 1.10 / numpy 1.24 with Evidently's
// definitions (tests/golden/make_drift_golden.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "monitor/special.h"
#include "monitor/stattests.h"

namespace gyre {
namespace {

using nlohmann::json;

double Num(const json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
}

const json& Golden() {
  static const json golden = [] {
    std::ifstream in(std::string(GYRE_GOLDEN_DIR) + "/drift_golden.json");
    return json::parse(in);
  }();
  return golden;
}

std::vector<double> Values(const json& list) {
  std::vector<double> out;
  for (const json& v : list) out.push_back(Num(v));
  return out;
}

// The generator the golden script uses for large samples, bit for bit.
std::vector<double> Generated(const json& spec) {
  const int64_t n = spec["n"];
  const double alpha = spec["alpha"], power = spec["power"];
  const double scale = spec["scale"], shift = spec["shift"];
  std::vector<double> out(n);
  for (int64_t i = 1; i <= n; ++i)
    out[i - 1] = std::pow(std::fmod(static_cast<double>(i) * alpha, 1.0), power) * scale + shift;
  return out;
}

void ExpectClose(double actual, const json& expected, const std::string& what) {
  const double want = Num(expected);
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(actual)) << what << " expected NaN, got " << actual;
    return;
  }
  if (std::isinf(want)) {
    EXPECT_EQ(actual, want) << what;  // the sign too
    return;
  }
  const double tol = 1e-9 * std::max(std::fabs(want), 1e-300) + 1e-300;
  EXPECT_NEAR(actual, want, std::max(tol, 1e-15)) << what << " expected " << want;
}

void ExpectTest(const TestResult& r, const json& expected, const std::string& what) {
  ExpectClose(r.statistic, expected["statistic"], what + " statistic");
  ASSERT_TRUE(r.p_value.has_value()) << what;
  ExpectClose(*r.p_value, expected["p_value"], what + " p_value");
}

void CheckNumeric(const std::string& name, const NumericSample& ref, const NumericSample& cur,
                  const json& s) {
  SCOPED_TRACE(name);
  ExpectTest(KsTest(ref, cur), s["ks"], "ks");
  ExpectClose(Wasserstein(ref, cur), s["wasserstein_raw"], "wasserstein_raw");
  ExpectClose(WassersteinNorm(ref, cur).statistic, s["wasserstein"], "wasserstein");
  ExpectClose(EnergyDistance(ref, cur).statistic, s["energy_distance"], "energy_distance");
  if (s.contains("anderson")) ExpectTest(AndersonKsamp(ref, cur), s["anderson"], "anderson");
  if (s.contains("cramer_von_mises")) {
    // scipy forms T as a difference of two numbers of order n, and p as 1 - cdf: T is checked
    // against its exact rational value, and p to 1e-14 absolute where scipy's own rounding
    // leaves no more digits than that.
    const TestResult cvm = CramerVonMises(ref, cur);
    ExpectClose(cvm.statistic, s["cramer_von_mises"]["statistic_exact"], "cramer_von_mises T");
    const double want_p = s["cramer_von_mises"]["p_value"];
    EXPECT_NEAR(*cvm.p_value, want_p, std::max(1e-9 * want_p, 1e-14)) << "cramer_von_mises p";
    ExpectTest(TTest(ref, cur), s["t_test"], "t_test");
  }
  ExpectTest(MannWhitney(ref, cur), s["mannw"], "mannw");
  for (bool numeric : {true, false}) {
    const std::string suffix = numeric ? "" : "_as_categories";
    ExpectClose(Psi(BinNumeric(ref, cur, numeric, true)), s["psi" + suffix], "psi" + suffix);
    ExpectClose(KlDivergence(BinNumeric(ref, cur, numeric, true)), s["kl_div" + suffix],
                "kl_div" + suffix);
    ExpectClose(JensenShannon(BinNumeric(ref, cur, numeric, false)), s["jensenshannon" + suffix],
                "jensenshannon" + suffix);
  }
  ExpectClose(PsiQuantile(ref, cur), s["psi_quantile"], "psi_quantile");
  ExpectClose(HellingerNumeric(ref, cur), s["hellinger"], "hellinger");
  if (s.contains("chisquare")) {
    const CategoryCounts counts = CountsOf(ref, cur);
    if (counts.keys.size() < 2) {
      // The one documented departure (docs/guides/monitoring.md): scipy's p is NaN with zero
      // degrees of freedom; Gyre says p = 1, no change.
      EXPECT_TRUE(std::isnan(Num(s["chisquare"]["p_value"])));
      EXPECT_EQ(ChiSquare(counts).p_value.value_or(-1), 1.0);
      EXPECT_EQ(ChiSquare(counts).statistic, 0.0);
    } else {
      ExpectTest(ChiSquare(counts), s["chisquare"], "chisquare");
    }
    ExpectTest(ZTest(counts), s["z"], "z");
  }
  // numpy's Sturges edges, bit for bit (the bin count can differ from ceil(log2 n + 1)).
  std::vector<double> pooled = ref.values;
  pooled.insert(pooled.end(), cur.values.begin(), cur.values.end());
  std::sort(pooled.begin(), pooled.end());
  const std::vector<double> edges = SturgesEdges(pooled, ref.size + cur.size);
  ASSERT_EQ(edges.size(), s["sturges_edges"].size());
  for (size_t i = 0; i < edges.size(); ++i) EXPECT_EQ(edges[i], s["sturges_edges"][i].get<double>());
}

TEST(DriftStatsGolden, NumericCases) {
  for (const json& c : Golden()["numeric"])
    CheckNumeric(c["name"], NumericSample::FromValues(Values(c["reference"])),
                 NumericSample::FromValues(Values(c["current"])), c["stats"]);
}

TEST(DriftStatsGolden, GeneratedLargeCases) {
  for (const json& c : Golden()["generated"])
    CheckNumeric(c["name"], NumericSample::FromValues(Generated(c["reference"])),
                 NumericSample::FromValues(Generated(c["current"])), c["stats"]);
}

CategoryCounts Categories(const json& ref, const json& cur) {
  std::map<std::string, std::pair<double, double>> counts;
  for (const json& v : ref) counts[v.get<std::string>()].first += 1;
  for (const json& v : cur) counts[v.get<std::string>()].second += 1;
  CategoryCounts out;
  for (const auto& [key, rc] : counts) {
    out.keys.push_back(key);
    out.reference.push_back(rc.first);
    out.current.push_back(rc.second);
  }
  return out;
}

TEST(DriftStatsGolden, CategoricalCases) {
  for (const json& c : Golden()["categorical"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const CategoryCounts counts = Categories(c["reference"], c["current"]);
    const json& s = c["stats"];
    ExpectTest(ChiSquare(counts), s["chisquare"], "chisquare");
    ExpectTest(ZTest(counts), s["z"], "z");
    ExpectClose(JensenShannon(BinCategories(counts, false)), s["jensenshannon"], "jensenshannon");
    ExpectClose(Psi(BinCategories(counts, true)), s["psi"], "psi");
    ExpectClose(KlDivergence(BinCategories(counts, true)), s["kl_div"], "kl_div");
    ExpectClose(HellingerCategorical(counts), s["hellinger"], "hellinger");
  }
}

// The hand-checked vectors of the research notes (Appendix A).
TEST(DriftStats, ResearchVectors) {
  BinnedShares s{{0.25, 0.25, 0.25, 0.25}, {0.1, 0.2, 0.3, 0.4}};
  EXPECT_NEAR(Psi(s), 0.22821740957339184, 1e-15);
  EXPECT_NEAR(KlDivergence(s), 0.12177727428716867, 1e-15);
  EXPECT_NEAR(JensenShannon(s), 0.16692996572597965, 1e-15);
  CategoryCounts z{{"a", "b"}, {700, 300}, {650, 350}};
  const TestResult r = ZTest(z);
  EXPECT_NEAR(r.statistic, -2.3870495801314426, 1e-12);
  EXPECT_NEAR(*r.p_value, 0.01698420058213057, 1e-12);
}

TEST(SpecialFunctions, KnownValues) {
  // chi2.sf(3.84, 1) and (20, 10); t CDF; normal tail.
  EXPECT_NEAR(special::ChiSquareSf(3.841458820694124, 1), 0.05, 1e-14);
  EXPECT_NEAR(special::ChiSquareSf(20, 10), 0.029252688076961127, 1e-15);
  EXPECT_NEAR(special::StudentTCdf(10, -2.228138851986274), 0.025, 1e-14);
  EXPECT_NEAR(special::NormalSf(1.959963984540054), 0.025, 1e-15);
}

}  // namespace
}  // namespace gyre
