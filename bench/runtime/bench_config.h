// SPDX-License-Identifier: Apache-2.0
// Shared settings for the runtime microbenchmarks (bench/runtime/*_benchmark.cc).
//
// Every benchmark here runs inside an event on EbbRT core 0 (bench_main.cc starts the
// runtime and calls google-benchmark from its first event), so Ebb translation, SpawnLocal
// and Future::Block behave as they do in an application.
//
//   void BM_Foo(benchmark::State& state) { for (auto _ : state) Foo(); }
//   BENCHMARK(BM_Foo)->Apply(ebbrt_bench::Configure);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "benchmark/benchmark.h"

namespace ebbrt_bench {

// How many cores bench_main.cc starts. Core 1 sleeps unless a benchmark spawns to it.
inline constexpr size_t kCores = 2;

// The machine these run on has two noisy vCPUs: repeat and report the aggregates
// (compare medians), and run each repetition long enough to average out scheduling.
inline void Configure(benchmark::internal::Benchmark* b) {
  b->Repetitions(5)->ReportAggregatesOnly(true)->MinTime(0.5);
}

// For benchmarks that wait on another thread or core: the waiting thread sleeps, so CPU
// time would undercount; use wall-clock time.
inline void ConfigureRealTime(benchmark::internal::Benchmark* b) {
  Configure(b);
  b->UseRealTime();
}

// A per-item time counter: with `items` units of work per benchmark iteration, reports
// seconds per item (shown as e.g. "25.3n" = 25.3 ns).
inline benchmark::Counter PerItem(int64_t items) {
  return benchmark::Counter(static_cast<double>(items),
                            benchmark::Counter::kIsIterationInvariantRate |
                                benchmark::Counter::kInvert);
}

}  // namespace ebbrt_bench
