// SPDX-License-Identifier: Apache-2.0
// Hosted only: each test exhausts an id range in a forked child, which natively is impossible.
// EbbAllocator: a used-up range fails cleanly and stays used up (the portable tests:
// ebb_allocator_test.cc).
#include "ebbrt/core/ebb_allocator.h"

#include <stdlib.h>

#include "ebbrt/core/ebb_id.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// Exhaustion uses up a whole range, so it runs in a child process (a death-test
// sandbox) to leave this process's allocator alone. The child exits 0 only if every
// expectation held.
int ExhaustAndCheck(Result<EbbId> (*allocate)(), EbbId first, EbbId end) {
  EbbId expected = *allocate();
  if (expected < first) return 2;
  while (true) {
    Result<EbbId> id = allocate();
    if (!id.ok()) {
      if (id.status().code() != StatusCode::kResourceExhausted) return 3;
      break;
    }
    if (*id != expected + 1) return 4;  // Every id handed out once, in order.
    expected = *id;
  }
  if (expected != end - 1) return 5;  // The range was used to its last id.
  // It stays exhausted: ids are never reused, and the counter does not wrap.
  for (int i = 0; i < 100; ++i) {
    Result<EbbId> again = allocate();
    if (again.ok() || again.status().code() != StatusCode::kResourceExhausted) return 6;
  }
  return 0;
}

TEST(EbbAllocatorDeathTest, LocalRangeExhaustsCleanly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(exit(ExhaustAndCheck(&EbbAllocator::AllocateLocal, kFirstLocalId,
                                   kFirstGlobalId)),
              testing::ExitedWithCode(0), "");
}

TEST(EbbAllocatorDeathTest, GlobalRangeExhaustsCleanly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(exit(ExhaustAndCheck(&EbbAllocator::AllocateGlobal, kFirstGlobalId,
                                   kMaxEbbIds)),
              testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace ebbrt
