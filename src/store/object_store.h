// The content-addressed object store: blobs named by their SHA-256, stored once, complete
// before they are visible (tmp, fsync, rename), and checked against their name when read.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/layout.h"

namespace gyre {

class ObjectStore {
 public:
  // Creates objects/ and tmp/ under `layout.root` if needed. `env` must outlive the store.
  static Result<std::unique_ptr<ObjectStore>> Open(const HomeLayout& layout, Env* env);

  // Stores the bytes of the file at `path`; returns their SHA-256. Storing identical content
  // again writes nothing new. Thread-safe, and safe across processes sharing the home.
  Result<std::string> PutFile(const std::string& path);
  Result<std::string> PutBytes(std::string_view bytes);

  // Reads an object and checks that its bytes hash to `sha` (DataLoss if not).
  Result<std::string> Get(const std::string& sha) const;
  // Checks an object's hash without keeping its bytes.
  Status Verify(const std::string& sha) const;
  bool Contains(const std::string& sha) const;
  // Where the object lives, for readers that stream it (they must not modify it).
  std::string PathOf(const std::string& sha) const { return layout_.ObjectPath(sha); }
  // Every stored object's name.
  Result<std::vector<std::string>> List() const;

 private:
  ObjectStore(HomeLayout layout, Env* env) : layout_(std::move(layout)), env_(env) {}
  // Moves a complete temporary file into place under `sha`, or drops it if already stored.
  Status Commit(const std::string& tmp, const std::string& sha);

  HomeLayout layout_;
  Env* env_;
};

}  // namespace gyre
