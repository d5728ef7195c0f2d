#include "pipeline/outputs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/sha256.h"

namespace gyre {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// The regular files under `dir`, relative and sorted.
Result<std::vector<std::string>> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  }
  if (ec) return IOError("listing " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// The manifest of a folder; with `objects`, every file is also stored.
Result<std::string> Manifest(const std::string& dir, ObjectStore* objects, std::vector<std::string>* stored) {
  ASSIGN_OR_RETURN(std::vector<std::string> files, FilesUnder(dir));
  json list = json::array();
  for (const auto& rel : files) {
    std::string sha;
    if (objects) {
      ASSIGN_OR_RETURN(sha, objects->PutFile(dir + "/" + rel));
      stored->push_back(sha);
    } else {
      ASSIGN_OR_RETURN(sha, Sha256OfFile(dir + "/" + rel));
    }
    list.push_back({{"path", rel}, {"sha256", sha}});
  }
  return list.dump();
}

Status RestoreFile(ObjectStore* objects, Env* env, const std::string& path, const std::string& sha) {
  if (env->FileExists(path)) {
    auto now = Sha256OfFile(path);
    if (now.ok() && *now == sha) return Status::OK();
  }
  ASSIGN_OR_RETURN(std::string bytes, objects->Get(sha));
  RETURN_IF_ERROR(env->CreateDirs(DirName(path)));
  return WriteFileAtomic(env, path, bytes);
}

}  // namespace

Result<std::string> HashPath(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    ASSIGN_OR_RETURN(std::string manifest, Manifest(path, nullptr, nullptr));
    return Sha256Hex(manifest);
  }
  if (!fs::exists(path, ec)) return NotFound(path + " does not exist");
  return Sha256OfFile(path);
}

Result<StoredPath> StorePath(ObjectStore* objects, const std::string& path) {
  StoredPath s;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    s.folder = true;
    ASSIGN_OR_RETURN(std::string manifest, Manifest(path, objects, &s.objects));
    ASSIGN_OR_RETURN(s.sha256, objects->PutBytes(manifest));
  } else {
    if (!fs::exists(path, ec)) return NotFound(path + " does not exist");
    ASSIGN_OR_RETURN(s.sha256, objects->PutFile(path));
  }
  s.objects.push_back(s.sha256);
  return s;
}

Status RestorePath(ObjectStore* objects, Env* env, const std::string& path, const std::string& sha256, bool folder) {
  if (!folder) return RestoreFile(objects, env, path, sha256);
  ASSIGN_OR_RETURN(std::string manifest, objects->Get(sha256));
  try {
    for (const auto& entry : json::parse(manifest)) {
      RETURN_IF_ERROR(RestoreFile(objects, env, path + "/" + entry["path"].get<std::string>(),
                                  entry["sha256"].get<std::string>()));
    }
  } catch (const json::exception& e) {
    return DataLoss("the manifest of " + path + " is damaged: " + e.what());
  }
  return Status::OK();
}

}  // namespace gyre
