// SPDX-License-Identifier: Apache-2.0
// Hosted only: the test's own thread is not a core here; natively every CPU is one.
// The cores of a hosted Run: main runs on core 0, NumCores() is the Run's size, and the
// thread that called Run is not a core (the portable tests: event_manager_test.cc).
#include "ebbrt/event/event_manager.h"

#include <stddef.h>

#include "ebbrt/core/cpu.h"
#include "ebbrt/event/run.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(EventManagerTest, MainRunsOnCoreZeroAndSeesAllCores) {
  size_t seen_core = 99;
  size_t seen_cores = 0;
  ebbrt::Run(3, [&] {
    seen_core = MyCore();
    seen_cores = NumCores();
    Stop();
  });
  EXPECT_EQ(seen_core, 0u);
  EXPECT_EQ(seen_cores, 3u);
  EXPECT_FALSE(OnCore());
}

}  // namespace
}  // namespace ebbrt
