// SPDX-License-Identifier: Apache-2.0
// Hosted only: death tests fork a child process, which the native harness cannot do.
// Calling an empty MovableFunction is a CHECK failure (the portable tests:
// movable_function_test.cc).
#include "ebbrt/base/movable_function.h"

#include <utility>

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using Fn = MovableFunction<int()>;

TEST(MovableFunctionDeathTest, CallingAnEmptyFunctionIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Fn empty;
  EXPECT_DEATH(empty(), "call of an empty MovableFunction.*backtrace");
  Fn f = [] { return 1; };
  Fn g = std::move(f);
  EXPECT_DEATH(f(), "call of an empty MovableFunction");  // NOLINT: moved-from
}

}  // namespace
}  // namespace ebbrt
