#include "monitor/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>

namespace gyre {

namespace {

constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};

// Writes `v` as std::to_chars(v) would, when it has at most eight decimals: logged inputs
// are mostly such values, and finding their digits from the scaled integer is several times
// faster than to_chars' general search. False (nothing written) for any other value.
//
// Why the digits are the same: m = round(|v| 10^k) is below 2^50, so 10^-k is more than
// four units in the last place of v, and at most one k-decimal number reads back as v. That
// one does exactly when m / 10^k (both exact, the division correctly rounded) equals |v|. The
// first k for which it does gives the fewest digits that read back, as to_chars' shortest
// form does; like to_chars, the text is then the shorter of plain and exponent notation, plain
// on a tie.
bool AppendShortDecimal(std::string* out, double v) {
  const double a = std::fabs(v);
  if (!(a > 0 && a < 1e15)) return false;
  int k = 0;
  uint64_t m = 0;
  for (;; ++k) {
    if (k == std::ssize(kPow10)) return false;
    const double scaled = a * kPow10[k];
    if (scaled >= 0x1p50) return false;
    m = static_cast<uint64_t>(scaled + 0.5);
    const auto rounded = static_cast<double>(m);
    // The division decides; the first test only skips it where scaled is too far from an
    // integer for any k-decimal number to read back as v (for one that does, scaled is within
    // scaled * 2^-52 of it).
    if (std::fabs(scaled - rounded) <= scaled * 0x1p-50 && rounded / kPow10[k] == a) break;
  }
  char digits[20];
  const int n = static_cast<int>(std::to_chars(digits, digits + sizeof digits, m).ptr - digits);
  int significant = n;  // without trailing zeros (only an integer has any)
  while (significant > 1 && digits[significant - 1] == '0') --significant;
  const int exponent = n - 1 - k;
  const int abs_exponent = exponent < 0 ? -exponent : exponent;
  const int plain_size = k == 0 ? n : (n > k ? n + 1 : k + 2);
  // "e+XX": the exponent is within [-8, 14], always two digits.
  const int exponent_size = significant + (significant > 1 ? 1 : 0) + 4;
  if (v < 0) *out += '-';
  if (plain_size <= exponent_size) {
    if (k == 0) {
      out->append(digits, static_cast<size_t>(n));
    } else if (n > k) {
      out->append(digits, static_cast<size_t>(n - k));
      *out += '.';
      out->append(digits + n - k, static_cast<size_t>(k));
    } else {
      *out += "0.";
      out->append(static_cast<size_t>(k - n), '0');
      out->append(digits, static_cast<size_t>(n));
    }
    return true;
  }
  *out += digits[0];
  if (significant > 1) {
    *out += '.';
    out->append(digits + 1, static_cast<size_t>(significant - 1));
  }
  *out += exponent < 0 ? "e-" : "e+";
  if (abs_exponent < 10) *out += '0';
  char e[4];
  out->append(e, std::to_chars(e, e + sizeof e, abs_exponent).ptr);
  return true;
}

}  // namespace

void AppendJsonNumber(std::string* out, double v) {
  if (!std::isfinite(v)) {
    *out += "null";
    return;
  }
  if (AppendShortDecimal(out, v)) return;
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
