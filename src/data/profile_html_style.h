// The stylesheet of the HTML profile, inlined into every report. Internal to data/.
#pragma once

namespace gyre {

const char* ProfileHtmlCss();

}  // namespace gyre
