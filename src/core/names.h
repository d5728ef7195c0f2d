// The one naming rule for things users name (datasets, models): a letter or digit, then
// letters, digits, '_', '-' and '.', at most 100 characters. Safe in paths, URLs and refs.
#pragma once

#include <string_view>

#include "core/status.h"

namespace gyre {

// `what` names the kind in the error ("dataset", "model").
Status CheckName(std::string_view what, std::string_view name);

}  // namespace gyre
