// The built-in step kinds: their arguments and outputs (what the checker knows), and the gate's
// conditions. Internal to pipeline/.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "train/metrics.h"  // KnownMetric, HigherIsBetter

namespace gyre {

struct BuiltinInfo {
  std::string kind;
  std::vector<std::string> required, optional;
  // Output keys; one ending in '.' is a prefix (metrics.roc_auc, metrics.rmse, ...).
  std::vector<std::string> outputs;
};

const BuiltinInfo* FindBuiltin(const std::string& kind);
std::string BuiltinNames();  // "ingest, validate, ..."
bool BuiltinHasOutput(const BuiltinInfo& info, const std::string& key);


// A gate condition such as "roc_auc >= 0.8".
struct Condition {
  std::string metric, op;  // op: >= > <= < ==
  double value = 0;
  bool Holds(double v) const;
  std::string ToString() const;
};
Result<Condition> ParseCondition(const std::string& text);

}  // namespace gyre
