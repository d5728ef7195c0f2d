// Monitoring a model: its predictions as log records, logged records back as a table, the
// reference a model carries (its training data and its holdout outputs), and the drift of a
// window of traffic against it, window after window.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "model/bundle.h"
#include "model/predictor.h"
#include "monitor/drift.h"
#include "monitor/prediction_log.h"

namespace gyre {

// The output columns of a model: "prediction" (the class name, or the value for regression)
// and, for classifiers, "p_<class>" per class.
std::vector<std::string> OutputColumns(const ModelBundle& bundle);

// Each row of `input` as a record's inputs (the signature's columns only, a JSON object), and
// each row of `p` as a record's outputs.
std::vector<std::string> InputsJson(const Table& input, const Signature& signature);
std::vector<std::string> OutputsJson(const ModelBundle& bundle, const Predictions& p);

// The same, with the keys quoted once for a model rather than on every call (the model
// server formats a request's records with the model's own).
class RecordText {
 public:
  RecordText(const Signature& signature, Task task);
  std::vector<std::string> Inputs(const Table& input) const;
  // Inputs one row at a time: the input columns of `input` (null where one is missing, logged
  // as null), then a row's object appended to `out`.
  void FindInputs(const Table& input, std::vector<const Column*>* columns) const;
  void AppendInputs(std::span<const Column* const> columns, int64_t row, std::string* out) const;
  std::vector<std::string> Outputs(const Predictions& p) const;

 private:
  Task task_;
  std::vector<std::string> keys_;             // {"name": then ,"name":
  std::vector<std::string> names_of_inputs_;
  std::vector<std::string> classes_, probs_;  // each class as JSON, and ,"p_<class>":
};

// Model outputs as a table with OutputColumns(bundle) (raw values as Predictions holds them).
Table OutputsTable(const ModelBundle& bundle, const std::vector<float>& values, int width);

// Logged records as a table: the signature's inputs with their types, then the outputs.
// Values of the wrong type read as missing and are counted in `mistyped`.
Table RecordsToTable(std::span<const PredictionRecord> records, const ModelBundle& bundle,
                     int64_t* mistyped = nullptr);

// What a bundle compares traffic with: the summary of its training data restricted to the
// signature's inputs, plus its outputs on the holdout. NotFound for a bundle made before
// bundles carried reference statistics.
Result<DatasetSummary> ModelReference(const ModelBundle& bundle);

struct WindowDrift {
  int64_t rows = 0;
  int64_t first_us = 0, last_us = 0;
  DriftReport inputs;       // data drift of the signature's inputs
  DriftReport predictions;  // prediction drift: the output columns
  DatasetSummary current;   // the window's summary (inputs and outputs), for reports
};

// Drift of one window of records against the model's reference.
Result<WindowDrift> DriftOfWindow(std::span<const PredictionRecord> window,
                                  const ModelBundle& bundle, const DatasetSummary& reference,
                                  const DriftOptions& options);

}  // namespace gyre
