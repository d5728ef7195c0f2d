// Turning text fields into typed values: missing-value tokens, numbers, booleans, timestamps,
// and the type lattice used for inference. Internal to data/, and used by the readers of
// request bodies (serve/) and of the prediction log (monitor/), which check the same things.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "data/table.h"

namespace gyre {

// The kind of value a field's text is, from most to least specific. kNull is a missing value.
enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kTimestamp, kString };

// pandas' default missing-value tokens (read_csv na_values): "", NA, N/A, NaN, null, NULL,
// None, nan, n/a, <NA>, #N/A, -NaN, ... Matched on the exact text.
bool IsNullToken(std::string_view s);
bool ParseBool(std::string_view s, bool* out);
// Integers: optional sign and digits, surrounding spaces allowed; false on overflow.
bool ParseInt64(std::string_view s, int64_t* out);
// Decimal and scientific notation, inf/infinity; correctly rounded.
bool ParseDouble(std::string_view s, double* out);
// The fast path of ParseDouble: an optional '-', digits with an optional '.', an optional
// exponent, of at most 15 significant digits and a decimal exponent within 22 of zero, as
// the correctly rounded double; false for any other text (ParseDouble reads the rest).
bool ParseShortDecimal(std::string_view s, double* out);
Kind Classify(std::string_view s);
// The narrowest kind that holds both (int+float=float; anything else mixed is a string).
Kind JoinKinds(Kind a, Kind b);
ColumnType TypeOfKind(Kind k);  // kNull maps to float64, as pandas does for empty columns
Kind KindOfType(ColumnType t);

// Shortest text that reads back as the same double ("0.1", "1e+300", "inf").
std::string FormatDouble(double v);

// Offset of the first byte that is not valid UTF-8 (or a NUL), or npos.
size_t FindInvalidUtf8(const char* data, size_t len);

}  // namespace gyre
