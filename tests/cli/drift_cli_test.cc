// `gyre drift` end to end, in-process: files and dataset versions as the reference, the JSON
// contract, exit codes, the stored reference statistics and the HTML report.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

class DriftCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    for (auto [name, seed, drift] : {std::tuple{"ref.csv", "1", "0"}, {"same.csv", "2", "0"},
                                     {"drifted.csv", "3", "0.8"}})
      ASSERT_EQ(Run({"data", "generate", "--rows", "4000", "--seed", seed, "--drift", drift,
                     "--out", dir_->File(name)}).code, 0);
  }
  static void TearDownTestSuite() { delete dir_; }
  using CliRun = testing::CliRun;
  static CliRun Run(std::vector<std::string> args) { return testing::Gyre(dir_->File("home"), std::move(args)); }
  static std::string F(const std::string& name) { return dir_->File(name); }
  static size_t Objects() {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(F("home/objects")))
      n += e.is_regular_file();
    return n;
  }
  static inline testing::TempDir* dir_ = nullptr;
};

const json* Column(const json& report, const std::string& name) {
  for (const json& c : report["columns"])
    if (c["column"] == name) return &c;
  return nullptr;
}

TEST_F(DriftCliTest, SameGeneratorDoesNotDriftAndKeysFollowTheContract) {
  CliRun r = Run({"drift", "--reference", F("ref.csv"), "--current", F("same.csv"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_FALSE(j["dataset_drift"]);
  EXPECT_LT(j["drift_share"].get<double>(), 0.5);
  for (const json& c : j["columns"])
    for (const char* k : {"column", "type", "method", "statistic", "p_value", "threshold", "drift"})
      EXPECT_TRUE(c.contains(k)) << k;
  const json* amount = Column(j, "amount");
  ASSERT_NE(amount, nullptr);
  EXPECT_EQ((*amount)["method"], "wasserstein");  // 4,000 reference rows: distances
  EXPECT_TRUE((*amount)["p_value"].is_null());
  EXPECT_EQ((*Column(j, "merchant_category"))["method"], "jensenshannon");
  bool id_skipped = false;
  for (const json& s : j["skipped"]) id_skipped |= s["column"] == "transaction_id";
  EXPECT_TRUE(id_skipped);
}

TEST_F(DriftCliTest, DriftedDataFailsOnlyWhenAsked) {
  CliRun r = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_TRUE(j["dataset_drift"]);
  EXPECT_TRUE((*Column(j, "amount"))["drift"]);
  CliRun fail = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"),
                     "--fail-on-drift", "--json"});
  EXPECT_EQ(fail.code, 3);
  EXPECT_EQ(json::parse(fail.out)["dataset_drift"], true);  // one JSON document, then exit 3
  CliRun text = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv")});
  EXPECT_NE(text.out.find("dataset drift:"), std::string::npos);
  EXPECT_NE(text.out.find("DRIFT"), std::string::npos);
}

TEST_F(DriftCliTest, DatasetReferenceStatisticsAreStoredOnceAndReused) {
  ASSERT_EQ(Run({"data", "add", F("ref.csv"), "--name", "tx"}).code, 0);
  const size_t before = Objects();
  CliRun first = Run({"drift", "--reference", "tx:1", "--current", F("drifted.csv"), "--json"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(Objects(), before + 1);  // the reference statistics
  CliRun second = Run({"drift", "--reference", "tx", "--current", F("drifted.csv"), "--json"});
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(Objects(), before + 1);
  EXPECT_EQ(json::parse(first.out), json::parse(second.out));
  // The same figures as with the file itself.
  CliRun file = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"), "--json"});
  EXPECT_EQ(json::parse(file.out)["columns"], json::parse(second.out)["columns"]);
  CliRun doctor = Run({"doctor"});
  EXPECT_EQ(doctor.code, 0) << doctor.out << doctor.err;
}

TEST_F(DriftCliTest, AllStatsHtmlAndConfig) {
  const std::string html = F("drift.html"), config = F("drift.yaml");
  {
    std::ofstream(config) << "columns:\n  amount: {method: psi_quantile}\n  channel: {threshold: 0.5}\n";
  }
  CliRun r = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"), "--all-stats",
                  "--html", html, "--config", config, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ((*Column(j, "amount"))["method"], "psi_quantile");
  EXPECT_EQ((*Column(j, "channel"))["threshold"], 0.5);
  for (const char* k : {"ks", "psi", "wasserstein", "wasserstein_norm", "jensen_shannon"})
    EXPECT_TRUE((*Column(j, "amount"))["stats"].contains(k)) << k;
  EXPECT_TRUE((*Column(j, "channel"))["stats"].contains("chi_square"));
  CliRun flags = Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"), "--column-method",
                      "amount=ks", "--column-threshold", "amount=0.2", "--json"});
  ASSERT_EQ(flags.code, 0) << flags.err;
  EXPECT_EQ((*Column(json::parse(flags.out), "amount"))["method"], "ks");
  EXPECT_EQ((*Column(json::parse(flags.out), "amount"))["threshold"], 0.2);
  EXPECT_EQ(Run({"drift", "--reference", F("ref.csv"), "--current", F("drifted.csv"), "--column-threshold",
                 "amount=much"}).code, 1);
  const std::string page = testing::ReadAll(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("amount"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);  // self-contained: nothing fetched
  EXPECT_EQ(page.find("<script src"), std::string::npos);
}

TEST_F(DriftCliTest, BadInputIsAClearError) {
  CliRun bad_method = Run({"drift", "--reference", F("ref.csv"), "--current", F("same.csv"),
                           "--method", "kss"});
  EXPECT_EQ(bad_method.code, 2);
  CliRun missing = Run({"drift", "--reference", "nosuch", "--current", F("same.csv")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("nosuch"), std::string::npos);
  const std::string broken = F("broken.csv");
  { std::ofstream(broken) << "a,b\n1,2\n3\n"; }
  CliRun ragged = Run({"drift", "--reference", F("ref.csv"), "--current", broken});
  EXPECT_EQ(ragged.code, 1);
  EXPECT_NE(ragged.err.find("line 3"), std::string::npos) << ragged.err;
  CliRun kind = Run({"drift", "--reference", F("ref.csv"), "--current", F("same.csv"),
                     "--method", "chisquare"});
  EXPECT_EQ(kind.code, 1);
  EXPECT_NE(kind.err.find("numerical column"), std::string::npos) << kind.err;
}

}  // namespace
}  // namespace gyre
