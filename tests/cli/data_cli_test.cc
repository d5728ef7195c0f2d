// The `gyre data ...` commands end to end, in-process, plus the real binary for exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

using json = nlohmann::json;

struct CliRun {
  int code;
  std::string out, err;
};

class DataCliTest : public ::testing::Test {
 protected:
  CliRun Gyre(std::vector<std::string> args) {
    args.insert(args.begin(), {"gyre", "--home", dir_.File("home")});
    std::ostringstream out, err;
    int code = RunCli(args, out, err);
    return {code, out.str(), err.str()};
  }
  json GyreJson(std::vector<std::string> args, int expected_code = 0) {
    args.push_back("--json");
    CliRun r = Gyre(args);
    EXPECT_EQ(r.code, expected_code) << r.err;
    return json::parse(r.out);
  }
  size_t ObjectFiles() {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir_.File("home/objects"), ec);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
      n += it->is_regular_file();
    }
    return n;
  }
  testing::TempDir dir_;
};

TEST_F(DataCliTest, GenerateAddProfileValidateLoop) {
  std::string ref = dir_.File("ref.csv"), cur = dir_.File("cur.csv");
  ASSERT_EQ(Gyre({"data", "generate", "--kind", "fraud", "--rows", "5000", "--seed", "1", "--out", ref}).code, 0);
  ASSERT_EQ(Gyre({"data", "generate", "--rows", "3000", "--seed", "2", "--drift", "0.8", "--out", cur}).code, 0);

  json add = GyreJson({"data", "add", ref, "--name", "tx", "--label", "is_fraud"});
  for (const char* k : {"dataset", "version", "sha256", "rows", "columns", "anomalies"}) EXPECT_TRUE(add.contains(k)) << k;
  EXPECT_EQ(add["dataset"], "tx");
  EXPECT_EQ(add["version"], 1);
  EXPECT_EQ(add["rows"], 5000);
  EXPECT_EQ(add["columns"], 26);

  json again = GyreJson({"data", "add", ref, "--name", "tx"});
  EXPECT_EQ(again["version"], 1);
  EXPECT_EQ(again["created"], false);
  CliRun human = Gyre({"data", "add", ref, "--name", "tx"});
  EXPECT_NE(human.out.find("no new version"), std::string::npos) << human.out;

  json validate = GyreJson({"data", "validate", cur, "--dataset", "tx"}, 3);
  EXPECT_EQ(validate["valid"], false);
  bool unknown_merchant = false;
  for (const auto& a : validate["anomalies"]) {
    for (const char* k : {"column", "kind", "detail", "count"}) EXPECT_TRUE(a.contains(k));
    unknown_merchant |= a["column"] == "merchant_category" && a["kind"] == "unknown_category";
  }
  EXPECT_TRUE(unknown_merchant) << validate.dump(1);

  EXPECT_EQ(Gyre({"data", "add", cur, "--name", "tx", "--strict"}).code, 3);
  json v2 = GyreJson({"data", "add", cur, "--name", "tx"});
  EXPECT_EQ(v2["version"], 2);
  EXPECT_FALSE(v2["anomalies"].empty());

  json profile = GyreJson({"data", "profile", "tx:1"});
  EXPECT_EQ(profile["rows"], 5000);
  json from_file = GyreJson({"data", "profile", ref});
  EXPECT_EQ(profile, from_file) << "stored statistics equal a fresh profile";

  std::string html = dir_.File("p.html");
  ASSERT_EQ(Gyre({"data", "profile", "tx:2", "--html", html}).code, 0);
  std::string page = testing::ReadAll(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("merchant_category"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos) << "self-contained: no links out";

  json list = GyreJson({"data", "list"});
  EXPECT_EQ(list["datasets"][0]["versions"], 2);
  json show = GyreJson({"data", "show", "tx:1"});
  EXPECT_EQ(show["sha256"], add["sha256"]);
  CliRun schema = Gyre({"data", "schema", "tx"});
  EXPECT_NE(schema.out.find("label: is_fraud"), std::string::npos) << schema.out;
}

TEST_F(DataCliTest, MalformedInputExitsOneWithLineAndStoresNothing) {
  ASSERT_EQ(Gyre({"data", "add", testing::DatasetPath("iris.csv"), "--name", "iris"}).code, 0);
  size_t before = ObjectFiles();
  std::string bad = dir_.Write("bad.csv", "a,b\n1,2\n3,4\n5\n");
  CliRun r = Gyre({"data", "add", bad, "--name", "bad"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("line 4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected 2 fields"), std::string::npos) << r.err;
  EXPECT_EQ(ObjectFiles(), before);
  json list = GyreJson({"data", "list"});
  EXPECT_EQ(list["datasets"].size(), 1u);
  json err = GyreJson({"data", "add", bad, "--name", "bad"}, 1);
  EXPECT_EQ(err["error"]["line"], 4);
}

// Every file of the bad-input corpus: exit 1, the line in the message, nothing stored.
TEST_F(DataCliTest, BadInputCorpusIsRefusedAndStoresNothing) {
  json manifest = json::parse(testing::ReadAll(testing::TestDataPath("bad_inputs/manifest.json")));
  ASSERT_EQ(Gyre({"data", "list"}).code, 0);  // creates the home
  for (const auto& c : manifest) {
    std::string file = c["file"].get<std::string>();
    CliRun r = Gyre({"data", "add", testing::TestDataPath("bad_inputs/" + file), "--name", "bad"});
    EXPECT_EQ(r.code, 1) << file << ": " << r.err;
    int64_t line = c["line"].get<int64_t>();
    if (line > 0) {
      EXPECT_NE(r.err.find("line " + std::to_string(line)), std::string::npos) << file << ": " << r.err;
    }
    EXPECT_NE(r.err.find(file), std::string::npos) << "the message names the file: " << r.err;
  }
  EXPECT_EQ(ObjectFiles(), 0u);
  json list = GyreJson({"data", "list"});
  EXPECT_TRUE(list["datasets"].empty());
}

TEST_F(DataCliTest, UsageAndLookupErrors) {
  EXPECT_EQ(Gyre({"data", "add"}).code, 2);
  EXPECT_EQ(Gyre({"data", "frobnicate"}).code, 2);
  EXPECT_EQ(Gyre({"data", "generate", "--rows", "10", "--drift", "3", "--out", dir_.File("x.csv")}).code, 2);
  CliRun r = Gyre({"data", "show", "nothing:3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no dataset named nothing"), std::string::npos) << r.err;
  EXPECT_EQ(Gyre({"data", "profile", "no/such/file.csv"}).code, 1);
  EXPECT_EQ(Gyre({"--help"}).code, 0);
}

TEST_F(DataCliTest, RealBinaryExitCodes) {
  std::string home = dir_.File("h2");
  std::string bin = GYRE_BINARY;
  std::string bad = dir_.Write("bad.csv", "a,\"b\n1,2\n");
  auto run = [&](const std::string& args) {
    int status = std::system((bin + " --home " + home + " " + args + " >/dev/null 2>&1").c_str());
    return WEXITSTATUS(status);
  };
  EXPECT_EQ(run("data generate --rows 100 --out " + dir_.File("g.csv")), 0);
  EXPECT_EQ(run("data add " + bad + " --name b"), 1);
  EXPECT_EQ(run("data add"), 2);
  EXPECT_EQ(run("data add " + dir_.File("g.csv") + " --name g"), 0);
}

}  // namespace
}  // namespace gyre
