// The fast path of number parsing (Clinger's): what it takes it reads as strtod does, to the
// bit; what it refuses, ParseDouble still reads (or refuses) in full.
#include "data/text_parse.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <random>
#include <regex>

namespace gyre {
namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(TextParseTest, ShortDecimalsReadAsStrtodReadsThem) {
  std::mt19937_64 rng(5);
  int taken = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string digits = std::to_string(rng() % 1000000000000000ULL).substr(0, 1 + rng() % 15);
    const size_t point = rng() % (digits.size() + 1);
    std::string t = (rng() % 2 ? "-" : "") + digits.substr(0, point) + (point < digits.size() ? "." : "") +
                    digits.substr(point);
    if (t == "-" || t.empty()) continue;
    if (rng() % 4 == 0) t += "e" + std::string(rng() % 2 ? "-" : (rng() % 2 ? "+" : "")) + std::to_string(rng() % 25);
    double fast = 0;
    if (!ParseShortDecimal(t, &fast)) continue;
    ++taken;
    ASSERT_TRUE(SameBits(fast, std::strtod(t.c_str(), nullptr))) << t;
  }
  EXPECT_GT(taken, 40000);
  double v = 0;
  ASSERT_TRUE(ParseShortDecimal("0.00000000000000001234", &v));  // leading zeros are not significant
  EXPECT_TRUE(SameBits(v, 1.234e-17));
  EXPECT_FALSE(ParseShortDecimal("0.000000000000000000001234", &v)) << "24 places: beyond an exact power of ten";
  ASSERT_TRUE(ParseShortDecimal("-0.0", &v));
  EXPECT_TRUE(std::signbit(v));
}

TEST(TextParseTest, ShortDecimalsRefuseTheRestAndParseDoubleReadsIt) {
  double v = 0;
  for (const char* bad : {"", "-", ".", "-.", "1e", "1e+", "e5", "12abc", "1.2.3", "1e5x", " 1", "1 ", "--1", "1e-"})
    EXPECT_FALSE(ParseShortDecimal(bad, &v)) << bad;
  // Beyond the fast path: more digits, a larger exponent, a plus sign, spaces, infinities.
  for (const char* long_one : {"1234567890123456", "1e23", "1.7976931348623157e308", "4.9e-324", "+1.5", " 2.5 ",
                               "0.1000000000000000055511151231257827"}) {
    EXPECT_FALSE(ParseShortDecimal(long_one, &v)) << long_one;
    ASSERT_TRUE(ParseDouble(long_one, &v)) << long_one;
    EXPECT_TRUE(SameBits(v, std::strtod(long_one, nullptr))) << long_one;
  }
  EXPECT_FALSE(ParseDouble("12abc", &v));
  EXPECT_FALSE(ParseDouble("1e", &v));
}

// Short random texts of number-like characters, the sizes the eight-byte paths take and around.
std::vector<std::string> NumberLikeTexts(int count) {
  std::mt19937_64 rng(11);
  const std::string alphabet = "0123456789012345678901234567890123456789..--+eE x";
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string t(rng() % 11, ' ');
    for (char& c : t) c = alphabet[rng() % alphabet.size()];
    out.push_back(t);
  }
  return out;
}

// The grammar of the fast path, checked without it: every text it takes is a plain decimal and
// reads as strtod reads it; every plain decimal of up to 15 digits it takes.
TEST(TextParseTest, ShortDecimalsOfRandomCharactersFollowTheGrammar) {
  const std::regex plain(R"(-?(\d+\.?\d*|\.\d+))");
  int taken = 0;
  for (const std::string& t : NumberLikeTexts(300000)) {
    double v = 0;
    const bool ok = ParseShortDecimal(t, &v);
    const bool is_plain = std::regex_match(t, plain);
    if (is_plain) {
      ASSERT_TRUE(ok) << t;
      ++taken;
      ASSERT_TRUE(SameBits(v, std::strtod(t.c_str(), nullptr))) << t;
    } else if (ok) {
      ASSERT_NE(t.find_first_of("eE"), std::string::npos) << t << " is not a number";
      ASSERT_TRUE(SameBits(v, std::strtod(t.c_str(), nullptr))) << t;
    }
  }
  EXPECT_GT(taken, 10000);
}

// Integers: what ParseInt64 takes is what from_chars takes once surrounding spaces and a
// leading '+' are set aside.
TEST(TextParseTest, IntegersOfRandomCharactersReadAsFromChars) {
  int taken = 0;
  for (const std::string& t : NumberLikeTexts(300000)) {
    std::string_view s = t;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty() && s.front() == '+' && s.size() > 1 && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    int64_t want = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), want);
    const bool want_ok = !s.empty() && ec == std::errc() && end == s.data() + s.size();
    int64_t got = 0;
    ASSERT_EQ(ParseInt64(t, &got), want_ok) << "\"" << t << "\"";
    if (want_ok) {
      ++taken;
      ASSERT_EQ(got, want) << t;
    }
  }
  EXPECT_GT(taken, 10000);
}

}  // namespace
}  // namespace gyre
