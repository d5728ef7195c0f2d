// JSON text written straight into a string, for the paths that write a value per row and cannot
// afford a JSON tree for it: the prediction log's records (monitor/) and the model server's
// answers (serve/).
#pragma once

#include <string>
#include <string_view>

namespace gyre {

// The shortest text that reads back as the same double, exactly as std::to_chars writes it
// (plain or exponent notation, whichever is shorter); null when the value is not finite,
// which JSON cannot hold.
void AppendJsonNumber(std::string* out, double v);
// `text` as a JSON string: plain ASCII is only quoted; anything else goes through nlohmann's
// escaping, with bytes that are not UTF-8 replaced (never thrown on).
void AppendJsonString(std::string* out, std::string_view text);

}  // namespace gyre
