#include "data/generate.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

#include "data/generate_util.h"
#include "data/table.h"

namespace gyre {
namespace {

using gen::CsvWriter;
using gen::Rng;

constexpr std::array<std::string_view, 15> kMerchants = {
    "grocery", "restaurant", "fuel", "travel", "electronics", "clothing", "pharmacy",
    "entertainment", "utilities", "online_retail", "jewelry", "gaming",
    // Only in drifted data: categories the reference world never saw.
    "crypto_exchange", "gift_cards", "money_transfer"};
constexpr std::array<double, 12> kMerchantRisk = {0.05, 0.08, 0.06, 0.30, 0.45, 0.15, 0.05,
                                                  0.20, 0.03, 0.35, 0.60, 0.50};
constexpr std::array<std::string_view, 4> kChannels = {"pos", "online", "contactless", "atm"};
constexpr std::array<std::string_view, 20> kCountries = {
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "CA", "AU", "JP",
    "BR", "MX", "IN", "CN", "NG", "RU", "PL", "SE", "CH", "ZA"};

struct Txn {
  double amount, avg_amount, distance_home, distance_last, secs_since_last, device_age,
      credit_limit, utilization, merchant_risk, ip_risk, v[4];
  int64_t hour, account_age, count_1h, count_24h, failed_logins;
  size_t merchant, channel, country;
  bool device_missing, ip_missing, country_missing;
  bool fraud;
};

Txn MakeTxn(Rng& rng, double drift) {
  Txn t{};
  for (double& f : t.v) f = rng.Normal();
  t.v[0] += 0.8 * drift;
  double w_hour[24];
  for (int h = 0; h < 24; ++h) {
    double day = std::exp(-std::pow((h - 14) / 5.0, 2));
    w_hour[h] = 0.15 + day + drift * 0.5 * (h < 6);
  }
  t.hour = static_cast<int64_t>(rng.Pick(w_hour, 24));
  t.account_age = static_cast<int64_t>(std::floor(std::exp(5.5 + 1.2 * rng.Normal())));
  t.avg_amount = std::exp(3.6 + 0.7 * rng.Normal());
  t.amount = t.avg_amount * std::exp(0.6 * rng.Normal() + drift * 0.7);
  t.count_1h = rng.Poisson(0.6 + drift);
  t.count_24h = t.count_1h + rng.Poisson(4.0);
  t.distance_home = std::exp(2.0 + 1.5 * rng.Normal());
  t.distance_last = std::exp(1.0 + 1.8 * rng.Normal());
  t.secs_since_last = std::exp(8.0 + 1.7 * rng.Normal());
  t.device_age = std::floor(std::exp(4.5 + 1.3 * rng.Normal()));
  t.device_missing = rng.Uniform() < 0.03;
  t.failed_logins = rng.Poisson(0.15 + 0.3 * drift);
  t.credit_limit = 500.0 * std::round(std::exp(8.3 + 0.6 * rng.Normal()) / 500.0) + 500;
  t.utilization = std::clamp(0.3 + 0.2 * rng.Normal(), 0.0, 1.0);
  double w_merchant[15];
  for (size_t i = 0; i < 15; ++i) w_merchant[i] = i < 12 ? 12.0 - static_cast<double>(i) * 0.7 : 6 * drift;
  t.merchant = rng.Pick(w_merchant, 15);
  t.merchant_risk = std::clamp((t.merchant < 12 ? kMerchantRisk[t.merchant] : 0.7) + 0.1 * rng.Normal(), 0.0, 1.0);
  double w_channel[4] = {5, 3 + 4 * drift, 2, 0.5};
  t.channel = rng.Pick(w_channel, 4);
  double w_country[20];
  for (size_t i = 0; i < 20; ++i) w_country[i] = i == 0 ? 30 : 10.0 / static_cast<double>(i + 1) + (i >= 14 ? 3 * drift : 0);
  t.country = rng.Pick(w_country, 20);
  t.country_missing = rng.Uniform() < 0.01;
  t.ip_risk = std::clamp(0.2 + 0.15 * rng.Normal() + 0.2 * (t.country >= 14), 0.0, 1.0);
  t.ip_missing = rng.Uniform() < 0.02;
  // The fraud signal: unusual amounts, night hours, bursts, failed logins, risky merchants and
  // addresses, new devices, online channel, and an interaction of v1 with the amount ratio.
  double ratio = t.amount / t.avg_amount;
  double logit = -7.8 + 1.8 * std::log(ratio) + 1.5 * (t.hour < 6) + 0.7 * t.count_1h +
                 1.1 * static_cast<double>(t.failed_logins) + 4.0 * t.merchant_risk +
                 3.6 * t.ip_risk + 0.9 * (t.channel == 1) + 1.1 * (t.device_age < 30) +
                 0.9 * t.v[1] * (ratio > 2) + 0.6 * t.v[2];
  logit += drift * (0.8 * (t.merchant >= 12) - 0.5 * (t.channel == 2));
  t.fraud = rng.Uniform() < 1 / (1 + std::exp(-logit));
  return t;
}

void WriteTxn(CsvWriter& w, const Txn& t, int64_t id, int64_t micros) {
  w.Int(id);
  w.Raw(",");
  w.Raw(FormatTimestamp(micros - micros % 1000000));
  w.Raw(",");
  w.Fixed(t.amount, 2); w.Raw(",");
  w.Int(t.hour); w.Raw(",");
  w.Int(t.account_age); w.Raw(",");
  w.Int(t.count_1h); w.Raw(",");
  w.Int(t.count_24h); w.Raw(",");
  w.Fixed(t.avg_amount, 2); w.Raw(",");
  w.Fixed(t.amount / t.avg_amount, 4); w.Raw(",");
  w.Fixed(t.distance_home, 2); w.Raw(",");
  w.Fixed(t.distance_last, 2); w.Raw(",");
  w.Fixed(t.secs_since_last, 0); w.Raw(",");
  if (!t.device_missing) w.Fixed(t.device_age, 0);
  w.Raw(",");
  w.Int(t.failed_logins); w.Raw(",");
  w.Fixed(t.credit_limit, 0); w.Raw(",");
  w.Fixed(t.utilization, 4); w.Raw(",");
  w.Fixed(t.merchant_risk, 4); w.Raw(",");
  if (!t.ip_missing) w.Fixed(t.ip_risk, 4);
  for (double v : t.v) {
    w.Raw(",");
    w.Fixed(v, 5);
  }
  w.Raw(",");
  w.Raw(kMerchants[t.merchant]);
  w.Raw(",");
  w.Raw(kChannels[t.channel]);
  w.Raw(",");
  if (!t.country_missing) w.Raw(kCountries[t.country]);
  w.Raw(t.fraud ? ",1\n" : ",0\n");
}

}  // namespace

Status GenerateFraudCsv(const FraudOptions& options, const std::string& path, Env* env) {
  if (options.rows < 1) return InvalidArgument("--rows must be at least 1");
  if (options.drift < 0 || options.drift > 1) return InvalidArgument("--drift must be between 0 and 1");
  return gen::WriteCsvAtomically(env, path, [&](CsvWriter& w) -> Status {
    w.Raw("transaction_id,timestamp,amount,hour,account_age_days,txn_count_1h,txn_count_24h,"
          "avg_amount_30d,amount_ratio,distance_home_km,distance_last_txn_km,secs_since_last_txn,"
          "device_age_days,failed_logins_24h,credit_limit,utilization,merchant_risk_score,"
          "ip_risk_score,v1,v2,v3,v4,merchant_category,channel,country,is_fraud\n");
    Rng rng(options.seed * 0x2545F4914F6CDD1DULL + 1);
    const int64_t span = int64_t{options.days} * 86400 * 1000000;
    for (int64_t i = 0; i < options.rows; ++i) {
      Txn t = MakeTxn(rng, options.drift);
      // Evenly spread over the span, with the hour of day drawn above.
      int64_t day_start = options.start_micros + span * i / options.rows / 86400000000 * 86400000000;
      int64_t micros = day_start + t.hour * 3600000000LL + static_cast<int64_t>(rng.Uniform() * 3.6e9);
      WriteTxn(w, t, i + 1, micros);
      RETURN_IF_ERROR(w.MaybeFlush());
    }
    return Status::OK();
  });
}

}  // namespace gyre
