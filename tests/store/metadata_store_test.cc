#include "store/metadata_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

NewDatasetVersion Request(const std::string& name, const std::string& sha) {
  NewDatasetVersion r;
  r.version.dataset = name;
  r.version.sha256 = sha;
  r.version.format = "csv";
  r.version.rows = 10;
  r.version.columns = 2;
  r.version.stats_json = "{}";
  r.version.anomalies_json = "[]";
  r.label = "y";
  r.schema_yaml = "dataset: " + name + "\n";
  return r;
}

TEST(MetadataStoreTest, MigratesAndNumbersVersions) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, MetadataStore::Open(HomeLayout(dir.path()), Env::Default()));
  ASSERT_OK_AND_ASSIGN(int64_t schema_version, store->SchemaVersion());
  EXPECT_GE(schema_version, 1);
  bool created = false;
  ASSERT_OK_AND_ASSIGN(auto v1, store->AddDatasetVersion(Request("tx", "aa"), &created));
  EXPECT_TRUE(created);
  EXPECT_EQ(v1.version, 1);
  ASSERT_OK_AND_ASSIGN(auto v2, store->AddDatasetVersion(Request("tx", "bb"), &created));
  EXPECT_EQ(v2.version, 2);
  ASSERT_OK_AND_ASSIGN(auto again, store->AddDatasetVersion(Request("tx", "aa"), &created));
  EXPECT_FALSE(created);
  EXPECT_EQ(again.version, 1);
  ASSERT_OK_AND_ASSIGN(auto latest, store->GetDatasetVersion("tx", 0));
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(store->GetDatasetVersion("tx", 9).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->GetDatasetVersion("nope", 0).status().code(), StatusCode::kNotFound);
  // Reopening applies no migration twice and keeps the data.
  store.reset();
  ASSERT_OK_AND_ASSIGN(store, MetadataStore::Open(HomeLayout(dir.path()), Env::Default()));
  ASSERT_OK_AND_ASSIGN(auto versions, store->ListDatasetVersions("tx"));
  EXPECT_EQ(versions.size(), 2u);
}

// Four processes add versions to the same home at once: every version is recorded exactly
// once, numbers are 1..N without gaps, and nobody sees "database is locked".
TEST(MetadataStoreTest, ConcurrentWriterProcessesLoseNothing) {
  testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto store, MetadataStore::Open(HomeLayout(dir.path()), Env::Default()));
  }
  constexpr int kProcs = 4, kEach = 25;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto store = MetadataStore::Open(HomeLayout(dir.path()), Env::Default());
      if (!store.ok()) ::_exit(10);
      for (int i = 0; i < kEach; ++i) {
        bool created;
        auto r = (*store)->AddDatasetVersion(Request("shared", std::to_string(p) + "-" + std::to_string(i)), &created);
        if (!r.ok() || !created) ::_exit(11);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer exit " << WEXITSTATUS(status);
  }
  ASSERT_OK_AND_ASSIGN(auto store, MetadataStore::Open(HomeLayout(dir.path()), Env::Default()));
  ASSERT_OK_AND_ASSIGN(auto versions, store->ListDatasetVersions("shared"));
  ASSERT_EQ(versions.size(), static_cast<size_t>(kProcs * kEach));
  for (size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i].version, static_cast<int64_t>(i + 1));
}

}  // namespace
}  // namespace gyre
