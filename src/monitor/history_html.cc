#include "monitor/history_html.h"

#include <algorithm>

#include "core/html.h"

namespace gyre {
namespace {

constexpr double kWidth = 720, kHeight = 180, kLeft = 40, kRight = 710, kTop = 12, kBottom = 150;

double Y(double share) { return kBottom - share * (kBottom - kTop); }

}  // namespace

void RenderHistory(const std::vector<HistoryPoint>& history, double share_threshold, std::string* out) {
  if (history.empty()) return;
  *out += "<section><h2>Drift over time</h2><div class=\"card\"><figure>";
  *out += html::SvgOpen(kWidth, kHeight, "Share of drifted columns per window");
  html::Appendf(out,
                "<line class=\"axis\" x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>"
                "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">100%%</text>"
                "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">0</text>"
                "<line class=\"grid\" x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke-dasharray=\"4 3\"/>",
                kLeft, kBottom, kRight, kBottom, kLeft - 4, kTop + 4, kLeft - 4, kBottom + 3, kLeft,
                Y(share_threshold), kRight, Y(share_threshold));
  const double slot = (kRight - kLeft) / static_cast<double>(history.size());
  const double bar = std::max(2.0, slot * 0.7);
  for (size_t i = 0; i < history.size(); ++i) {
    const HistoryPoint& h = history[i];
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar) / 2;
    html::Appendf(out,
                  "<g><title>%s: %s rows, %.1f%% of columns drifted%s%s</title>"
                  "<rect class=\"%s\" x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\"/>",
                  html::Escape(h.label).c_str(), html::Count(h.rows).c_str(), 100 * h.drift_share,
                  h.dataset_drift ? " (dataset drift)" : "", h.prediction_drift ? "; predictions drifted" : "",
                  h.dataset_drift ? "cur" : "ref", x, Y(h.drift_share), bar,
                  std::max(1.0, kBottom - Y(h.drift_share)));
    if (h.prediction_drift)
      html::Appendf(out, "<circle cx=\"%g\" cy=\"%g\" r=\"3\" fill=\"#b42318\"/>", x + bar / 2, kTop - 4 + 6);
    *out += "</g>";
  }
  html::Appendf(out, "<text x=\"%g\" y=\"%g\">%s</text><text x=\"%g\" y=\"%g\" text-anchor=\"end\">%s</text>",
                kLeft, kBottom + 16, html::Escape(history.front().label).c_str(), kRight, kBottom + 16,
                html::Escape(history.back().label).c_str());
  html::Appendf(out,
                "</svg><figcaption>%zu windows, oldest first: the share of input columns that drifted "
                "(orange when the dataset drifted; the dashed line is the %.0f%% threshold; a red dot "
                "marks drifted predictions).</figcaption></figure></div></section>\n",
                history.size(), 100 * share_threshold);
}

}  // namespace gyre
