#include "core/status.h"

#include <gtest/gtest.h>

namespace gyre {
namespace {

TEST(StatusTest, OkIsFreeAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, LocationNamesFileLineColumnAndField) {
  Status s = InvalidArgument("expected a number, got \"12,5O\"", {"tx.csv", 812, 4, "amount"});
  EXPECT_EQ(s.ToString(), "tx.csv: line 812, column 4 (amount): expected a number, got \"12,5O\"");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, ContextIsPrependedAndFileFilledOnce) {
  Status s = InvalidArgument("bad", {"", 3, 0, ""}).InFile("a.csv").InFile("b.csv");
  EXPECT_EQ(s.where().file, "a.csv");
  EXPECT_EQ(s.WithContext("reading").message(), "reading: bad");
}

TEST(StatusTest, ExitAndHttpCodesFollowTheDesign) {
  EXPECT_EQ(ExitCodeFor(StatusCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(StatusCode::kInvalidArgument), 1);
  EXPECT_EQ(ExitCodeFor(StatusCode::kNotFound), 1);
  EXPECT_EQ(ExitCodeFor(StatusCode::kFailedPrecondition), 3);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "odd");
}

}  // namespace
}  // namespace gyre
