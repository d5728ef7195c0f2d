#include "core/sha256.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace gyre {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneShotAndFile) {
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  Sha256 h;
  h.Update(std::string_view(data).substr(0, 1000));
  h.Update(std::string_view(data).substr(1000));
  std::string expected = Sha256Hex(data);
  EXPECT_EQ(h.HexDigest(), expected);
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::string from_file, Sha256OfFile(dir.Write("f", data)));
  EXPECT_EQ(from_file, expected);
}

TEST(Sha256Test, RecognizesHexNames) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("a")));
  EXPECT_FALSE(IsSha256Hex("abc"));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'G')));
}

}  // namespace
}  // namespace gyre
