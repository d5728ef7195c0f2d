// The model server over real HTTP on 127.0.0.1: every route and request format, predictions
// equal to `gyre predict`, a corpus of bad requests (each a 400 naming the field, the server
// still up), the prediction log, metrics, and a hot swap under load with no failed request.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "data/reader.h"
#include "model/bundle.h"
#include "monitor/model_monitor.h"
#include "monitor/prediction_log.h"
#include "serve/model_server.h"
#include "tests/http/http_client.h"
#include "tests/test_util.h"

namespace gyre::serve {
namespace {

using http::testing::Body;
using http::testing::Client;
using http::testing::Get;
using http::testing::Post;
using http::testing::Status;
using nlohmann::json;

class ModelServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new gyre::testing::TempDir();
    ASSERT_EQ(Cli({"data", "generate", "--rows", "3000", "--seed", "1", "--out", F("train.csv")}), 0);
    ASSERT_EQ(Cli({"data", "generate", "--rows", "40", "--seed", "2", "--out", F("rows.csv")}), 0);
    ASSERT_EQ(Cli({"train", "--data", F("train.csv"), "--label", "is_fraud", "--register", "fraud", "--alias",
                   "champion"}), 0);
    ASSERT_EQ(Cli({"train", "--data", F("train.csv"), "--label", "is_fraud", "--set", "max_depth=3", "--register",
                   "fraud"}), 0);  // version 2, not yet the champion
    ASSERT_EQ(Cli({"predict", "fraud:1", "--input", F("rows.csv"), "--output", F("expected.csv")}), 0);
  }
  static void TearDownTestSuite() { delete dir_; }
  static int Cli(std::vector<std::string> args) { return gyre::testing::Gyre(F("home"), std::move(args)).code; }
  static std::string F(const std::string& name) { return dir_->File(name); }

  void SetUp() override {
    ServeOptions o;
    o.models = {"fraud:champion"};
    o.http.threads = 2;
    o.poll_interval = std::chrono::milliseconds(50);
    auto s = ModelServer::Start(Env::Default(), HomeLayout(F("home")), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::milliseconds(2000));
    Cli({"models", "alias", "fraud", "1", "champion"});  // each test starts from version 1
  }

  std::string Call(const std::string& request) {
    Client c(server_->port());
    c.Send(request);
    auto r = c.Responses(1);
    return r.empty() ? "" : r[0];
  }
  // The test rows as records of the model's inputs.
  static json Records() {
    auto t = ReadTable(F("rows.csv"));
    EXPECT_TRUE(t.ok());
    json out = json::array();
    ModelBundle b = Bundle();
    for (const std::string& row : InputsJson(*t, b.signature)) out.push_back(json::parse(row));
    return out;
  }
  static ModelBundle Bundle() {
    // The model's inputs: every column but the id, the timestamp and the label, in file order
    // (the trainer's choice for this data; the metadata test checks the count against the server).
    auto t = ReadTable(F("rows.csv"));
    ModelBundle b;
    for (int c = 0; c < t->num_columns(); ++c) {
      const std::string& name = t->column(c).name();
      if (name == "transaction_id" || name == "timestamp" || name == "is_fraud") continue;
      b.signature.features.push_back({name, t->column(c).type(), {}});
    }
    return b;
  }
  // One Open Inference Protocol tensor per input, with the datatype the metadata names.
  static json Tensors(const json& records) {
    json tensors = json::array();
    for (const FeatureSpec& f : Bundle().signature.features) {
      json data = json::array();
      for (const json& rec : records) data.push_back(rec[f.name]);
      const char* type = f.type == ColumnType::kFloat64 ? "FP64"
                         : f.type == ColumnType::kInt64 ? "INT64"
                         : f.type == ColumnType::kBool  ? "BOOL"
                                                        : "BYTES";
      tensors.push_back({{"name", f.name}, {"shape", {records.size()}}, {"datatype", type}, {"data", data}});
    }
    return tensors;
  }
  static std::vector<float> ExpectedP1() {
    std::istringstream in(gyre::testing::ReadAll(F("expected.csv")));
    std::string line;
    std::getline(in, line);
    std::vector<float> out;
    while (std::getline(in, line)) out.push_back(std::stof(line.substr(line.rfind(',') + 1)));
    return out;
  }
  static void ExpectSameP1(const std::vector<double>& got) {
    const std::vector<float> want = ExpectedP1();
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(static_cast<float>(got[i]), want[i]) << i;
  }

  static inline gyre::testing::TempDir* dir_ = nullptr;
  std::unique_ptr<ModelServer> server_;
};

TEST_F(ModelServerTest, HealthAndMetadataRoutes) {
  EXPECT_EQ(Body(Call(Get("/v2/health/live"))), R"({"live":true})");
  EXPECT_EQ(Body(Call(Get("/v2/health/ready"))), R"({"ready":true})");
  EXPECT_EQ(json::parse(Body(Call(Get("/v2"))))["name"], "gyre");
  EXPECT_EQ(Status(Call(Get("/ping"))), 200);
  EXPECT_EQ(Status(Call(Get("/health"))), 200);
  EXPECT_EQ(Status(Call(Get("/version"))), 200);
  const json meta = json::parse(Body(Call(Get("/v2/models/fraud"))));
  EXPECT_EQ(meta["name"], "fraud");
  EXPECT_EQ(meta["versions"][0], "1");
  EXPECT_EQ(meta["inputs"].size(), Bundle().signature.features.size());
  EXPECT_EQ(meta["outputs"][1]["name"], "probabilities");
  EXPECT_EQ(json::parse(Body(Call(Get("/v2/models/fraud/versions/1/ready"))))["ready"], true);
  EXPECT_EQ(Status(Call(Get("/v2/models/fraud/versions/2/ready"))), 404);
  EXPECT_EQ(Status(Call(Get("/v2/models/nosuch"))), 404);
  EXPECT_EQ(Status(Call(Get("/nowhere"))), 404);
  EXPECT_EQ(Status(Call(Get("/v2/models/fraud/infer"))), 405);
}

TEST_F(ModelServerTest, EveryFormatPredictsWhatGyrePredictDoes) {
  const json records = Records();
  auto p1_from_mlflow = [](const std::string& response) {
    EXPECT_EQ(Status(response), 200) << response.substr(0, 300);
    std::vector<double> out;
    const json parsed = json::parse(Body(response));  // kept alive for the loop
    for (const json& p : parsed["predictions"]) out.push_back(p["p_1"].get<double>());
    return out;
  };
  // MLflow: CSV, dataframe_records, dataframe_split, instances (records and rows), inputs (columns).
  ExpectSameP1(p1_from_mlflow(Call(Post("/invocations", gyre::testing::ReadAll(F("rows.csv")), "text/csv"))));
  ExpectSameP1(p1_from_mlflow(Call(Post("/invocations", json{{"dataframe_records", records}}.dump()))));
  json split = {{"columns", json::array()}, {"data", json::array()}}, rows = json::array(), columns = json::object();
  for (const auto& [k, v] : records[0].items()) split["columns"].push_back(k);
  for (const json& rec : records) {
    json row = json::array();
    for (const auto& [k, v] : rec.items()) {
      row.push_back(v);
      columns[k].push_back(v);
    }
    split["data"].push_back(row);
  }
  ExpectSameP1(p1_from_mlflow(Call(Post("/invocations", json{{"dataframe_split", split}}.dump()))));
  ExpectSameP1(p1_from_mlflow(Call(Post("/invocations", json{{"instances", records}}.dump()))));
  ExpectSameP1(p1_from_mlflow(Call(Post("/invocations", json{{"inputs", columns}}.dump()))));
  // Open Inference Protocol: one tensor per input.
  const json tensors = Tensors(records);
  const std::string oip = Call(Post("/v2/models/fraud/infer", json{{"id", "batch-7"}, {"inputs", tensors}}.dump()));
  ASSERT_EQ(Status(oip), 200) << Body(oip);
  const json out = json::parse(Body(oip));
  EXPECT_EQ(out["model_version"], "1");
  EXPECT_EQ(out["id"], "batch-7");
  std::vector<double> p1;
  for (size_t i = 1; i < out["outputs"][1]["data"].size(); i += 2) p1.push_back(out["outputs"][1]["data"][i]);
  ExpectSameP1(p1);
  EXPECT_NE(oip.find("x-gyre-model-version: 1"), std::string::npos);
  // One [rows, inputs] matrix of every input, row-major in signature order.
  json matrix = json::array();
  for (const json& rec : records) {
    json row = json::array();
    for (const FeatureSpec& f : Bundle().signature.features) row.push_back(rec[f.name]);
    matrix.push_back(row);
  }
  const json one = {{"name", "x"}, {"shape", {records.size(), Bundle().signature.features.size()}},
                    {"datatype", "BYTES"}, {"data", matrix}};
  const std::string by_matrix = Call(Post("/v2/models/fraud/infer", json{{"inputs", {one}}}.dump()));
  ASSERT_EQ(Status(by_matrix), 200) << Body(by_matrix);
  EXPECT_EQ(json::parse(Body(by_matrix))["outputs"][1]["data"], out["outputs"][1]["data"]);
}

// An Open Inference Protocol request of the given tensors.
json Tensor(const std::string& name, const json& shape, const std::string& datatype, const json& data) {
  return {{"name", name}, {"shape", shape}, {"datatype", datatype}, {"data", data}};
}
std::string Infer(const json& tensor) { return json{{"inputs", {tensor}}}.dump(); }

// A POST with an x-request-id header.
std::string PostWithId(const std::string& path, const std::string& body, const std::string& id) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nx-request-id: " + id +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(ModelServerTest, BadRequestsAreA400NamingTheFieldAndTheServerStaysUp) {
  json rec = Records()[0];
  json wrong_type = rec, missing = rec, huge = rec;
  wrong_type["amount"] = "lots";
  missing.erase("hour");
  huge["hour"] = 1e300;
  struct Case {
    std::string path, body, type, expect;
  };
  const std::vector<Case> cases = {
      {"/invocations", "{not json", "application/json", "not valid JSON"},
      {"/invocations", "{}", "application/json", "exactly one of"},
      {"/invocations", json{{"dataframe_records", {wrong_type}}}.dump(), "application/json", "amount"},
      {"/invocations", json{{"dataframe_records", {missing}}}.dump(), "application/json", "hour"},
      {"/invocations", json{{"instances", {{1, 2}}}}.dump(), "application/json", "instances[0]"},
      {"/invocations", json{{"dataframe_split", {{"columns", {"a"}}, {"data", {{1, 2}}}}}}.dump(), "application/json",
       "dataframe_split.data[0]"},
      {"/invocations", "amount\n1\n", "text/csv", "hour"},
      {"/invocations", json{{"dataframe_records", {huge}}}.dump(), "application/json", "expected an integer"},
      {"/invocations", R"({"dataframe_split": {"columns": [1], "data": [[2]]}})", "application/json", "columns[0]"},
      {"/invocations", "merchant_category\n\xff\xfe\n", "text/csv", "not valid UTF-8"},
      {"/invocations", R"({"dataframe_split": {"columns": ["amount", "amount"], "data": [[1, 2]]}})",
       "application/json", "dataframe_split.columns[1]: \\\"amount\\\" is given twice"},
      {"/v2/models/fraud/infer", "[]", "application/json", "inputs"},
      {"/v2/models/fraud/infer", Infer(Tensor("nosuch", {1, 1}, "FP64", {1})), "application/json", "nosuch"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {1}, "FP64", {1})), "application/json",
       "missing input tensor"},
      {"/v2/models/fraud/infer", json{{"inputs", {{{"name", "amount"}, {"data", {1}}}}}}.dump(), "application/json",
       "inputs[0]: expected a tensor with name, shape, datatype and data"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {1}, "FLOAT", {1})), "application/json",
       "inputs[0].datatype: \\\"FLOAT\\\" is not an Open Inference Protocol datatype"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {1}, "BYTES", {"1"})), "application/json",
       "inputs[0].datatype: BYTES cannot carry input \\\"amount\\\" (float64)"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {2}, "FP64", {1})), "application/json",
       "inputs[0].shape: [2] holds 2 values, data has 1"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {1, 2}, "FP64", {1, 2})), "application/json",
       "inputs[0].shape: an input's tensor is [rows] or [rows, 1], not [1, 2]"},
      {"/v2/models/fraud/infer", Infer(Tensor("amount", {-1}, "FP64", {1})), "application/json",
       "inputs[0].shape: expected a list of sizes"},
      {"/v2/models/fraud/infer", Infer(Tensor("x", {uint64_t{1} << 40, uint64_t{1} << 40}, "FP64", json::array())),
       "application/json", "inputs[0].shape: is far larger than any request"},  // a product that would wrap to 0
      {"/v2/models/fraud/infer", Infer(Tensor("x", {1, 3}, "FP64", {1, 2, 3})), "application/json",
       "inputs[0].name: \\\"x\\\" is not an input of the model, and a matrix of all inputs is [rows, 23], not [1, 3]"},
  };
  for (const Case& k : cases) {
    const std::string r = Call(Post(k.path, k.body, k.type));
    EXPECT_EQ(Status(r), 400) << k.body;
    EXPECT_NE(Body(r).find(k.expect), std::string::npos) << k.body << " -> " << Body(r);
  }
  // Text that is not UTF-8 and ids that could not be echoed: refused or replaced, never a crash.
  const std::string csv = gyre::testing::ReadAll(F("rows.csv"));
  const std::string two_lines = csv.substr(0, csv.find('\n', csv.find('\n') + 1));
  const std::string bad_csv = Call(Post("/invocations", two_lines + "\xff\n", "text/csv"));
  EXPECT_EQ(Status(bad_csv), 400);
  EXPECT_NE(Body(bad_csv).find("not valid UTF-8"), std::string::npos) << Body(bad_csv);
  const json tensors = Tensors(json::array({rec}));
  for (const std::string& id : {std::string("a\r\nSet-Cookie: x=1"), std::string(200, 'x'), std::string("")}) {
    const std::string r = Call(Post("/v2/models/fraud/infer", json{{"id", id}, {"inputs", tensors}}.dump()));
    EXPECT_EQ(Status(r), 400) << id;
    EXPECT_NE(Body(r).find("field id:"), std::string::npos) << Body(r);
  }
  // An integer beyond int64 is refused, not wrapped to a negative number, on every path.
  json big = tensors;
  for (auto& t : big)
    if (t["name"] == "hour") t["data"] = {json(uint64_t{18446744073709551615ull})};
  const std::string wrapped = Call(Post("/v2/models/fraud/infer", json{{"inputs", big}}.dump()));
  EXPECT_EQ(Status(wrapped), 400);
  EXPECT_NE(Body(wrapped).find("expected an integer"), std::string::npos) << Body(wrapped);
  json twice = tensors;
  twice.push_back(tensors[0]);
  const std::string dup = Call(Post("/v2/models/fraud/infer", json{{"inputs", twice}}.dump()));
  EXPECT_EQ(Status(dup), 400);
  EXPECT_NE(Body(dup).find("given twice"), std::string::npos) << Body(dup);
  const std::string odd_id =
      Call(PostWithId("/invocations", json{{"dataframe_records", {rec}}}.dump(), "\xff\xfe"));
  EXPECT_EQ(Status(odd_id), 200);
  EXPECT_NE(odd_id.find("x-request-id: req-"), std::string::npos) << odd_id;  // one of ours instead
  // Nesting a hundred thousand levels deep: a 400, not a stack overflow.
  const std::string deep = std::string(100000, '[') + "1" + std::string(100000, ']');
  const std::string nested_record = R"({"dataframe_records": [{"amount": )" + deep + "}]}";
  EXPECT_EQ(Status(Call(Post("/invocations", nested_record))), 400);
  const std::string nested_tensor = R"({"inputs": [{"name": "amount", "shape": [1], "datatype": "FP64", "data": )" + deep + "}]}";
  EXPECT_EQ(Status(Call(Post("/v2/models/fraud/infer", nested_tensor))), 400);
  const std::string good = Call(Post("/invocations", json{{"dataframe_records", {rec}}}.dump()));
  EXPECT_EQ(Status(good), 200);
  EXPECT_NE(good.find("x-request-id: req-"), std::string::npos);  // the id a label joins on
  EXPECT_NE(Body(Call(Get("/metrics"))).find("gyre_in_flight_requests 0"), std::string::npos);
}

TEST_F(ModelServerTest, PredictionsAreLoggedAndCounted) {
  const json records = Records();
  // Ids of this test's own, so that the count below cannot include other tests' records.
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(Status(Call(PostWithId("/invocations", json{{"dataframe_records", {records[i]}}}.dump(),
                                     "logged-" + std::to_string(i)))), 200);
  ASSERT_EQ(Status(Call(PostWithId("/invocations", json{{"dataframe_records", records}}.dump(), "logged-batch"))), 200);
  const std::string metrics = Body(Call(Get("/metrics")));
  EXPECT_NE(metrics.find("gyre_requests_total{model=\"fraud\",version=\"1\",status=\"200\"} 6"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("gyre_request_duration_seconds_count{model=\"fraud\"} 6"), std::string::npos);
  EXPECT_NE(metrics.find("gyre_prediction_log_dropped_total{model=\"fraud\"} 0"), std::string::npos);
  server_->Shutdown(std::chrono::milliseconds(2000));  // flushes the log
  PredictionLogStats stats;
  auto logged = ReadPredictionLog(Env::Default(), F("home/logs/fraud"), &stats);
  ASSERT_TRUE(logged.ok());
  int64_t ours = 0;
  for (const PredictionRecord& r : *logged) ours += r.request_id.rfind("logged-", 0) == 0 ? 1 : 0;
  EXPECT_EQ(ours, 5 + static_cast<int64_t>(records.size()));  // one per single row, one per batch row
  EXPECT_EQ(stats.torn_tails + stats.corrupt_records, 0);
}

TEST_F(ModelServerTest, AMovedAliasIsFollowedWithoutAFailedRequest) {
  const std::string body = json{{"dataframe_records", {Records()[0]}}}.dump();
  std::atomic<bool> stop{false};
  std::atomic<int> failed{0}, ok{0};
  std::mutex mu;
  std::set<std::string> versions;
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&] {
      Client c(server_->port());
      while (!stop) {
        c.Send(Post("/invocations", body));
        auto r = c.Responses(1);
        if (r.size() != 1 || Status(r[0]) != 200) {
          ++failed;
          return;
        }
        ++ok;
        const size_t at = r[0].find("x-gyre-model-version: ");
        std::lock_guard<std::mutex> lock(mu);
        versions.insert(r[0].substr(at + 22, 1));
      }
    });
  // Bounded waits: clients that fail stop counting, and the test must then fail, not hang.
  auto wait_for_ok = [&](int target) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ok < target && failed == 0 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  };
  wait_for_ok(50);
  ASSERT_EQ(Cli({"models", "alias", "fraud", "2", "champion"}), 0);  // another "process" promotes
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->Serving()[0].second != 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const int at_swap = ok;
  wait_for_ok(at_swap + 50);
  stop = true;
  for (auto& th : clients) th.join();
  EXPECT_EQ(server_->Serving()[0].second, 2);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(versions, (std::set<std::string>{"1", "2"}));
}

class CanaryShadowTest : public ModelServerTest {
 protected:
  void SetUp() override {}  // each test starts its own server
  void Start(ServeOptions o) {
    o.models = {"fraud:1"};
    o.http.threads = 2;
    auto s = ModelServer::Start(Env::Default(), HomeLayout(F("home")), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(*s);
  }
  std::string Version(const std::string& response) {
    const size_t at = response.find("x-gyre-model-version: ");
    return at == std::string::npos ? "" : response.substr(at + 22, 1);
  }
};

TEST_F(CanaryShadowTest, TheCanaryTakesItsShareStickyPerRequestId) {
  ServeOptions o;
  o.canaries = {{"fraud:2", 30}};
  Start(o);
  const std::string body = json{{"dataframe_records", {Records()[0]}}}.dump();
  int canary = 0;
  const int n = 600;
  Client c(server_->port());
  for (int i = 0; i < n; ++i) {
    c.Send("POST /invocations HTTP/1.1\r\nHost: x\r\nx-request-id: r" + std::to_string(i) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    auto r = c.Responses(1);
    ASSERT_EQ(r.size(), 1u);
    ASSERT_EQ(Status(r[0]), 200);
    canary += Version(r[0]) == "2";
    if (i < 20) {  // the same id again: the same version
      c.Send("POST /invocations HTTP/1.1\r\nHost: x\r\nx-request-id: r" + std::to_string(i) +
             "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
      auto again = c.Responses(1);
      ASSERT_EQ(again.size(), 1u);
      EXPECT_EQ(Version(again[0]), Version(r[0]));
    }
  }
  // 30% of 600 is 180; the binomial standard deviation is about 11.
  EXPECT_GT(canary, 180 - 45);
  EXPECT_LT(canary, 180 + 45);
  EXPECT_EQ(Status(Call(Get("/v2/models/fraud/versions/2/ready"))), 200);  // the canary by version
}

TEST_F(CanaryShadowTest, TheShadowSeesEveryRequestAndAnswersNone) {
  ServeOptions o;
  o.shadows = {"fraud:2"};
  Start(o);
  const json records = Records();
  for (int i = 0; i < 10; ++i) {
    const std::string r = Call(Post("/invocations", json{{"dataframe_records", {records[i]}}}.dump()));
    ASSERT_EQ(Status(r), 200);
    EXPECT_EQ(Version(r), "1");
  }
  server_->Shutdown(std::chrono::milliseconds(2000));
  auto logged = ReadPredictionLog(Env::Default(), F("home/logs/fraud"));
  ASSERT_TRUE(logged.ok());
  std::map<int64_t, std::set<std::string>> ids;
  for (const PredictionRecord& r : *logged) ids[r.model_version].insert(r.request_id);
  // The same ten requests, once as answered and once as the shadow saw them.
  std::set<std::string> answered;
  for (const std::string& id : ids[1])
    if (ids[2].count(id)) answered.insert(id);
  EXPECT_GE(answered.size(), 10u);
}

TEST_F(CanaryShadowTest, CanaryAndShadowMustBelongToAServedModel) {
  HomeLayout home(F("home"));
  ServeOptions o;
  o.models = {"fraud:1"};
  o.canaries = {{"other:1", 10}};
  EXPECT_EQ(ModelServer::Start(Env::Default(), home, o).status().code(), StatusCode::kInvalidArgument);
  o.canaries = {{"fraud:2", 0}};
  EXPECT_EQ(ModelServer::Start(Env::Default(), home, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gyre::serve
