// A dataset profile as one self-contained HTML page: inline CSS and inline SVG charts, no
// scripts and no fetches, so the file can be attached to a run, mailed or opened offline.
#pragma once

#include <string>

#include "data/stats.h"

namespace gyre {

struct ProfileHtmlOptions {
  std::string title;         // page heading; "Dataset profile" when empty
  std::string source;        // file path or NAME:V; left out when empty
  std::string generated_at;  // ISO time text; left out when empty
};

// Renders `stats` as a self-contained HTML page (inline SVG charts, no scripts from elsewhere).
// Every text taken from the data (column names, values) or from `options` is HTML-escaped.
// Pure function of its arguments; safe to call from any thread.
std::string RenderProfileHtml(const DatasetStats& stats, const ProfileHtmlOptions& options);

}  // namespace gyre
