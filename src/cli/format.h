// Human-readable output helpers for the CLI. Internal to cli/.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace gyre {

std::string Thousands(int64_t n);           // 1234567 -> "1,234,567"
std::string Short(double v);                 // 4 significant digits, "-" for NaN
std::string Pct(double fraction);            // 0.0312 -> "3.1%"
std::string Bytes(uint64_t n);               // 168100000 -> "160.3 MiB"
std::string TimeText(int64_t micros);        // ISO-8601 UTC, seconds
std::string ShortSha(const std::string& sha);  // first 12 hex digits

// A plain text table: a header row, then rows, columns padded to fit.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace gyre
