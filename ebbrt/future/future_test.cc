// SPDX-License-Identifier: Apache-2.0
// Futures: chains, flattening, errors, WhenAll, cross-core fulfilment, broken promises.
#include "ebbrt/future/future.h"

#include <atomic>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "ebbrt/event/run.h"
#include "ebbrt/testing/int_to_string.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(FutureTest, ReadyFutureHoldsItsValue) {
  Future<int> f = MakeReadyFuture(3);
  ASSERT_TRUE(f.Ready());
  EXPECT_TRUE(f.ok());
  EXPECT_EQ(f.value(), 3);
}

TEST(FutureTest, FailedFutureHoldsItsError) {
  Future<int> f = MakeFailedFuture<int>(Status(StatusCode::kNotFound, "no such key"));
  ASSERT_TRUE(f.Ready());
  EXPECT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_STREQ(f.status().message(), "no such key");
}

TEST(FutureTest, ThenOnReadyFutureRunsInline) {
  bool ran = false;
  Future<int> f = MakeReadyFuture(2).Then([&](Future<int> x) {
    ran = true;
    return x.value() * 10;
  });
  EXPECT_TRUE(ran);
  ASSERT_TRUE(f.Ready());
  EXPECT_EQ(f.value(), 20);
}

using testing_internal::IntToString;

TEST(FutureTest, ChainRunsWhenPromiseIsFulfilled) {
  Promise<int> p;
  std::string log;
  Future<std::string> chained = p.GetFuture()
                                    .Then([&](Future<int> x) {
                                      log += "a";
                                      return x.value() + 1;
                                    })
                                    .Then([&](Future<int> x) {
                                      log += "b";
                                      return IntToString(x.value());
                                    });
  EXPECT_EQ(log, "");
  EXPECT_FALSE(chained.Ready());
  p.SetValue(41);
  EXPECT_EQ(log, "ab");
  ASSERT_TRUE(chained.ok());
  EXPECT_EQ(chained.value(), "42");
}

TEST(FutureTest, ThenFlattensAReturnedFuture) {
  Promise<int> outer;
  Promise<std::string> inner;
  Future<std::string> inner_future = inner.GetFuture();
  Future<std::string> result = outer.GetFuture().Then(
      [&](Future<int>) -> Future<std::string> { return std::move(inner_future); });
  outer.SetValue(1);
  EXPECT_FALSE(result.Ready());  // Waits for the inner future, not just the outer one.
  inner.SetValue("done");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), "done");
}

TEST(FutureTest, ErrorsTravelThroughChains) {
  Promise<int> p;
  bool second_saw_error = false;
  Future<int> end = p.GetFuture()
                        .Then([](Future<int> x) -> Future<int> {
                          if (!x.ok()) return MakeFailedFuture<int>(x.status());
                          return MakeReadyFuture(x.value());
                        })
                        .Then([&](Future<int> x) {
                          second_saw_error = !x.ok();
                          return x.ok() ? x.value() : -1;
                        });
  p.SetError(Status(StatusCode::kIoError, "disk on fire"));
  EXPECT_TRUE(second_saw_error);
  EXPECT_EQ(end.value(), -1);
}

TEST(FutureTest, FlattenedInnerErrorFailsTheResult) {
  Future<int> result = MakeReadyFuture(1).Then([](Future<int>) {
    return MakeFailedFuture<int>(Status(StatusCode::kUnavailable, "backend down"));
  });
  ASSERT_TRUE(result.Ready());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
}

TEST(FutureTest, VoidFutures) {
  Promise<void> p;
  int ran = 0;
  Future<void> after = p.GetFuture().Then([&](Future<void> f) {
    EXPECT_TRUE(f.ok());
    ++ran;
  });
  p.SetValue();
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(after.ok());
  EXPECT_TRUE(MakeReadyFuture().ok());
}

TEST(FutureTest, MoveOnlyValues) {
  Promise<std::unique_ptr<int>> p;
  Future<int> f = p.GetFuture().Then([](Future<std::unique_ptr<int>> x) {
    std::unique_ptr<int> owned = std::move(x.value());
    return *owned;
  });
  p.SetValue(std::make_unique<int>(9));
  EXPECT_EQ(f.value(), 9);
}

TEST(FutureTest, BrokenPromiseFailsTheFutureWithCancelled) {
  Future<int> f;
  {
    Promise<int> p;
    f = p.GetFuture();
  }
  ASSERT_TRUE(f.Ready());
  EXPECT_EQ(f.status().code(), StatusCode::kCancelled);
}

TEST(FutureTest, PromiseWithoutFutureCleansUp) {
  Promise<int> p;
  p.SetValue(1);  // Nobody listens; no leak, no crash (ASan/LSan would tell).
}

TEST(FutureTest, WhenAllOfValuesInOrder) {
  Promise<int> a;
  Promise<std::string> b;
  Future<std::tuple<int, std::string>> all = WhenAll(a.GetFuture(), b.GetFuture());
  b.SetValue("two");
  EXPECT_FALSE(all.Ready());
  a.SetValue(1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(std::get<0>(all.value()), 1);
  EXPECT_EQ(std::get<1>(all.value()), "two");
}

TEST(FutureTest, WhenAllWaitsForAllThenReportsTheFirstError) {
  Promise<int> a;
  Promise<int> b;
  Promise<void> c;
  auto all = WhenAll(a.GetFuture(), b.GetFuture(), c.GetFuture());
  b.SetError(Status(StatusCode::kTimeout, "b timed out"));
  a.SetError(Status(StatusCode::kNotFound, "a missing"));
  EXPECT_FALSE(all.Ready());  // c is still outstanding.
  c.SetValue();
  ASSERT_TRUE(all.Ready());
  EXPECT_EQ(all.status().code(), StatusCode::kNotFound);  // First in argument order.
}

TEST(FutureTest, WhenAllOfAVector) {
  Vector<Promise<int>> promises;
  Vector<Future<int>> futures;
  for (int i = 0; i < 10; ++i) {
    promises.EmplaceBack();
    futures.PushBack(promises[static_cast<size_t>(i)].GetFuture());
  }
  Future<Vector<int>> all = WhenAll(std::move(futures));
  for (int i = 9; i >= 0; --i) promises[static_cast<size_t>(i)].SetValue(i * i);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value().Size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(all.value()[static_cast<size_t>(i)], i * i);
  EXPECT_TRUE(WhenAll(Vector<Future<int>>()).ok());
}

TEST(FutureTest, ContinuationRunsOnTheCoreThatCalledThen) {
  EBBRT_REQUIRE_CORES(2);
  // Then on core 0, fulfilment on core 1: the continuation must run on core 0.
  std::atomic<size_t> continuation_core{99};
  std::atomic<size_t> fulfilled_on{99};
  ebbrt::Run(2, [&] {
    Promise<int> promise;
    Future<int> f = promise.GetFuture();
    (void)std::move(f).Then([&](Future<int> x) {
      EXPECT_EQ(x.value(), 7);
      continuation_core = MyCore();
      Stop();
    });
    SpawnRemote(
        [&, promise = std::move(promise)]() mutable {
          fulfilled_on = MyCore();
          promise.SetValue(7);
        },
        1);
  });
  EXPECT_EQ(fulfilled_on.load(), 1u);
  EXPECT_EQ(continuation_core.load(), 0u);
}

TEST(FutureTest, FulfilmentOnTheThenCoreRunsInline) {
  std::string trace;
  ebbrt::Run(1, [&] {
    Promise<int> p;
    (void)p.GetFuture().Then([&](Future<int>) { trace += "continuation,"; });
    trace += "before-set,";
    p.SetValue(1);
    trace += "after-set";
    Stop();
  });
  EXPECT_EQ(trace, "before-set,continuation,after-set");
}

TEST(FutureTest, CrossCoreFulfilmentStress) {
  EBBRT_REQUIRE_CORES(4);
  // Every core fulfils promises whose continuations were attached on every other core.
  constexpr size_t kCores = 4;
  constexpr int kPerPair = 200;
  std::atomic<int> ran{0};
  std::atomic<int> wrong_core{0};
  ebbrt::Run(kCores, [&] {
    for (size_t waiter = 0; waiter < kCores; ++waiter) {
      SpawnRemote(
          [&, waiter] {
            for (size_t fulfiller = 0; fulfiller < kCores; ++fulfiller) {
              for (int i = 0; i < kPerPair; ++i) {
                Promise<int> p;
                (void)p.GetFuture().Then([&, waiter](Future<int> x) {
                  if (MyCore() != waiter || !x.ok()) wrong_core.fetch_add(1);
                  if (ran.fetch_add(1) + 1 == static_cast<int>(kCores * kCores) * kPerPair) {
                    Stop();
                  }
                });
                SpawnRemote([p = std::move(p)]() mutable { p.SetValue(1); }, fulfiller);
              }
            }
          },
          waiter);
    }
  });
  EXPECT_EQ(ran.load(), static_cast<int>(kCores * kCores) * kPerPair);
  EXPECT_EQ(wrong_core.load(), 0);
}

}  // namespace
}  // namespace ebbrt
