// The model server: registered models behind the Open Inference Protocol, MLflow's scoring
// routes and Prometheus metrics, every prediction written to the model's prediction log by a
// background writer, and hot swap: a served NAME:ALIAS follows the alias when it moves.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "http/server.h"
#include "store/layout.h"

namespace gyre::serve {

struct ServeOptions {
  std::vector<std::string> models;  // NAME, NAME:VERSION or NAME:ALIAS; one per model name
  // A second version of a served model taking a share (percent) of its requests, sticky per
  // x-request-id; and a version that sees a copy of every request, its answers only logged.
  std::vector<std::pair<std::string, double>> canaries;
  std::vector<std::string> shadows;
  http::ServerOptions http;
  bool log_predictions = true;
  size_t log_queue = 1 << 16;  // records waiting for the log writer; beyond it they are dropped
  // How often the registry is checked for moved aliases.
  std::chrono::milliseconds poll_interval{500};
};

class ModelServer {
 public:
  // Loads every model, then listens. Models that cannot be loaded are an error.
  static Result<std::unique_ptr<ModelServer>> Start(Env* env, const HomeLayout& home,
                                                    const ServeOptions& options);
  virtual ~ModelServer() = default;
  virtual uint16_t port() const = 0;
  // The version each served model answers with now, e.g. {"fraud", 3}.
  virtual std::vector<std::pair<std::string, int64_t>> Serving() const = 0;
  // Returns once every prediction answered so far is in the prediction log, synced, except
  // those the log's full queue dropped (counted in /metrics as gyre_prediction_log_dropped_total).
  virtual void FlushLogs() = 0;
  // Stops accepting, finishes requests in progress, flushes the prediction log.
  virtual void Shutdown(std::chrono::milliseconds drain) = 0;
};

}  // namespace gyre::serve
