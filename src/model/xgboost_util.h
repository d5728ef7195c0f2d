// Owning handles and Status conversion for the XGBoost C API. Internal to model/ and train/:
// XGBoost types never appear in a public header.
#pragma once

#include <xgboost/c_api.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace gyre {

// XGBoost reports failure as -1 and keeps the message; this turns it into a Status.
inline Status XgbCheck(int rc, const char* what) {
  if (rc == 0) return Status::OK();
  return Internal(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

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
