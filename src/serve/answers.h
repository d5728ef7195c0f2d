// The answers to inference requests, written straight into a string. Internal to serve/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/bundle.h"
#include "model/predictor.h"

namespace gyre::serve {

// MLflow's {"predictions": [...]}: per row {"prediction", "p_<class>"...} for a classifier
// (`rows`: each row's outputs as the prediction log writes them, RecordText::Outputs), the
// value for a regression.
std::string MlflowAnswer(Task task, const Predictions& p, const std::vector<std::string>& rows);
// The Open Inference Protocol's response: "prediction" [N] and, for classifiers,
// "probabilities" [N, C].
std::string OipAnswer(const std::string& model, int64_t version, const std::string& id,
                      const ModelBundle& bundle, const Predictions& p);

}  // namespace gyre::serve
