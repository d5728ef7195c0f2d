// Deterministic generators of realistic sample data for the demo, benchmarks and tests.
#pragma once

#include <cstdint>
#include <string>

#include "core/env.h"
#include "core/status.h"

namespace gyre {

struct FraudOptions {
  int64_t rows = 10000;
  uint64_t seed = 42;
  // 0 = the reference world. Towards 1: larger amounts, new merchant categories, another
  // country mix, more night-time and online traffic, and a changed fraud pattern.
  double drift = 0;
  // First transaction time (microseconds since the epoch); transactions span `days` days.
  int64_t start_micros = 1790812800LL * 1000000;  // 2026-10-01T00:00:00Z
  int days = 30;
};

// Writes card transactions as CSV: transaction_id, timestamp, 23 features (amounts, counts,
// distances, risk scores, four latent factors, merchant_category, channel, country) and
// `is_fraud` (about 3% positives, learnable from the features). The same options give the
// same bytes on every machine. The file appears complete or not at all.
Status GenerateFraudCsv(const FraudOptions& options, const std::string& path, Env* env);

struct DemandOptions {
  int64_t rows = 10000;
  uint64_t seed = 42;
  // 0 = the reference world. Towards 1: higher prices, more promotions, two new stores, a warmer
  // season and a changed price sensitivity.
  double drift = 0;
  int64_t start_micros = 1790812800LL * 1000000;  // 2026-10-01T00:00:00Z
  int days = 90;
};

// Writes daily sales of store x item as CSV for demand forecasting: row_id, date, store, item,
// category, day_of_week, price, promo, holiday, temperature, store_size, and `units_sold` (a
// count learnable from the others). Deterministic and atomic, like GenerateFraudCsv.
Status GenerateDemandCsv(const DemandOptions& options, const std::string& path, Env* env);

}  // namespace gyre
