// The stylesheet of the drift and monitoring pages. Internal to monitor/.
#pragma once

namespace gyre {

extern const char kDriftCss[];

}  // namespace gyre
