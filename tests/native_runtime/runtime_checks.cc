// SPDX-License-Identifier: Apache-2.0
// The portable runtime running natively in QEMU on the real EventManager: Ebb translation
// (demand-paged per-core region), SharedEbb and MulticoreEbb, event ordering, timers
// against the TSC clock, blocking on futures while other events run, RCU, and several
// Runs in a row. One TEST each.
#include <stdint.h>
#include <stdio.h>

#include <utility>

#include "ebbrt/core/multicore_ebb.h"
#include "ebbrt/core/shared_ebb.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::event_internal::PlatformNowNs;
using ebbrt::testing_internal::InFreshRun;

class Config : public ebbrt::SharedEbb<Config> {
 public:
  int port = 11211;
};

class Counter : public ebbrt::MulticoreEbb<Counter> {
 public:
  Counter() : core(ebbrt::MyCore()) {}
  uint64_t count = 0;
  size_t core;
};

void CheckEbbs() {
  auto config = Config::Create();
  EXPECT_TRUE(config.ok());
  EXPECT_EQ(config.value()->port, 11211);
  config.value()->port = 8080;
  EXPECT_EQ(config.value()->port, 8080);  // The same rep on the second use (cached).
  auto counter = Counter::Create().value();
  for (int i = 0; i < 1000; ++i) ++counter->count;
  uint64_t total = 0;
  Counter::RootOf(counter).ForEachRep([&](size_t, Counter& rep) { total += rep.count; });
  EXPECT_EQ(total, 1000);
  EXPECT_EQ(counter->core, 0);
}

void CheckEventsTimersAndBlocking(int* order_ok, int* blocked_value, uint64_t* timer_delay_ns) {
  // Events run in FIFO order, never inline.
  static int trace[3];
  static int n = 0;
  n = 0;
  for (int i = 0; i < 3; ++i) {
    ebbrt::SpawnLocal([i] { trace[n++] = i; });
  }
  *order_ok = n == 0;
  // A blocked event lets the queued ones run, then resumes with the value.
  ebbrt::Promise<int> promise;
  ebbrt::Future<int> future = promise.GetFuture();
  uint64_t started = PlatformNowNs();
  ebbrt::timer->Start(2'000'000, [p = new ebbrt::Promise<int>(std::move(promise)), started, timer_delay_ns] {
    *timer_delay_ns = PlatformNowNs() - started;
    p->SetValue(42);
    delete p;
  });
  ebbrt::Result<int> value = future.Block();
  *order_ok = *order_ok && n == 3 && trace[0] == 0 && trace[1] == 1 && trace[2] == 2;
  *blocked_value = value.ok() ? value.value() : -1;
}

TEST(RuntimeTest, SharedAndMulticoreEbbs) { InFreshRun(1, CheckEbbs); }

// Event order, a timer waking a blocked event, RCU, a periodic timer, and a core that
// sleeps in hlt until the timer that stops the Run (with status 7).
TEST(RuntimeTest, EventsTimersBlockingAndRcu) {
  int order_ok = 0;
  int blocked_value = 0;
  uint64_t timer_delay_ns = 0;
  bool rcu_ran = false;
  int periodic_ticks = 0;
  int status = ebbrt::Run(1, [&] {
    CheckEventsTimersAndBlocking(&order_ok, &blocked_value, &timer_delay_ns);
    ebbrt::CallRcu([&] { rcu_ran = true; });
    auto id = new ebbrt::Timer::Id(0);
    *id = ebbrt::timer->Start(
        500'000,
        [&, id] {
          if (++periodic_ticks == 5) {
            ebbrt::timer->Cancel(*id);
            delete id;
            // Idle with nothing queued: the core sleeps in hlt until this timer.
            ebbrt::timer->Start(3'000'000, [] { ebbrt::Stop(7); });
          }
        },
        /*periodic=*/true);
  });
  EXPECT_EQ(status, 7);
  EXPECT_TRUE(order_ok);
  EXPECT_EQ(blocked_value, 42);
  EXPECT_GE(timer_delay_ns, 2'000'000u);
  EXPECT_TRUE(rcu_ran);
  EXPECT_EQ(periodic_ticks, 5);
  printf("runtime_checks: timer fired after %llu us\n",
         static_cast<unsigned long long>(timer_delay_ns / 1000));
}

// A second Run in the same machine starts fresh.
TEST(RuntimeTest, RunsFollowOneAnother) {
  int second = ebbrt::Run(1, [] { ebbrt::SpawnLocal([] { ebbrt::Stop(3); }); });
  EXPECT_EQ(second, 3);
}

}  // namespace
