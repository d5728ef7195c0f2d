#include "monitor/drift.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "monitor/pooled.h"

namespace gyre {
namespace {

// Evidently's defaults (research/drift_validation.md §1.3), plus psi_quantile at the
// credit-risk "significant shift" level.
constexpr DriftMethod kMethods[] = {
    {"ks", true, false, true, 0.05, "p<="},
    {"chisquare", false, true, true, 0.05, "p<"},
    {"z", false, true, true, 0.05, "p<"},
    {"wasserstein", true, false, false, 0.1, ">="},
    {"jensenshannon", true, true, false, 0.1, ">="},
    {"psi", true, true, false, 0.1, ">="},
    {"kl_div", true, true, false, 0.1, ">="},
    {"hellinger", true, true, false, 0.1, ">="},
    {"energy_distance", true, false, false, 0.1, ">"},
    {"anderson", true, false, true, 0.1, "p<"},
    {"cramer_von_mises", true, false, true, 0.1, "p<="},
    {"t_test", true, false, true, 0.05, "p<"},
    {"mannw", true, false, true, 0.05, "p<"},
    {"psi_quantile", true, false, false, 0.25, ">="},
};

// Evidently's new API: an integer column with at most 10 distinct values is categorical.
constexpr int64_t kIntegerCardinalityLimit = 10;
// Evidently switches from p-value tests to distances above this many reference values.
constexpr int64_t kSmallReference = 1000;

// Both sides of one column, in the form the tests take.
struct Pair {
  const ColumnSummary* ref;
  const ColumnSummary* cur;
  DriftKind kind;
  Pooled pooled;  // numbers: both samples' distinct values, built once for every test
  bool strings() const { return ref->type == ColumnType::kString; }

  CategoryCounts Counts() const {
    if (!strings()) return CountsOf(ref->numeric, cur->numeric);
    CategoryCounts out;
    auto r = ref->categories.begin(), c = cur->categories.begin();
    while (r != ref->categories.end() || c != cur->categories.end()) {
      const bool take_r = c == cur->categories.end() ||
                          (r != ref->categories.end() && r->first <= c->first);
      const bool take_c = r == ref->categories.end() ||
                          (c != cur->categories.end() && c->first <= r->first);
      out.keys.push_back(take_r ? r->first : c->first);
      out.reference.push_back(take_r ? static_cast<double>((r++)->second) : 0.0);
      out.current.push_back(take_c ? static_cast<double>((c++)->second) : 0.0);
    }
    return out;
  }
  BinnedShares Binned(bool fill) const {
    if (strings()) return BinCategories(Counts(), fill);
    const bool by_value = !(kind == DriftKind::kNumerical && ref->numeric.distinct() > 20);
    return BinPooled(pooled, by_value, fill);
  }
  int64_t UnionDistinct() const {
    if (strings()) return static_cast<int64_t>(Counts().keys.size());
    return static_cast<int64_t>(pooled.values.size());
  }
};

Result<StatValue> Run(const std::string& method, const Pair& p) {
  const NumericSample& r = p.ref->numeric;
  const NumericSample& c = p.cur->numeric;
  auto test = [](const TestResult& t) { return StatValue{t.statistic, t.p_value}; };
  auto distance = [](double d) { return StatValue{d, std::nullopt}; };
  if (method == "chisquare") return test(ChiSquare(p.Counts()));
  if (method == "z") return test(ZTest(p.Counts()));
  if (method == "jensenshannon") return distance(JensenShannon(p.Binned(false)));
  if (method == "psi") return distance(Psi(p.Binned(true)));
  if (method == "kl_div") return distance(KlDivergence(p.Binned(true)));
  if (method == "hellinger")
    return distance(p.kind == DriftKind::kNumerical ? HellingerNumeric(r, c)
                                                    : HellingerCategorical(p.Counts()));
  if (p.strings()) return InvalidArgument(method + " needs numbers");
  if (method == "ks") return test(KsTest(p.pooled));
  if (method == "wasserstein") return distance(CdfDistance(p.pooled, 1) / PopulationStdFloor(r));
  if (method == "energy_distance") return distance(EnergyDistance(r, c).statistic);
  if (method == "psi_quantile") return distance(PsiQuantile(r, c));
  if (method == "mannw") return test(MannWhitney(r, c));
  if (method == "anderson") {
    if (p.pooled.values.size() < 2) return InvalidArgument("anderson needs two distinct values");
    return test(AndersonKsamp(r, c));
  }
  if (r.size < 2 || c.size < 2) return InvalidArgument(method + " needs two values on each side");
  if (method == "cramer_von_mises") return test(CramerVonMises(r, c));
  if (method == "t_test") return test(TTest(r, c));
  return InvalidArgument("unknown drift method \"" + method + "\"");
}

// Evidently's _get_default_stattest.
std::string AutoMethod(const Pair& p) {
  const int64_t n_values = p.UnionDistinct();
  if (p.ref->count() <= kSmallReference) {
    if (p.kind == DriftKind::kNumerical && n_values > 5) return "ks";
    return n_values > 2 ? "chisquare" : "z";
  }
  if (p.kind == DriftKind::kNumerical && n_values > 5) return "wasserstein";
  return "jensenshannon";
}

bool Drifted(const DriftMethod& m, double score, double threshold) {
  const std::string rule = m.drift_rule;
  if (std::isnan(score)) return false;
  if (rule == "p<=") return score <= threshold;
  if (rule == "p<") return score < threshold;
  if (rule == ">=") return score >= threshold;
  return score > threshold;
}

// DESIGN.md's --all-stats set, as applies to the column's kind; the other methods are one
// --method or --column-method away.
void AddAllStats(const Pair& p, ColumnDrift& out) {
  auto put = [&](const std::string& key, const std::string& method) {
    Result<StatValue> v = Run(method, p);
    if (v.ok()) out.stats[key] = *v;
  };
  if (p.kind == DriftKind::kNumerical) {
    put("ks", "ks");
    out.stats["wasserstein"] = {CdfDistance(p.pooled, 1), std::nullopt};
    put("wasserstein_norm", "wasserstein");
  } else {
    put("chi_square", "chisquare");
  }
  put("psi", "psi");
  put("jensen_shannon", "jensenshannon");
}

// The kind of a reference column, or why it is not tested.
std::optional<DriftKind> KindOf(const ColumnSummary& ref, std::string& why) {
  switch (ref.type) {
    case ColumnType::kFloat64: return DriftKind::kNumerical;
    case ColumnType::kInt64:
      if (ref.distinct() == ref.count() && ref.count() > 100) {  // as schema inference has it
        why = "identifier: every value distinct";
        return std::nullopt;
      }
      return ref.distinct() <= kIntegerCardinalityLimit ? DriftKind::kCategorical
                                                        : DriftKind::kNumerical;
    case ColumnType::kBool: return DriftKind::kCategorical;
    case ColumnType::kString:
      if (ref.distinct() * 2 > ref.count()) {
        why = "text: more than half its values are distinct (an identifier or free text)";
        return std::nullopt;
      }
      return DriftKind::kCategorical;
    case ColumnType::kTimestamp: why = "timestamp"; return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

const char* DriftKindName(DriftKind kind) { return kind == DriftKind::kNumerical ? "num" : "cat"; }

const DriftMethod* FindDriftMethod(const std::string& name) {
  const std::string key = name == "ed" ? "energy_distance" : name;
  for (const DriftMethod& m : kMethods)
    if (key == m.name) return &m;
  return nullptr;
}

std::vector<std::string> DriftMethodNames() {
  std::vector<std::string> out;
  for (const DriftMethod& m : kMethods) out.emplace_back(m.name);
  return out;
}

namespace {

// Decides one column; a Status only for a method the user named that cannot apply.
Result<std::optional<ColumnDrift>> OneColumn(const Pair& p, const DriftOptions& o,
                                             std::string& skip_reason) {
  const ColumnDriftOptions* per = nullptr;
  if (auto it = o.per_column.find(p.ref->name); it != o.per_column.end()) per = &it->second;
  std::string method = per && per->method ? *per->method : o.method;
  // Evidently's default applies chisquare and z to numeric columns with few values, though
  // they are registered for categories only: only a method the user named is checked.
  const bool automatic = method == "auto";
  if (automatic) method = AutoMethod(p);
  const DriftMethod* m = FindDriftMethod(method);
  if (!m) return InvalidArgument("unknown drift method \"" + method + "\"", Location{"", 0, 0, p.ref->name});
  if (!automatic && ((p.kind == DriftKind::kNumerical && !m->numerical) ||
                     (p.kind == DriftKind::kCategorical && !m->categorical && p.strings())))
    return InvalidArgument(std::string("method ") + m->name + " does not apply to " +
                               (p.kind == DriftKind::kNumerical ? "numerical" : "categorical") +
                               " column " + p.ref->name,
                           Location{"", 0, 0, p.ref->name});
  Result<StatValue> v = Run(m->name, p);
  if (!v.ok()) {
    skip_reason = v.status().message();
    return std::optional<ColumnDrift>();
  }
  ColumnDrift out;
  out.column = p.ref->name;
  out.kind = p.kind;
  out.method = m->name;
  out.statistic = v->statistic;
  out.p_value = v->p_value;
  out.score = m->is_test ? v->p_value.value_or(NAN) : v->statistic;
  out.threshold = per && per->threshold ? *per->threshold : o.threshold.value_or(m->default_threshold);
  out.drift = Drifted(*m, out.score, out.threshold);
  out.reference_count = p.ref->count();
  out.current_count = p.cur->count();
  if (o.all_stats) AddAllStats(p, out);
  return std::optional<ColumnDrift>(std::move(out));
}

bool Excluded(const ColumnSummary& ref, const DriftOptions& o) {
  return std::count(o.skip_columns.begin(), o.skip_columns.end(), ref.name) > 0;
}

// The kind the reference's own summary gives a column, or a method named for it; nullopt,
// with why, for a column never tested (an identifier, free text, a timestamp).
std::optional<DriftKind> TestedKind(const ColumnSummary& ref, const DriftOptions& o, std::string& why) {
  std::optional<DriftKind> k = KindOf(ref, why);
  auto per = o.per_column.find(ref.name);
  if (!k && per != o.per_column.end() && per->second.method && SummarizedAsNumbers(ref.type))
    k = DriftKind::kNumerical;  // a method named for the column tests it anyway (a key, say)
  return k;
}

// Why a column is not tested ("" when it is), and its kind when it is.
std::string Classify(const ColumnSummary& ref, const ColumnSummary* cur, const DriftOptions& o,
                     DriftKind& kind) {
  if (Excluded(ref, o)) return "excluded by the caller";
  if (!cur) return "missing from the current data";
  if ((ref.type == ColumnType::kString) != (cur->type == ColumnType::kString) &&
      cur->type != ColumnType::kTimestamp && ref.type != ColumnType::kTimestamp)
    return "type mismatch: numbers in one dataset, strings in the other";
  std::string why;
  std::optional<DriftKind> k = TestedKind(ref, o, why);
  if (!k) return why;
  if (ref.count() == 0 || cur->count() == 0) return "no values on one side";
  kind = *k;
  return "";
}

}  // namespace

std::vector<std::string> UntestedColumns(const DatasetSummary& reference, const DriftOptions& options) {
  std::vector<std::string> out;
  for (const ColumnSummary& ref : reference.columns) {
    std::string why;
    if (Excluded(ref, options) || !TestedKind(ref, options, why)) out.push_back(ref.name);
  }
  return out;
}

Result<DriftReport> ComputeDrift(const DatasetSummary& reference, const DatasetSummary& current,
                                 const DriftOptions& options) {
  DriftReport report;
  report.share_threshold = options.drift_share;
  std::vector<Pair> pairs;
  for (const ColumnSummary& ref : reference.columns) {
    if (!options.only_columns.empty() &&
        std::find(options.only_columns.begin(), options.only_columns.end(), ref.name) == options.only_columns.end())
      continue;
    const ColumnSummary* cur = current.Find(ref.name);
    DriftKind kind = DriftKind::kNumerical;
    const std::string why = Classify(ref, cur, options, kind);
    if (!why.empty()) report.skipped.push_back({ref.name, why});
    else pairs.push_back({&ref, cur, kind, {}});
  }
  std::vector<Result<std::optional<ColumnDrift>>> results(pairs.size(), std::optional<ColumnDrift>());
  std::vector<std::string> reasons(pairs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < pairs.size();) {
      Pair& p = pairs[i];
      if (!p.strings()) p.pooled = Pooled::Of(p.ref->numeric, p.cur->numeric);
      results[i] = OneColumn(p, options, reasons[i]);
      p.pooled = Pooled();
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < std::max(1, options.threads); ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (!results[i].ok()) return results[i].status();
    if (!*results[i]) {
      report.skipped.push_back({pairs[i].ref->name, reasons[i]});
      continue;
    }
    report.drifted += (*results[i])->drift ? 1 : 0;
    report.columns.push_back(std::move(**results[i]));
  }
  if (!report.columns.empty())
    report.drift_share = static_cast<double>(report.drifted) / static_cast<double>(report.columns.size());
  report.dataset_drift = !report.columns.empty() && report.drift_share >= options.drift_share;
  return report;
}

}  // namespace gyre
