#include "data/profile_html_style.h"

namespace gyre {
namespace {

// Light theme, system fonts, tabular figures; cards in a responsive grid. No external assets:
// the report must open anywhere, offline.
const char kCss[] = R"css(
:root{--fg:#1f2933;--muted:#5f6b7a;--line:#e3e8ee;--bg:#f6f8fa;--accent:#1f5fa8;--bar:#4c78a8;
--warm:#c76a12;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
*{box-sizing:border-box}body{margin:0;padding:24px clamp(12px,4vw,48px);background:var(--bg);
color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px}h3{font-size:15px;
margin:0 0 12px;display:flex;gap:8px;justify-content:space-between;overflow-wrap:anywhere}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code{font:12px var(--mono)}small,.meta,figcaption,.note,.empty,footer{color:var(--muted)}
.meta{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0 0 16px}
.tiles{display:flex;flex-wrap:wrap;gap:12px}
.tile,.scroll,.card{background:#fff;border:1px solid var(--line);border-radius:8px}
.tile{padding:10px 16px;min-width:140px}.tile b{font-size:20px}.tile:last-child b{font-size:14px}
.tile span,.figures dt{display:block;color:var(--muted);font-size:11px;text-transform:uppercase;
letter-spacing:.05em}.ok{color:#1a7f37;margin:0}
.warnings{background:#fff8eb;border:1px solid #f3c47a;border-radius:8px;margin:0;padding:10px 34px}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.overview{width:100%}.overview th,.overview td{padding:6px 10px;border-bottom:1px solid var(--line);
text-align:left;white-space:nowrap}.overview th{font-size:12px;color:var(--muted)}
.overview tbody tr:hover{background:#f3f6fa}.overview .num{text-align:right}
.type{font:11px var(--mono);color:var(--muted);background:#eef1f5;border-radius:4px;padding:1px 6px}
.meter{display:inline-block;width:48px;height:6px;background:#eef1f5;border-radius:3px;
margin-right:6px;vertical-align:middle}.meter span{display:block;height:100%;background:var(--bar)}
.meter.high span{background:var(--warm)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr));gap:16px}
.card{padding:16px;min-width:0}figure{margin:0 0 12px}
figcaption,.note{font-size:12px;margin:4px 0 0}
svg{display:block;width:100%;height:auto}svg text{font-size:10px;fill:var(--muted)}
svg .label{font-size:11px;fill:var(--fg)}.bar{fill:var(--bar)}.bar:hover{fill:#2f5a8a}
.other{fill:#b8c2cc}.axis{stroke:#9aa5b1}.grid{stroke:var(--line)}
.median,.mean{stroke-width:1.5;stroke:var(--warm)}.mean{stroke:var(--fg);stroke-dasharray:4 3}
.key{display:inline-block;width:16px;border-top:2px solid var(--warm);margin:0 4px 3px 10px}
.key.mean{border-top:2px dashed var(--fg)}.empty{font-style:italic}
.quantiles{width:100%;margin:0 0 12px;font-size:12px}
.quantiles th{color:var(--muted);font-weight:500}
.quantiles th,.quantiles td{text-align:right;padding:2px 4px}
.quantiles td{border-top:1px solid var(--line)}.figures{margin:0;display:grid;gap:8px 12px;
grid-template-columns:repeat(auto-fill,minmax(110px,1fr))}
.figures dd{margin:0;font-variant-numeric:tabular-nums}
.range{display:flex;align-items:center;gap:10px;font:12px var(--mono);margin:8px 0 16px}
.range .span{flex:1;text-align:center;color:var(--muted);border-bottom:3px solid var(--bar)}
footer{margin:40px 0 0;font-size:12px}@media print{.card{break-inside:avoid}}
)css";

}  // namespace

const char* ProfileHtmlCss() { return kCss; }

}  // namespace gyre
