// SPDX-License-Identifier: Apache-2.0
// Starting and stopping the runtime: the same call on both platforms.
//
//   int status = ebbrt::Run(4, [] {
//     // The first event, on core 0. Spawn work; eventually:
//     ebbrt::Stop(0);
//   });
//
// Run() starts `num_cores` cores (hosted: pinned threads; native: the machine's vCPUs,
// which must number at least `num_cores`), runs `main_fn` as the first event on core 0,
// and returns the status given to ebbrt::Stop() once every core's loop has stopped. Runs
// may follow one another; they may not nest or overlap.
#pragma once

#include <stddef.h>

#include "ebbrt/base/movable_function.h"

namespace ebbrt {

int Run(size_t num_cores, MovableFunction<void()> main_fn);

// How many cores Run can start here: the CPUs this process may use (hosted), the vCPUs
// that came up (native).
size_t AvailableCores();

// The largest `num_cores` Run accepts here: hosted, EbbRT's core limit (kMaxCores; cores
// may outnumber CPUs, they then share them); native, the vCPUs that came up. Tests that
// need several cores skip when this is too small (ebbrt/testing/require_cores.h).
size_t MaxRunCores();

// How many cores the running Run started (`num_cores`; 0 outside a Run): the cores an
// event can reach with SpawnRemote. Natively NumCores() counts every vCPU that came up,
// which a Run may not all use.
size_t RunCores();

}  // namespace ebbrt
