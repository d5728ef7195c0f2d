// The hand-written scanner of plain dataframe_records bodies: it reads exactly the values JSON
// means (checked against nlohmann's parse of the same text), and gives up on everything else so
// that the SAX path answers it.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "serve/records_sax.h"
#include "serve/request.h"
#include "tests/test_util.h"

namespace gyre::serve {
namespace {

using json = nlohmann::json;

Signature Sig() {
  Signature s;
  s.features = {{"amount", ColumnType::kFloat64, {}},
                {"hour", ColumnType::kInt64, {}},
                {"online", ColumnType::kBool, {}},
                {"merchant", ColumnType::kString, {"food", "fuel"}},
                {"at", ColumnType::kTimestamp, {}}};
  return s;
}

TEST(RecordsScan, ReadsWhatJsonMeans) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> any(-1e6, 1e6);
  json records = json::array();
  for (int i = 0; i < 200; ++i) {
    json r = {{"amount", any(rng)}, {"hour", static_cast<int64_t>(rng() % 24) - 3}, {"online", i % 3 == 0},
              {"merchant", i % 2 ? "food" : "fuel"}, {"at", "2026-12-01T10:00:00Z"}, {"unused", "x"}};
    if (i % 7 == 0) r["amount"] = nullptr;
    records.push_back(r);
  }
  records[5]["amount"] = 1.5e-300;
  records[6]["amount"] = -0.0;
  records[8]["amount"] = 123456789012345678.0;
  for (int indent : {-1, 2}) {
    const std::string body = json{{"dataframe_records", records}}.dump(indent);
    auto t = ScanPlainRecords(body, Sig());
    ASSERT_TRUE(t.has_value()) << indent;
    ASSERT_EQ(t->num_rows(), 200);
    const json back = json::parse(body)["dataframe_records"];
    for (int64_t r = 0; r < 200; ++r) {
      const json& rec = back[static_cast<size_t>(r)];
      if (rec["amount"].is_null()) {
        EXPECT_FALSE(t->column(0).IsValid(r));
      } else {
        EXPECT_EQ(t->column(0).doubles()[static_cast<size_t>(r)], rec["amount"].get<double>()) << r;  // bit for bit
      }
      EXPECT_EQ(t->column(1).ints()[static_cast<size_t>(r)], rec["hour"].get<int64_t>());
      EXPECT_EQ(t->column(2).bools()[static_cast<size_t>(r)] != 0, rec["online"].get<bool>());
      EXPECT_EQ(t->column(3).StringAt(r), rec["merchant"].get<std::string>());
      EXPECT_EQ(t->column(4).ints()[static_cast<size_t>(r)], *ParseTimestamp("2026-12-01T10:00:00Z"));
    }
  }
}

TEST(RecordsScan, KeysInAnyOrderAndTheOtherTopKey) {
  auto t = ScanPlainRecords(R"( { "instances" : [ {"hour": 1, "merchant": "food", "at": null, "online": false,
      "amount": 2.5e3}, {"amount": -1, "hour": 2, "online": true, "merchant": "fuel", "at": "2026-12-02"} ] } )", Sig());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->column(0).doubles()[0], 2500.0);
  EXPECT_EQ(t->column(0).doubles()[1], -1.0);
  EXPECT_EQ(t->column(1).ints()[1], 2);
  EXPECT_FALSE(t->column(4).IsValid(0));
  auto empty = ScanPlainRecords(R"({"dataframe_records": []})", Sig());
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->num_rows(), 0);
}

// Whatever the scanner takes, it reads as the SAX path (and so the JSON tree) does: one set of
// rules for every value (scalar.h).
TEST(RecordsScan, ReadsAsTheSaxPathDoes) {
  const std::vector<std::string> records = {
      R"("amount": 3, "hour": 3.0, "online": 1, "merchant": "food", "at": "2026-12-01")",
      R"("amount": -0, "hour": -7, "online": 0, "merchant": "fuel", "at": null)",
      R"("amount": 9007199254740993, "hour": 1e3, "online": false, "merchant": "food", "at": null)",
      R"("amount": 1e-320, "hour": 9223372036854775807, "online": true, "merchant": "x", "at": null)",
  };
  for (const std::string& record : records) {
    const std::string body = R"({"dataframe_records": [{)" + record + "}]}";
    auto scanned = ScanPlainRecords(body, Sig());
    auto parsed = ParseRecordsFast(body, Sig());
    ASSERT_TRUE(parsed.has_value() && parsed->ok()) << body;
    ASSERT_TRUE(scanned.has_value()) << body;
    for (int c = 0; c < scanned->num_columns(); ++c) {
      EXPECT_EQ(scanned->column(c).ValueToString(0), (*parsed)->column(c).ValueToString(0)) << body << " column " << c;
    }
  }
}

// Numbers as people send them (a few decimals, an exponent now and then, up to 17 digits)
// read as strtod reads them, to the bit: the short ones by the scanner's own fast path, the
// others by std::from_chars.
TEST(RecordsScan, DecimalsReadAsStrtodReadsThem) {
  std::mt19937_64 rng(11);
  std::vector<std::string> tokens;
  for (int i = 0; i < 20000; ++i) {
    std::string digits = std::to_string(rng() % 100000000000000000ULL).substr(0, 1 + rng() % 17);
    const size_t point = rng() % (digits.size() + 1);
    std::string t = (rng() % 3 == 0 ? "-" : "") + (point == 0 ? "0" : digits.substr(0, point)) + "." +
                    (point == digits.size() ? "0" : digits.substr(point));
    if (rng() % 5 == 0) t += (rng() % 2 ? "e" : "E") + std::string(rng() % 2 ? "-" : "") + std::to_string(rng() % 30);
    if (rng() % 50 == 0) t = (rng() % 2 ? "0.000" : "-0.0") + std::to_string(rng() % 1000);
    tokens.push_back(t);
  }
  tokens.insert(tokens.end(), {"0.1", "0.2", "0.3", "-0.0", "1e22", "1e23", "9007199254740993.0", "123456789012345.6",
                               "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308", "0.0e0"});
  std::string body = R"({"dataframe_records": [)";
  for (size_t i = 0; i < tokens.size(); ++i)
    body += (i ? "," : "") + std::string(R"({"amount": )") + tokens[i] +
            R"(, "hour": 1, "online": true, "merchant": "food", "at": null})";
  body += "]}";
  auto t = ScanPlainRecords(body, Sig());
  ASSERT_TRUE(t.has_value());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const double want = std::strtod(tokens[i].c_str(), nullptr);
    const double got = t->column(0).doubles()[i];
    ASSERT_EQ(std::memcmp(&want, &got, sizeof want), 0) << tokens[i] << ": " << got << " against " << want;
  }
}

// A recycled table's columns carry nothing into the next request: not its values, not its
// missing ones, not its categories; and they are not used for another model's inputs.
TEST(RecordsScan, RecycledColumnsStartEmpty) {
  auto first = ScanPlainRecords(R"({"dataframe_records": [{"amount": 1, "hour": 2, "online": true,
      "merchant": "food", "at": null}, {"amount": null, "hour": 3, "online": false, "merchant": "bar",
      "at": "2026-12-02"}]})", Sig());
  ASSERT_TRUE(first.has_value());
  RecycleTable(std::move(*first));
  auto second = ScanPlainRecords(R"({"dataframe_records": [{"amount": 7.5, "hour": 9, "online": false,
      "merchant": "fuel", "at": "2026-12-03"}]})", Sig());
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->num_rows(), 1);
  EXPECT_EQ(second->column(0).doubles(), std::vector<double>{7.5});
  EXPECT_EQ(second->column(0).null_count(), 0);
  EXPECT_EQ(second->column(1).ints(), std::vector<int64_t>{9});
  EXPECT_EQ(second->column(3).StringAt(0), "fuel");
  EXPECT_TRUE(second->column(4).IsValid(0));
  RecycleTable(std::move(*second));

  Signature other;  // another model: the same first name, another type
  other.features = {{"amount", ColumnType::kString, {}}, {"hour", ColumnType::kInt64, {}}};
  auto third = ScanPlainRecords(R"({"dataframe_records": [{"amount": "high", "hour": 1}]})", other);
  ASSERT_TRUE(third.has_value());
  ASSERT_EQ(third->num_columns(), 2);
  EXPECT_EQ(third->column(0).type(), ColumnType::kString);
  EXPECT_EQ(third->column(0).StringAt(0), "high");
}

TEST(RecordsScan, GivesUpOnAnythingElse) {
  const std::string ok = R"("amount": 1.5, "hour": 3, "online": true, "merchant": "food", "at": null)";
  auto body = [](const std::string& record) { return R"({"dataframe_records": [{)" + record + "}]}"; };
  ASSERT_TRUE(ScanPlainRecords(body(ok), Sig()).has_value());
  const std::vector<std::string> others = {
      body(R"("amount": 1.5, "hour": 3, "online": true, "merchant": "fo\"od", "at": null)"),    // an escape
      body(R"("amount": 1.5, "hour": 3, "online": true, "merchant": "caf)" "\xc3\xa9" R"(", "at": null)"),  // non-ASCII
      body(R"("amount": [1.5], "hour": 3, "online": true, "merchant": "food", "at": null)"),    // nested
      body(R"("amount": 1.5, "online": true, "merchant": "food", "at": null)"),                 // missing
      body(ok + R"(, "hour": 4)"),                                                             // repeated
      body(R"("amount": "1.5", "hour": 3, "online": true, "merchant": "food", "at": null)"),    // a string for a number
      body(R"("amount": 1.5, "hour": 3.5, "online": true, "merchant": "food", "at": null)"),    // a fraction for an integer
      body(R"("amount": 1.5, "hour": 3, "online": 2, "merchant": "food", "at": null)"),         // 2 for a boolean
      body(R"("amount": 01, "hour": 3, "online": true, "merchant": "food", "at": null)"),       // leading zero
      body(R"("amount": 1., "hour": 3, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": .5, "hour": 3, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": +1, "hour": 3, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": 1e, "hour": 3, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": 1e999, "hour": 3, "online": true, "merchant": "food", "at": null)"),    // out of range
      body(R"("amount": 1.5, "hour": 99999999999999999999, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": nul, "hour": 3, "online": true, "merchant": "food", "at": null)"),
      body(R"("amount": 1.5, "hour": 3, "online": truex, "merchant": "food", "at": null)"),
      body(R"("amount": 1.5, "hour": 3, "online": true, "merchant": "food", "at": "soon")"),    // not a time
      body(ok + ","),                                                                          // trailing comma
      R"({"dataframe_records": [{)" + ok + "}], \"instances\": []}",                           // two keys
      R"({"dataframe_records": [{)" + ok + "}]} x",                                            // trailing bytes
      R"({"dataframe_split": {"columns": [], "data": []}})",                                   // another shape
      R"({"dataframe_records": [{)" + ok + "}]",                                               // cut short
  };
  for (const auto& b : others) EXPECT_FALSE(ScanPlainRecords(b, Sig()).has_value()) << b;
}

}  // namespace
}  // namespace gyre::serve
