// The fast path of number parsing (Clinger's): what it takes it reads as strtod does, to the
// bit; what it refuses, ParseDouble still reads (or refuses) in full.
#include "data/text_parse.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>

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

}  // namespace
}  // namespace gyre
