#include "core/env.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

// Wraps the real Env and fails the chosen step, to show that a failed write never leaves a
// half-written file in place or a temporary file behind.
class FaultEnv : public Env {
 public:
  enum class Fail { kNone, kAppend, kSync, kRename };
  explicit FaultEnv(Fail fail) : fail_(fail) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    ASSIGN_OR_RETURN(auto inner, base_->NewWritableFile(path));
    return std::unique_ptr<WritableFile>(new File(std::move(inner), fail_));
  }
  Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
  Status RenameFile(const std::string& a, const std::string& b) override {
    if (fail_ == Fail::kRename) return IOError("injected rename failure");
    return base_->RenameFile(a, b);
  }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
  Result<int64_t> FileModifiedMicros(const std::string& p) override { return base_->FileModifiedMicros(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override { return base_->ListDir(d); }
  int64_t NowMicros() override { return 0; }

 private:
  class File : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> inner, Fail fail) : inner_(std::move(inner)), fail_(fail) {}
    Status Append(std::string_view d) override {
      if (fail_ == Fail::kAppend) {
        (void)inner_->Append(d.substr(0, d.size() / 2));  // a torn write
        return IOError("injected: disk full");
      }
      return inner_->Append(d);
    }
    Status Sync() override { return fail_ == Fail::kSync ? IOError("injected fsync failure") : inner_->Sync(); }
    Status Close() override { return inner_->Close(); }

   private:
    std::unique_ptr<WritableFile> inner_;
    Fail fail_;
  };
  Env* base_ = Env::Default();
  Fail fail_;
};

TEST(EnvTest, AtomicWriteReplacesWholeFile) {
  testing::TempDir dir;
  std::string path = dir.File("a.txt");
  ASSERT_OK(WriteFileAtomic(Env::Default(), path, "first"));
  ASSERT_OK(WriteFileAtomic(Env::Default(), path, "second version"));
  EXPECT_EQ(testing::ReadAll(path), "second version");
  ASSERT_OK_AND_ASSIGN(auto names, Env::Default()->ListDir(dir.path()));
  EXPECT_EQ(names.size(), 1u) << "no temporary file left behind";
}

class AtomicWriteFaultTest : public ::testing::TestWithParam<FaultEnv::Fail> {};

TEST_P(AtomicWriteFaultTest, FailedWriteKeepsOldContentAndLeavesNoTemp) {
  testing::TempDir dir;
  std::string path = dir.File("a.txt");
  ASSERT_OK(WriteFileAtomic(Env::Default(), path, "old content"));
  FaultEnv env(GetParam());
  Status st = WriteFileAtomic(&env, path, std::string(10000, 'n'));
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_NE(st.message().find("injected"), std::string::npos) << st.ToString();
  EXPECT_EQ(testing::ReadAll(path), "old content");
  ASSERT_OK_AND_ASSIGN(auto names, Env::Default()->ListDir(dir.path()));
  EXPECT_EQ(names.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Faults, AtomicWriteFaultTest,
                         ::testing::Values(FaultEnv::Fail::kAppend, FaultEnv::Fail::kSync,
                                           FaultEnv::Fail::kRename),
                         [](const auto& info) {
                           switch (info.param) {
                             case FaultEnv::Fail::kAppend: return std::string("TornAppend");
                             case FaultEnv::Fail::kSync: return std::string("FailedSync");
                             case FaultEnv::Fail::kRename: return std::string("FailedRename");
                             default: return std::string("None");
                           }
                         });

TEST(EnvTest, PathHelpers) {
  EXPECT_EQ(DirName("a/b/c.txt"), "a/b");
  EXPECT_EQ(DirName("c.txt"), ".");
  EXPECT_EQ(BaseName("a/b/c.txt"), "c.txt");
  EXPECT_NE(UniqueTempName("x"), UniqueTempName("x"));
}

TEST(EnvTest, MissingFileIsNotFound) {
  auto r = Env::Default()->ReadFile("/nonexistent/gyre/file");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace gyre
