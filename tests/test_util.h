// Helpers shared by the tests: temporary folders, files, and matchers on Status.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/metadata_store.h"
#include "store/object_store.h"
#include "track/tracker.h"

namespace gyre::testing {

// A fresh folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to a file in this folder and returns its path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// A home with its stores open, for tests that set data up through the C++ API.
struct TestHome {
  explicit TestHome(const std::string& root);
  HomeLayout layout;
  std::unique_ptr<ObjectStore> objects;
  std::unique_ptr<MetadataStore> meta;
};

// A fixture with a fresh home, its stores and a tracker, and the CLI pointed at that home.
class HomeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // A finished run whose "model" artifact holds `bundle`.
  std::string TrainedRun(const std::string& bundle);
  int Gyre(std::vector<std::string> args, std::string* out, std::string* err = nullptr);

  TempDir dir_;
  std::unique_ptr<TestHome> home_;
  ObjectStore* objects_ = nullptr;
  MetadataStore* meta_ = nullptr;
  std::unique_ptr<Tracker> tracker_;
};

// Runs `gyre --home HOME ARGS...` in-process; returns the exit code.
int RunGyre(const std::string& home, std::vector<std::string> args, std::string* out, std::string* err = nullptr);

// The same, returning the exit code with both streams.
struct CliRun {
  int code;
  std::string out, err;
};
CliRun Gyre(const std::string& home, std::vector<std::string> args);

// A `gyre` process (the built executable) with its stdout on a pipe, for the commands that run
// until they are stopped (serve, loop).
class GyreProcess {
 public:
  explicit GyreProcess(std::vector<std::string> args);  // the arguments after the program name
  ~GyreProcess();  // kills it if it still runs
  bool started() const { return pid_ > 0; }
  // Reads stdout until `text` appears or the process closes it; returns all read so far.
  const std::string& ReadUntil(const std::string& text);
  // Sends `signal`, reads the rest of stdout and waits; returns the wait status.
  int Stop(int signal);
  const std::string& out() const { return out_; }

 private:
  int pid_ = -1, fd_ = -1;
  std::string out_;
};

std::string ReadAll(const std::string& path);
std::string DatasetPath(const std::string& name);  // ../shared/datasets/NAME
std::string TestDataPath(const std::string& rel);  // tests/data/REL
std::string GoldenPath(const std::string& rel);    // tests/golden/REL

}  // namespace gyre::testing

#define EXPECT_OK(expr)                                   \
  do {                                                    \
    const ::gyre::Status _s = (expr);                     \
    EXPECT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)
#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const ::gyre::Status _s = (expr);                     \
    ASSERT_TRUE(_s.ok()) << _s.ToString();                \
  } while (0)
// Asserts a Result is OK and moves its value into `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                             \
  auto GYRE_CONCAT(_r_, __LINE__) = (expr);                         \
  ASSERT_TRUE(GYRE_CONCAT(_r_, __LINE__).ok())                      \
      << GYRE_CONCAT(_r_, __LINE__).status().ToString();            \
  lhs = std::move(GYRE_CONCAT(_r_, __LINE__)).value()
