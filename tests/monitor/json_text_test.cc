// JSON text written by hand must be the text std::to_chars and nlohmann would give.
#include "monitor/json_text.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace gyre {
namespace {

std::string ToChars(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

std::string Written(double v) {
  std::string out = "[";
  AppendJsonNumber(&out, v);
  return out.substr(1);
}

// Values with few decimals take a shortcut; whatever the value, the text must be to_chars'.
TEST(JsonTextTest, NumbersAreWrittenAsToCharsWritesThem) {
  std::mt19937_64 rng(7);
  int64_t checked = 0;
  auto check = [&](double v) {
    ASSERT_EQ(Written(v), ToChars(v)) << "bits " << std::bit_cast<uint64_t>(v);
    ++checked;
  };
  // Decimals as data holds them: up to 8 places, magnitudes from 1e-8 to 1e15, both signs.
  for (int i = 0; i < 400'000; ++i) {
    const int places = static_cast<int>(rng() % 9);
    const int digits = 1 + static_cast<int>(rng() % 16);
    uint64_t m = rng() % static_cast<uint64_t>(std::pow(10.0, digits));
    if (rng() % 4 == 0) m = m / 1000 * 1000;  // trailing zeros
    std::string text = std::to_string(m);
    if (places > 0) {
      if (static_cast<int>(text.size()) <= places) text.insert(0, static_cast<size_t>(places + 1) - text.size(), '0');
      text.insert(text.size() - static_cast<size_t>(places), ".");
    }
    double v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    check(rng() % 2 ? -v : v);
  }
  // Any double: random bits, and neighbours of the shortcut's limits.
  for (int i = 0; i < 200'000; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (std::isfinite(v)) check(v);
  }
  for (double edge : {0x1p50, 0x1p50 / 1e8, 1e15, 1e-8, 1e-9, 0.1, 0.0001, 1e5, 1e6, 123456.0, 3500.0, 1.0,
                      9.5, 0.3, 2.0 / 3.0, 1e14 + 0.5, 999999999999999.0}) {
    double v = edge;
    for (int step = 0; step < 64; ++step) v = std::nextafter(v, 0.0);
    for (int step = 0; step < 128; ++step, v = std::nextafter(v, 1e300)) {
      check(v);
      check(-v);
    }
  }
  check(0.0);
  check(-0.0);
  check(std::numeric_limits<double>::denorm_min());
  check(std::numeric_limits<double>::max());
  EXPECT_GT(checked, 600'000);
}

TEST(JsonTextTest, NonFiniteNumbersAreNullAndShortFormsAreKept) {
  EXPECT_EQ(Written(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(Written(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Written(-std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(Written(11.53), "11.53");
  EXPECT_EQ(Written(0.0001), "1e-04");  // to_chars' shorter form
  EXPECT_EQ(Written(-3500), "-3500");
}

}  // namespace
}  // namespace gyre
