// SPDX-License-Identifier: Apache-2.0
// Blocking: an event suspended on a future does not stop its core; it resumes with the
// right value, on the right core, and stacks are reused.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(BlockingTest, BlockedEventLetsOtherEventsRunThenResumesWithTheValue) {
  std::vector<std::string> trace;
  int value = 0;
  size_t resumed_on = 99;
  ebbrt::Run(1, [&] {
    Promise<int> promise;
    Future<int> future = promise.GetFuture();
    // These run while the event below is blocked; the last one fulfils its future.
    SpawnLocal([&] { trace.push_back("other-1"); });
    SpawnLocal([&, promise = std::move(promise)]() mutable {
      trace.push_back("other-2");
      promise.SetValue(42);
      trace.push_back("other-2-after-set");
    });
    trace.push_back("blocking");
    Result<int> result = future.Block();
    trace.push_back("resumed");
    ASSERT_TRUE(result.ok());
    value = result.value();
    resumed_on = MyCore();
    Stop();
  });
  EXPECT_EQ(value, 42);
  EXPECT_EQ(resumed_on, 0u);
  // Resumption is a new event, queued by the fulfilment: the fulfilling event finishes first.
  EXPECT_EQ(trace, (std::vector<std::string>{"blocking", "other-1", "other-2",
                                             "other-2-after-set", "resumed"}));
}

TEST(BlockingTest, FulfilledOnAnotherCoreResumesOnTheBlockingCore) {
  EBBRT_REQUIRE_CORES(4);
  constexpr size_t kCores = 4;
  std::atomic<int> resumed_ok{0};
  ebbrt::Run(kCores, [&] {
    std::atomic<int>* ok = &resumed_ok;
    for (size_t core = 0; core < kCores; ++core) {
      SpawnRemote(
          [ok, core] {
            Promise<size_t> promise;
            Future<size_t> future = promise.GetFuture();
            size_t other = (core + 1) % kCores;
            SpawnRemote(
                [promise = std::move(promise)]() mutable { promise.SetValue(MyCore()); },
                other);
            Result<size_t> fulfilled_by = future.Block();
            EXPECT_TRUE(fulfilled_by.ok());
            EXPECT_EQ(fulfilled_by.value(), other);
            EXPECT_EQ(MyCore(), core);
            if (ok->fetch_add(1) + 1 == static_cast<int>(kCores)) Stop();
          },
          core);
    }
  });
  EXPECT_EQ(resumed_ok.load(), static_cast<int>(kCores));
}

TEST(BlockingTest, BlockOnReadyFutureDoesNotSuspend) {
  uint64_t events_before = 0;
  uint64_t events_after = 0;
  ebbrt::Run(1, [&] {
    events_before = event_manager->events_run();
    Result<int> r = MakeReadyFuture(5).Block();
    events_after = event_manager->events_run();
    EXPECT_EQ(r.value(), 5);
    Stop();
  });
  EXPECT_EQ(events_before, events_after);
}

TEST(BlockingTest, BlockReturnsTheError) {
  Status seen;
  ebbrt::Run(1, [&] {
    Promise<void> promise;
    Future<void> future = promise.GetFuture();
    SpawnLocal([promise = std::move(promise)]() mutable {
      promise.SetError(Status(StatusCode::kTimeout, "too slow"));
    });
    seen = future.Block();
    Stop();
  });
  EXPECT_EQ(seen.code(), StatusCode::kTimeout);
}

TEST(BlockingTest, ManyEventsBlockedAtOnceAllResumeInOrderOfFulfilment) {
  // 200 events block at the same time (200 stacks), then are released in reverse order.
  constexpr int kBlocked = 200;
  std::vector<int> resumed;
  ebbrt::Run(1, [&] {
    auto* promises = new std::vector<Promise<int>>(kBlocked);
    for (int i = 0; i < kBlocked; ++i) {
      SpawnLocal([&resumed, promises, i] {
        Result<int> r = (*promises)[static_cast<size_t>(i)].GetFuture().Block();
        resumed.push_back(r.value());
        if (resumed.size() == static_cast<size_t>(kBlocked)) {
          delete promises;
          Stop();
        }
      });
    }
    SpawnLocal([promises] {
      for (int i = kBlocked - 1; i >= 0; --i) (*promises)[static_cast<size_t>(i)].SetValue(i);
    });
  });
  ASSERT_EQ(resumed.size(), static_cast<size_t>(kBlocked));
  for (int i = 0; i < kBlocked; ++i) {
    EXPECT_EQ(resumed[static_cast<size_t>(i)], kBlocked - 1 - i);
  }
}

TEST(BlockingTest, BlockingRepeatedlyReusesStacks) {
  // 10000 block/resume cycles in sequence must not need 10000 stacks (each is 64 KiB of
  // address space plus a guard page); the test would exhaust nothing but checks it ran.
  int cycles = 0;
  ebbrt::Run(1, [&] {
    for (int i = 0; i < 10000; ++i) {
      Promise<int> p;
      Future<int> f = p.GetFuture();
      SpawnLocal([p = std::move(p), i]() mutable { p.SetValue(i); });
      EXPECT_EQ(f.Block().value(), i);
      ++cycles;
    }
    Stop();
  });
  EXPECT_EQ(cycles, 10000);
}

TEST(BlockingTest, TimerCanWakeABlockedEvent) {
  bool woke = false;
  ebbrt::Run(1, [&] {
    Promise<void> p;
    Future<void> f = p.GetFuture();
    timer->Start(2'000'000, [p = std::move(p)]() mutable { p.SetValue(); });
    EXPECT_TRUE(f.Block().ok());
    woke = true;
    Stop();
  });
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace ebbrt
