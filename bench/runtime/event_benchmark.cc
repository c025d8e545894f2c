// SPDX-License-Identifier: Apache-2.0
// Event dispatch costs: SpawnLocal + dispatch on one core, and a SpawnRemote round trip
// between two cores, each beside its baseline.
//
//   bazel run -c opt //bench/runtime:event_benchmark
//
//   BM_SpawnLocalBatch/N          spawn N events, let the loop run them; time per event
//   BM_SpawnLocalChain/N          each event spawns the next, N in a row; time per event
//   BM_SpawnLocalBatchTimerPending/N   as BM_SpawnLocalBatch, with one timer pending (an
//                                 hour out) on the core, as most applications have
//   BM_MovableFunctionConstructAndCall   baseline: build the same closure and call it
//   BM_MovableFunctionCall               baseline: call an already built closure
//   BM_SpawnRemoteRoundTripBlock  core 0 -> core 1 -> core 0, core 0 waits in
//                                 Future::Block() each time (the idiomatic request/reply)
//   BM_SpawnRemotePingPong/N      N round trips chained event to event; time per trip
//   BM_ThreadCondvarRoundTrip     baseline: two std::threads, mutex + condition_variable
//   BM_ThreadEventfdRoundTrip     baseline: two std::threads, blocking eventfd reads
//   BM_SpawnRemoteRoundTripPolling  as ...Block, but both cores have an idle handler
//                                 registered, so they poll instead of sleeping in epoll
//   BM_ThreadSpinRoundTrip        baseline for it: two std::threads spinning on atomics
//
// The benchmark body is itself an event on core 0 (bench_main.cc), so spawned events can
// only run while it is suspended: each iteration spawns its batch and then blocks on a
// future the last event fulfils. The Block/resume cost is paid once per batch (see
// BM_BlockResume in future_benchmark.cc for what that is) and amortised over N.
//
// The thread baselines run between core 0's thread (pinned to CPU 0) and a helper thread
// pinned to CPU 1, which is where EbbRT's core 1 runs; both sides block in the kernel
// when idle, as the EbbRT cores do (epoll_wait on an eventfd).
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "bench/runtime/bench_config.h"
#include "benchmark/benchmark.h"
#include "ebbrt/base/check.h"
#include "ebbrt/base/movable_function.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"

namespace {

using ebbrt::Future;
using ebbrt::MovableFunction;
using ebbrt::Promise;

// What each event (and each baseline call) does: count down, visibly to the compiler.
inline bool CountDown(int64_t& left) {
  --left;
  benchmark::ClobberMemory();
  return left == 0;
}

// --- SpawnLocal ------------------------------------------------------------------------------

void BM_SpawnLocalBatch(benchmark::State& state) {
  const int64_t batch = state.range(0);
  for (auto _ : state) {
    Promise<void> done;
    Future<void> finished = done.GetFuture();
    int64_t left = batch;
    for (int64_t i = 0; i < batch; ++i) {
      ebbrt::SpawnLocal([&left, &done] {
        if (CountDown(left)) done.SetValue();
      });
    }
    EBBRT_CHECK_OK(finished.Block());
  }
  state.counters["per_event"] = ebbrt_bench::PerItem(batch);
}
BENCHMARK(BM_SpawnLocalBatch)->Arg(1)->Arg(16)->Arg(1000)->Apply(ebbrt_bench::Configure);

void BM_SpawnLocalBatchTimerPending(benchmark::State& state) {
  const int64_t batch = state.range(0);
  ebbrt::Timer::Id pending = ebbrt::timer->Start(3'600'000'000'000, [] {});
  for (auto _ : state) {
    Promise<void> done;
    Future<void> finished = done.GetFuture();
    int64_t left = batch;
    for (int64_t i = 0; i < batch; ++i) {
      ebbrt::SpawnLocal([&left, &done] {
        if (CountDown(left)) done.SetValue();
      });
    }
    EBBRT_CHECK_OK(finished.Block());
  }
  EBBRT_CHECK(ebbrt::timer->Cancel(pending));
  state.counters["per_event"] = ebbrt_bench::PerItem(batch);
}
BENCHMARK(BM_SpawnLocalBatchTimerPending)->Arg(1000)->Apply(ebbrt_bench::Configure);

struct Chain {
  int64_t left;
  Promise<void> done;

  static void Step(Chain* chain) {
    if (CountDown(chain->left)) {
      chain->done.SetValue();
    } else {
      ebbrt::SpawnLocal([chain] { Step(chain); });
    }
  }
};

void BM_SpawnLocalChain(benchmark::State& state) {
  const int64_t length = state.range(0);
  for (auto _ : state) {
    Chain chain{length, Promise<void>()};
    Future<void> finished = chain.done.GetFuture();
    ebbrt::SpawnLocal([&chain] { Chain::Step(&chain); });
    EBBRT_CHECK_OK(finished.Block());
  }
  state.counters["per_event"] = ebbrt_bench::PerItem(length);
}
BENCHMARK(BM_SpawnLocalChain)->Arg(1000)->Apply(ebbrt_bench::Configure);

// Baseline: the same closure (same captures, same body) built and called directly.
void BM_MovableFunctionConstructAndCall(benchmark::State& state) {
  int64_t left = int64_t{1} << 62;
  bool done = false;
  for (auto _ : state) {
    MovableFunction<void()> fn([&left, &done] {
      if (CountDown(left)) done = true;
    });
    benchmark::DoNotOptimize(fn);
    fn();
  }
  benchmark::DoNotOptimize(done);
}
BENCHMARK(BM_MovableFunctionConstructAndCall)->Apply(ebbrt_bench::Configure);

void BM_MovableFunctionCall(benchmark::State& state) {
  int64_t left = int64_t{1} << 62;
  bool done = false;
  MovableFunction<void()> fn([&left, &done] {
    if (CountDown(left)) done = true;
  });
  for (auto _ : state) {
    benchmark::DoNotOptimize(fn);
    fn();
  }
  benchmark::DoNotOptimize(done);
}
BENCHMARK(BM_MovableFunctionCall)->Apply(ebbrt_bench::Configure);

// --- SpawnRemote round trips ---------------------------------------------------------------

void BM_SpawnRemoteRoundTripBlock(benchmark::State& state) {
  for (auto _ : state) {
    Promise<void> reply;
    Future<void> replied = reply.GetFuture();
    // Core 1 fulfils the promise; the blocked event resumes on core 0 (future.h).
    ebbrt::SpawnRemote([&reply] { reply.SetValue(); }, 1);
    EBBRT_CHECK_OK(replied.Block());
  }
}
BENCHMARK(BM_SpawnRemoteRoundTripBlock)->Apply(ebbrt_bench::ConfigureRealTime);

struct PingPong {
  int64_t left;
  Promise<void> done;

  // Runs on core 0: one more round trip, or done.
  static void Ping(PingPong* pp) {
    if (CountDown(pp->left)) {
      pp->done.SetValue();
      return;
    }
    ebbrt::SpawnRemote([pp] { ebbrt::SpawnRemote([pp] { Ping(pp); }, 0); }, 1);
  }
};

void BM_SpawnRemotePingPong(benchmark::State& state) {
  const int64_t trips = state.range(0);
  for (auto _ : state) {
    // One extra Ping at the start that sends nothing back yet: left counts trips + 1.
    PingPong pp{trips + 1, Promise<void>()};
    Future<void> finished = pp.done.GetFuture();
    ebbrt::SpawnLocal([&pp] { PingPong::Ping(&pp); });
    EBBRT_CHECK_OK(finished.Block());
  }
  state.counters["per_round_trip"] = ebbrt_bench::PerItem(trips);
}
BENCHMARK(BM_SpawnRemotePingPong)->Arg(100)->Apply(ebbrt_bench::ConfigureRealTime);

void PinThisThreadTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

void BM_ThreadCondvarRoundTrip(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable to_helper;
  std::condition_variable to_main;
  uint64_t requests = 0;
  uint64_t replies = 0;
  bool quit = false;
  std::thread helper([&] {
    PinThisThreadTo(1);
    std::unique_lock<std::mutex> lock(mutex);
    uint64_t seen = 0;
    while (true) {
      to_helper.wait(lock, [&] { return quit || requests != seen; });
      if (quit) return;
      seen = requests;
      ++replies;
      to_main.notify_one();
    }
  });
  for (auto _ : state) {
    std::unique_lock<std::mutex> lock(mutex);
    uint64_t expected = replies + 1;
    ++requests;
    to_helper.notify_one();
    to_main.wait(lock, [&] { return replies == expected; });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    quit = true;
  }
  to_helper.notify_one();
  helper.join();
}
BENCHMARK(BM_ThreadCondvarRoundTrip)->Apply(ebbrt_bench::ConfigureRealTime);

void BM_ThreadEventfdRoundTrip(benchmark::State& state) {
  int request_fd = eventfd(0, EFD_CLOEXEC);
  int reply_fd = eventfd(0, EFD_CLOEXEC);
  EBBRT_CHECK(request_fd >= 0 && reply_fd >= 0);
  std::thread helper([&] {
    PinThisThreadTo(1);
    uint64_t value;
    while (true) {
      EBBRT_CHECK(read(request_fd, &value, sizeof(value)) == sizeof(value));
      bool quit = value > 1;  // Requests add 1; the quit message adds 2.
      uint64_t one = 1;
      EBBRT_CHECK(write(reply_fd, &one, sizeof(one)) == sizeof(one));
      if (quit) return;
    }
  });
  uint64_t one = 1;
  uint64_t value;
  for (auto _ : state) {
    EBBRT_CHECK(write(request_fd, &one, sizeof(one)) == sizeof(one));
    EBBRT_CHECK(read(reply_fd, &value, sizeof(value)) == sizeof(value));
  }
  uint64_t quit = 2;
  EBBRT_CHECK(write(request_fd, &quit, sizeof(quit)) == sizeof(quit));
  helper.join();
  close(request_fd);
  close(reply_fd);
}
BENCHMARK(BM_ThreadEventfdRoundTrip)->Apply(ebbrt_bench::ConfigureRealTime);

void BM_SpawnRemoteRoundTripPolling(benchmark::State& state) {
  // An idle handler keeps a core polling (it never sleeps while one is registered).
  auto idle0 = ebbrt::event_manager->AddIdleHandler([] {});
  Promise<ebbrt::EventManager::IdleHandlerId> added;
  Future<ebbrt::EventManager::IdleHandlerId> idle1_future = added.GetFuture();
  ebbrt::SpawnRemote([&added] { added.SetValue(ebbrt::event_manager->AddIdleHandler([] {})); },
                     1);
  ebbrt::Result<ebbrt::EventManager::IdleHandlerId> idle1 = idle1_future.Block();
  EBBRT_CHECK_OK(idle1);
  for (auto _ : state) {
    Promise<void> reply;
    Future<void> replied = reply.GetFuture();
    ebbrt::SpawnRemote([&reply] { reply.SetValue(); }, 1);
    EBBRT_CHECK_OK(replied.Block());
  }
  ebbrt::EventManager::IdleHandlerId id1 = idle1.value();
  ebbrt::SpawnRemote([id1] { ebbrt::event_manager->RemoveIdleHandler(id1); }, 1);
  ebbrt::event_manager->RemoveIdleHandler(idle0);
}
BENCHMARK(BM_SpawnRemoteRoundTripPolling)->Apply(ebbrt_bench::ConfigureRealTime);

void BM_ThreadSpinRoundTrip(benchmark::State& state) {
  std::atomic<uint64_t> request{0};
  std::atomic<uint64_t> reply{0};
  std::atomic<bool> quit{false};
  std::thread helper([&] {
    PinThisThreadTo(1);
    uint64_t seen = 0;
    while (!quit.load(std::memory_order_relaxed)) {
      uint64_t r = request.load(std::memory_order_acquire);
      if (r != seen) {
        seen = r;
        reply.store(r, std::memory_order_release);
      } else {
        __builtin_ia32_pause();
      }
    }
  });
  uint64_t sent = 0;
  for (auto _ : state) {
    request.store(++sent, std::memory_order_release);
    while (reply.load(std::memory_order_acquire) != sent) __builtin_ia32_pause();
  }
  quit.store(true, std::memory_order_relaxed);
  helper.join();
}
BENCHMARK(BM_ThreadSpinRoundTrip)->Apply(ebbrt_bench::ConfigureRealTime);

}  // namespace
