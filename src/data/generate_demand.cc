// Demand data: daily unit sales per store and item, with weekly seasonality, promotions, price
// elasticity, holidays and weather, so that regression has something real to learn.
#include <algorithm>
#include <array>
#include <cmath>

#include "data/generate.h"
#include "data/generate_util.h"
#include "data/table.h"

namespace gyre {
namespace {

using gen::CsvWriter;
using gen::Rng;

struct Item {
  std::string_view name, category;
  double base_units, base_price, elasticity;
};

constexpr std::array<Item, 16> kItems = {{
    {"bread", "bakery", 40, 2.5, -1.2},      {"croissant", "bakery", 18, 1.4, -1.6},
    {"milk", "dairy", 55, 1.1, -0.8},        {"yogurt", "dairy", 25, 0.9, -1.4},
    {"cheese", "dairy", 14, 4.8, -1.1},      {"apples", "produce", 35, 2.2, -1.0},
    {"bananas", "produce", 45, 1.3, -0.9},   {"lettuce", "produce", 16, 1.6, -1.3},
    {"ice_cream", "frozen", 12, 5.5, -1.8},  {"pizza", "frozen", 15, 4.2, -1.5},
    {"coffee", "pantry", 20, 7.5, -0.7},     {"pasta", "pantry", 22, 1.8, -1.1},
    {"soda", "beverages", 38, 1.9, -1.7},    {"water", "beverages", 42, 0.8, -0.6},
    {"charcoal", "seasonal", 5, 9.0, -1.4},  {"soup", "seasonal", 9, 2.9, -1.0},
}};
constexpr int kStores = 12;  // the last two open only in drifted data
constexpr std::array<double, kStores> kStoreSize = {1.0, 0.6, 1.4, 0.8, 1.1, 0.5, 0.9, 1.6, 0.7, 1.2, 1.3, 0.9};
constexpr std::array<double, 7> kDayFactor = {0.9, 0.85, 0.9, 0.95, 1.15, 1.35, 1.1};  // Monday first

struct Sale {
  size_t store, item;
  int day;
  double price, temperature;
  bool promo, holiday;
  int64_t units;
};

Sale MakeSale(Rng& rng, double drift, int day, int64_t start_micros) {
  Sale s{};
  const int stores = drift > 0 ? kStores : kStores - 2;
  double w_store[kStores];
  for (int i = 0; i < kStores; ++i) w_store[i] = i < stores ? kStoreSize[static_cast<size_t>(i)] : 0;
  s.store = rng.Pick(w_store, kStores);
  s.item = static_cast<size_t>(rng.Next() % kItems.size());
  s.day = day;
  const Item& it = kItems[s.item];
  s.promo = rng.Uniform() < 0.12 + 0.2 * drift;
  s.price = it.base_price * (1 + 0.25 * drift) * std::exp(0.08 * rng.Normal()) * (s.promo ? 0.8 : 1.0);
  const int64_t days_since_epoch = start_micros / 86400000000LL + day;
  const int weekday = static_cast<int>((days_since_epoch + 3) % 7);  // 1970-01-01 was a Thursday
  s.holiday = day % 29 == 11 || (weekday == 6 && day % 45 == 20);
  const double season = std::cos(2 * M_PI * (day + 15) / 365.0);
  s.temperature = 12 - 10 * season + 8 * drift + 3 * rng.Normal();
  const double warm = (s.temperature - 12) / 10;
  double mean = it.base_units * kStoreSize[s.store] * kDayFactor[static_cast<size_t>(weekday)] *
                std::pow(s.price / it.base_price, it.elasticity * (1 - 0.3 * drift)) * (s.promo ? 1.5 : 1.0) *
                (s.holiday ? 1.4 : 1.0);
  if (it.name == "ice_cream" || it.name == "charcoal" || it.name == "soda") mean *= std::exp(0.5 * warm);
  if (it.name == "soup") mean *= std::exp(-0.5 * warm);
  // Overdispersed counts: a gamma-ish noise on the mean, then Poisson-like rounding.
  mean *= std::exp(0.15 * rng.Normal());
  s.units = std::max<int64_t>(0, std::llround(mean + std::sqrt(mean) * rng.Normal()));
  return s;
}

void WriteSale(CsvWriter& w, const Sale& s, int64_t id, int64_t start_micros) {
  const Item& it = kItems[s.item];
  const int64_t micros = start_micros + int64_t{s.day} * 86400000000LL;
  w.Int(id);
  w.Raw(",");
  w.Raw(FormatTimestamp(micros).substr(0, 10));
  w.Raw(",S");
  w.Int(static_cast<int64_t>(s.store) + 1);
  w.Raw(",");
  w.Raw(it.name);
  w.Raw(",");
  w.Raw(it.category);
  w.Raw(",");
  const int64_t days_since_epoch = start_micros / 86400000000LL + s.day;
  w.Int((days_since_epoch + 3) % 7);
  w.Raw(",");
  w.Fixed(s.price, 2);
  w.Raw(s.promo ? ",1" : ",0");
  w.Raw(s.holiday ? ",1," : ",0,");
  w.Fixed(s.temperature, 1);
  w.Raw(",");
  w.Fixed(kStoreSize[s.store], 2);
  w.Raw(",");
  w.Int(s.units);
  w.Raw("\n");
}

}  // namespace

Status GenerateDemandCsv(const DemandOptions& options, const std::string& path, Env* env) {
  if (options.rows < 1) return InvalidArgument("--rows must be at least 1");
  if (options.drift < 0 || options.drift > 1) return InvalidArgument("--drift must be between 0 and 1");
  return gen::WriteCsvAtomically(env, path, [&](CsvWriter& w) -> Status {
    w.Raw("row_id,date,store,item,category,day_of_week,price,promo,holiday,temperature,store_size,units_sold\n");
    Rng rng(options.seed * 0x9E3779B97F4A7C15ULL + 3);
    for (int64_t i = 0; i < options.rows; ++i) {
      const int day = static_cast<int>(int64_t{options.days} * i / options.rows);
      WriteSale(w, MakeSale(rng, options.drift, day, options.start_micros), i + 1, options.start_micros);
      RETURN_IF_ERROR(w.MaybeFlush());
    }
    return Status::OK();
  });
}

}  // namespace gyre
