// SPDX-License-Identifier: Apache-2.0
// Skips a test that needs more cores than ebbrt::Run can start here: natively the vCPUs
// QEMU was given (-smp), so one test binary serves 1-vCPU and 4-vCPU machines alike;
// hosted never skips (cores may outnumber CPUs).
//
//   TEST(EventManagerTest, SpawnRemoteBetweenEveryPairOfCores) {
//     EBBRT_REQUIRE_CORES(4);
//     ebbrt::Run(4, [] { ... });
//   }
//
// GTEST_SKIP returns from the function it is in, so the macro belongs at the top of the
// test body itself, not in a helper the body calls.
#pragma once

#include <stddef.h>

#include "ebbrt/event/run.h"
#include "gtest/gtest.h"

// An if/else rather than a bare if, so an `else` after the macro cannot bind to it.
#define EBBRT_REQUIRE_CORES(n)                            \
  if (::ebbrt::MaxRunCores() >= static_cast<size_t>(n)) { \
  } else                                                  \
    GTEST_SKIP() << "needs " << (n) << " cores, this machine runs " << ::ebbrt::MaxRunCores()
