#include "monitor/drift_html_style.h"

namespace gyre {

// Inline in every page: the report is one file that opens anywhere, with no network.
const char kDriftCss[] = R"css(
:root{--fg:#1f2933;--muted:#5f6b7a;--line:#e3e8ee;--bg:#f6f8fa;--accent:#1f5fa8;--ref:#4c78a8;
--cur:#f58518;--bad:#b42318;--good:#1a7f37;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}*{box-sizing:border-box}body{margin:0;
padding:24px clamp(12px,4vw,48px);background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}h1{font-size:24px;
margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px}h3{font-size:15px;margin:0 0 8px;display:flex;
gap:8px;justify-content:space-between;overflow-wrap:anywhere}a{color:var(--accent);
text-decoration:none}a:hover{text-decoration:underline}code{font:12px var(--mono)}
.meta,figcaption,.note,.empty,footer,.stat{color:var(--muted)}.meta{display:flex;
flex-wrap:wrap;gap:4px 24px;margin:0 0 16px}.verdict{display:flex;flex-wrap:wrap;
align-items:baseline;gap:4px 16px;margin:0 0 16px;padding:12px 16px;border:1px solid;
border-radius:8px}.verdict b{font-size:18px}.verdict.drift{background:#fef3f2;border-color:#f4b4ad;
color:var(--bad)}.verdict.ok{background:#ecf7ef;border-color:#a6d9b5;color:var(--good)}
.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile,.scroll,.card{background:#fff;
border:1px solid var(--line);border-radius:8px}.tile{padding:10px 16px;min-width:140px}
.tile b{font-size:20px}.tile span,.figures dt{display:block;color:var(--muted);font-size:11px;
text-transform:uppercase;letter-spacing:.05em}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.drifts{width:100%}.drifts th,.drifts td{padding:6px 10px;border-bottom:1px solid var(--line);
text-align:left;white-space:nowrap}.drifts th{font-size:12px;color:var(--muted)}
.drifts tbody tr:hover{background:#f3f6fa}.drifts .num{text-align:right}.type{font:11px var(--mono);
color:var(--muted);background:#eef1f5;border-radius:4px;padding:1px 6px}.badge{display:inline-block;
font-size:11px;font-weight:600;border-radius:10px;padding:1px 9px}
.badge.drift{background:var(--bad);color:#fff}.badge.ok{background:#dcf1e2;color:var(--good)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr));gap:16px}
.card{padding:16px;min-width:0}.stat{font-size:12px;margin:0 0 8px}figure{margin:0 0 12px}
figcaption,.note{font-size:12px;margin:4px 0 0}.empty{font-style:italic}svg{display:block;
width:100%;height:auto}svg text{font-size:10px;fill:var(--muted)}svg .label{font-size:11px;
fill:var(--fg)}.axis{stroke:#9aa5b1}.grid{stroke:var(--line)}rect.ref{fill:var(--ref);
fill-opacity:.55}rect.cur{fill:var(--cur);fill-opacity:.55}g:hover rect{fill-opacity:.85}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;
vertical-align:-1px;opacity:.7}.key.ref{background:var(--ref)}.key.cur{background:var(--cur)}
.figures{margin:0;display:grid;gap:8px 12px;
grid-template-columns:repeat(auto-fill,minmax(110px,1fr))}.figures dd{margin:0;
font-variant-numeric:tabular-nums}.skipped li{margin:2px 0}footer{margin:40px 0 0;font-size:12px}
@media print{.card{break-inside:avoid}}
)css";

}  // namespace gyre
