#include "serve/scalar.h"

#include <cmath>

namespace gyre::serve {

bool AppendBoolScalar(Column& col, bool v) {
  if (col.type() != ColumnType::kBool) return false;
  col.AppendBool(v);
  return true;
}

bool AppendIntegerScalar(Column& col, int64_t v) {
  switch (col.type()) {
    case ColumnType::kInt64: col.AppendInt(v); return true;
    case ColumnType::kFloat64: col.AppendDouble(static_cast<double>(v)); return true;
    case ColumnType::kBool:
      if (v != 0 && v != 1) return false;
      col.AppendBool(v == 1);
      return true;
    default: return false;
  }
}

bool AppendUnsignedScalar(Column& col, uint64_t v) {
  if (v <= static_cast<uint64_t>(INT64_MAX)) return AppendIntegerScalar(col, static_cast<int64_t>(v));
  if (col.type() != ColumnType::kFloat64) return false;  // never wrapped to a negative integer
  col.AppendDouble(static_cast<double>(v));
  return true;
}

bool AppendFloatScalar(Column& col, double v) {
  switch (col.type()) {
    case ColumnType::kFloat64: col.AppendDouble(v); return true;
    case ColumnType::kInt64:
      if (std::nearbyint(v) != v || !(std::fabs(v) < 9.2e18)) return false;  // whole, within int64
      col.AppendInt(static_cast<int64_t>(v));
      return true;
    case ColumnType::kBool:
      if (v != 0 && v != 1) return false;
      col.AppendBool(v == 1);
      return true;
    default: return false;
  }
}

bool AppendTextScalar(Column& col, std::string_view v) {
  if (col.type() == ColumnType::kString) {
    col.AppendString(v);
    return true;
  }
  if (col.type() != ColumnType::kTimestamp) return false;
  auto t = ParseTimestamp(v);
  if (!t) return false;
  col.AppendInt(*t);
  return true;
}

std::string ExpectedScalar(ColumnType type) {
  switch (type) {
    case ColumnType::kFloat64: return "expected a number";
    case ColumnType::kInt64: return "expected an integer";
    case ColumnType::kBool: return "expected true or false";
    case ColumnType::kString: return "expected a string";
    case ColumnType::kTimestamp: return "expected an ISO-8601 time";
  }
  return "unexpected value";
}

}  // namespace gyre::serve
