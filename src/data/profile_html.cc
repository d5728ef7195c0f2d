// The HTML profile page. Everything is built with std::string and snprintf; charts are SVG in
// a fixed viewBox that CSS scales to the card, so no layout code is needed at render time.
#include "data/profile_html.h"
#include "data/profile_html_style.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/html.h"
#include "data/table.h"

namespace gyre {
namespace {

constexpr size_t kMedianIndex = 3;
static_assert(kProfileQuantiles[kMedianIndex] == 0.5);

constexpr double kMissingWarnFraction = 0.05;
constexpr double kHighCardinalityFraction = 0.5;
// Flags |mean - median| > std / 4, i.e. Pearson's median skewness 3 (mean - median) / std
// beyond 0.75: an exponential or log-normal column is flagged, a normal or uniform one is not.
constexpr double kSkewStdFraction = 0.25;

// Chart geometry in viewBox units; the margins of the histogram hold its axis labels.
constexpr double kChartWidth = 360;
constexpr double kPlotLeft = 44, kPlotRight = 348, kPlotTop = 10, kPlotBottom = 150;
constexpr double kHistHeight = 172;
constexpr int kXTicks = 4;
constexpr size_t kTopRows = 10;
constexpr double kRowHeight = 22, kLabelEnd = 116, kBarStart = 122, kBarMax = 150;
constexpr size_t kLabelChars = 18;

using html::Appendf;
using html::CompactCount;
using html::Count;
using html::EmptyChart;
using html::Escape;
using html::Truncate;
using html::ValueText;

std::string Num(double v) { return html::Number(v); }

double Fraction(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// One decimal, but never rounds a few cells to "0.0%" or nearly all of them to "100.0%".
std::string Pct(int64_t part, int64_t whole) {
  double pct = 100 * Fraction(part, whole);
  if (part > 0 && pct < 0.1) return "&lt;0.1%";
  if (part < whole && pct > 99.9) return "&gt;99.9%";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", pct);
  return buf;
}

std::string CountPct(int64_t part, int64_t whole) {
  return Count(part) + " <small>(" + Pct(part, whole) + ")</small>";
}

std::string Distinct(const ColumnStats& c) {
  return (c.distinct_exact ? "" : "≈") + Count(c.distinct);
}

std::string Duration(int64_t micros) {
  double hours = static_cast<double>(micros) / 3.6e9;
  char buf[32];
  bool days = hours >= 48;
  std::snprintf(buf, sizeof buf, days ? "%.1f days" : "%.3g hours", days ? hours / 24 : hours);
  return buf;
}

// Anchors use the column index: names may hold any character and may repeat.
std::string ColumnLink(const ColumnStats& c, size_t index) {
  return "<a href=\"#col-" + std::to_string(index) + "\">" + Escape(c.name) + "</a>";
}

std::string SvgOpen(double height, const char* label) { return html::SvgOpen(kChartWidth, height, label); }

// ---- Header, warnings, overview ----

std::string TypeCounts(const DatasetStats& stats) {
  std::string out;
  for (ColumnType t : {ColumnType::kInt64, ColumnType::kFloat64, ColumnType::kString,
                       ColumnType::kBool, ColumnType::kTimestamp}) {
    auto n = std::count_if(stats.columns.begin(), stats.columns.end(),
                           [t](const ColumnStats& c) { return c.type == t; });
    if (n == 0) continue;
    if (!out.empty()) out += " · ";
    out += Count(n) + " " + ColumnTypeName(t);
  }
  return out.empty() ? "—" : out;
}

void RenderHeader(const DatasetStats& stats, const ProfileHtmlOptions& options,
                  const std::string& title, std::string* out) {
  int64_t missing = 0;
  for (const ColumnStats& c : stats.columns) missing += c.missing;
  int64_t cells = stats.rows * static_cast<int64_t>(stats.columns.size());
  *out += "<header><h1>" + Escape(title) + "</h1><p class=\"meta\">";
  if (!options.source.empty()) {
    *out += "<span>Source <code>" + Escape(options.source) + "</code></span>";
  }
  if (!options.generated_at.empty()) {
    *out += "<span>Generated " + Escape(options.generated_at) + "</span>";
  }
  const std::pair<const char*, std::string> tiles[] = {
      {"Rows", Count(stats.rows)},
      {"Columns", Count(static_cast<int64_t>(stats.columns.size()))},
      {"Missing cells", CountPct(missing, cells)},
      {"Column types", TypeCounts(stats)}};
  *out += "</p><div class=\"tiles\">";
  for (const auto& [label, value] : tiles) {
    *out += std::string("<div class=\"tile\"><span>") + label + "</span><b>" + value + "</b></div>";
  }
  *out += "</div></header>\n";
}

using Warnings = std::vector<std::string>;  // HTML list items

void AddQualityWarnings(const ColumnStats& c, const std::string& link, Warnings* out) {
  int64_t total = c.count + c.missing;
  if (total > 0 && c.count == 0) {
    out->push_back(link + " is entirely missing");
    return;
  }
  if (Fraction(c.missing, total) > kMissingWarnFraction) {
    out->push_back(link + " is missing in " + Pct(c.missing, total) + " of rows (" +
                   Count(c.missing) + ")");
  }
  if (c.distinct == 1) {
    std::string value;
    if (!c.top.empty()) value = " (always <code>" + ValueText(c.top[0].value, 40) + "</code>)";
    if (c.numeric) value = " (always " + Num(c.numeric->min) + ")";
    out->push_back(link + " is constant" + value);
  }
  if (c.type == ColumnType::kString && c.distinct > 1 &&
      static_cast<double>(c.distinct) > kHighCardinalityFraction * static_cast<double>(c.count)) {
    out->push_back(link + " has high cardinality: " + Distinct(c) + " distinct in " +
                   Count(c.count) + " values (an identifier or free text?)");
  }
}

void AddNumericWarnings(const ColumnStats& c, const std::string& link, Warnings* out) {
  if (!c.numeric) return;
  const NumericSummary& n = *c.numeric;
  if (n.infinities > 0) {
    // Mean and std are infinite or NaN then, so the skew test below would say nothing.
    out->push_back(link + " holds infinite values (" + Count(n.infinities) + ")");
    return;
  }
  double median = n.quantiles[kMedianIndex];
  if (std::isfinite(n.std) && n.std > 0 && std::fabs(n.mean - median) > kSkewStdFraction * n.std) {
    out->push_back(link + " is skewed " + (n.mean > median ? "right" : "left") + ": mean " +
                   Num(n.mean) + " vs median " + Num(median) + " (std " + Num(n.std) + ")");
  }
}

void RenderWarnings(const DatasetStats& stats, std::string* out) {
  Warnings items;
  if (stats.rows == 0) items.push_back("The dataset has no rows");
  for (size_t i = 0; i < stats.columns.size(); ++i) {
    std::string link = ColumnLink(stats.columns[i], i);
    AddQualityWarnings(stats.columns[i], link, &items);
    AddNumericWarnings(stats.columns[i], link, &items);
  }
  Appendf(out, "<section><h2>Warnings (%zu)</h2>", items.size());
  if (items.empty()) {
    *out +=
        "<p class=\"ok\">Nothing notable: no heavy missingness, constant, high-cardinality, "
        "infinite or strongly skewed columns.</p>";
  } else {
    *out += "<ul class=\"warnings\">";
    for (const std::string& item : items) *out += "<li>" + item + "</li>";
    *out += "</ul>";
  }
  *out += "</section>\n";
}

std::string MissingCell(const ColumnStats& c) {
  int64_t total = c.count + c.missing;
  double f = Fraction(c.missing, total);
  std::string out;
  Appendf(&out, "<span class=\"meter%s\"><span style=\"width:%.1f%%\"></span></span>",
          f > kMissingWarnFraction ? " high" : "", 100 * f);
  return out + Pct(c.missing, total);
}

void OverviewRow(const ColumnStats& c, size_t index, std::string* out) {
  std::string cells[4];  // mean, std, min, max
  if (c.numeric) {
    cells[0] = Num(c.numeric->mean), cells[1] = Num(c.numeric->std);
    cells[2] = Num(c.numeric->min), cells[3] = Num(c.numeric->max);
  } else if (c.min_time && c.max_time) {
    cells[2] = FormatTimestamp(*c.min_time), cells[3] = FormatTimestamp(*c.max_time);
  }
  std::string top;
  if (!c.top.empty()) {
    top = "<code>" + ValueText(c.top[0].value, 24) + "</code> <small>" +
          Pct(c.top[0].count, c.count) + "</small>";
  }
  *out += "<tr><td>" + ColumnLink(c, index) + "</td><td><span class=\"type\">" +
          ColumnTypeName(c.type) + "</span></td><td>" + MissingCell(c) + "</td><td class=\"num\">" +
          Distinct(c) + "</td>";
  for (const std::string& cell : cells) *out += "<td class=\"num\">" + cell + "</td>";
  *out += "<td>" + top + "</td></tr>\n";
}

void RenderOverview(const DatasetStats& stats, std::string* out) {
  *out +=
      "<section><h2>Columns</h2><div class=\"scroll\"><table class=\"overview\"><thead><tr>"
      "<th>Column</th><th>Type</th><th>Missing</th><th class=\"num\">Distinct</th>"
      "<th class=\"num\">Mean</th><th class=\"num\">Std</th><th class=\"num\">Min</th>"
      "<th class=\"num\">Max</th><th>Top value</th></tr></thead><tbody>\n";
  for (size_t i = 0; i < stats.columns.size(); ++i) OverviewRow(stats.columns[i], i, out);
  *out += "</tbody></table></div></section>\n";
}

// ---- Charts ----

struct XScale {
  double lo, hi;
  double X(double v) const { return kPlotLeft + (v - lo) / (hi - lo) * (kPlotRight - kPlotLeft); }
};

void HistogramAxes(const XScale& s, int64_t peak, std::string* svg) {
  html::ChartFrame(svg, {kPlotLeft, kPlotRight, kPlotTop, kPlotBottom}, CompactCount(peak));
  for (int i = 0; i <= kXTicks; ++i) {
    double v = s.lo + (s.hi - s.lo) * i / kXTicks, x = s.X(v);
    const char* anchor = i == 0 ? "start" : (i == kXTicks ? "end" : "middle");
    Appendf(svg,
            "<line class=\"axis\" x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\"/>"
            "<text x=\"%.1f\" y=\"%g\" text-anchor=\"%s\">%s</text>",
            x, kPlotBottom, x, kPlotBottom + 4, x, kPlotBottom + 16, anchor, Num(v).c_str());
  }
}

void HistogramBar(const Histogram& h, const XScale& s, size_t i, int64_t peak, int64_t total,
                  std::string* svg) {
  int64_t count = h.counts[i];
  if (count == 0) return;
  double x0 = s.X(h.edges[i]), x1 = s.X(h.edges[i + 1]);
  double gap = x1 - x0 > 4 ? 1 : 0;
  // A bin holding a handful of values among millions must still be visible.
  double height = std::max(1.0, (kPlotBottom - kPlotTop) * Fraction(count, peak));
  const char* close = i + 1 == h.counts.size() ? "]" : ")";  // numpy closes only the last bin
  Appendf(svg,
          "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
          "<title>[%s, %s%s: %s values (%s)</title></rect>",
          x0 + gap / 2, kPlotBottom - height, x1 - x0 - gap, height, Num(h.edges[i]).c_str(),
          Num(h.edges[i + 1]).c_str(), close, Count(count).c_str(), Pct(count, total).c_str());
}

void Marker(const XScale& s, double v, const char* name, std::string* svg) {
  if (!std::isfinite(v) || v < s.lo || v > s.hi) return;
  double x = s.X(v);
  Appendf(
      svg,
      "<line class=\"%s\" x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\"><title>%s %s</title></line>",
      name, x, kPlotTop, x, kPlotBottom, name, Num(v).c_str());
}

std::string HistogramSvg(const NumericSummary& n) {
  const Histogram& h = n.histogram;
  if (n.infinities > 0) return EmptyChart("No histogram: the column holds infinite values.");
  int64_t total = std::accumulate(h.counts.begin(), h.counts.end(), int64_t{0});
  if (total == 0 || h.edges.size() != h.counts.size() + 1) return EmptyChart("No values to chart.");
  XScale s{h.edges.front(), h.edges.back()};
  int64_t peak = *std::max_element(h.counts.begin(), h.counts.end());
  std::string svg = SvgOpen(kHistHeight, "Histogram");
  HistogramAxes(s, peak, &svg);
  for (size_t i = 0; i < h.counts.size(); ++i) HistogramBar(h, s, i, peak, total, &svg);
  Marker(s, n.quantiles[kMedianIndex], "median", &svg);
  Marker(s, n.mean, "mean", &svg);
  return "<figure>" + svg + "</svg><figcaption>Histogram, " + std::to_string(h.counts.size()) +
         " equal-width bins<span class=\"key\"></span>median<span class=\"key mean\"></span>"
         "mean</figcaption></figure>";
}

struct BarRow {
  std::string label, tooltip;
  int64_t count;
  bool other;
};

void TopValueRow(const BarRow& row, size_t i, int64_t total, int64_t peak, std::string* svg) {
  double y = static_cast<double>(i) * kRowHeight;
  double width = std::max(1.0, kBarMax * Fraction(row.count, peak));
  Appendf(svg, "<text class=\"label\" x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>", kLabelEnd,
          y + 15, row.label.c_str());
  Appendf(svg,
          "<rect class=\"bar%s\" x=\"%g\" y=\"%g\" width=\"%.1f\" height=\"15\">"
          "<title>%s: %s (%s)</title></rect>",
          row.other ? " other" : "", kBarStart, y + 4, width, row.tooltip.c_str(),
          Count(row.count).c_str(), Pct(row.count, total).c_str());
  Appendf(svg, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s · %s</text>", kChartWidth - 4,
          y + 15, CompactCount(row.count).c_str(), Pct(row.count, total).c_str());
}

std::vector<BarRow> TopRows(const ColumnStats& c) {
  std::vector<BarRow> rows;
  int64_t shown = 0;
  for (size_t i = 0; i < std::min(c.top.size(), kTopRows); ++i) {
    const TopValue& t = c.top[i];
    rows.push_back({ValueText(t.value, kLabelChars), ValueText(t.value, 200), t.count, false});
    shown += t.count;
  }
  if (c.count > shown) {
    // An estimated distinct count can undershoot the values already shown; one other is certain.
    int64_t others = std::max<int64_t>(1, c.distinct - static_cast<int64_t>(rows.size()));
    std::string label = std::string("(").append(c.distinct_exact ? "" : "≈").append(Count(others)).append(" others)");
    rows.push_back({label, "All other values", c.count - shown, true});
  }
  return rows;
}

std::string TopValuesSvg(const ColumnStats& c) {
  if (c.top.empty()) return EmptyChart("No values to chart.");
  std::vector<BarRow> rows = TopRows(c);
  int64_t peak = 0;
  for (const BarRow& row : rows) peak = std::max(peak, row.count);
  std::string svg =
      SvgOpen(static_cast<double>(rows.size()) * kRowHeight + 4, "Most frequent values");
  for (size_t i = 0; i < rows.size(); ++i) TopValueRow(rows[i], i, c.count, peak, &svg);
  return "<figure>" + svg +
         "</svg><figcaption>Most frequent values; shares are of present "
         "values</figcaption></figure>";
}

// ---- Column cards ----

using Figures = std::vector<std::pair<std::string, std::string>>;  // label, HTML-safe value

Figures CommonFigures(const ColumnStats& c) {
  return {{"Count", Count(c.count)},
          {"Missing", CountPct(c.missing, c.count + c.missing)},
          {"Distinct", Distinct(c)}};
}

void RenderFigures(const Figures& figures, std::string* out) {
  *out += "<dl class=\"figures\">";
  for (const auto& [label, value] : figures) {
    *out += "<div><dt>" + label + "</dt><dd>" + value + "</dd></div>";
  }
  *out += "</dl>";
}

void RenderQuantiles(const NumericSummary& n, std::string* out) {
  *out += "<table class=\"quantiles\"><tr>";
  for (double q : kProfileQuantiles) Appendf(out, "<th>p%g</th>", q * 100);
  *out += "</tr><tr>";
  for (double v : n.quantiles) *out += "<td>" + Num(v) + "</td>";
  *out += "</tr></table>";
}

void RenderNumericCard(const ColumnStats& c, std::string* out) {
  const NumericSummary& n = *c.numeric;
  *out += HistogramSvg(n);
  if (c.count > 0) RenderQuantiles(n, out);
  Figures f = CommonFigures(c);
  f.insert(f.end(), {{"Mean", Num(n.mean)},
                     {"Std", Num(n.std)},
                     {"Min", Num(n.min)},
                     {"Max", Num(n.max)},
                     {"Zeros", CountPct(n.zeros, c.count)},
                     {"Negatives", CountPct(n.negatives, c.count)}});
  if (n.infinities > 0) f.push_back({"Infinities", CountPct(n.infinities, c.count)});
  RenderFigures(f, out);
  if (!n.quantiles_exact) {
    *out +=
        "<p class=\"note\">Approximate: quantiles and histogram come from a KLL sketch (rank "
        "error under 0.3%) and the distinct count from HyperLogLog.</p>";
  }
}

void RenderCategoricalCard(const ColumnStats& c, std::string* out) {
  *out += TopValuesSvg(c);
  Figures f = CommonFigures(c);
  if (c.lengths) {
    f.insert(f.end(), {{"Shortest", Count(c.lengths->min)},
                       {"Mean length", Num(c.lengths->mean)},
                       {"Longest", Count(c.lengths->max)}});
  }
  RenderFigures(f, out);
  if (!c.distinct_exact) {
    *out +=
        "<p class=\"note\">Approximate: the distinct count comes from HyperLogLog; top values "
        "are the most frequent of the first 100,000 distinct values.</p>";
  }
}

void RenderTimestampCard(const ColumnStats& c, std::string* out) {
  Figures f = CommonFigures(c);
  if (c.min_time && c.max_time) {
    *out += "<div class=\"range\"><span>" + FormatTimestamp(*c.min_time) +
            "</span><span class=\"span\">" + Duration(*c.max_time - *c.min_time) + "</span><span>" +
            FormatTimestamp(*c.max_time) + "</span></div>";
  } else {
    *out += EmptyChart("No values.");
  }
  RenderFigures(f, out);
}

void RenderCard(const ColumnStats& c, size_t index, std::string* out) {
  *out += "<article class=\"card\" id=\"col-" + std::to_string(index) +
          "\"><h3><span class=\"name\">" + Escape(c.name) + "</span><span class=\"type\">" +
          ColumnTypeName(c.type) + "</span></h3>";
  if (c.numeric) {
    RenderNumericCard(c, out);
  } else if (c.is_categorical()) {
    RenderCategoricalCard(c, out);
  } else {
    RenderTimestampCard(c, out);
  }
  *out += "</article>\n";
}

}  // namespace

std::string RenderProfileHtml(const DatasetStats& stats, const ProfileHtmlOptions& options) {
  std::string title = options.title.empty() ? "Dataset profile" : options.title;
  std::string out;
  out.reserve(8192 + stats.columns.size() * 6144);
  out += html::PageHead(title, ProfileHtmlCss());
  RenderHeader(stats, options, title, &out);
  RenderWarnings(stats, &out);
  RenderOverview(stats, &out);
  out += "<section><h2>Column details</h2><div class=\"cards\">\n";
  for (size_t i = 0; i < stats.columns.size(); ++i) RenderCard(stats.columns[i], i, &out);
  out += "</div></section><footer>Generated by Gyre.</footer></body></html>\n";
  return out;
}

}  // namespace gyre
