// Small helpers for the self-contained HTML reports (profiles, drift): text escaping and
// number formatting. Every report shares them so that a value looks the same everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::html {

// Appends printf-formatted text.
[[gnu::format(printf, 2, 3)]] void Appendf(std::string* out, const char* format, ...);
// Escapes & < > " ' for element text and attribute values.
std::string Escape(std::string_view text);
// Cuts `text` to `max_chars` code points (the last one an ellipsis) so that one long value
// cannot stretch a chart. Input is valid UTF-8: the readers reject the rest.
std::string Truncate(std::string_view text, size_t max_chars);
// A value as escaped display text; an empty string would otherwise be an invisible label.
std::string ValueText(std::string_view value, size_t max_chars);
// 1234567 -> "1,234,567".
std::string Count(int64_t n);
// Counts for tight spots (axis labels, bar ends): "12,345,678" would not fit, "12.3M" does.
std::string CompactCount(int64_t n);
// Four significant digits; large magnitudes as grouped integers, which read better than
// 1.235e+05; tiny ones in scientific notation (Scientific); NaN as an em dash.
std::string Number(double v);
// Four significant digits with a short exponent: "1.234e-7" rather than "1.234e-07".
std::string Scientific(double v);
// A chart's place when there is nothing to draw.
std::string EmptyChart(const char* message);
// The opening tag of an inline SVG chart with a fixed viewBox that CSS scales.
std::string SvgOpen(double width, double height, const char* label);

// The start of a self-contained page, up to and including <body>: the title (escaped here),
// the stylesheet inline, and a policy that forbids scripts and fetches outright. Report pages
// embed data values, so even an escaping bug could not make a crafted value run or phone home.
std::string PageHead(std::string_view title, std::string_view css);

// A chart's plot area in viewBox units.
struct PlotArea {
  double left, right, top, bottom;
};
// The frame of a bar chart: a grid line at the top, the x axis, and the y labels `peak` (at
// the top) and 0.
void ChartFrame(std::string* svg, const PlotArea& area, const std::string& peak);

}  // namespace gyre::html
