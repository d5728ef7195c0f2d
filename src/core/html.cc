#include "core/html.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace gyre::html {

void Appendf(std::string* out, const char* format, ...) {
  va_list args, again;
  va_start(args, format);
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, format, args);
  if (n > 0) {
    size_t old = out->size();
    out->resize(old + static_cast<size_t>(n) + 1);  // room for the terminator vsnprintf writes
    std::vsnprintf(out->data() + old, static_cast<size_t>(n) + 1, format, again);
    out->resize(old + static_cast<size_t>(n));
  }
  va_end(again);
  va_end(args);
}

std::string Escape(std::string_view text) {
  static constexpr std::string_view kSpecial = "&<>\"'";
  static constexpr std::string_view kEntities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
  std::string out;
  out.reserve(text.size());
  for (const char& ch : text) {
    size_t k = kSpecial.find(ch);
    out += k == std::string_view::npos ? std::string_view(&ch, 1) : kEntities[k];
  }
  return out;
}

std::string Truncate(std::string_view text, size_t max_chars) {
  size_t chars = 0, cut = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars - 1) cut = i;
    if (++chars > max_chars) return std::string(text.substr(0, cut)) + "…";
  }
  return std::string(text);
}

std::string ValueText(std::string_view value, size_t max_chars) {
  return value.empty() ? "(empty string)" : Escape(Truncate(value, max_chars));
}

std::string Count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -static_cast<uint64_t>(n) : static_cast<uint64_t>(n));
  std::string out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string CompactCount(int64_t n) {
  if (n < 10000) return Count(n);
  double v = static_cast<double>(n) / 1e3;
  const char* unit = "kMB";
  for (; v >= 999.5 && unit[1] != '\0'; ++unit) v /= 1e3;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%c", v, *unit);
  return buf;
}

std::string Scientific(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  const std::string text = buf;
  const size_t e = text.find('e');
  return text.substr(0, e) + "e" + std::to_string(std::atoi(text.c_str() + e + 1));
}

std::string Number(double v) {
  if (std::isnan(v)) return "—";
  if (std::isinf(v)) return v > 0 ? "∞" : "-∞";
  double a = std::fabs(v);
  if (a >= 1e4 && a < 1e15) return (v < 0 ? "-" : "") + Count(std::llround(a));
  if (a != 0 && a < 1e-3) return Scientific(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string EmptyChart(const char* message) {
  return std::string("<p class=\"empty\">") + message + "</p>";
}

std::string SvgOpen(double width, double height, const char* label) {
  std::string svg;
  Appendf(&svg, "<svg viewBox=\"0 0 %g %g\" role=\"img\" aria-label=\"%s\">", width, height,
          label);
  return svg;
}

std::string PageHead(std::string_view title, std::string_view css) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" "
      "content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>";
  out += Escape(title);
  out += "</title><style>";
  out += css;
  out += "</style></head><body>\n";
  return out;
}

void ChartFrame(std::string* svg, const PlotArea& a, const std::string& peak) {
  Appendf(svg,
          "<line class=\"grid\" x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>"
          "<line class=\"axis\" x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>"
          "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>"
          "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">0</text>",
          a.left, a.top, a.right, a.top, a.left, a.bottom, a.right, a.bottom, a.left - 4, a.top + 3,
          peak.c_str(), a.left - 4, a.bottom + 3);
}

}  // namespace gyre::html
