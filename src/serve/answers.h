// The answers to inference requests, written straight into a string. Internal to serve/.
#pragma once

#include <cstdint>
#include <string>

#include "model/bundle.h"
#include "model/predictor.h"

namespace gyre::serve {

// MLflow's {"predictions": [...]}: per row {"prediction", "p_<class>"...} for a classifier,
// the value for a regression.
std::string MlflowAnswer(const ModelBundle& bundle, const Predictions& p);
// The Open Inference Protocol's response: "prediction" [N] and, for classifiers,
// "probabilities" [N, C].
std::string OipAnswer(const std::string& model, int64_t version, const std::string& id,
                      const ModelBundle& bundle, const Predictions& p);

}  // namespace gyre::serve
