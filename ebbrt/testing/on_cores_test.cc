// SPDX-License-Identifier: Apache-2.0
// InFreshRun, OnAllCoresAtOnce and StepBarrier: a body on core 0 of a fresh Run; one
// body per core, on its core, all running at once; a barrier that keeps them in lock
// step round after round.
#include "ebbrt/testing/on_cores.h"

#include <stddef.h>
#include <stdint.h>

#include <atomic>

#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::testing_internal::InFreshRun;
using ebbrt::testing_internal::OnAllCoresAtOnce;
using ebbrt::testing_internal::StepBarrier;

constexpr size_t kCores = 4;

TEST(InFreshRunTest, BodyIsTheFirstEventOnCoreZeroOfARunOfThatSize) {
  EBBRT_REQUIRE_CORES(3);
  size_t core = 99;
  size_t run_cores = 0;
  int queued_before = -1;
  int ran = 0;
  InFreshRun(3, [&] {
    core = ebbrt::MyCore();
    run_cores = ebbrt::RunCores();
    ebbrt::SpawnLocal([&ran] { ++ran; });
    queued_before = ran;  // SpawnLocal never runs inline: nothing else ran yet.
  });
  EXPECT_EQ(core, 0u);
  EXPECT_EQ(run_cores, 3u);
  EXPECT_EQ(queued_before, 0);
  EXPECT_EQ(ebbrt::RunCores(), 0u);  // Stopped.
}

TEST(OnAllCoresAtOnceTest, RunsOneBodyOnEachCore) {
  EBBRT_REQUIRE_CORES(kCores);
  std::atomic<int> runs[kCores] = {};
  std::atomic<int> elsewhere{0};
  OnAllCoresAtOnce(kCores, [&](size_t core) {
    runs[core].fetch_add(1);
    if (ebbrt::MyCore() != core) elsewhere.fetch_add(1);
  });
  for (size_t core = 0; core < kCores; ++core) EXPECT_EQ(runs[core].load(), 1) << "core " << core;
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST(OnAllCoresAtOnceTest, OneCore) {
  int runs = 0;
  OnAllCoresAtOnce(1, [&](size_t core) {
    EXPECT_EQ(core, 0u);
    ++runs;
  });
  EXPECT_EQ(runs, 1);
}

// Each body waits (spinning, bounded) until every body has started: only bodies that run
// at the same time all get there.
TEST(OnAllCoresAtOnceTest, BodiesOverlap) {
  EBBRT_REQUIRE_CORES(kCores);
  std::atomic<size_t> inside{0};
  std::atomic<int> saw_everyone{0};
  OnAllCoresAtOnce(kCores, [&](size_t) {
    inside.fetch_add(1);
    for (uint64_t spins = 0; inside.load() < kCores && spins < 4'000'000'000; ++spins) {
      __builtin_ia32_pause();
    }
    if (inside.load() == kCores) saw_everyone.fetch_add(1);
  });
  EXPECT_EQ(saw_everyone.load(), static_cast<int>(kCores));
}

// Every round, each core writes its slot, waits, reads every slot, waits: with a barrier
// that let a core through early, some core would read another's previous round.
TEST(OnAllCoresAtOnceTest, StepBarrierKeepsLockStep) {
  EBBRT_REQUIRE_CORES(kCores);
  constexpr int kRounds = 100;
  std::atomic<int> slot[kCores] = {};
  std::atomic<int> stale{0};
  StepBarrier step(kCores);
  OnAllCoresAtOnce(kCores, [&](size_t core) {
    for (int round = 1; round <= kRounds; ++round) {
      slot[core].store(round);
      step.Wait();
      for (size_t other = 0; other < kCores; ++other) {
        if (slot[other].load() != round) stale.fetch_add(1);
      }
      step.Wait();
    }
  });
  EXPECT_EQ(stale.load(), 0);
}

TEST(OnAllCoresAtOnceTest, RunsFollowOneAnother) {
  EBBRT_REQUIRE_CORES(2);
  std::atomic<int> runs{0};
  for (int i = 0; i < 3; ++i) OnAllCoresAtOnce(2, [&](size_t) { runs.fetch_add(1); });
  EXPECT_EQ(runs.load(), 6);
}

}  // namespace
