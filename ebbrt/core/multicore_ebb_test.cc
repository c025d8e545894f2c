// SPDX-License-Identifier: Apache-2.0
// MulticoreEbb: one rep per core, built lazily on that core, reachable through the root;
// custom roots with their own state; the root's construction race at a static id.
#include "ebbrt/core/multicore_ebb.h"

#include <stdint.h>

#include <atomic>
#include <set>
#include <type_traits>
#include <vector>

#include "ebbrt/core/cpu.h"
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

using core_test_internal::DestroyRoot;
using core_test_internal::kTestCores;
using core_test_internal::PerCore;
using core_test_internal::Shard;
using core_test_internal::ShardRoot;
using testing_internal::InFreshRun;
using testing_internal::OnAllCoresAtOnce;

// ---- One rep per core (PerCore: ebbrt/core/internal/test_ebbs_for_test.h) ------------------

TEST(MulticoreEbbTest, OneRepPerCoreBuiltOnThatCoreOnFirstUse) {
  EBBRT_REQUIRE_CORES(4);
  PerCore::ResetCounts();
  EbbRef<PerCore> ref = *PerCore::Create();
  EXPECT_TRUE(IsLocalId(ref.id()));
  EXPECT_EQ(PerCore::constructed.load(), 0);  // Create builds the root only.

  constexpr size_t kCores = 4;
  PerCore* reps[kCores] = {};
  size_t built_on[kCores] = {};
  int faults_after_first[kCores] = {};
  OnAllCoresAtOnce(kCores, [&](size_t core) {
    reps[core] = &*ref;
    built_on[core] = reps[core]->built_on();
    faults_after_first[core] = PerCore::faults[core].load();
    for (int i = 0; i < 100; ++i) ++ref->uses;  // Hits: this core's rep again.
  });

  EXPECT_EQ(PerCore::constructed.load(), static_cast<int>(kCores));
  std::set<PerCore*> distinct(reps, reps + kCores);
  EXPECT_EQ(distinct.size(), kCores);
  MulticoreRoot<PerCore>& root = PerCore::RootOf(ref);
  for (size_t core = 0; core < kCores; ++core) {
    EXPECT_EQ(built_on[core], core);
    EXPECT_EQ(faults_after_first[core], 1) << "core " << core;
    EXPECT_EQ(PerCore::faults[core].load(), 1) << "core " << core;
    EXPECT_EQ(root.RepOf(core), reps[core]);
    EXPECT_EQ(reps[core]->uses, 100);  // Each core's uses went to its own rep.
  }
  for (size_t core = kCores; core < kMaxCores; ++core) EXPECT_EQ(root.RepOf(core), nullptr);

  DestroyRoot<PerCore, MulticoreRoot<PerCore>>(ref);
  EXPECT_EQ(PerCore::destroyed.load(), static_cast<int>(kCores));
}

TEST(MulticoreEbbTest, RepsAreBuiltOnlyWhereUsedAndVisitedInCoreOrder) {
  EBBRT_REQUIRE_CORES(kTestCores);
  PerCore::ResetCounts();
  EbbRef<PerCore> ref = *PerCore::Create();
  std::vector<size_t> visited_on_core;
  // Used on cores 5, 1 and 3, in that order; never on 0, 2, 4, 6 or 7.
  InFreshRun(kTestCores, [&] {
    for (size_t core : {5, 1, 3}) EXPECT_TRUE(SpawnOn(core, [&] { (void)&*ref; }).Block().ok());
    // From core 0, which never used the Ebb: the root still reaches the others' reps.
    EXPECT_TRUE(SpawnOn(0, [&] {
                  PerCore::RootOf(ref).ForEachRep([&](size_t c, PerCore& rep) {
                    EXPECT_EQ(rep.built_on(), c);
                    visited_on_core.push_back(c);
                  });
                }).Block().ok());
  });
  EXPECT_EQ(visited_on_core, (std::vector<size_t>{1, 3, 5}));
  EXPECT_EQ(PerCore::constructed.load(), 3);
  EXPECT_EQ(PerCore::faults[0].load(), 0);  // RootOf is not a translation.

  // The same from outside the Run (hosted: a thread that is not a core).
  std::vector<size_t> visited_off_core;
  const MulticoreRoot<PerCore>& root = PerCore::RootOf(ref);
  root.ForEachRep([&](size_t c, const PerCore&) { visited_off_core.push_back(c); });
  EXPECT_EQ(visited_off_core, (std::vector<size_t>{1, 3, 5}));
  EXPECT_EQ(root.RepOf(0), nullptr);
  EXPECT_NE(root.RepOf(5), nullptr);

  DestroyRoot<PerCore, MulticoreRoot<PerCore>>(ref);
  EXPECT_EQ(PerCore::destroyed.load(), 3);
}

// ---- The worked example: a per-core counter summed through the root -----------------------

class Counter;

class CounterRoot : public MulticoreRoot<Counter> {
 public:
  uint64_t Sum() const;
};

class Counter : public MulticoreEbb<Counter, CounterRoot> {
 public:
  explicit Counter(CounterRoot& root) : root_(root) {}
  void Inc() { ++count_; }
  uint64_t count() const { return count_; }
  CounterRoot& root() const { return root_; }

 private:
  CounterRoot& root_;
  uint64_t count_ = 0;  // Touched only by this rep's core: no atomics.
};

uint64_t CounterRoot::Sum() const {
  uint64_t sum = 0;
  ForEachRep([&](size_t, const Counter& rep) { sum += rep.count(); });
  return sum;
}

TEST(MulticoreEbbTest, PerCoreCountersSumThroughTheRoot) {
  EBBRT_REQUIRE_CORES(4);
  EbbRef<Counter> counter = *Counter::Create();
  constexpr size_t kCores = 4;
  constexpr int kEventsPerCore = 20;
  constexpr int kIncrementsPerEvent = 500;
  std::atomic<int> events_left{static_cast<int>(kCores) * kEventsPerCore};
  uint64_t sum_seen_by_last_event = 0;
  ebbrt::Run(kCores, [&] {
    for (int e = 0; e < kEventsPerCore; ++e) {
      for (size_t core = 0; core < kCores; ++core) {
        SpawnRemote(
            [&] {
              for (int i = 0; i < kIncrementsPerEvent; ++i) counter->Inc();
              if (events_left.fetch_sub(1) == 1) {
                // Every increment happened before this point (the countdown orders them).
                sum_seen_by_last_event = Counter::RootOf(counter).Sum();
                Stop();
              }
            },
            core);
      }
    }
  });
  const uint64_t total = uint64_t{kCores} * kEventsPerCore * kIncrementsPerEvent;
  EXPECT_EQ(sum_seen_by_last_event, total);
  CounterRoot& root = Counter::RootOf(counter);
  EXPECT_EQ(root.Sum(), total);
  for (size_t core = 0; core < kCores; ++core) {
    ASSERT_NE(root.RepOf(core), nullptr);
    EXPECT_EQ(root.RepOf(core)->count(), uint64_t{kEventsPerCore} * kIncrementsPerEvent);
    // The rep constructor got the root it belongs to.
    EXPECT_EQ(&root.RepOf(core)->root(), &root);
  }
  DestroyRoot<Counter, CounterRoot>(counter);
}

// ---- A root with its own state, built by Create(args...) (ShardRoot, Shard) ---------------

static_assert(!std::is_default_constructible_v<ShardRoot>);

TEST(MulticoreEbbTest, RootWithStateAndRepsThatTakeTheRoot) {
  EBBRT_REQUIRE_CORES(3);
  EbbRef<Shard> shards = *Shard::Create(1000, "shards");
  ShardRoot& root = Shard::RootOf(shards);
  EXPECT_EQ(root.base(), 1000);
  EXPECT_STREQ(root.name(), "shards");
  EXPECT_EQ(LocalIdMap::Find(shards.id(), EbbTypeTag<ShardRoot>()), &root);

  int values[3] = {};
  ShardRoot* roots_seen[3] = {};
  OnAllCoresAtOnce(3, [&](size_t core) {
    values[core] = shards->value();
    roots_seen[core] = &shards->root();
  });
  EXPECT_EQ(root.reps_built.load(), 3);
  for (size_t core = 0; core < 3; ++core) {
    EXPECT_EQ(values[core], 1000 + static_cast<int>(core));
    EXPECT_EQ(roots_seen[core], &root);
  }
  DestroyRoot<Shard, ShardRoot>(shards);
}

// ---- Static ids: the root is built on first fault, once ----------------------------------

class StaticRep;

// Like SharedEbb's race test: each root constructor waits (bounded) until every core is
// constructing one, so all cores have seen the id unbound and then race to bind.
class RacyRoot : public MulticoreRoot<StaticRep> {
 public:
  RacyRoot() {
    constructed.fetch_add(1);
    const uint64_t deadline_ns = event_internal::PlatformNowNs() + 5'000'000'000;
    while (constructed.load() < static_cast<int>(kTestCores) &&
           event_internal::PlatformNowNs() < deadline_ns) {
      __builtin_ia32_pause();
    }
  }
  ~RacyRoot() { destroyed.fetch_add(1); }
  static inline std::atomic<int> constructed{0};
  static inline std::atomic<int> destroyed{0};
};

class StaticRep : public MulticoreEbb<StaticRep, RacyRoot> {
 public:
  StaticRep() : core_(MyCore()) {}
  size_t core() const { return core_; }

 private:
  size_t core_;
};

inline constexpr EbbId kStaticRepId = StaticEbbId("multicore_ebb_test.static_rep");

TEST(MulticoreEbbTest, StaticIdRootIsBuiltOnceUnderConcurrentFirstUse) {
  EBBRT_REQUIRE_CORES(kTestCores);
  constexpr EbbRef<StaticRep> ref{kStaticRepId};
  EXPECT_EQ(LocalIdMap::Find(kStaticRepId, EbbTypeTag<RacyRoot>()), nullptr);
  const StaticRep* reps[kTestCores] = {};
  // Every core derefs at the same moment (the helper's start barrier).
  OnAllCoresAtOnce(kTestCores, [&](size_t core) {
    reps[core] = &*ref;
  });
  const int constructed = RacyRoot::constructed.load();
  EXPECT_GE(constructed, 1);
  EXPECT_EQ(constructed, static_cast<int>(kTestCores)) << "the race did not happen";
  EXPECT_EQ(RacyRoot::destroyed.load(), constructed - 1);
  void* bound = LocalIdMap::Find(kStaticRepId, EbbTypeTag<RacyRoot>());
  ASSERT_NE(bound, nullptr);
  RacyRoot& root = StaticRep::RootOf(ref);
  EXPECT_EQ(&root, bound);
  // Every core's rep landed in the surviving root.
  for (size_t core = 0; core < kTestCores; ++core) {
    EXPECT_EQ(root.RepOf(core), reps[core]) << "core " << core;
    EXPECT_EQ(reps[core]->core(), core);
  }
}

}  // namespace
}  // namespace ebbrt

namespace ebbrt {
namespace {

class StaticCounter : public MulticoreEbb<StaticCounter> {
 public:
  int hits = 0;
};

TEST(MulticoreEbbStaticTest, StaticIdRefBuildsItsRootOnFirstUse) {
  EBBRT_REQUIRE_CORES(2);
  constexpr EbbRef<StaticCounter> kCounter =
      StaticCounter::Static<StaticEbbId("multicore_ebb_test.static_counter")>();
  int total = 0;
  ebbrt::Run(2, [&] {
    kCounter->hits += 1;
    SpawnRemote(
        [&] {
          kCounter->hits += 2;
          SpawnRemote(
              [&] {
                StaticCounter::RootOf(kCounter).ForEachRep([&](size_t, StaticCounter& rep) {
                  total += rep.hits;
                });
                Stop();
              },
              0);
        },
        1);
  });
  EXPECT_EQ(total, 3);
}

}  // namespace
}  // namespace ebbrt
