#include "pipeline/builtins.h"

#include <cmath>
#include <cstdlib>
#include <set>

namespace gyre {
namespace {

const std::vector<BuiltinInfo>& Builtins() {
  static const std::vector<BuiltinInfo> kAll = {
      {"ingest", {"file", "dataset"}, {"label", "strict"}, {"dataset", "version", "ref", "rows", "anomalies", "created"}},
      {"validate", {"data"}, {"dataset", "allow_anomalies"}, {"valid", "anomalies", "rows"}},
      {"train",
       {"data", "label"},
       {"task", "set", "seed", "test_fraction", "split_by", "experiment"},
       {"run", "task", "train_rows", "test_rows", "metrics."}},
      {"evaluate", {"model", "data"}, {}, {"rows", "metrics."}},
      {"gate",
       {"model", "challenger"},
       {"alias", "require", "better_than_champion", "holdout", "validation", "max_drift_share"},
       {"passed", "champion", "challenger", "reason", "metrics."}},
      {"register", {"run", "model"}, {"alias"}, {"model", "version", "ref"}},
      {"promote", {"model", "version"}, {"alias"}, {"model", "version", "previous", "ref"}},
  };
  return kAll;
}

}  // namespace

const BuiltinInfo* FindBuiltin(const std::string& kind) {
  for (const auto& b : Builtins()) {
    if (b.kind == kind) return &b;
  }
  return nullptr;
}

std::string BuiltinNames() {
  std::string out;
  for (const auto& b : Builtins()) out += (out.empty() ? "" : ", ") + b.kind;
  return out;
}

bool BuiltinHasOutput(const BuiltinInfo& info, const std::string& key) {
  for (const auto& o : info.outputs) {
    if (o == key) return true;
    if (o.back() == '.' && key.size() > o.size() && key.compare(0, o.size(), o) == 0) return true;
  }
  return false;
}

bool Condition::Holds(double v) const {
  if (std::isnan(v)) return false;
  if (op == ">=") return v >= value;
  if (op == ">") return v > value;
  if (op == "<=") return v <= value;
  if (op == "<") return v < value;
  return v == value;
}

std::string Condition::ToString() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return metric + " " + op + " " + buf;
}

Result<Condition> ParseCondition(const std::string& text) {
  static const char* kOps[] = {">=", "<=", "==", ">", "<"};
  for (const char* op : kOps) {
    size_t at = text.find(op);
    if (at == std::string::npos) continue;
    Condition c;
    c.op = op;
    auto trim = [](std::string s) {
      while (!s.empty() && s.front() == ' ') s.erase(0, 1);
      while (!s.empty() && s.back() == ' ') s.pop_back();
      return s;
    };
    c.metric = trim(text.substr(0, at));
    const std::string number = trim(text.substr(at + std::string(op).size()));
    char* end = nullptr;
    c.value = std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0' || !std::isfinite(c.value)) {
      return InvalidArgument("\"" + text + "\": expected a number after " + op);
    }
    if (!KnownMetric(c.metric)) {
      return InvalidArgument("\"" + text + "\": unknown metric " + c.metric +
                             " (roc_auc, average_precision, log_loss, accuracy, precision, recall, f1, brier, "
                             "macro_f1, rmse, mae, r2, mape)");
    }
    return c;
  }
  return InvalidArgument("\"" + text + "\": expected METRIC OP NUMBER, e.g. roc_auc >= 0.8");
}

}  // namespace gyre
