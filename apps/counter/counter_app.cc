// SPDX-License-Identifier: Apache-2.0
// counter_app: the counter example (run_counter.h) as an EbbRT application, one source for
// both platforms: on every core Run can start here (hosted: the CPUs this process may use;
// native: the vCPUs that came up). Natively the exit status QEMU reports is the example's
// own verdict: 0 only if every core counted exactly its increments and the root's sum
// matches.
//
//   tools/ebbrt run counter      # boots on 4 vCPUs: total=400000 expected=400000
#include "apps/counter/run_counter.h"
#include "ebbrt/app/app_main.h"
#include "ebbrt/event/run.h"

int ebbrt::AppMain() { return counter::RunCounter(ebbrt::AvailableCores()); }
