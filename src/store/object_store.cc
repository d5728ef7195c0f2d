#include "store/object_store.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/sha256.h"

namespace gyre {

std::string ResolveHome(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("GYRE_HOME"); env != nullptr && *env != '\0') return env;
  return ".gyre";
}

Result<std::unique_ptr<ObjectStore>> ObjectStore::Open(const HomeLayout& layout, Env* env) {
  RETURN_IF_ERROR(env->CreateDirs(layout.ObjectsDir()));
  RETURN_IF_ERROR(env->CreateDirs(layout.TmpDir()));
  return std::unique_ptr<ObjectStore>(new ObjectStore(layout, env));
}

Status ObjectStore::Commit(const std::string& tmp, const std::string& sha) {
  std::string dest = layout_.ObjectPath(sha);
  if (env_->FileExists(dest)) {
    (void)env_->RemoveFile(tmp);
    return Status::OK();
  }
  Status st = env_->CreateDirs(DirName(dest));
  if (st.ok()) {
    ::chmod(tmp.c_str(), 0444);  // objects are immutable
    st = env_->RenameFile(tmp, dest);
  }
  if (st.ok()) st = env_->SyncDir(DirName(dest));
  if (!st.ok()) (void)env_->RemoveFile(tmp);
  return st;
}

Result<std::string> ObjectStore::PutFile(const std::string& path) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) return ErrnoError("opening " + path);
  std::string tmp = layout_.TmpDir() + "/" + UniqueTempName("object");
  auto out = env_->NewWritableFile(tmp);
  if (!out.ok()) {
    std::fclose(in);
    return out.status();
  }
  Sha256 hash;
  std::vector<char> buf(1 << 20);
  Status st;
  size_t n;
  while (st.ok() && (n = std::fread(buf.data(), 1, buf.size(), in)) > 0) {
    hash.Update({buf.data(), n});
    st = (*out)->Append({buf.data(), n});
  }
  if (st.ok() && std::ferror(in)) st = IOError("reading " + path);
  std::fclose(in);
  if (st.ok()) st = (*out)->Sync();
  Status closed = (*out)->Close();
  if (st.ok()) st = closed;
  if (!st.ok()) {
    (void)env_->RemoveFile(tmp);
    return st;
  }
  std::string sha = hash.HexDigest();
  RETURN_IF_ERROR(Commit(tmp, sha));
  return sha;
}

Result<std::string> ObjectStore::PutBytes(std::string_view bytes) {
  std::string sha = Sha256Hex(bytes);
  if (Contains(sha)) return sha;
  std::string tmp = layout_.TmpDir() + "/" + UniqueTempName("object");
  ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(tmp));
  Status st = out->Append(bytes);
  if (st.ok()) st = out->Sync();
  Status closed = out->Close();
  if (st.ok()) st = closed;
  if (!st.ok()) {
    (void)env_->RemoveFile(tmp);
    return st;
  }
  RETURN_IF_ERROR(Commit(tmp, sha));
  return sha;
}

Result<std::string> ObjectStore::Get(const std::string& sha) const {
  if (!IsSha256Hex(sha)) return InvalidArgument("not an object name: " + sha);
  auto bytes = env_->ReadFile(layout_.ObjectPath(sha));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return NotFound("object " + sha + " is not in the store");
    return bytes.status();
  }
  if (Sha256Hex(*bytes) != sha) {
    return DataLoss("object " + sha + " is corrupt: its bytes no longer match its hash");
  }
  return bytes;
}

Status ObjectStore::Verify(const std::string& sha) const {
  if (!IsSha256Hex(sha)) return InvalidArgument("not an object name: " + sha);
  std::string path = layout_.ObjectPath(sha);
  if (!env_->FileExists(path)) return NotFound("object " + sha + " is not in the store");
  ASSIGN_OR_RETURN(std::string actual, Sha256OfFile(path));
  if (actual != sha) return DataLoss("object " + sha + " is corrupt: its bytes hash to " + actual);
  return Status::OK();
}

bool ObjectStore::Contains(const std::string& sha) const {
  return IsSha256Hex(sha) && env_->FileExists(layout_.ObjectPath(sha));
}

Result<std::vector<std::string>> ObjectStore::List() const {
  std::vector<std::string> names;
  ASSIGN_OR_RETURN(auto prefixes, env_->ListDir(layout_.ObjectsDir()));
  for (const auto& prefix : prefixes) {
    auto rest = env_->ListDir(layout_.ObjectsDir() + "/" + prefix);
    if (!rest.ok()) continue;
    for (const auto& r : *rest) {
      if (IsSha256Hex(prefix + r)) names.push_back(prefix + r);
    }
  }
  return names;
}

}  // namespace gyre
