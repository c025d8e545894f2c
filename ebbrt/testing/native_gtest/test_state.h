// SPDX-License-Identifier: Apache-2.0
// The running test's outcome flags, shared by the assertion reporting (gtest.cc) and the
// runner (gtest_main.cc). Atomic: assertions may fail on any core.
#pragma once

#include <atomic>

namespace testing::internal {

struct TestState {
  std::atomic<bool> failed{false};
  std::atomic<bool> fatal_failure{false};
  std::atomic<bool> skipped{false};

  void Reset() {
    failed.store(false);
    fatal_failure.store(false);
    skipped.store(false);
  }
};

TestState& CurrentTest();

}  // namespace testing::internal
