// Turning inference requests into the rows a model reads, checked against its signature:
// the Open Inference Protocol's tensors and MLflow's scoring formats (dataframe_split,
// dataframe_records, instances, inputs, CSV). Errors name the field and what was expected.
#pragma once

#include <string>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"

namespace gyre::serve {

struct ParsedRequest {
  Table table;             // the signature's columns, in order
  std::string id;          // the request's id, when it gave one
};

// Whether a request id may be echoed in a header and logged: 1 to 128 printable ASCII
// characters (no spaces or control characters, which could split a response's headers).
bool UsableRequestId(const std::string& id);

// POST /v2/models/{m}/infer: {"id"?, "inputs": [{"name", "shape", "datatype", "data"}...]}.
// One tensor per input column (shape [N] or [N, 1]), or a single tensor of shape [N, F] with
// the columns in signature order. An id that is not UsableRequestId, or a tensor named twice,
// is a 400.
Result<ParsedRequest> ParseInferRequest(const std::string& body, const Signature& signature);

// POST /invocations: JSON with exactly one of dataframe_split, dataframe_records, instances,
// inputs; or CSV with a header row (content type text/csv).
Result<ParsedRequest> ParseInvocations(const std::string& body, const std::string& content_type,
                                       const Signature& signature);

// Hands a parsed request's table back once it is no longer needed: its columns (emptied, their
// memory kept) are the next request's on this thread, when that has the same inputs.
void RecycleTable(Table table);

}  // namespace gyre::serve
