// SPDX-License-Identifier: Apache-2.0
// The raw stack switch under blocking events (ebbrt/event/context_switch.h): a switch to
// another stack and back, beside a plain (non-inlined) function call.
//
//   bazel run -c opt //bench/runtime:context_switch_benchmark
//
//   BM_ContextSwitchPair   ebbrt_context_switch to a second 64 KiB stack, which switches
//                          straight back (two switches per iteration)
//   BM_FunctionCall        baseline: call and return of an empty non-inlined function
#include <stdint.h>
#include <sys/mman.h>

#include "bench/runtime/bench_config.h"
#include "benchmark/benchmark.h"
#include "ebbrt/base/check.h"
#include "ebbrt/event/context_switch.h"

namespace {

constexpr size_t kStackSize = 64 * 1024;

uintptr_t g_main_sp = 0;
uintptr_t g_other_sp = 0;

// Runs on the second stack: every time it is resumed, it switches straight back.
[[noreturn]] void Bouncer(void*) {
  while (true) ebbrt_context_switch(&g_other_sp, g_main_sp);
}

void BM_ContextSwitchPair(benchmark::State& state) {
  void* stack = mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EBBRT_CHECK(stack != MAP_FAILED);
  // Starts Bouncer on the new stack; it switches back at once, so this returns.
  ebbrt_context_start(&g_main_sp, static_cast<char*>(stack) + kStackSize, &Bouncer, nullptr);
  for (auto _ : state) {
    ebbrt_context_switch(&g_main_sp, g_other_sp);
  }
  // Bouncer is left suspended in its switch; its stack holds nothing to clean up.
  munmap(stack, kStackSize);
}
BENCHMARK(BM_ContextSwitchPair)->Apply(ebbrt_bench::Configure);

[[gnu::noinline]] void EmptyFunction() { asm volatile(""); }

void BM_FunctionCall(benchmark::State& state) {
  for (auto _ : state) EmptyFunction();
}
BENCHMARK(BM_FunctionCall)->Apply(ebbrt_bench::Configure);

}  // namespace
