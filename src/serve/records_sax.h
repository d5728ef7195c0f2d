// The fast path for {"dataframe_records": [...]} and {"instances": [{...}, ...]} requests.
// Internal to serve/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"

namespace gyre::serve {

// The table when the body has exactly that shape (or the error naming the field); nullopt for
// any other shape, which the general parser then reads and reports on.
std::optional<Result<Table>> ParseRecordsFast(const std::string& body, const Signature& signature);

// The same shape written the plain way (no escapes, ASCII text, every input once, each value
// of its input's type): the table, read by a hand-written scanner; nullopt for anything else,
// for ParseRecordsFast to read (records_scan.cc).
std::optional<Table> ScanPlainRecords(const std::string& body, const Signature& signature);

}  // namespace gyre::serve
