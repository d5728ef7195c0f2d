// The demo's episode as one self-contained HTML page: what happened, which claims held, the
// drift per column, the metrics before and after, and the lineage of the new champion.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "cli/demo.h"
#include "core/html.h"

namespace gyre::demo {
namespace {

using json = nlohmann::ordered_json;
using html::Appendf;
using html::Escape;

const char kCss[] = R"(body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eef;vertical-align:top}
th{background:#f4f6fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}.muted{color:#667}
code{font-size:.85em;background:#f4f6fa;padding:0 .25rem;border-radius:3px;word-break:break-all}
svg{max-width:100%;height:auto}.bar{fill:#4c6ef5}.bar2{fill:#12b886})";

std::string Num(const json& v) {
  return v.is_number() ? html::Number(v.get<double>()) : "&mdash;";
}

void Stages(std::string* out, const Episode& e) {
  *out += "<h2>What happened</h2><table><tr><th>Stage</th><th>What</th><th>Figures</th></tr>";
  for (const auto& r : e.stages) {
    Appendf(out, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>", Escape(r.stage).c_str(), Escape(r.what).c_str(),
            Escape(r.figures).c_str());
  }
  *out += "</table><h2>Claims</h2><table><tr><th></th><th>Claim</th><th>Figures</th></tr>";
  for (const auto& c : e.checks) {
    Appendf(out, "<tr><td class=\"%s\">%s</td><td>%s</td><td>%s</td></tr>", c.held ? "ok" : "bad",
            c.held ? "held" : "FAILED", Escape(c.claim).c_str(), Escape(c.figures).c_str());
  }
  *out += "</table>";
}

// roc_auc per model and window, as a table and a bar chart.
void BeforeAfter(std::string* out, const Episode& e) {
  json rows = json::parse(e.before_after_json.empty() ? "[]" : e.before_after_json, nullptr, false);
  if (!rows.is_array()) return;
  *out += "<h2>Performance before and after</h2><table><tr><th>Model</th><th>Window</th><th>ROC AUC</th></tr>";
  for (const auto& r : rows) {
    Appendf(out, "<tr><td>%s</td><td>%s</td><td class=\"n\">%s</td></tr>", Escape(r["model"].get<std::string>()).c_str(),
            Escape(r["window"].get<std::string>()).c_str(), Num(r["roc_auc"]).c_str());
  }
  *out += "</table>";
  const double width = 720, row_h = 28, left = 260;
  *out += html::SvgOpen(width, row_h * static_cast<double>(rows.size()) + 10, "ROC AUC by model and window");
  double y = 5;
  for (const auto& r : rows) {
    const double v = r["roc_auc"].is_number() ? r["roc_auc"].get<double>() : 0;
    const double w = std::max(0.0, (v - 0.5) / 0.5) * (width - left - 60);  // 0.5 (chance) to 1
    Appendf(out, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\" font-size=\"13\">%s, %s</text>", left - 8, y + 17,
            Escape(r["model"].get<std::string>()).c_str(), Escape(r["window"].get<std::string>()).c_str());
    Appendf(out, "<rect class=\"%s\" x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\"/>",
            r["model"] == "fraud:1" ? "bar" : "bar2", left, y + 4, w, row_h - 8);
    Appendf(out, "<text x=\"%g\" y=\"%g\" font-size=\"12\">%s</text>", left + w + 6, y + 17, Num(r["roc_auc"]).c_str());
    y += row_h;
  }
  *out += "</svg><p class=\"muted\">Bars start at 0.5, a coin's ROC AUC.</p>";
}

void Drift(std::string* out, const Episode& e) {
  json d = json::parse(e.drift_json.empty() ? "{}" : e.drift_json, nullptr, false);
  if (!d.is_object() || !d.contains("columns")) return;
  std::vector<json> cols(d["columns"].begin(), d["columns"].end());
  std::stable_sort(cols.begin(), cols.end(), [](const json& a, const json& b) { return a["drift"] > b["drift"]; });
  Appendf(out, "<h2>December against the training data: drift per column</h2><p>%s of %zu columns drifted (share %s); "
          "the dataset %s.</p>", html::Count(d["number_of_drifted_columns"].is_number() ? d["number_of_drifted_columns"].get<int64_t>() : 0).c_str(),
          cols.size(), Num(d["drift_share"]).c_str(), d["dataset_drift"].get<bool>() ? "drifted" : "did not drift");
  *out += "<table><tr><th>Column</th><th>Type</th><th>Test</th><th>Statistic</th><th>p-value</th><th>Threshold</th><th>Drift</th></tr>";
  for (const auto& c : cols) {
    const bool drift = c["drift"].get<bool>();
    Appendf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
            "<td class=\"%s\">%s</td></tr>", Escape(c["column"].get<std::string>()).c_str(),
            Escape(c["type"].get<std::string>()).c_str(), Escape(c["method"].get<std::string>()).c_str(),
            Num(c["statistic"]).c_str(), Num(c["p_value"]).c_str(), Num(c["threshold"]).c_str(), drift ? "bad" : "ok",
            drift ? "drift" : "no");
  }
  *out += "</table>";
}

void Lineage(std::string* out, const Episode& e) {
  json run = json::parse(e.lineage_json.empty() ? "{}" : e.lineage_json, nullptr, false);
  if (!run.is_object() || !run.contains("steps")) return;
  Appendf(out, "<h2>Lineage of the new champion</h2><p>Pipeline run <code>%s</code>, triggered by %s.</p>",
          Escape(run["run_id"].get<std::string>()).c_str(),
          Escape(run["tags"].value("gyre.trigger", std::string("?"))).c_str());
  *out += "<table><tr><th>Step</th><th>Status</th><th>Read</th><th>Made</th></tr>";
  for (const auto& s : run["steps"]) {
    const json made = s["outputs"].is_object() && s["outputs"].contains("values") ? s["outputs"]["values"] : json::object();
    Appendf(out, "<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td><code>%s</code></td></tr>",
            Escape(s["step"].get<std::string>()).c_str(), Escape(s["status"].get<std::string>()).c_str(),
            Escape(s["inputs"].dump()).c_str(), Escape(made.dump()).c_str());
  }
  *out += "</table>";
}

}  // namespace

std::string EpisodeHtml(const Episode& e) {
  std::string out = html::PageHead("Gyre: one turn of the MLOps loop", kCss);
  int held = 0;
  for (const auto& c : e.checks) held += c.held;
  Appendf(&out, "<h1>One turn of the loop</h1><p class=\"muted\">Generated data, the embedded default, %.1f s. "
          "%d of %zu claims held.</p>", e.seconds, held, e.checks.size());
  Stages(&out, e);
  BeforeAfter(&out, e);
  Drift(&out, e);
  Lineage(&out, e);
  out += "</body></html>\n";
  return out;
}

}  // namespace gyre::demo
