// SPDX-License-Identifier: Apache-2.0
// Hosted only: death tests fork a child process, which the native harness cannot do.
// Misuse of a Promise or Future is a CHECK failure (the portable tests: future_test.cc).
#include "ebbrt/future/future.h"

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(FutureDeathTest, FulfillingTwiceIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Promise<int> p;
        p.SetValue(1);
        p.SetValue(2);
      },
      "fulfilled twice");
}

TEST(FutureDeathTest, ValueOfAnUnreadyFutureIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Promise<int> p;
        Future<int> f = p.GetFuture();
        (void)f.value();
      },
      "not fulfilled");
}

}  // namespace
}  // namespace ebbrt
