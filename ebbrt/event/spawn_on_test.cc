// SPDX-License-Identifier: Apache-2.0
// SpawnOn and ForEachCore: where fn runs, what the future holds for each kind of result,
// that fn is queued (never inline) and may block, and that ForEachCore waits for every
// core and reports the first error.
#include "ebbrt/event/spawn_on.h"

#include <stdint.h>

#include <atomic>
#include <memory>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"
#include "ebbrt/testing/on_cores.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using testing_internal::InFreshRun;

TEST(SpawnOnTest, RunCoresIsTheSizeOfTheRunningRun) {
  EXPECT_EQ(RunCores(), 0u);
  size_t inside = 0;
  InFreshRun(1, [&] { inside = RunCores(); });
  EXPECT_EQ(inside, 1u);
  if (MaxRunCores() >= 2) {
    InFreshRun(2, [&] { inside = RunCores(); });
    EXPECT_EQ(inside, 2u);
  }
  EXPECT_EQ(RunCores(), 0u);
}

TEST(SpawnOnTest, RunsOnTheCoreAndReturnsItsValue) {
  EBBRT_REQUIRE_CORES(4);
  InFreshRun(4, [] {
    for (size_t core = 0; core < 4; ++core) {
      Result<size_t> ran_on = SpawnOn(core, [] { return MyCore(); }).Block();
      ASSERT_TRUE(ran_on.ok());
      EXPECT_EQ(ran_on.value(), core);
    }
  });
}

TEST(SpawnOnTest, VoidFunctionGivesAFutureOfVoid) {
  EBBRT_REQUIRE_CORES(2);
  std::atomic<size_t> ran_on{kMaxCores};
  InFreshRun(2, [&] {
    Future<void> done = SpawnOn(1, [&] { ran_on = MyCore(); });
    EXPECT_TRUE(done.Block().ok());
  });
  EXPECT_EQ(ran_on.load(), 1u);
}

TEST(SpawnOnTest, StatusAndResultErrorsFailTheFuture) {
  InFreshRun(1, [] {
    Status failed =
        SpawnOn(0, [] { return Status(StatusCode::kNotFound, "no such thing"); }).Block();
    EXPECT_EQ(failed.code(), StatusCode::kNotFound);
    EXPECT_TRUE(SpawnOn(0, [] { return Status::Ok(); }).Block().ok());

    Result<int> error =
        SpawnOn(0, []() -> Result<int> { return Status(StatusCode::kOutOfRange, "too big"); })
            .Block();
    EXPECT_EQ(error.status().code(), StatusCode::kOutOfRange);
    Result<int> value = SpawnOn(0, []() -> Result<int> { return 42; }).Block();
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(value.value(), 42);
  });
}

TEST(SpawnOnTest, AFunctionReturningAReferenceGivesACopy) {
  InFreshRun(1, [] {
    static int value = 5;
    Result<int> copy = SpawnOn(0, []() -> int& { return value; }).Block();
    value = 6;
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(copy.value(), 5);
  });
}

TEST(SpawnOnTest, OwnCoreIsQueuedNotInline) {
  InFreshRun(1, [] {
    bool ran = false;
    Future<void> done = SpawnOn(0, [&ran] { ran = true; });
    EXPECT_FALSE(ran);
    EXPECT_TRUE(done.Block().ok());
    EXPECT_TRUE(ran);
  });
}

TEST(SpawnOnTest, MoveOnlyCapturesAndBlockingFunctions) {
  EBBRT_REQUIRE_CORES(2);
  InFreshRun(2, [] {
    auto owned = std::make_unique<int>(7);
    Result<int> value = SpawnOn(1, [owned = std::move(owned)] {
                          // fn is an event: it may block on a timer.
                          Promise<void> tick;
                          Future<void> ticked = tick.GetFuture();
                          timer->Start(1'000'000, [p = std::move(tick)]() mutable { p.SetValue(); });
                          EXPECT_TRUE(ticked.Block().ok());
                          return *owned * 6;
                        }).Block();
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(value.value(), 42);
  });
}

TEST(ForEachCoreTest, RunsOnceOnEveryCoreAndWaitsForAll) {
  EBBRT_REQUIRE_CORES(4);
  std::atomic<int> runs[4] = {};
  std::atomic<int> finished{0};
  InFreshRun(4, [&] {
    Future<void> all = ForEachCore([&](size_t core) {
      EXPECT_EQ(MyCore(), core);
      runs[core].fetch_add(1);
      // The slowest core decides when the future is fulfilled.
      if (core == 3) {
        uint64_t spins = 0;
        while (finished.load() < 3 && ++spins < 2'000'000'000) __builtin_ia32_pause();
      }
      finished.fetch_add(1);
    });
    EXPECT_TRUE(all.Block().ok());
    EXPECT_EQ(finished.load(), 4);
  });
  for (int core = 0; core < 4; ++core) EXPECT_EQ(runs[core].load(), 1) << "core " << core;
}

TEST(ForEachCoreTest, CoversEveryCoreOfTheRun) {
  // 1 core where that is all there is, 4 elsewhere.
  const size_t cores = MaxRunCores() >= 4 ? 4 : 1;
  std::atomic<size_t> mask{0};
  InFreshRun(cores, [&] {
    EXPECT_TRUE(ForEachCore([&](size_t core) { mask.fetch_or(size_t{1} << core); }).Block().ok());
  });
  EXPECT_EQ(mask.load(), (size_t{1} << cores) - 1);
}

TEST(ForEachCoreTest, FailsWithTheFirstErrorAfterEveryCoreRan) {
  EBBRT_REQUIRE_CORES(4);
  std::atomic<int> ran{0};
  InFreshRun(4, [&] {
    Status status = ForEachCore([&](size_t core) -> Status {
                      ran.fetch_add(1);
                      if (core == 1) return Status(StatusCode::kUnavailable, "core 1 refuses");
                      if (core == 3) return Status(StatusCode::kInternal, "core 3 refuses");
                      return Status::Ok();
                    }).Block();
    EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  });
  EXPECT_EQ(ran.load(), 4);
}

}  // namespace
}  // namespace ebbrt
