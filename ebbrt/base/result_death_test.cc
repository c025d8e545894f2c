// SPDX-License-Identifier: Apache-2.0
// Hosted only: death tests fork a child process, which the native harness cannot do.
// Misuse of Result<T> is a CHECK failure (the portable tests: result_test.cc).
#include "ebbrt/base/result.h"

#include "ebbrt/base/status.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(ResultDeathTest, ResultFromAnOkStatusIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH({ Result<int> r = Status::Ok(); (void)r; },
               "Result constructed from an ok Status without a value.*backtrace");
}

TEST(ResultDeathTest, ValueOfAnErrorIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Result<int> r = Status(StatusCode::kNotFound, "missing");
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) called on an error.*backtrace");
  EXPECT_DEATH((void)*r, "Result::value\\(\\) called on an error");
}

}  // namespace
}  // namespace ebbrt
