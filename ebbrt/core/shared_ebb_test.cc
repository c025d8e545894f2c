// SPDX-License-Identifier: Apache-2.0
// EbbRef translation and SharedEbb: a miss on a core's first use and hits afterwards,
// one rep for the whole machine, lazy construction at a static id, and the construction
// race between cores (off a core and across Runs: shared_ebb_hosted_test.cc).
#include "ebbrt/core/shared_ebb.h"

#include <stdint.h>

#include <atomic>
#include <type_traits>

#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "ebbrt/core/local_id_map.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/testing/on_cores.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::CountedSharedEbb;
using core_test_internal::kTestCores;
using core_test_internal::Named;
using testing_internal::InFreshRun;
using testing_internal::OnAllCoresAtOnce;

// CountedSharedEbb (counts translation misses) and Named:
// ebbrt/core/internal/test_ebbs_for_test.h.

// ---- EbbRef -----------------------------------------------------------------------------

class Config : public CountedSharedEbb<Config> {
 public:
  explicit Config(int port) : port_(port) {}
  int port() const { return port_; }

 private:
  int port_;
};

static_assert(sizeof(EbbRef<Config>) == 4);
static_assert(std::is_trivially_copyable_v<EbbRef<Config>>);
static_assert(!EbbRef<Config>());
static_assert(EbbRef<Config>().id() == kNullEbbId);
static_assert(EbbRef<Config>(300).id() == 300);
static_assert(EbbRef<Config>(300) == EbbRef<Config>(300));
static_assert(!(EbbRef<Config>(300) == EbbRef<Config>(301)));
static_assert(static_cast<bool>(EbbRef<Config>(300)));

TEST(EbbRefTest, CopiesAreTheSameRef) {
  EbbRef<Config> a(1234);
  EbbRef<Config> b = a;
  EbbRef<Config> c;
  c = b;
  EXPECT_EQ(c.id(), 1234u);
  EXPECT_TRUE(a == c);
}

// ---- SharedEbb::Create, and hits after the first miss ------------------------------------

TEST(SharedEbbTest, CreateBindsOneRepReachableFromEveryCore) {
  EBBRT_REQUIRE_CORES(kTestCores);
  Result<EbbRef<Config>> created = Config::Create(11211);
  ASSERT_TRUE(created.ok());
  EbbRef<Config> config = *created;
  EXPECT_TRUE(IsLocalId(config.id()));
  void* bound = LocalIdMap::Find(config.id(), EbbTypeTag<Config>());
  ASSERT_NE(bound, nullptr);

  const Config* seen[kTestCores] = {};
  int ports[kTestCores] = {};
  OnAllCoresAtOnce(kTestCores, [&](size_t core) {
    seen[core] = &*config;  // First use on this core: a miss.
    ports[core] = config->port();  // Later uses: hits.
    ports[core] += config->port() - 11211;
  });
  for (size_t core = 0; core < kTestCores; ++core) {
    EXPECT_EQ(seen[core], bound) << "core " << core;
    EXPECT_EQ(ports[core], 11211) << "core " << core;
    EXPECT_EQ(Config::faults.on_core[core].load(), 1) << "core " << core;
  }
  EXPECT_EQ(Config::faults.off_core.load(), 0);
}

// Used by one test only, so its fault counts start at zero whatever the test order.
class Greeter : public CountedSharedEbb<Greeter> {
 public:
  const char* name() const { return "n"; }
};

TEST(SharedEbbTest, FirstUseOnACoreMissesLaterUsesHit) {
  EBBRT_REQUIRE_CORES(3);
  EbbRef<Greeter> ref = *Greeter::Create();
  int faults_after_first[kTestCores] = {};
  int faults_after_many[kTestCores] = {};
  InFreshRun(3, [&] {
    for (size_t core : {2, 0, 1}) {
      EXPECT_TRUE(SpawnOn(core, [&, core] {
                    EXPECT_EQ(Greeter::faults.on_core[core].load(), 0);
                    (void)ref->name();
                    faults_after_first[core] = Greeter::faults.on_core[core].load();
                    for (int i = 0; i < 1000; ++i) EXPECT_STREQ(ref->name(), "n");
                    faults_after_many[core] = Greeter::faults.on_core[core].load();
                  }).Block().ok());
    }
  });
  for (size_t core = 0; core < 3; ++core) {
    EXPECT_EQ(faults_after_first[core], 1) << "core " << core;
    EXPECT_EQ(faults_after_many[core], 1) << "core " << core;
  }
}

TEST(SharedEbbTest, LaterEventsOnTheSameCoreStillHit) {
  EBBRT_REQUIRE_CORES(2);
  // The cache belongs to the core, not to the event.
  struct Hits : CountedSharedEbb<Hits> {};
  EbbRef<Hits> ref = *Hits::Create();
  std::atomic<int> events_left{50};
  ebbrt::Run(2, [&] {
    for (int i = 0; i < 50; ++i) {
      SpawnRemote(
          [&] {
            (void)&*ref;
            if (events_left.fetch_sub(1) == 1) Stop();
          },
          1);
    }
  });
  EXPECT_EQ(Hits::faults.on_core[1].load(), 1);
  EXPECT_EQ(Hits::faults.on_core[0].load(), 0);
}

TEST(SharedEbbTest, CreateOnACoreWorksToo) {
  EBBRT_REQUIRE_CORES(2);
  EbbRef<Named> ref;
  const Named* seen_on_1 = nullptr;
  ebbrt::Run(2, [&] {
    ref = *Named::Create("made on core 0");
    SpawnRemote(
        [&] {
          seen_on_1 = &*ref;
          Stop();
        },
        1);
  });
  ASSERT_NE(seen_on_1, nullptr);
  EXPECT_STREQ(seen_on_1->name(), "made on core 0");
  EXPECT_EQ(seen_on_1, LocalIdMap::Find(ref.id(), EbbTypeTag<Named>()));
}

TEST(SharedEbbTest, CreateGivesEachEbbItsOwnId) {
  EbbRef<Named> a = *Named::Create("a");
  EbbRef<Named> b = *Named::Create("b");
  EXPECT_NE(a.id(), b.id());
  EXPECT_STREQ(a->name(), "a");
  EXPECT_STREQ(b->name(), "b");
}

TEST(SharedEbbTest, BindAnExistingRep) {
  static Named rep("bound by hand");
  static Named other("second");
  EbbId id = *EbbAllocator::AllocateLocal();
  ASSERT_TRUE(Named::Bind(id, &rep).ok());
  EXPECT_EQ(&*EbbRef<Named>(id), &rep);
  // A second Bind of the id fails and leaves the first rep in place.
  Status again = Named::Bind(id, &other);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(&*EbbRef<Named>(id), &rep);
}

// ---- Lazy construction at a static id ---------------------------------------------------

class Lazy : public CountedSharedEbb<Lazy> {
 public:
  Lazy() : built_on_(MyCore()) { constructed.fetch_add(1); }
  size_t built_on() const { return built_on_; }
  static inline std::atomic<int> constructed{0};

 private:
  size_t built_on_;
};

inline constexpr EbbId kLazyId = StaticEbbId("shared_ebb_test.lazy");
static_assert(IsStaticId(kLazyId));

TEST(SharedEbbTest, DefaultConstructibleRepIsBuiltOnFirstUse) {
  EBBRT_REQUIRE_CORES(4);
  constexpr EbbRef<Lazy> lazy = Lazy::Static<kLazyId>();
  static_assert(lazy.id() == kLazyId);
  EXPECT_EQ(LocalIdMap::Find(kLazyId, EbbTypeTag<Lazy>()), nullptr);
  EXPECT_EQ(Lazy::constructed.load(), 0);

  const Lazy* seen[kTestCores] = {};
  int constructed_after_first = -1;
  InFreshRun(4, [&] {
    for (size_t core : {2, 0, 3, 1}) {
      EXPECT_TRUE(SpawnOn(core, [&, core] {
                    seen[core] = &*lazy;
                    if (core == 2) constructed_after_first = Lazy::constructed.load();
                  }).Block().ok());
    }
  });
  // Built once, by the first core that used it (core 2), during that first use.
  EXPECT_EQ(constructed_after_first, 1);
  EXPECT_EQ(Lazy::constructed.load(), 1);
  ASSERT_NE(seen[2], nullptr);
  EXPECT_EQ(seen[2]->built_on(), 2u);
  for (size_t core = 0; core < 4; ++core) {
    EXPECT_EQ(seen[core], seen[2]) << "core " << core;
    EXPECT_EQ(Lazy::faults.on_core[core].load(), 1) << "core " << core;
  }
  EXPECT_EQ(LocalIdMap::Find(kLazyId, EbbTypeTag<Lazy>()), seen[2]);
}

// ---- The construction race --------------------------------------------------------------

// Every core's first use builds a rep at once. To make the race certain rather than
// likely, each constructor waits (bounded) until all cores are constructing: every core
// has then already seen the id unbound, so all of them go on to race in Bind.
class Racy : public CountedSharedEbb<Racy> {
 public:
  Racy() {
    constructed.fetch_add(1);
    const uint64_t deadline_ns = event_internal::PlatformNowNs() + 5'000'000'000;
    while (constructed.load() < static_cast<int>(kTestCores) &&
           event_internal::PlatformNowNs() < deadline_ns) {
      __builtin_ia32_pause();
    }
  }
  ~Racy() { destroyed.fetch_add(1); }
  static inline std::atomic<int> constructed{0};
  static inline std::atomic<int> destroyed{0};
};

inline constexpr EbbId kRacyId = StaticEbbId("shared_ebb_test.racy");

TEST(SharedEbbTest, ConcurrentFirstUseKeepsExactlyOneRep) {
  EBBRT_REQUIRE_CORES(kTestCores);
  constexpr EbbRef<Racy> racy = Racy::Static<kRacyId>();
  const Racy* seen[kTestCores] = {};
  // Every core derefs at the same moment (the helper's start barrier).
  OnAllCoresAtOnce(kTestCores, [&](size_t core) {
    seen[core] = &*racy;
  });
  const int constructed = Racy::constructed.load();
  EXPECT_GE(constructed, 1);
  EXPECT_EQ(constructed, static_cast<int>(kTestCores)) << "the race did not happen";
  EXPECT_EQ(Racy::destroyed.load(), constructed - 1);
  const void* winner = LocalIdMap::Find(kRacyId, EbbTypeTag<Racy>());
  ASSERT_NE(winner, nullptr);
  for (size_t core = 0; core < kTestCores; ++core) {
    EXPECT_EQ(seen[core], winner) << "core " << core;
    EXPECT_EQ(Racy::faults.on_core[core].load(), 1) << "core " << core;
  }
}

}  // namespace
}  // namespace ebbrt
