// SPDX-License-Identifier: Apache-2.0
#include "apps/counter/run_counter.h"

#include <stdint.h>
#include <stdio.h>

#include <utility>

#include "apps/counter/counter_ebb.h"
#include "ebbrt/base/console.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/future/future.h"

namespace counter {
namespace {

// One core's run of increments: each increment is an event that queues the next, so the
// core stays responsive to other events between them. The last one reports this core's
// count through the promise.
struct IncrementRun {
  ebbrt::EbbRef<Counter> counter;
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
  ebbrt::Result<ebbrt::EbbRef<Counter>> created = Counter::Create();
  if (!created.ok()) {
    ebbrt::ConsolePrint("counter: could not create the Counter Ebb\n");
    ebbrt::Stop(1);
    return;
  }
  ebbrt::EbbRef<Counter> counter = created.value();

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
  bool ok = true;
  uint64_t reported = 0;
  for (size_t core = 0; core < per_core.value().Size(); ++core) {
    uint64_t count = per_core.value()[core];
    // Each rep is its own core's: a count off by anything means reps were shared or lost.
    if (count != kIncrementsPerCore) {
      Print("counter: core %llu counted %llu\n", core, count);
      ok = false;
    }
    reported += count;
  }

  uint64_t total = Counter::RootOf(counter).Sum();
  uint64_t expected = kIncrementsPerCore * cores;
  Print("total=%llu expected=%llu\n", total, expected);
  if (reported != total) {
    Print("counter: cores reported %llu but the root sums %llu\n", reported, total);
    ok = false;
  }
  ebbrt::Stop(ok && total == expected ? 0 : 1);
}

}  // namespace

int RunCounter(size_t cores) {
  return ebbrt::Run(cores, [cores] { Main(cores); });
}

}  // namespace counter
