// SPDX-License-Identifier: Apache-2.0
// The event loop: spawn order, remote spawns between every pair of cores, idle handlers,
// stop, and a bounded stress test checked by totals.
#include "ebbrt/event/event_manager.h"

#include <atomic>
#include <string>
#include <vector>

#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(EventManagerTest, RunReturnsTheStopStatus) {
  EBBRT_REQUIRE_CORES(2);
  EXPECT_EQ(ebbrt::Run(1, [] { Stop(7); }), 7);
  EXPECT_EQ(ebbrt::Run(2, [] { Stop(0); }), 0);
}

TEST(EventManagerTest, SpawnLocalIsQueuedNotInlineAndFifo) {
  std::vector<int> order;
  ebbrt::Run(1, [&] {
    for (int i = 0; i < 100; ++i) {
      SpawnLocal([&order, i] { order.push_back(i); });
    }
    // Nothing ran yet: SpawnLocal never runs inline.
    order.push_back(-1);
    SpawnLocal([] { Stop(); });
  });
  ASSERT_EQ(order.size(), 101u);
  EXPECT_EQ(order[0], -1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<size_t>(i) + 1], i);
}

TEST(EventManagerTest, SpawnedEventsInterleaveFairly) {
  // Two chains of self-respawning events alternate: neither starves the other.
  std::vector<char> trace;
  ebbrt::Run(1, [&] {
    struct Chain {
      static void Step(std::vector<char>* trace, char name, int left) {
        trace->push_back(name);
        if (left > 1) SpawnLocal([=] { Step(trace, name, left - 1); });
      }
    };
    SpawnLocal([&] { Chain::Step(&trace, 'a', 5); });
    SpawnLocal([&] { Chain::Step(&trace, 'b', 5); });
    // Queued behind the first steps of both chains, but ahead of their later steps.
    SpawnLocal([&] {
      SpawnLocal([] {});  // Let the chains finish first.
      ebbrt::timer->Start(1'000'000, [] { Stop(); });
    });
  });
  EXPECT_EQ(std::string(trace.begin(), trace.end()), "ababababab");
}

TEST(EventManagerTest, SpawnRemoteBetweenEveryPairOfCores) {
  EBBRT_REQUIRE_CORES(4);
  constexpr size_t kCores = 4;
  std::atomic<int> arrived[kCores][kCores] = {};
  std::atomic<int> remaining{kCores * kCores};
  ebbrt::Run(kCores, [&] {
    for (size_t from = 0; from < kCores; ++from) {
      SpawnRemote(
          [&, from] {
            EXPECT_EQ(MyCore(), from);
            for (size_t to = 0; to < kCores; ++to) {
              SpawnRemote(
                  [&, from, to] {
                    EXPECT_EQ(MyCore(), to);
                    arrived[from][to].fetch_add(1);
                    if (remaining.fetch_sub(1) == 1) Stop();
                  },
                  to);
            }
          },
          from);
    }
  });
  for (size_t from = 0; from < kCores; ++from) {
    for (size_t to = 0; to < kCores; ++to) {
      EXPECT_EQ(arrived[from][to].load(), 1) << "from " << from << " to " << to;
    }
  }
}

TEST(EventManagerTest, RemoteSpawnsFromOneCoreArriveInOrder) {
  EBBRT_REQUIRE_CORES(2);
  std::vector<int> order;
  ebbrt::Run(2, [&] {
    for (int i = 0; i < 1000; ++i) {
      SpawnRemote([&order, i] { order.push_back(i); }, 1);
    }
    SpawnRemote([] { Stop(); }, 1);
  });
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST(EventManagerTest, IdleHandlersRunOnlyWhenTheQueueIsEmpty) {
  int idle_runs = 0;
  int queued_left = 0;
  bool idle_saw_queued_work = false;
  // Outlives the handler: Run returns only once the core has stopped.
  EventManager::IdleHandlerId id = 0;
  ebbrt::Run(1, [&] {
    queued_left = 50;
    for (int i = 0; i < 50; ++i) SpawnLocal([&] { --queued_left; });
    id = event_manager->AddIdleHandler([&] {
      if (queued_left != 0) idle_saw_queued_work = true;
      if (++idle_runs == 10) {
        event_manager->RemoveIdleHandler(id);
        Stop();
      }
    });
  });
  EXPECT_EQ(idle_runs, 10);
  EXPECT_FALSE(idle_saw_queued_work);
  EXPECT_EQ(queued_left, 0);
}

TEST(EventManagerTest, RemovedIdleHandlerNeverRunsAgain) {
  int runs_after_removal = 0;
  // Outlives the handler: Run returns only once the core has stopped.
  bool removed = false;
  ebbrt::Run(1, [&] {
    auto id = event_manager->AddIdleHandler([&] {
      if (removed) ++runs_after_removal;
    });
    SpawnLocal([&removed, id] {
      event_manager->RemoveIdleHandler(id);
      removed = true;
      ebbrt::timer->Start(2'000'000, [] { Stop(); });
    });
  });
  EXPECT_EQ(runs_after_removal, 0);
}

TEST(EventManagerTest, StressSpawnsBetweenCoresAddUp) {
  EBBRT_REQUIRE_CORES(8);
  // Every core sends kRounds hops around the ring; each hop adds its core index.
  constexpr size_t kCores = 8;
  constexpr int kRounds = 2000;
  std::atomic<uint64_t> sum{0};
  std::atomic<uint64_t> hops{0};
  std::atomic<size_t> finished{0};
  ebbrt::Run(kCores, [&] {
    for (size_t start = 0; start < kCores; ++start) {
      SpawnRemote(
          [&] {
            struct Hop {
              static void Go(std::atomic<uint64_t>* sum, std::atomic<uint64_t>* hops,
                             std::atomic<size_t>* finished, int left) {
                sum->fetch_add(MyCore());
                hops->fetch_add(1);
                if (left == 0) {
                  if (finished->fetch_add(1) + 1 == kCores) Stop();
                  return;
                }
                SpawnRemote([=] { Go(sum, hops, finished, left - 1); }, (MyCore() + 1) % kCores);
              }
            };
            Hop::Go(&sum, &hops, &finished, kRounds * static_cast<int>(kCores));
          },
          start);
    }
  });
  const uint64_t hops_per_chain = kRounds * kCores + 1;
  EXPECT_EQ(hops.load(), hops_per_chain * kCores);
  // Each chain visits every core kRounds times, plus one extra visit to its start core.
  uint64_t ring_sum = kCores * (kCores - 1) / 2;
  uint64_t expected = kCores * kRounds * ring_sum;
  for (size_t start = 0; start < kCores; ++start) expected += start;
  EXPECT_EQ(sum.load(), expected);
}

}  // namespace
}  // namespace ebbrt
