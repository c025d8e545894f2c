// counter: the worked example app. Every core increments a per-core Counter Ebb a fixed
// number of times, each increment an event on that core; core 0 waits for all of them
// (WhenAll + Block), sums through the Ebb's root and checks the total.
//
//   bazel run //apps/counter -- 8      # 8 cores (default 4)
//   total=800000 expected=800000       # exit status 0 iff they match
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <utility>

#include "apps/counter/counter_ebb.h"
#include "ebbrt/base/console.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/future/future.h"
#include "ebbrt/hosted/runtime.h"

namespace {

constexpr uint64_t kIncrementsPerCore = 100'000;
constexpr size_t kDefaultCores = 4;

// One core's run of increments: each increment is an event that queues the next, so the
// core stays responsive to other events between them. The last one reports this core's
// count through the promise.
struct IncrementRun {
  ebbrt::EbbRef<counter::Counter> counter;
  uint64_t left;
  ebbrt::Promise<uint64_t> done;

  static void Step(IncrementRun* run) {
    run->counter->Increment();
    if (--run->left == 0) {
      run->done.SetValue(run->counter->Local());
      delete run;
      return;
    }
    ebbrt::SpawnLocal([run] { Step(run); });
  }
};

void Print(const char* format, uint64_t a, uint64_t b) {
  char line[128];
  snprintf(line, sizeof(line), format, static_cast<unsigned long long>(a),
           static_cast<unsigned long long>(b));
  ebbrt::ConsolePrint(line);
}

// The first event, on core 0.
void Main(size_t cores) {
  ebbrt::Result<ebbrt::EbbRef<counter::Counter>> created = counter::Counter::Create();
  if (!created.ok()) {
    ebbrt::ConsolePrint("counter: could not create the Counter Ebb\n");
    ebbrt::Stop(1);
    return;
  }
  ebbrt::EbbRef<counter::Counter> counter = created.value();

  ebbrt::Vector<ebbrt::Future<uint64_t>> finished;
  for (size_t core = 0; core < cores; ++core) {
    ebbrt::Promise<uint64_t> done;
    finished.PushBack(done.GetFuture());
    ebbrt::SpawnRemote(
        [counter, done = std::move(done)]() mutable {
          IncrementRun::Step(new IncrementRun{counter, kIncrementsPerCore, std::move(done)});
        },
        core);
  }

  // Suspends this event; core 0 keeps running its own increments meanwhile.
  ebbrt::Result<ebbrt::Vector<uint64_t>> per_core =
      ebbrt::WhenAll(std::move(finished)).Block();
  if (!per_core.ok()) {
    ebbrt::ConsolePrint("counter: a core failed to report\n");
    ebbrt::Stop(1);
    return;
  }
  uint64_t reported = 0;
  for (uint64_t count : per_core.value()) reported += count;

  uint64_t total = counter::Counter::RootOf(counter).Sum();
  uint64_t expected = kIncrementsPerCore * cores;
  Print("total=%llu expected=%llu\n", total, expected);
  if (reported != total) Print("counter: cores reported %llu but the root sums %llu\n",
                               reported, total);
  ebbrt::Stop(total == expected && reported == total ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  size_t cores = kDefaultCores;
  if (argc > 2) {
    fprintf(stderr, "usage: %s [cores]\n", argv[0]);
    return 2;
  }
  if (argc == 2) {
    char* end = nullptr;
    unsigned long parsed = strtoul(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || parsed < 1 || parsed > ebbrt::kMaxCores) {
      fprintf(stderr, "counter: cores must be 1..%zu, got '%s'\n", ebbrt::kMaxCores, argv[1]);
      return 2;
    }
    cores = parsed;
  }
  return ebbrt::Run(cores, [cores] { Main(cores); });
}
