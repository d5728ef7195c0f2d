// The drift-over-time section of a monitoring page. Internal to monitor/.
#pragma once

#include <string>
#include <vector>

#include "monitor/drift_io.h"

namespace gyre {

// A bar per window (the share of drifted columns; red when the dataset drifted, a dot when
// the predictions drifted) with the verdict's threshold as a line. Appends nothing for no history.
void RenderHistory(const std::vector<HistoryPoint>& history, double share_threshold, std::string* out);

}  // namespace gyre
