// How one JSON value of a request becomes a value of an input column. Every reader of request
// bodies (the JSON tree, the SAX reader, the plain-records scanner) goes through these, so a
// value means the same thing whichever path reads it. Internal to serve/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "data/table.h"

namespace gyre::serve {

// Each appends the value to `col` and returns true, or returns false (appending nothing) when
// the value does not fit the column's type.
inline bool AppendNullScalar(Column& col) {
  col.AppendNull();
  return true;
}
bool AppendBoolScalar(Column& col, bool v);            // bool inputs only
bool AppendIntegerScalar(Column& col, int64_t v);      // int64, float64; 0 or 1 for a bool
bool AppendUnsignedScalar(Column& col, uint64_t v);    // as an integer within int64, else float64 only
bool AppendFloatScalar(Column& col, double v);         // float64; whole and within int64 for an int64; 0 or 1 for a bool
bool AppendTextScalar(Column& col, std::string_view v);  // a string; an ISO-8601 time for a timestamp

// What an input of this type takes, for error messages: "expected a number", ...
std::string ExpectedScalar(ColumnType type);

}  // namespace gyre::serve
