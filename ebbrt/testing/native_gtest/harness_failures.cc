// SPDX-License-Identifier: Apache-2.0
// Assertions that must fail, in a native image that must therefore report failure. Its
// test (//ebbrt/testing:native_gtest_failures_test) checks the status and each report's
// wording, so a harness that passed everything could not pass it.
#include <stdint.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

bool g_after_assert_ran = false;

TEST(HarnessFailures, ExpectEqReportsBothValues) {
  int answer = 41;
  EXPECT_EQ(answer, 42) << "context " << 7;
}

TEST(HarnessFailures, AssertStopsTheBody) {
  ASSERT_TRUE(1 == 2);
  g_after_assert_ran = true;
}

TEST(HarnessFailures, StringsAreQuoted) { EXPECT_EQ(std::string("got"), "want"); }

TEST(HarnessFailures, CStringsCompareByContent) { EXPECT_STREQ("a", "b"); }

TEST(HarnessFailures, ContainersPrintTheirElements) {
  EXPECT_EQ((std::vector<int>{1, 3}), (std::vector<int>{1, 2, 3}));
}

TEST(HarnessFailures, OrderingShowsTheOperator) { EXPECT_LT(uint64_t{9}, 3u); }

TEST(HarnessFailures, NearShowsTheDifference) { EXPECT_NEAR(1.5, 1.0, 0.25); }

TEST(HarnessFailures, FailIsFatal) {
  const char* no_text = nullptr;
  FAIL() << "explicit " << no_text;
}

// Passes: the ASSERT above must have returned before the assignment.
TEST(HarnessFailures, NothingRanAfterTheFailedAssert) { EXPECT_FALSE(g_after_assert_ran); }

}  // namespace
