// SPDX-License-Identifier: Apache-2.0
// SMP natively (run with -smp 4): every vCPU runs an event loop; SpawnRemote between every
// pair of cores (IPIs wake sleeping cores); a bounded stress of cross-core spawns checked by
// totals; per-core MulticoreEbb reps; RCU waiting for a busy core; blocks freed on other
// cores than their slab's owner (remote frees). One TEST each, in a Run of its own on the
// four cores.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <atomic>

#include "ebbrt/core/multicore_ebb.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::testing_internal::InFreshRun;

constexpr size_t kCores = 4;

class PerCore : public ebbrt::MulticoreEbb<PerCore> {
 public:
  PerCore() : built_on(ebbrt::MyCore()) {}
  size_t built_on;
  uint64_t hits = 0;
};

std::atomic<int> g_arrived[kCores][kCores];
std::atomic<int> g_pairs_left{kCores * kCores};

void AllPairs(ebbrt::Promise<void>* done) {
  for (size_t from = 0; from < kCores; ++from) {
    ebbrt::SpawnRemote(
        [from, done] {
          for (size_t to = 0; to < kCores; ++to) {
            ebbrt::SpawnRemote(
                [from, to, done] {
                  if (ebbrt::MyCore() == to) g_arrived[from][to].fetch_add(1);
                  if (g_pairs_left.fetch_sub(1) == 1) done->SetValue();
                },
                to);
          }
        },
        from);
  }
}

std::atomic<uint64_t> g_hops{0};
std::atomic<size_t> g_chains_done{0};

void Hop(int left, ebbrt::Promise<void>* done) {
  g_hops.fetch_add(1);
  if (left == 0) {
    if (g_chains_done.fetch_add(1) + 1 == kCores) done->SetValue();
    return;
  }
  ebbrt::SpawnRemote([left, done] { Hop(left - 1, done); }, (ebbrt::MyCore() + 1) % kCores);
}

TEST(SmpTest, FourCores) { EXPECT_EQ(ebbrt::NumCores(), kCores); }

// 1. Every pair of cores.
TEST(SmpTest, SpawnRemoteBetweenEveryPairOfCores) {
  InFreshRun(kCores, [] {
    auto* pairs = new ebbrt::Promise<void>();
    ebbrt::Future<void> pairs_done = pairs->GetFuture();
    AllPairs(pairs);
    EXPECT_TRUE(pairs_done.Block().ok());
  });
  for (size_t from = 0; from < kCores; ++from) {
    for (size_t to = 0; to < kCores; ++to) {
      EXPECT_EQ(g_arrived[from][to].load(), 1) << "from core " << from << " to core " << to;
    }
  }
}

// 2. Ring stress: kCores chains of 2000 hops each.
TEST(SmpTest, RingOfCrossCoreSpawns) {
  InFreshRun(kCores, [] {
    auto* ring = new ebbrt::Promise<void>();
    ebbrt::Future<void> ring_done = ring->GetFuture();
    for (size_t c = 0; c < kCores; ++c) {
      ebbrt::SpawnRemote([ring] { Hop(2000, ring); }, c);
    }
    EXPECT_TRUE(ring_done.Block().ok());
  });
  EXPECT_EQ(g_hops.load(), kCores * 2001);
  printf("smp_checks: %zu cores, %llu hops\n", ebbrt::NumCores(),
         static_cast<unsigned long long>(g_hops.load()));
}

// 3. Per-core reps, built on their own cores.
TEST(SmpTest, MulticoreEbbRepsOnTheirOwnCores) {
  InFreshRun(kCores, [] {
    auto counter = PerCore::Create().value();
    auto* reps_done = new ebbrt::Promise<void>();
    ebbrt::Future<void> reps_future = reps_done->GetFuture();
    auto* reps_left = new std::atomic<size_t>(kCores);
    for (size_t c = 0; c < kCores; ++c) {
      ebbrt::SpawnRemote(
          [counter, reps_done, reps_left] {
            counter->hits += ebbrt::MyCore() + 1;
            if (reps_left->fetch_sub(1) == 1) reps_done->SetValue();
          },
          c);
    }
    EXPECT_TRUE(reps_future.Block().ok());
    uint64_t total = 0;
    size_t reps = 0;
    PerCore::RootOf(counter).ForEachRep([&](size_t core, PerCore& rep) {
      EXPECT_EQ(rep.built_on, core);
      total += rep.hits;
      ++reps;
    });
    EXPECT_EQ(reps, kCores);
    EXPECT_EQ(total, 1 + 2 + 3 + 4);
  });
}

// 4. Remote frees: core 1 allocates, core 2 frees, repeatedly.
TEST(SmpTest, RemoteFrees) {
  InFreshRun(kCores, [] {
    auto* frees_done = new ebbrt::Promise<void>();
    ebbrt::Future<void> frees_future = frees_done->GetFuture();
    ebbrt::SpawnRemote(
        [frees_done] {
          void** blocks = static_cast<void**>(malloc(sizeof(void*) * 1000));
          for (int i = 0; i < 1000; ++i) blocks[i] = malloc(64);
          ebbrt::SpawnRemote(
              [blocks, frees_done] {
                for (int i = 0; i < 1000; ++i) free(blocks[i]);
                free(blocks);
                frees_done->SetValue();
              },
              2);
        },
        1);
    EXPECT_TRUE(frees_future.Block().ok());
  });
}

// 5. RCU waits for a busy core.
TEST(SmpTest, RcuWaitsForABusyCore) {
  InFreshRun(kCores, [] {
    auto* busy = new std::atomic<bool>(true);
    auto* busy_inside = new std::atomic<bool>(false);
    auto* busy_done = new std::atomic<bool>(false);
    ebbrt::SpawnRemote(
        [busy, busy_inside, busy_done] {
          busy_inside->store(true);
          while (busy->load()) __builtin_ia32_pause();
          busy_done->store(true);
        },
        3);
    // The grace period covers events running when CallRcu is called, so make sure the
    // busy one is running by then (a merely queued event does not hold it up).
    while (!busy_inside->load()) __builtin_ia32_pause();
    auto* rcu = new ebbrt::Promise<bool>();
    ebbrt::Future<bool> rcu_future = rcu->GetFuture();
    ebbrt::CallRcu([rcu, busy_done] { rcu->SetValue(busy_done->load()); });
    ebbrt::timer->Start(3'000'000, [busy] { busy->store(false); });
    auto rcu_result = rcu_future.Block();
    EXPECT_TRUE(rcu_result.ok() && rcu_result.value());
  });
}

}  // namespace
