// SHA-256 through OpenSSL's EVP interface; digests are lowercase hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace gyre {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  std::string HexDigest();  // finishes; call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);
Result<std::string> Sha256OfFile(const std::string& path);
bool IsSha256Hex(std::string_view s);

}  // namespace gyre
