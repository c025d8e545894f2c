// SPDX-License-Identifier: Apache-2.0
// Hosted only: nearly all of these are death tests, which fork a child (natively impossible).
// EBBRT_CHECK and friends: a passing check does nothing; a failing one reports
// file:line, the condition, the message and a backtrace, then stops the program.
#include "ebbrt/base/check.h"

#include <string>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "gtest/gtest.h"

namespace ebbrt {

// Kept out of line so the check's caller has a frame of its own, and with external
// linkage so the hosted backtrace can name it (dladdr sees exported symbols only;
// functions in an anonymous namespace show up as "(in <binary>)").
[[gnu::noinline]] void CheckTestFailingCheckInANamedFunction(int value) {
  EBBRT_CHECK_MSG(value == 0, "value must be zero");
}

namespace {

// The report's first line names this file and the exact line of the check.
std::string Where(int line) { return "check_test\\.cc:" + std::to_string(line) + ": "; }

TEST(CheckTest, PassingChecksDoNothing) {
  int evaluations = 0;
  EBBRT_CHECK(++evaluations == 1);
  EBBRT_CHECK_MSG(++evaluations == 2, "not reported");
  EBBRT_CHECK_OK(Status::Ok());
  EBBRT_CHECK_OK(Result<int>(5));
  EBBRT_DCHECK(true);
  // Each condition is evaluated exactly once.
  EXPECT_EQ(evaluations, 2);
}

TEST(CheckTest, CheckOkEvaluatesItsExpressionOnce) {
  int calls = 0;
  auto counted = [&] {
    ++calls;
    return Status::Ok();
  };
  EBBRT_CHECK_OK(counted());
  EXPECT_EQ(calls, 1);
}

TEST(CheckTest, ChecksAreStatementsUsableWithoutBraces) {
  int x = 1;
  if (x == 1)
    EBBRT_CHECK(x > 0);
  else
    EBBRT_CHECK(x < 0);
  SUCCEED();
}

TEST(CheckDeathTest, CheckReportsFileLineConditionAndBacktrace) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int two = 2;
  const int line = __LINE__ + 1;
  EXPECT_DEATH(EBBRT_CHECK(two == 3),
               "FATAL .*" + Where(line) + "CHECK\\(two == 3\\).*backtrace:");
}

TEST(CheckDeathTest, CheckWithoutMessageHasNoTrailingSeparator) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int two = 2;
  // The condition text is followed directly by the end of the line.
  EXPECT_DEATH(EBBRT_CHECK(two == 3), "CHECK\\(two == 3\\)\n");
}

TEST(CheckDeathTest, CheckMsgReportsTheMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const char* pointer = nullptr;
  const int line = __LINE__ + 1;
  EXPECT_DEATH(EBBRT_CHECK_MSG(pointer != nullptr, "stack pool exhausted"),
               Where(line) + "CHECK\\(pointer != nullptr\\): stack pool exhausted\n.*backtrace:");
}

TEST(CheckDeathTest, CheckOkReportsTheStatusMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Status failed(StatusCode::kIoError, "disk on fire");
  const int line = __LINE__ + 1;
  EXPECT_DEATH(EBBRT_CHECK_OK(failed),
               Where(line) + "CHECK_OK\\(failed\\): disk on fire\n.*backtrace:");
}

TEST(CheckDeathTest, CheckOkAcceptsAResult) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const int line = __LINE__ + 1;
  EXPECT_DEATH(EBBRT_CHECK_OK(Result<int>(Status(StatusCode::kNotFound, "no such key"))),
               Where(line) + "CHECK_OK\\(.*\\): no such key\n.*backtrace:");
}

TEST(CheckDeathTest, UnreachableReportsTheMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const int line = __LINE__ + 1;
  EXPECT_DEATH(EBBRT_UNREACHABLE("bad state 42"),
               Where(line) + "UNREACHABLE: bad state 42\n.*backtrace:");
}

TEST(CheckDeathTest, BacktraceNamesTheFramesOfTheFailingCall) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Frame #0 is FatalError itself (PrintBacktrace's caller); the function holding the
  // check appears further down, by its (mangled, exported) name.
  EXPECT_DEATH(CheckTestFailingCheckInANamedFunction(1),
               "value must be zero\n\\[ebbrt\\] backtrace:\n  #0 0x[0-9a-f]{16} "
               "[^\n]*FatalError.*\n  #[0-9]+ 0x[0-9a-f]{16} "
               "[^\n]*CheckTestFailingCheckInANamedFunction");
}

#ifndef NDEBUG
TEST(CheckDeathTest, DcheckIsACheckInDebugBuilds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int zero = 0;
  EXPECT_DEATH(EBBRT_DCHECK(zero == 1), "CHECK\\(zero == 1\\)");
}
#endif

}  // namespace
}  // namespace ebbrt
