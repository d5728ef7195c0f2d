#include "store/object_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "core/sha256.h"
#include "tests/test_util.h"

namespace gyre {
namespace {

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ObjectStore::Open(HomeLayout(dir_.path()), Env::Default());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(ObjectStoreTest, StoresByContentOnceAndLaysOutByPrefix) {
  ASSERT_OK_AND_ASSIGN(std::string a, store_->PutBytes("hello"));
  ASSERT_OK_AND_ASSIGN(std::string b, store_->PutFile(dir_.Write("h.txt", "hello")));
  EXPECT_EQ(a, Sha256Hex("hello"));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(Env::Default()->FileExists(dir_.path() + "/objects/" + a.substr(0, 2) + "/" + a.substr(2)));
  ASSERT_OK_AND_ASSIGN(auto all, store_->List());
  EXPECT_EQ(all.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::string bytes, store_->Get(a));
  EXPECT_EQ(bytes, "hello");
  ASSERT_OK_AND_ASSIGN(auto tmp, Env::Default()->ListDir(dir_.path() + "/tmp"));
  EXPECT_TRUE(tmp.empty());
}

TEST_F(ObjectStoreTest, CorruptObjectIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::string sha, store_->PutBytes("precious"));
  std::string path = store_->PathOf(sha);
  ::chmod(path.c_str(), 0644);
  std::ofstream(path, std::ios::binary) << "tampered";
  auto got = store_->Get(sha);
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(store_->Verify(sha).code(), StatusCode::kDataLoss);
}

TEST_F(ObjectStoreTest, UnknownAndMalformedNames) {
  EXPECT_EQ(store_->Get(Sha256Hex("nothing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->Contains("zz"));
}

TEST_F(ObjectStoreTest, MissingSourceFileIsAnErrorAndStoresNothing) {
  auto r = store_->PutFile(dir_.File("absent"));
  EXPECT_FALSE(r.ok());
  ASSERT_OK_AND_ASSIGN(auto all, store_->List());
  EXPECT_TRUE(all.empty());
}

TEST_F(ObjectStoreTest, ConcurrentPutsOfSameContentAgree) {
  std::string content(1 << 20, 'z');
  std::vector<std::thread> threads;
  std::vector<std::string> shas(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto r = store_->PutBytes(content);
      shas[static_cast<size_t>(t)] = r.ok() ? *r : r.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : shas) EXPECT_EQ(s, Sha256Hex(content));
  EXPECT_OK(store_->Verify(shas[0]));
}

}  // namespace
}  // namespace gyre
