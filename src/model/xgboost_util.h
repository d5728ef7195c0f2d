// Owning handles and Status conversion for the XGBoost C API. Internal to model/ and train/:
// XGBoost types never appear in a public header.
#pragma once

#include <xgboost/c_api.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace gyre {

// XGBoost reports failure as -1 and keeps the message; this turns it into a Status.
inline Status XgbCheck(int rc, const char* what) {
  if (rc == 0) return Status::OK();
  return Internal(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

// The proxy matrix an in-place prediction hands XGBoost, one per thread (a proxy holds the
// rows of the call in progress). Given none, XGBoost makes one per call, and making one reads
// the cgroup CPU quota from /sys: six system calls, about a sixth of a one-row request's CPU.
inline DMatrixHandle ThreadProxyMatrix() {
  struct Proxy {
    DMatrixHandle handle = nullptr;
    Proxy() { if (XGProxyDMatrixCreate(&handle) != 0) handle = nullptr; }
    ~Proxy() { if (handle) XGDMatrixFree(handle); }
  };
  thread_local Proxy proxy;
  return proxy.handle;  // null if it could not be made: XGBoost then makes its own
}

// XGBoost's in-place prediction of `rows` dense row-major rows of `cols` floats (NaN missing):
// no DMatrix is built. The raw outputs, copied out of XGBoost's thread-local buffer.
inline Result<std::vector<float>> PredictDense(BoosterHandle booster, const float* data, size_t rows, size_t cols) {
  char array[160];
  std::snprintf(array, sizeof array, R"({"data": [%llu, true], "shape": [%zu, %zu], "typestr": "<f4", "version": 3})",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(data)), rows, cols);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  RETURN_IF_ERROR(XgbCheck(XGBoosterPredictFromDense(
                               booster, array,
                               R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                               R"("strict_shape": false, "missing": NaN, "cache_id": 0})",
                               ThreadProxyMatrix(), &shape, &dim, &out),
                           "predicting"));
  size_t total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return std::vector<float>(out, out + total);
}

class Forest;

// The booster's trees (its model saved as `ubjson`) evaluated natively (model/forest.h) when
// they give XGBoost's very bits on rows probing their own thresholds; null otherwise.
std::unique_ptr<Forest> CheckedForest(BoosterHandle booster, const std::string& ubjson, size_t features);

// The raw outputs of `rows` dense rows: by `forest` when given, else by XGBoost's in-place
// prediction; split over the cores from 50,000 rows.
Result<std::vector<float>> PredictRows(BoosterHandle booster, const Forest* forest, const float* data, size_t rows,
                                       size_t cols);

class XgbMatrix {
 public:
  XgbMatrix() = default;
  ~XgbMatrix() { if (h_) XGDMatrixFree(h_); }
  XgbMatrix(const XgbMatrix&) = delete;
  XgbMatrix& operator=(const XgbMatrix&) = delete;
  // Dense, row-major; NaN is missing.
  Status Create(const float* data, size_t rows, size_t cols, int threads) {
    return XgbCheck(XGDMatrixCreateFromMat_omp(data, rows, cols, std::nanf(""), &h_, threads), "creating a matrix");
  }
  DMatrixHandle get() const { return h_; }

 private:
  DMatrixHandle h_ = nullptr;
};

class XgbBooster {
 public:
  XgbBooster() = default;
  ~XgbBooster() { if (h_) XGBoosterFree(h_); }
  XgbBooster(const XgbBooster&) = delete;
  XgbBooster& operator=(const XgbBooster&) = delete;
  Status Create(const std::vector<DMatrixHandle>& cache) {
    return XgbCheck(XGBoosterCreate(cache.data(), cache.size(), &h_), "creating a booster");
  }
  BoosterHandle get() const { return h_; }
  // Takes ownership of `other`, freeing the booster held so far.
  void Reset(BoosterHandle other) {
    if (h_) XGBoosterFree(h_);
    h_ = other;
  }

 private:
  BoosterHandle h_ = nullptr;
};

}  // namespace gyre
