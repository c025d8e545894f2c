// SPDX-License-Identifier: Apache-2.0
// main() for the runtime benchmarks: runs google-benchmark inside the first event of an
// EbbRT runtime (ebbrt::Run), so every benchmark body executes on core 0 as an event. The
// benchmark loop may therefore use EbbRefs with cached reps, SpawnLocal, SpawnRemote and
// Future::Block like application code does. Core 1 is started too for the cross-core
// benchmarks; it sleeps in its event loop otherwise.
#include "bench/runtime/bench_config.h"
#include "benchmark/benchmark.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  int status = ebbrt::Run(ebbrt_bench::kCores, [] {
    benchmark::RunSpecifiedBenchmarks();
    ebbrt::Stop(0);
  });
  benchmark::Shutdown();
  return status;
}
