// SPDX-License-Identifier: Apache-2.0
// Hosted only: each Run starts fresh core threads, the test's thread is not a core, and
// death tests fork; natively cores persist, every CPU is a core, and nothing can fork.
// MulticoreEbb across Runs, off a core, and misused (the portable tests:
// multicore_ebb_test.cc).
#include "ebbrt/core/multicore_ebb.h"

#include <stddef.h>

#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::DestroyRoot;
using core_test_internal::PerCore;
using core_test_internal::Shard;

TEST(MulticoreEbbTest, RepsOutliveARunAndAreFoundAgainByTheNextOne) {
  PerCore::ResetCounts();
  EbbRef<PerCore> ref = *PerCore::Create();
  PerCore* first = nullptr;
  PerCore* second = nullptr;
  testing_internal::InFreshRun(2, [&] {
    EXPECT_TRUE(SpawnOn(1, [&] { first = &*ref; }).Block().ok());
  });
  testing_internal::InFreshRun(2, [&] {
    EXPECT_TRUE(SpawnOn(1, [&] { second = &*ref; }).Block().ok());
  });
  EXPECT_EQ(first, second);
  EXPECT_EQ(PerCore::constructed.load(), 1);
  // A fresh core thread has an empty translation cache, so it missed again.
  EXPECT_EQ(PerCore::faults[1].load(), 2);
  DestroyRoot<PerCore, MulticoreRoot<PerCore>>(ref);
}

// ---- Misuse -------------------------------------------------------------------------------

class MulticoreEbbDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(MulticoreEbbDeathTest, RootOfAnUncreatedEbbWithoutDefaultRootIsFatal) {
  EbbRef<Shard> never_created(*EbbAllocator::AllocateLocal());
  EXPECT_DEATH((void)Shard::RootOf(never_created),
               "MulticoreEbb used before its root was created.*backtrace");
}

TEST_F(MulticoreEbbDeathTest, UsingAMulticoreEbbOffACoreIsFatal) {
  // There is no "this core's rep" for a thread that is not a core.
  class Plain : public MulticoreEbb<Plain> {};
  EbbRef<Plain> ref = *Plain::Create();
  EXPECT_DEATH((void)&*ref, "not running on an EbbRT core");
}

}  // namespace
}  // namespace ebbrt
