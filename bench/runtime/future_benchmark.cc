// SPDX-License-Identifier: Apache-2.0
// Future costs: Then on a ready and on an unready future, and Block + resume, beside a
// direct call of the same continuation through a MovableFunction.
//
//   bazel run -c opt //bench/runtime:future_benchmark
//
//   BM_ThenReady          MakeReadyFuture(x).Then(f): f runs inline, result read
//   BM_ThenUnready        Promise; GetFuture().Then(f); SetValue(x): f runs inline in
//                         SetValue (same core), result read
//   BM_ThenChainReady/N   N Thens chained on a ready future (the flattening-free path)
//   BM_MovableFunctionCallInt   baseline: build f as a MovableFunction<int(int)>, call it
//   BM_BlockResume        an event blocks on a future that a spawned event fulfils: the
//                         context switch away, the loop dispatching two events (the
//                         fulfiller and the resumption), and the switch back
//   BM_BlockReady         Block() on a ready future (no suspension)
//
// All run inside an event on core 0 (bench_main.cc).
#include <stdint.h>

#include "bench/runtime/bench_config.h"
#include "benchmark/benchmark.h"
#include "ebbrt/base/check.h"
#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/future/future.h"

namespace {

using ebbrt::Future;
using ebbrt::MakeReadyFuture;
using ebbrt::MovableFunction;
using ebbrt::Promise;
using ebbrt::Result;

// The continuation's work, shared by the future and the baseline variants.
inline int AddOne(int x) {
  benchmark::DoNotOptimize(x);
  return x + 1;
}

void BM_ThenReady(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    Future<int> next = MakeReadyFuture(x).Then([](Future<int> f) { return AddOne(f.value()); });
    x = next.value();
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_ThenReady)->Apply(ebbrt_bench::Configure);

void BM_ThenUnready(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    Promise<int> promise;
    Future<int> next =
        promise.GetFuture().Then([](Future<int> f) { return AddOne(f.value()); });
    promise.SetValue(x);
    x = next.value();
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_ThenUnready)->Apply(ebbrt_bench::Configure);

void BM_ThenChainReady(benchmark::State& state) {
  const int64_t length = state.range(0);
  int x = 1;
  for (auto _ : state) {
    Future<int> f = MakeReadyFuture(x);
    for (int64_t i = 0; i < length; ++i) {
      f = std::move(f).Then([](Future<int> g) { return AddOne(g.value()); });
    }
    x = f.value();
  }
  benchmark::DoNotOptimize(x);
  state.counters["per_then"] = ebbrt_bench::PerItem(length);
}
BENCHMARK(BM_ThenChainReady)->Arg(10)->Apply(ebbrt_bench::Configure);

void BM_MovableFunctionCallInt(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    MovableFunction<int(int)> fn([](int y) { return AddOne(y); });
    benchmark::DoNotOptimize(fn);
    x = fn(x);
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_MovableFunctionCallInt)->Apply(ebbrt_bench::Configure);

void BM_BlockResume(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    Promise<int> promise;
    Future<int> future = promise.GetFuture();
    ebbrt::SpawnLocal([&promise, x] { promise.SetValue(AddOne(x)); });
    Result<int> result = future.Block();
    x = result.value();
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_BlockResume)->Apply(ebbrt_bench::Configure);

void BM_BlockReady(benchmark::State& state) {
  int x = 1;
  for (auto _ : state) {
    Result<int> result = MakeReadyFuture(AddOne(x)).Block();
    x = result.value();
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(BM_BlockReady)->Apply(ebbrt_bench::Configure);

}  // namespace
