// SPDX-License-Identifier: Apache-2.0
// Smoke benchmark: proves google-benchmark builds from pinned source and runs here.
// It measures ConsolePrint's length scan against strlen on the same string, side by side
// in one binary (the runtime's own benchmarks are in bench/runtime).
#include <string.h>

#include <string>

#include "benchmark/benchmark.h"

namespace {

// The same loop ebbrt/base/console.cc uses to size a string before writing it.
size_t ConsoleLength(const char* cstr) {
  size_t size = 0;
  while (cstr[size] != '\0') {
    ++size;
  }
  return size;
}

void BM_ConsoleLength(benchmark::State& state) {
  std::string text(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(ConsoleLength(text.c_str()));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ConsoleLength)->Arg(16)->Arg(256);

void BM_Strlen(benchmark::State& state) {
  std::string text(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    const char* p = text.c_str();
    benchmark::DoNotOptimize(p);
    benchmark::DoNotOptimize(strlen(p));
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Strlen)->Arg(16)->Arg(256);

}  // namespace

BENCHMARK_MAIN();
