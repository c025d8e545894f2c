// SPDX-License-Identifier: Apache-2.0
// Hosted only: how long an idle core keeps polling its event sources before it sleeps.
//
//   ebbrt::hosted::SetIdlePoll({.poll_ns = 50'000});   // before ebbrt::Run
//   return ebbrt::Run(cores, [] { ... });
//
// Why: a core that sleeps in epoll_wait is woken by the kernel when a socket becomes
// readable, and in a VM that wake-up (an IPI, a VM exit, a context switch) costs several
// microseconds on both sides: the sleeper pays it in latency, the peer that wrote to the
// socket pays it in CPU. Polling for a while before sleeping (as Seastar and EbbRT's
// native idle loop do) answers a request that arrives within the window without it.
// The price is CPU burnt while idle, so it is off unless a program asks for it.
//
// The environment variable EBBRT_IDLE_POLL_US, when set, overrides what the program
// chose (0 turns polling off), so it can be measured without rebuilding.
#pragma once

#include <stdint.h>

namespace ebbrt::hosted {

struct IdlePoll {
  // How long an idle core polls (epoll_wait with a zero timeout) before blocking.
  uint64_t poll_ns = 0;
  // Polling stops while the core has been running (working or polling) more than this
  // percentage of the current 10 ms window; it blocks until its share falls again. This
  // keeps a polling core from looking like a CPU hog: a SCHED_RR process that runs
  // more than 95 % of a second is throttled by the kernel for the rest of it
  // (sched_rt_runtime_us), a 50 ms stall.
  uint32_t max_busy_percent = 80;
};

// Takes effect for the cores of the next ebbrt::Run.
void SetIdlePoll(const IdlePoll& config);

}  // namespace ebbrt::hosted
