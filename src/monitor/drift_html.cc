// The HTML drift page, in the visual language of the profile page (data/profile_html.cc): text
// built with std::string and snprintf, charts as SVG in a fixed viewBox that CSS scales. Only
// binned shares reach the page, never rows, so its size depends on the column count alone.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/html.h"
#include "monitor/drift_io.h"
#include "monitor/drift_html_style.h"
#include "monitor/history_html.h"

namespace gyre {
namespace {

// Chart geometry in viewBox units, as on the profile page.
constexpr double kChartWidth = 360;
constexpr double kPlotLeft = 44, kPlotRight = 348, kPlotTop = 10, kPlotBottom = 150;
constexpr double kHistHeight = 172;
constexpr int kXTicks = 4;
constexpr int kMinBins = 20, kMaxBins = 30;
constexpr size_t kTopCategories = 15;
constexpr double kRowHeight = 24, kLabelEnd = 116, kBarStart = 122, kBarMax = 140;
constexpr size_t kLabelChars = 18, kNameChars = 40;
// Integers beyond 2^52 no longer have a representable half, so they cannot get per-value bins.
constexpr double kExactIntegers = 4503599627370496.0;

// Light theme of the profile page (data/profile_html_style.cc), trimmed to what this page uses,
// plus the verdict, the badges and the two sample colours. No external assets.


// ---- Text ----

using html::Appendf;
using html::Count;
using html::EmptyChart;
using html::Escape;
using html::Scientific;
using html::Truncate;
using html::ValueText;

std::string Printf(const char* format, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string PValue(const std::optional<double>& p) {
  if (!p || std::isnan(*p)) return "—";
  return *p > 0 && *p < 1e-4 ? Scientific(*p) : Printf("%.4g", *p);
}

// A share of a sample; never rounds a sliver to "0.0%" or nearly all of it to "100.0%".
std::string Share(double f) {
  if (f > 0 && f < 0.001) return "&lt;0.1%";
  if (f < 1 && f > 0.999) return "&gt;99.9%";
  return Printf("%.1f%%", 100 * f);
}

// The verdict's drift share and threshold: "33.3%", "50%".
std::string Percent(double f) { return Printf("%.3g%%", 100 * f); }

std::string SvgOpen(double height, const char* label) { return html::SvgOpen(kChartWidth, height, label); }

// The two sample names, escaped once, for legends.
struct Legend {
  std::string ref, cur;
  std::string Caption(const std::string& what) const {
    return "<figcaption>" + what + "<span class=\"key ref\"></span>" + ref +
           "<span class=\"key cur\"></span>" + cur + "</figcaption>";
  }
};

// ---- Order ----

// How far a column is past (or short of) its threshold, comparable across methods: threshold
// over p for tests, whose p falls as evidence grows, and statistic over threshold for
// distances. Either is at least 1 for a drifted column; a failed statistic sorts last.
double Severity(const ColumnDrift& c) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(c.score)) return -kInf;
  if (c.p_value) return c.score > 0 ? c.threshold / c.score : kInf;
  if (c.threshold > 0) return c.score / c.threshold;
  return c.score > 0 ? kInf : 0;
}

// Indexes into report.columns, drifted first, then the most severe; ties by p or statistic
// (a zero threshold makes every ratio equal), then in the reference's column order.
std::vector<size_t> DriftOrder(const std::vector<ColumnDrift>& columns) {
  std::vector<size_t> order(columns.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto key = [&](size_t i) {
    const ColumnDrift& c = columns[i];
    double tie = std::isnan(c.score) ? 0 : (c.p_value ? -c.score : c.score);
    return std::tuple(c.drift, Severity(c), tie);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  return order;
}

// ---- Header and table ----

void RenderHeader(const DriftReport& r, const DatasetSummary& ref, const DatasetSummary& cur,
                  const DriftHtmlOptions& o, const std::string& title, std::string* out) {
  *out += "<header><h1>" + Escape(title) + "</h1><p class=\"meta\"><span>Reference <b>" +
          Escape(o.reference_name.empty() ? "reference" : o.reference_name) +
          "</b> vs current <b>" + Escape(o.current_name.empty() ? "current" : o.current_name) +
          "</b></span>";
  if (!o.generated_at.empty()) *out += "<span>Generated " + Escape(o.generated_at) + "</span>";
  Appendf(out,
          "</p><div class=\"verdict %s\"><b>%s</b><span>%d of %zu %scolumns drifted (share %s, "
          "threshold %s)</span></div>",
          r.dataset_drift ? "drift" : "ok",
          r.dataset_drift ? "Dataset drift detected" : "No dataset drift", r.drifted,
          o.verdict_columns.value_or(r.columns.size()), o.verdict_columns ? "input " : "",
          Percent(r.drift_share).c_str(), Percent(r.share_threshold).c_str());
  const std::pair<const char*, std::string> tiles[] = {
      {"Reference rows", Count(ref.rows)},
      {"Current rows", Count(cur.rows)},
      {"Columns tested", Count(static_cast<int64_t>(r.columns.size()))},
      {"Not tested", Count(static_cast<int64_t>(r.skipped.size()))}};
  *out += "<div class=\"tiles\">";
  for (const auto& [label, value] : tiles) {
    *out += std::string("<div class=\"tile\"><span>") + label + "</span><b>" + value + "</b></div>";
  }
  *out += "</div></header>\n";
}

std::string Badge(bool drift) {
  return drift ? "<span class=\"badge drift\">Drift</span>"
               : "<span class=\"badge ok\">No drift</span>";
}

void RenderTable(const DriftReport& r, const std::vector<size_t>& order, std::string* out) {
  *out += "<section><h2>Columns by drift</h2>";
  if (order.empty()) {
    *out += "<p class=\"empty\">No column was tested.</p></section>\n";
    return;
  }
  *out +=
      "<div class=\"scroll\"><table class=\"drifts\"><thead><tr><th>Column</th><th>Type</th>"
      "<th>Method</th><th class=\"num\">Statistic</th><th class=\"num\">p-value</th>"
      "<th class=\"num\">Threshold</th><th>Drift</th></tr></thead><tbody>\n";
  for (size_t i : order) {
    const ColumnDrift& c = r.columns[i];
    Appendf(out, "<tr><td><a href=\"#col-%zu\">%s</a></td><td><span class=\"type\">%s</span></td>",
            i, Escape(c.column).c_str(), DriftKindName(c.kind));
    *out += "<td><code>" + Escape(c.method) + "</code></td><td class=\"num\">" + html::Number(c.statistic) +
            "</td><td class=\"num\">" + PValue(c.p_value) + "</td><td class=\"num\">" +
            html::Number(c.threshold) + "</td><td>" + Badge(c.drift) + "</td></tr>\n";
  }
  *out += "</tbody></table></div></section>\n";
}

// ---- Numeric columns: overlaid histograms of shares ----

struct Bins {
  std::vector<double> edges, ref, cur;  // shares of each sample per bin
  bool per_value = false;               // one bin per integer, labelled by its value
};

bool SmallIntegers(const NumericSample& s) {
  return std::all_of(s.values.begin(), s.values.end(),
                     [](double v) { return v == std::floor(v) && std::fabs(v) < kExactIntegers; });
}

// Equal-width edges over [lo, hi]. Integers over a short range get one bin per value instead,
// even if fewer than 20: 20 bins over 0..12 would leave every other bin empty, a comb.
std::vector<double> BinEdges(double lo, double hi, bool integers, int64_t pooled) {
  std::vector<double> edges;
  if (integers && hi - lo < kMaxBins) {
    for (double k = 0; k <= hi - lo + 1; ++k) edges.push_back(lo - 0.5 + k);
    return edges;
  }
  if (hi == lo) return {lo - 0.5, lo + 0.5};
  // Sturges' rule on the pooled size, kept to 20..30: enough bins to show shape at any size,
  // few enough that two overlaid bars per bin stay readable at card width.
  int sturges = static_cast<int>(std::ceil(std::log2(static_cast<double>(pooled)))) + 1;
  int n = std::clamp(sturges, kMinBins, kMaxBins);
  for (int i = 0; i < n; ++i) edges.push_back(lo + (hi - lo) * i / n);
  edges.push_back(hi);
  return edges;
}

// Walks the distinct values with their counts; the sample is never expanded into rows.
std::vector<double> BinShares(const NumericSample& s, const std::vector<double>& edges) {
  const size_t n = edges.size() - 1;
  const double lo = edges.front(), width = (edges.back() - lo) / static_cast<double>(n);
  std::vector<double> shares(n, 0.0);
  double total = 0;
  for (size_t i = 0; i < s.values.size() && i < s.counts.size(); ++i) {
    double k = std::floor((s.values[i] - lo) / width);  // the last edge belongs to the last bin
    k = std::isnan(k) ? 0 : std::clamp(k, 0.0, static_cast<double>(n - 1));
    shares[static_cast<size_t>(k)] += static_cast<double>(s.counts[i]);
    total += static_cast<double>(s.counts[i]);
  }
  if (total > 0) {
    for (double& x : shares) x /= total;
  }
  return shares;
}

Bins MakeBins(const NumericSample& r, const NumericSample& c) {
  Bins b;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const NumericSample* s : {&r, &c}) {
    if (s->values.empty()) continue;
    lo = std::min(lo, s->values.front()), hi = std::max(hi, s->values.back());
  }
  bool integers = SmallIntegers(r) && SmallIntegers(c);
  b.edges = BinEdges(lo, hi, integers, std::max<int64_t>(2, r.size + c.size));
  b.per_value = integers && hi - lo < kMaxBins;
  b.ref = BinShares(r, b.edges), b.cur = BinShares(c, b.edges);
  return b;
}

double X(const Bins& b, double v) {
  return kPlotLeft +
         (v - b.edges.front()) / (b.edges.back() - b.edges.front()) * (kPlotRight - kPlotLeft);
}

void HistogramAxes(const Bins& b, double peak, std::string* svg) {
  html::ChartFrame(svg, {kPlotLeft, kPlotRight, kPlotTop, kPlotBottom}, Share(peak));
  const size_t n = b.edges.size() - 1;
  double last = std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i <= kXTicks; ++i) {
    // Per-value bins are labelled at their centres, where the integers are.
    double v = b.per_value ? b.edges[(n - 1) * i / kXTicks] + 0.5
                           : b.edges.front() + (b.edges.back() - b.edges.front()) * i / kXTicks;
    if (v == last) continue;
    last = v;
    const char* anchor = "middle";
    if (!b.per_value && i == 0) anchor = "start";
    if (!b.per_value && i == kXTicks) anchor = "end";
    double x = X(b, v);
    Appendf(svg,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\"/>"
            "<text x=\"%.1f\" y=\"%g\" text-anchor=\"%s\">%s</text>",
            x, kPlotBottom, x, kPlotBottom + 4, x, kPlotBottom + 16, anchor, html::Number(v).c_str());
  }
}

void BarRect(const char* cls, double x, double width, double share, double peak, std::string* svg) {
  if (share <= 0) return;
  // A bin holding a handful of values among millions must still be visible.
  double height = std::max(1.0, (kPlotBottom - kPlotTop) * share / peak);
  Appendf(svg, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", cls, x,
          kPlotBottom - height, width, height);
}

void HistogramBin(const Bins& b, size_t i, double peak, std::string* svg) {
  if (b.ref[i] <= 0 && b.cur[i] <= 0) return;
  double x0 = X(b, b.edges[i]), x1 = X(b, b.edges[i + 1]);
  double gap = x1 - x0 > 4 ? 1 : 0;
  std::string range = b.per_value ? html::Number(b.edges[i] + 0.5)
                                  : "[" + html::Number(b.edges[i]) + ", " + html::Number(b.edges[i + 1]) +
                                        (i + 2 == b.edges.size() ? "]" : ")");
  Appendf(svg, "<g><title>%s: reference %s, current %s</title>", range.c_str(),
          Share(b.ref[i]).c_str(), Share(b.cur[i]).c_str());
  BarRect("ref", x0 + gap / 2, x1 - x0 - gap, b.ref[i], peak, svg);
  BarRect("cur", x0 + gap / 2, x1 - x0 - gap, b.cur[i], peak, svg);
  *svg += "</g>";
}

std::string NumericChart(const NumericSample& r, const NumericSample& c, const Legend& legend) {
  if (r.values.empty() && c.values.empty()) return EmptyChart("No values to chart.");
  Bins b = MakeBins(r, c);
  double peak = std::max(*std::max_element(b.ref.begin(), b.ref.end()),
                         *std::max_element(b.cur.begin(), b.cur.end()));
  if (!(peak > 0)) return EmptyChart("No values to chart.");
  std::string svg = SvgOpen(kHistHeight, "Reference and current histograms");
  HistogramAxes(b, peak, &svg);
  for (size_t i = 0; i + 1 < b.edges.size(); ++i) HistogramBin(b, i, peak, &svg);
  std::string what = "Share of values per bin, " + std::to_string(b.edges.size() - 1) +
                     (b.per_value ? " values" : " equal-width bins");
  return "<figure>" + svg + "</svg>" + legend.Caption(what) + "</figure>";
}

// ---- Categorical columns: paired bars of shares ----

struct Category {
  std::string key;
  double ref = 0, cur = 0;  // shares of each sample
};

// Joins two key-sorted count lists into shares of each sample, keyed by display text.
template <typename Key, typename Text>
std::vector<Category> MergeShares(const std::vector<std::pair<Key, int64_t>>& r,
                                  const std::vector<std::pair<Key, int64_t>>& c, Text text) {
  auto total = [](const auto& counts) {
    double sum = 0;
    for (const auto& kv : counts) sum += static_cast<double>(kv.second);
    return std::max(1.0, sum);
  };
  const double rt = total(r), ct = total(c);
  std::vector<Category> out;
  size_t i = 0, j = 0;
  while (i < r.size() || j < c.size()) {
    const bool take_r = j == c.size() || (i < r.size() && !(c[j].first < r[i].first));
    const bool take_c = i == r.size() || (j < c.size() && !(r[i].first < c[j].first));
    Category cat{text(take_r ? r[i].first : c[j].first)};
    if (take_r) cat.ref = static_cast<double>(r[i++].second) / rt;
    if (take_c) cat.cur = static_cast<double>(c[j++].second) / ct;
    out.push_back(std::move(cat));
  }
  return out;
}

std::vector<std::pair<double, int64_t>> Pairs(const NumericSample& s) {
  std::vector<std::pair<double, int64_t>> out;
  for (size_t i = 0; i < s.values.size() && i < s.counts.size(); ++i) {
    out.emplace_back(s.values[i], s.counts[i]);
  }
  return out;
}

// Numbers that serve as categories are codes: shown exactly, without digit grouping.
std::string CategoryText(double v, bool boolean) {
  if (boolean) return v != 0 ? "true" : "false";
  bool integral = v == std::floor(v) && std::fabs(v) < 1e15;
  return Printf(integral ? "%.0f" : "%.10g", v + 0.0);  // + 0.0 turns -0 into 0
}

std::vector<Category> Categories(const ColumnSummary& r, const ColumnSummary& c) {
  if (r.type == ColumnType::kString) {
    return MergeShares(r.categories, c.categories, [](const std::string& k) { return k; });
  }
  bool boolean = r.type == ColumnType::kBool;
  return MergeShares(Pairs(r.numeric), Pairs(c.numeric),
                     [boolean](double v) { return CategoryText(v, boolean); });
}

void CategoryRow(const Category& cat, size_t i, double peak, std::string* svg) {
  double y = static_cast<double>(i) * kRowHeight;
  Appendf(svg, "<g><title>%s: reference %s, current %s</title>", ValueText(cat.key, 200).c_str(),
          Share(cat.ref).c_str(), Share(cat.cur).c_str());
  Appendf(svg, "<text class=\"label\" x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>", kLabelEnd,
          y + 16, ValueText(cat.key, kLabelChars).c_str());
  const std::pair<const char*, double> bars[] = {{"ref", cat.ref}, {"cur", cat.cur}};
  for (size_t k = 0; k < 2; ++k) {
    if (bars[k].second <= 0) continue;
    double width = std::max(1.0, kBarMax * bars[k].second / peak);
    Appendf(svg, "<rect class=\"%s\" x=\"%g\" y=\"%g\" width=\"%.1f\" height=\"8\"/>",
            bars[k].first, kBarStart, y + 4 + 8 * static_cast<double>(k), width);
  }
  Appendf(svg, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s · %s</text></g>", kChartWidth - 4,
          y + 16, Share(cat.ref).c_str(), Share(cat.cur).c_str());
}

std::string CategoryChart(std::vector<Category> cats, const Legend& legend) {
  if (cats.empty()) return EmptyChart("No values to chart.");
  const size_t shown = std::min(cats.size(), kTopCategories);
  // Ties keep key order, so the page is the same on every run.
  std::stable_sort(cats.begin(), cats.end(), [](const Category& a, const Category& b) {
    return a.ref + a.cur > b.ref + b.cur;
  });
  double peak = 0, other_ref = 0, other_cur = 0;
  for (size_t i = 0; i < cats.size(); ++i) {
    if (i < shown) {
      peak = std::max({peak, cats[i].ref, cats[i].cur});
    } else {
      other_ref += cats[i].ref;
      other_cur += cats[i].cur;
    }
  }
  if (!(peak > 0)) return EmptyChart("No values to chart.");
  std::string svg =
      SvgOpen(static_cast<double>(shown) * kRowHeight + 4, "Reference and current categories");
  for (size_t i = 0; i < shown; ++i) CategoryRow(cats[i], i, peak, &svg);
  std::string out = "<figure>" + svg + "</svg>" +
                    legend.Caption(shown < cats.size() ? "Top " + std::to_string(shown) +
                                                             " categories by combined share"
                                                       : "Share of each category");
  if (shown < cats.size()) {
    Appendf(&out,
            "<p class=\"note\">Other: %s more categories hold %s of reference and %s of "
            "current values.</p>",
            Count(static_cast<int64_t>(cats.size() - shown)).c_str(), Share(other_ref).c_str(),
            Share(other_cur).c_str());
  }
  return out + "</figure>";
}

// ---- Column panels and skipped columns ----

std::string MissingShare(const ColumnSummary& s) {
  return Share(static_cast<double>(s.missing) /
               static_cast<double>(std::max<int64_t>(1, s.count() + s.missing)));
}

void RenderPanel(const ColumnDrift& c, size_t index, const DatasetSummary& reference,
                 const DatasetSummary& current, const Legend& legend, std::string* out) {
  Appendf(out, "<article class=\"card\" id=\"col-%zu\"><h3><span class=\"name\">%s</span>%s</h3>",
          index, Escape(c.column).c_str(), Badge(c.drift).c_str());
  *out += "<p class=\"stat\"><span class=\"type\">" + std::string(DriftKindName(c.kind)) +
          "</span> <code>" + Escape(c.method) + "</code> statistic " + html::Number(c.statistic) +
          (c.p_value ? ", p = " + PValue(c.p_value) : "") + ", threshold " + html::Number(c.threshold) +
          "</p>";
  const ColumnSummary* r = reference.Find(c.column);
  const ColumnSummary* k = current.Find(c.column);
  if (!r || !k) {
    *out += EmptyChart("No summary of this column to chart.") + "</article>\n";
    return;
  }
  if (c.kind == DriftKind::kNumerical && r->type != ColumnType::kString) {
    *out += NumericChart(r->numeric, k->numeric, legend);
  } else {
    *out += CategoryChart(Categories(*r, *k), legend);
  }
  const std::pair<const char*, std::string> figures[] = {
      {"Reference values", Count(c.reference_count)},
      {"Current values", Count(c.current_count)},
      {"Reference missing", MissingShare(*r)},
      {"Current missing", MissingShare(*k)}};
  *out += "<dl class=\"figures\">";
  for (const auto& [label, value] : figures) {
    *out += std::string("<div><dt>") + label + "</dt><dd>" + value + "</dd></div>";
  }
  *out += "</dl></article>\n";
}

void RenderSkipped(const std::vector<SkippedColumn>& skipped, std::string* out) {
  if (skipped.empty()) return;
  Appendf(out, "<section><h2>Not tested (%zu)</h2><ul class=\"skipped\">", skipped.size());
  for (const SkippedColumn& s : skipped) {
    *out += "<li><code>" + Escape(s.column) + "</code>: " + Escape(s.reason) + "</li>";
  }
  *out += "</ul></section>\n";
}

}  // namespace

std::string RenderDriftHtml(const DriftReport& report, const DatasetSummary& reference,
                            const DatasetSummary& current, const DriftHtmlOptions& options) {
  const std::string title = options.title.empty() ? "Data drift" : options.title;
  const Legend legend{
      Escape(Truncate(options.reference_name.empty() ? "reference" : options.reference_name,
                      kNameChars)),
      Escape(
          Truncate(options.current_name.empty() ? "current" : options.current_name, kNameChars))};
  std::string out;
  out.reserve(8192 + report.columns.size() * 8192);
  out += html::PageHead(title, kDriftCss);
  RenderHeader(report, reference, current, options, title, &out);
  RenderHistory(options.history, report.share_threshold, &out);
  const std::vector<size_t> order = DriftOrder(report.columns);
  RenderTable(report, order, &out);
  if (!order.empty()) {
    out += "<section><h2>Distributions</h2><div class=\"cards\">\n";
    for (size_t i : order) RenderPanel(report.columns[i], i, reference, current, legend, &out);
    out += "</div></section>\n";
  }
  RenderSkipped(report.skipped, &out);
  out += "<footer>Generated by Gyre.</footer></body></html>\n";
  return out;
}

}  // namespace gyre
