#include "serve/answers.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "monitor/json_text.h"

namespace gyre::serve {
namespace {

using nlohmann::json;

// Row r's probability of class c.
double Probability(const ModelBundle& b, const Predictions& p, int64_t r, size_t c) {
  const float* v = &p.values[static_cast<size_t>(r * p.width)];
  return b.task == Task::kBinary ? (c == 0 ? 1.0 - v[0] : v[0]) : v[c];
}

// The answers are written straight into a string: building a JSON tree per row cost more than
// predicting the rows.
}  // namespace

std::string MlflowAnswer(Task task, const Predictions& p, const std::vector<std::string>& rows) {
  std::string out = "{\"predictions\":[";
  if (task == Task::kRegression) {
    out.reserve(static_cast<size_t>(p.rows) * 24 + 20);
    for (int64_t i = 0; i < p.rows; ++i) {
      if (i) out += ',';
      AppendJsonNumber(&out, p.values[static_cast<size_t>(i)]);
    }
  } else {
    size_t size = 20;
    for (const std::string& row : rows) size += row.size() + 1;
    out.reserve(size);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i) out += ',';
      out += rows[i];
    }
  }
  out += "]}";
  return out;
}

std::string OipAnswer(const std::string& model, int64_t version, const std::string& id, const ModelBundle& b,
                      const Predictions& p) {
  const bool regression = b.task == Task::kRegression;
  std::string out = "{\"model_name\":" + json(model).dump() + ",\"model_version\":\"" + std::to_string(version) +
                    "\",\"id\":" + json(id).dump(-1, ' ', false, json::error_handler_t::replace) +
                    ",\"outputs\":[{\"name\":\"prediction\",\"datatype\":\"" + (regression ? "FP64" : "BYTES") +
                    "\",\"shape\":[" + std::to_string(p.rows) + "],\"data\":[";
  std::vector<std::string> names(b.signature.classes.size());
  for (size_t c = 0; c < names.size(); ++c) AppendJsonString(&names[c], b.signature.classes[c]);
  for (int64_t i = 0; i < p.rows; ++i) {
    if (i) out += ',';
    if (regression) AppendJsonNumber(&out, p.values[static_cast<size_t>(i)]);
    else out += names[static_cast<size_t>(p.predicted_class[static_cast<size_t>(i)])];
  }
  out += "]}";
  if (!regression) {
    out += ",{\"name\":\"probabilities\",\"datatype\":\"FP64\",\"shape\":[" + std::to_string(p.rows) + "," +
           std::to_string(names.size()) + "],\"data\":[";
    for (int64_t i = 0; i < p.rows; ++i)
      for (size_t c = 0; c < names.size(); ++c) {
        if (i || c) out += ',';
        AppendJsonNumber(&out, Probability(b, p, i, c));
      }
    out += "]}";
  }
  return out + "]}";
}

}  // namespace gyre::serve
