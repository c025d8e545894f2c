// The hosted runtime: EbbRT cores as pinned Linux threads (ebbrt::Run, ebbrt/event/run.h).
//
//   int main() {
//     return ebbrt::Run(4, [] {
//       // The first event, on core 0. Spawn work, then:
//       ebbrt::Stop(0);
//     });
//   }
//
// Run() starts `num_cores` threads, each running one core's event loop (pinned to CPU
// `core % online CPUs` when the kernel allows it), queues `main_fn` as the first event on
// core 0, and returns the status given to ebbrt::Stop() once every loop has stopped.
// Runs may follow one another in a process (tests do); they may not nest or overlap.
#pragma once

#include <stddef.h>

#include "ebbrt/event/run.h"  // IWYU pragma: export
