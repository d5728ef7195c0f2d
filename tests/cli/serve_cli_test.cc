// `gyre serve` as a real process: it prints where it listens, answers, and on SIGTERM finishes,
// flushes the prediction log and exits 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "monitor/prediction_log.h"
#include "tests/http/http_client.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

TEST(ServeCliTest, ServesUntilSigtermThenDrainsAndFlushes) {
  testing::TempDir dir;
  const std::string home = dir.File("home");
  auto cli = [&](std::vector<std::string> args) { return testing::Gyre(home, std::move(args)).code; };
  ASSERT_EQ(cli({"data", "generate", "--rows", "2000", "--seed", "1", "--out", dir.File("t.csv")}), 0);
  ASSERT_EQ(cli({"train", "--data", dir.File("t.csv"), "--label", "is_fraud", "--register", "fraud"}), 0);

  testing::GyreProcess server({"--home", home, "serve", "fraud", "--port", "0", "--threads", "1"});
  ASSERT_TRUE(server.started());
  // Read until the line that says where it listens.
  std::string out = server.ReadUntil("(Ctrl-C stops)");
  const size_t at = out.find("http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << out;
  const int port = std::stoi(out.substr(at + 17));
  http::testing::Client c(static_cast<uint16_t>(port));
  c.Send(http::testing::Post("/invocations",
                             "transaction_id,timestamp,amount,hour,account_age_days,txn_count_1h,txn_count_24h,"
                             "avg_amount_30d,amount_ratio,distance_home_km,distance_last_txn_km,secs_since_last_txn,"
                             "device_age_days,failed_logins_24h,credit_limit,utilization,merchant_risk_score,"
                             "ip_risk_score,v1,v2,v3,v4,merchant_category,channel,country\n"
                             "1,2026-10-01T15:44:13Z,24.97,15,114,0,3,17.52,1.4252,49.72,0.29,39941,628,1,3500,0.6531,"
                             "0.0000,,1.86861,-1.19931,-1.78444,-3.11773,restaurant,atm,US\n",
                             "text/csv"));
  auto r = c.Responses(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(http::testing::Status(r[0]), 200) << r[0];
  const int status = server.Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  out = server.out();
  EXPECT_NE(out.find("stopping"), std::string::npos) << out;
  auto logged = ReadPredictionLog(Env::Default(), home + "/logs/fraud");
  ASSERT_TRUE(logged.ok());
  EXPECT_EQ(logged->size(), 1u);  // flushed before the process ended
}

}  // namespace
}  // namespace gyre
