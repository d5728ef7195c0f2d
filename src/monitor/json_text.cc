#include "monitor/json_text.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace gyre {

void AppendJsonNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    *out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

void AppendJsonString(std::string* out, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      using nlohmann::json;
      *out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  }
  *out += '"';
  out->append(text);
  *out += '"';
}

}  // namespace gyre
