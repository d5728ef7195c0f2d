// The filesystem and the clock, behind a small interface so that tests can inject a failed
// write, a crash between write and rename, or a fake clock (after LevelDB's Env).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gyre {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;   // fsync: the bytes are on disk when this returns OK
  virtual Status Close() = 0;  // idempotent
};

class Env {
 public:
  virtual ~Env() = default;
  // The process-wide POSIX environment; never deleted.
  static Env* Default();

  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual Result<int64_t> FileModifiedMicros(const std::string& path) = 0;  // since the Unix epoch
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual int64_t NowMicros() = 0;  // wall clock, microseconds since the Unix epoch
};

// Writes `data` to `path` so that readers see either the old file or the whole new one:
// write to a temporary file in `tmp_dir` (same filesystem), fsync, rename, fsync the folder.
Status WriteFileAtomic(Env* env, const std::string& path, std::string_view data,
                       const std::string& tmp_dir = "");

// A unique file name for temporary files: "<prefix>.<pid>.<counter>.<random>".
std::string UniqueTempName(const std::string& prefix);

// Directory part of a path ("a/b/c.txt" -> "a/b"; "c.txt" -> ".").
std::string DirName(const std::string& path);
std::string BaseName(const std::string& path);

// Lowers the calling thread's priority to `nice`, for background work that should give way to
// what a user waits for. Linux gives each thread its own nice value. Best effort: an
// unprivileged thread cannot raise it back.
void LowerThisThreadPriority(int nice);

}  // namespace gyre
