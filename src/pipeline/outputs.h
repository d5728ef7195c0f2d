// Files and folders by content: hashing inputs, storing a step's outputs in the ObjectStore and
// putting them back when a cached step's outputs are missing or changed (so that a cache hit
// never trusts files that are gone). A folder's hash is that of its manifest, a JSON list of
// {path, sha256} sorted by path (as DVC's .dir objects). Internal to pipeline/.
#pragma once

#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/object_store.h"

namespace gyre {

struct StoredPath {
  std::string sha256;  // the file's, or the folder manifest's
  bool folder = false;
  std::vector<std::string> objects;  // every object it took (files and the manifest)
};

// NotFound when the path does not exist.
Result<std::string> HashPath(const std::string& path);
Result<StoredPath> StorePath(ObjectStore* objects, const std::string& path);
// Makes `path` hold what `sha256` (a file, or a folder manifest when `folder`) describes,
// writing only what differs.
Status RestorePath(ObjectStore* objects, Env* env, const std::string& path, const std::string& sha256, bool folder);

}  // namespace gyre
