#include "data/text_parse.h"

#include <emmintrin.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace gyre {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool IsNullToken(std::string_view s) {
  if (s.empty()) return true;
  switch (s[0]) {  // every token starts with one of these
    case 'N': case 'n': case '<': case '#': case '-': case '1': break;
    default: return false;
  }
  switch (s.size()) {
    case 0: return true;
    case 2: return s == "NA";
    case 3: return s == "N/A" || s == "NaN" || s == "nan" || s == "n/a" || s == "#NA";
    case 4: return s == "null" || s == "NULL" || s == "None" || s == "<NA>" || s == "#N/A" ||
                   s == "-NaN" || s == "-nan";
    case 6: return s == "1.#IND";
    case 7: return s == "-1.#IND" || s == "1.#QNAN";
    case 8: return s == "-1.#QNAN" || s == "#N/A N/A";
    default: return false;
  }
}

bool ParseBool(std::string_view s, bool* out) {
  s = Trim(s);
  if (s == "true" || s == "True" || s == "TRUE") {
    *out = true;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *out = false;
    return true;
  }
  return false;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  // Fast path: up to 18 digits with an optional minus sign cannot overflow.
  if (!s.empty() && s.size() <= 19) {
    size_t i = s[0] == '-' ? 1 : 0;
    if (i < s.size() && s.size() - i <= 18) {
      int64_t v = 0;
      size_t j = i;
      for (; j < s.size() && static_cast<unsigned>(s[j] - '0') < 10; ++j) v = v * 10 + (s[j] - '0');
      if (j == s.size()) {
        *out = i ? -v : v;
        return true;
      }
    }
  }
  s = Trim(s);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return false;  // "+-5" is not a number
  }
  if (s.empty() || s.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Clinger's fast path: the digits make an integer a double holds exactly (below 10^15 < 2^53),
// and one multiplication or division by an exact power of ten (up to 10^22) rounds once,
// correctly (x86-64 computes doubles in double).
bool ParseShortDecimal(std::string_view s, double* out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p = s.data();
  const char* end = p + s.size();
  const bool negative = p < end && *p == '-';
  p += negative;
  auto digit = [&] { return p < end && static_cast<unsigned>(*p - '0') < 10; };
  uint64_t mantissa = 0;
  const char* int_start = p;
  for (; digit(); ++p) mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
  const char* int_end = p;
  ptrdiff_t frac = 0;
  if (p < end && *p == '.') {
    const char* frac_start = ++p;
    for (; digit(); ++p) mantissa = mantissa * 10 + static_cast<uint64_t>(*p - '0');
    frac = p - frac_start;
  }
  const ptrdiff_t digits = (int_end - int_start) + frac;
  if (digits == 0) return false;
  if (digits > 15) {  // only the digits from the first non-zero one count (and then no overflow)
    ptrdiff_t zeros = 0;
    for (const char* q = int_start; q < p && (*q == '0' || *q == '.'); ++q) zeros += *q == '0';
    if (digits - zeros > 15) return false;
  }
  int exponent = static_cast<int>(-frac);
  if (p < end) {
    if (*p != 'e' && *p != 'E') return false;
    ++p;
    const bool minus = p < end && *p == '-';
    p += p < end && (*p == '-' || *p == '+');
    if (!digit()) return false;
    int e = 0;
    for (; digit() && e < 1000; ++p) e = e * 10 + (*p - '0');
    if (p != end) return false;
    exponent += minus ? -e : e;
  }
  if (exponent < -22 || exponent > 22) return false;
  double v = static_cast<double>(mantissa);
  v = exponent < 0 ? v / kPow10[-exponent] : v * kPow10[exponent];
  *out = negative ? -v : v;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (ParseShortDecimal(s, out)) return true;
  s = Trim(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  if (EqualsIgnoreCase(s, "inf") || EqualsIgnoreCase(s, "infinity")) {
    *out = negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
    return true;
  }
  // from_chars would also take "nan"; missing values are decided by IsNullToken instead.
  if (s.front() != '.' && (s.front() < '0' || s.front() > '9')) return false;
  double v;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr != s.data() + s.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    // Underflow reads as 0 and overflow as inf, as strtod does.
    v = std::fabs(v) < 1 ? 0.0 : std::numeric_limits<double>::infinity();
  } else if (ec != std::errc()) {
    return false;
  }
  *out = negative ? -v : v;
  return true;
}

std::optional<int64_t> ParseTimestamp(std::string_view s) {
  s = Trim(s);
  int y, mo, d;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d)) return std::nullopt;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return std::nullopt;
  if (d > kDays[mo - 1] + (mo == 2 && LeapYear(y) ? 1 : 0)) return std::nullopt;
  int64_t micros = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
                   int64_t{86400000000};
  size_t pos = 10;
  if (pos == s.size()) return micros;
  if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
  int h, mi, sec = 0;
  if (!Digits(s, pos + 1, 2, &h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
      !Digits(s, pos + 4, 2, &mi)) {
    return std::nullopt;
  }
  pos += 6;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &sec)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      size_t start = ++pos;
      int64_t scale = 100000;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        frac_us += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  micros += ((h * 60 + mi) * 60 + sec) * int64_t{1000000} + frac_us;
  if (pos == s.size()) return micros;
  if (s[pos] == 'Z' && pos + 1 == s.size()) return micros;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  int oh, om = 0;
  int sign = s[pos] == '-' ? -1 : 1;
  if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
  pos += 3;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && !Digits(s, pos, 2, &om)) return std::nullopt;
  if (pos < s.size()) pos += 2;
  if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
  return micros - sign * (oh * 60 + om) * int64_t{60000000};
}

std::string FormatTimestamp(int64_t micros) {
  int64_t days = micros >= 0 ? micros / 86400000000 : (micros - 86399999999) / 86400000000;
  int64_t rem = micros - days * 86400000000;
  // civil_from_days (H. Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  int64_t secs = rem / 1000000, us = rem % 1000000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  if (us != 0) std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ".%06lld", static_cast<long long>(us));
  return std::string(buf) + "Z";
}

Kind Classify(std::string_view s) {
  if (IsNullToken(s)) return Kind::kNull;
  int64_t i;
  if (ParseInt64(s, &i)) return Kind::kInt;
  double d;
  if (ParseDouble(s, &d)) return Kind::kFloat;
  bool b;
  if (ParseBool(s, &b)) return Kind::kBool;
  if (ParseTimestamp(s)) return Kind::kTimestamp;
  return Kind::kString;
}

Kind JoinKinds(Kind a, Kind b) {
  if (a == b) return a;
  if (a == Kind::kNull) return b;
  if (b == Kind::kNull) return a;
  if ((a == Kind::kInt && b == Kind::kFloat) || (a == Kind::kFloat && b == Kind::kInt)) {
    return Kind::kFloat;
  }
  return Kind::kString;
}

ColumnType TypeOfKind(Kind k) {
  switch (k) {
    case Kind::kBool: return ColumnType::kBool;
    case Kind::kInt: return ColumnType::kInt64;
    case Kind::kNull:
    case Kind::kFloat: return ColumnType::kFloat64;
    case Kind::kTimestamp: return ColumnType::kTimestamp;
    case Kind::kString: return ColumnType::kString;
  }
  return ColumnType::kString;
}

Kind KindOfType(ColumnType t) {
  switch (t) {
    case ColumnType::kBool: return Kind::kBool;
    case ColumnType::kInt64: return Kind::kInt;
    case ColumnType::kFloat64: return Kind::kFloat;
    case ColumnType::kTimestamp: return Kind::kTimestamp;
    case ColumnType::kString: return Kind::kString;
  }
  return Kind::kString;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

size_t FindInvalidUtf8(const char* data, size_t len) {
  const auto* s = reinterpret_cast<const unsigned char*>(data);
  size_t i = 0;
  while (i < len) {
    // Fast path: sixteen ASCII bytes at a time (SSE2: no high bit set, no zero byte), then
    // eight.
    if (i + 16 <= len) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      if ((_mm_movemask_epi8(v) | _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))) == 0) {
        i += 16;
        continue;
      }
    }
    if (i + 8 <= len) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      // No high bit set and no zero byte.
      if ((w & 0x8080808080808080ULL) == 0 &&
          ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + n >= len) return i;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

}  // namespace gyre
