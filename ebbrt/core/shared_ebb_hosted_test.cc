// SPDX-License-Identifier: Apache-2.0
// Hosted only: each Run starts fresh core threads, the tests use threads that are not cores,
// and death tests fork; natively cores persist, every CPU is a core, and nothing can fork.
// SharedEbb off a core, across Runs, and misused (the portable tests: shared_ebb_test.cc).
#include "ebbrt/core/shared_ebb.h"

#include <thread>

#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "ebbrt/core/local_id_map.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::Named;

TEST(SharedEbbTest, ThreadsThatAreNotCoresAlwaysMissButGetTheRep) {
  EbbRef<Named> ref = *Named::Create("off-core");
  const int before = Named::faults.off_core.load();
  const Named* rep = static_cast<const Named*>(LocalIdMap::Find(ref.id(), EbbTypeTag<Named>()));
  ASSERT_NE(rep, nullptr);

  // The test's main thread.
  ASSERT_FALSE(OnCore());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(&*ref, rep);
  EXPECT_EQ(Named::faults.off_core.load() - before, 3);

  // A plain std::thread.
  std::thread([&] {
    for (int i = 0; i < 3; ++i) EXPECT_STREQ(ref->name(), "off-core");
  }).join();
  EXPECT_EQ(Named::faults.off_core.load() - before, 6);

  // A plain thread while a runtime is up: still not a core, still always a miss, and
  // using the Ebb from it does not disturb the cores' own caches.
  const int on_core_before = Named::faults.on_core[0].load();
  ebbrt::Run(2, [&] {
    (void)&*ref;
    std::thread([&] {
      for (int i = 0; i < 3; ++i) EXPECT_EQ(&*ref, rep);
    }).join();
    (void)&*ref;
    Stop();
  });
  EXPECT_EQ(Named::faults.off_core.load() - before, 9);
  EXPECT_EQ(Named::faults.on_core[0].load() - on_core_before, 1);
}

TEST(SharedEbbTest, EachRunStartsWithAnEmptyCache) {
  // A core's translation table lives as long as the core: a later Run faults again and
  // finds the same rep.
  EbbRef<Named> ref = *Named::Create("runs");
  const Named* first = nullptr;
  const Named* second = nullptr;
  const int before = Named::faults.on_core[0].load();
  ebbrt::Run(1, [&] {
    first = &*ref;
    Stop();
  });
  ebbrt::Run(1, [&] {
    second = &*ref;
    Stop();
  });
  EXPECT_EQ(first, second);
  EXPECT_EQ(Named::faults.on_core[0].load() - before, 2);
}

// ---- Misuse ---------------------------------------------------------------------------------

class SharedEbbDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(SharedEbbDeathTest, UsingAnUnboundIdOfANonDefaultConstructibleEbbIsFatal) {
  EbbRef<Named> unbound(*EbbAllocator::AllocateLocal());
  EXPECT_DEATH((void)unbound->name(),
               "SharedEbb used before a rep was bound to its id.*backtrace");
}

class CollidesA : public SharedEbb<CollidesA> {};
class CollidesB : public SharedEbb<CollidesB> {};

TEST_F(SharedEbbDeathTest, TwoTypesAtOneIdAreReportedNotConfused) {
  // What a static-id name collision looks like: the second type's first use is fatal.
  EXPECT_DEATH(
      {
        constexpr EbbId kId = StaticEbbId("shared_ebb_test.collision");
        (void)&*CollidesA::Static<kId>();
        (void)&*CollidesB::Static<kId>();
      },
      "bound to a root of another type");
}

}  // namespace
}  // namespace ebbrt
