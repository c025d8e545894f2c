// SPDX-License-Identifier: Apache-2.0
// The googletest subset itself, on both platforms: every assertion passes where it
// should, fixtures run SetUp/TearDown around the body, skips skip. Its failure side is
// harness_failures.cc (native only: it must fail).
#include <stdint.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

enum class Color { kRed, kGreen };

TEST(HarnessTest, ComparisonsPass) {
  EXPECT_EQ(1 + 1, 2);
  EXPECT_NE(1, 2);
  EXPECT_LT(1, 2);
  EXPECT_LE(2, 2);
  EXPECT_GT(3, 2);
  EXPECT_GE(3, 3);
  EXPECT_TRUE(true) << "never shown";
  EXPECT_FALSE(false);
  EXPECT_STREQ("abc", std::string("abc").c_str());
  EXPECT_STRNE("abc", "abd");
  EXPECT_NEAR(0.1 + 0.2, 0.3, 1e-9);
  ASSERT_NEAR(10, 12, 2);
  EXPECT_EQ(std::string("x") + "y", "xy");
  EXPECT_EQ(Color::kGreen, Color::kGreen);
  int value = 5;
  EXPECT_EQ(&value, &value);
  EXPECT_NE(&value, nullptr);
  std::vector<uint64_t> values = {1, 2, 3};
  ASSERT_EQ(values.size(), 3u);
  ASSERT_TRUE(values[0] == 1);
  SUCCEED() << "fine";
}

class FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override { steps_.push_back("setup"); }
  void TearDown() override {
    steps_.push_back("teardown");
    // TearDown sees what the body did.
    EXPECT_EQ(steps_.size(), 3u);
  }
  std::vector<std::string> steps_;
};

TEST_F(FixtureTest, SetUpRunsBeforeTheBody) {
  ASSERT_EQ(steps_.size(), 1u);
  EXPECT_EQ(steps_[0], "setup");
  steps_.push_back("body");
}

TEST(HarnessTest, SkipStopsTheBodyWithoutFailing) {
  GTEST_SKIP() << "skipped on purpose";
  ADD_FAILURE() << "GTEST_SKIP must return from the body";
}

// Helper returning void, so ASSERT_* may return from it, as in googletest.
void AssertInHelper(bool* reached_end) {
  ASSERT_TRUE(true);
  *reached_end = true;
}

TEST(HarnessTest, AssertInAHelperFunctionReturnsOnlyOnFailure) {
  bool reached_end = false;
  AssertInHelper(&reached_end);
  EXPECT_TRUE(reached_end);
  EXPECT_FALSE(::testing::Test::HasFailure());
}

}  // namespace
