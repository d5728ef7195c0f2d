// The model bundle: one object holding the backend's model (XGBoost UBJSON) and
// gyre-model.json (task, signature, metrics, where it came from, reference statistics), as an
// uncompressed tar archive with fixed metadata, so the same model gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace gyre {

enum class Task { kBinary, kMulticlass, kRegression };
const char* TaskName(Task task);  // binary, multiclass, regression
Result<Task> ParseTask(const std::string& name);

// One input column as the model sees it: numbers as they are, bools as 0/1, timestamps as
// seconds since the epoch, strings through a fixed category encoding (index in `categories`;
// an unseen category is read as missing).
struct FeatureSpec {
  std::string name;
  ColumnType type = ColumnType::kFloat64;
  std::vector<std::string> categories;  // strings only, sorted
};

struct Signature {
  std::vector<FeatureSpec> features;  // in model order
  std::string label;
  std::vector<std::string> classes;  // classifiers: class names in index order
};

struct ModelBundle {
  std::string backend = "xgboost";
  Task task = Task::kBinary;
  Signature signature;
  std::string metrics_json = "{}";      // holdout metrics
  std::string dataset;                  // NAME:V the model was trained on ("" for a file)
  std::string run_id;
  std::string params_json = "{}";       // the training parameters
  std::string reference_stats_json = "{}";  // DatasetStats of the training data
  // What drift tests compare live traffic with: the training data's column summaries
  // (monitor/'s stored form, opaque here); "" when absent.
  std::string reference_summary;
  // Binary classifiers: the isotonic map from score to probability fitted on the holdout
  // (monitor/'s JSON, opaque here), for estimating performance before labels arrive.
  std::string calibration_json;
  std::string model;                    // backend bytes (UBJSON)

  // gyre-model.json
  std::string ManifestJson() const;
  // The bundle as one byte string (tar: gyre-model.json, model.ubj, then reference.bin and
  // calibration.json when present).
  std::string Serialize() const;
  static Result<ModelBundle> Parse(const std::string& bytes);
};

}  // namespace gyre
