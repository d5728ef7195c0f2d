// What the sample-data generators share: a portable random generator and a buffered CSV
// writer. Internal to data/.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/env.h"

namespace gyre::gen {

// xoshiro256** seeded by splitmix64: fast, and identical everywhere (std:: distributions are
// not, so the few distributions needed are written out here).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9E3779B97F4A7C15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      s = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    while (u <= 0) u = Uniform();
    double v = Uniform();
    double r = std::sqrt(-2 * std::log(u));
    spare_ = r * std::sin(2 * M_PI * v);
    has_spare_ = true;
    return r * std::cos(2 * M_PI * v);
  }
  int64_t Poisson(double lambda) {  // Knuth; lambda is small here
    double l = std::exp(-lambda), p = 1;
    int64_t k = 0;
    do {
      ++k;
      p *= Uniform();
    } while (p > l);
    return k - 1;
  }
  size_t Pick(const double* weights, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += weights[i];
    double x = Uniform() * total;
    for (size_t i = 0; i < n; ++i) {
      if ((x -= weights[i]) < 0) return i;
    }
    return n - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

class CsvWriter {
 public:
  explicit CsvWriter(WritableFile* file) : file_(file) { buf_.reserve(1 << 20); }
  void Raw(std::string_view s) { buf_.append(s); }
  void Int(int64_t v) {
    char tmp[24];
    auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, p);
  }
  void Fixed(double v, int digits) {
    char tmp[64];
    auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v, std::chars_format::fixed, digits);
    buf_.append(tmp, p);
  }
  Status MaybeFlush() { return buf_.size() > (1 << 20) - 4096 ? Flush() : Status::OK(); }
  Status Flush() {
    Status st = file_->Append(buf_);
    buf_.clear();
    return st;
  }

 private:
  WritableFile* file_;
  std::string buf_;
};

// Writes a CSV through `write_rows` to a temporary file, then renames it into place: the file
// appears complete or not at all.
template <typename WriteRows>
Status WriteCsvAtomically(Env* env, const std::string& path, WriteRows write_rows) {
  std::string tmp = DirName(path) + "/" + UniqueTempName(std::string(".").append(BaseName(path)));
  ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp));
  CsvWriter w(file.get());
  Status st = write_rows(w);
  if (st.ok()) st = w.Flush();
  if (st.ok()) st = file->Sync();
  Status closed = file->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = env->RenameFile(tmp, path);
  if (!st.ok()) (void)env->RemoveFile(tmp);
  return st;
}

}  // namespace gyre::gen
