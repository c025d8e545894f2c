// SPDX-License-Identifier: Apache-2.0
// Running test code on cores, for tests on both platforms (hosted and native images):
//
//   InFreshRun(cores, body)        body() as the first event (core 0) of a fresh
//                                  ebbrt::Run of `cores` cores; the Run stops when body
//                                  returns. For a body that blocks, spawns work to other
//                                  cores (SpawnOn/ForEachCore, ebbrt/event/spawn_on.h) or
//                                  just needs to be on a core.
//   OnAllCoresAtOnce(cores, body)  body(core) on every core of a fresh Run at the same
//                                  moment (one event per core, released together by a
//                                  start barrier, so the bodies overlap): for tests of what
//                                  cores share.
//   StepBarrier                    keeps such bodies in lock step after that.
//   BlockForMs(ms)                 the calling event waits (blocked, the core free for
//                                  others) for at least `ms` milliseconds: for polling a
//                                  condition that a device or another core makes true.
//
// Call them from a test body, outside any Run; they return once the Run has stopped, and
// the Run's status must be 0 (checked).
//
//   InFreshRun(2, [] { EXPECT_EQ(SpawnOn(1, [] { return MyCore(); }).Block().value(), 1u); });
//
//   StepBarrier step(4);  // shared by the bodies
//   OnAllCoresAtOnce(4, [&](size_t core) { Write(core); step.Wait(); Read(core); });
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"

namespace ebbrt::testing_internal {

// A reusable spin barrier for `cores` bodies running at once: Wait() returns on every
// core once all have called it, as often as they like. The last core to arrive starts
// the next generation. It spins (no event switch), so every body must be running on its
// own core: the bodies of one OnAllCoresAtOnce are.
class StepBarrier {
 public:
  constexpr explicit StepBarrier(size_t cores) : cores_(cores) {}

  void Wait() {
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == cores_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
      return;
    }
    while (generation_.load(std::memory_order_acquire) == generation) __builtin_ia32_pause();
  }

 private:
  const size_t cores_;
  std::atomic<size_t> arrived_{0};
  std::atomic<uint64_t> generation_{0};
};

// Runs body() as the first event of a fresh Run of `cores` cores, then stops the Run.
template <typename Body>
void InFreshRun(size_t cores, Body body) {
  const int status = ebbrt::Run(cores, [&body] {
    body();
    ebbrt::Stop(0);
  });
  EBBRT_CHECK(status == 0);
}

// Runs body(core) once on each of `cores` cores of a fresh Run, all bodies starting
// together.
template <typename Body>
void OnAllCoresAtOnce(size_t cores, Body body) {
  StepBarrier start(cores);
  InFreshRun(cores, [&] {
    EBBRT_CHECK(ebbrt::ForEachCore([&](size_t core) {
                  start.Wait();
                  body(core);
                }).Block().ok());
  });
}

// Blocks the calling event for at least `ms` milliseconds (a timer wakes it).
inline void BlockForMs(uint64_t ms) {
  auto* promise = new Promise<void>();
  Future<void> done = promise->GetFuture();
  timer->Start(ms * 1'000'000, [promise] {
    promise->SetValue();
    delete promise;
  });
  EBBRT_CHECK_OK(done.Block());
}

}  // namespace ebbrt::testing_internal
