// Runs a function on every core at the same moment, for tests of what cores share (the C
// library's locks and per-core state): a Run of `cores` event loops, one event per core,
// all released together by a barrier so their bodies overlap. Call it from AppMain,
// outside any Run. StepBarrier keeps the bodies in lock step after that.
//
//   OnAllCoresAtOnce(4, [](size_t core) { printf("core %zu\n", core); });
//
//   StepBarrier step(4);  // shared by the bodies
//   OnAllCoresAtOnce(4, [&](size_t core) { Write(core); step.Wait(); Read(core); });
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/future/future.h"

namespace ebbrt_test {

// A reusable spin barrier for `cores` bodies of one OnAllCoresAtOnce: Wait() returns on
// every core once all have called it, as often as they like. The last core to arrive
// starts the next generation.
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

template <typename Body>
void OnAllCoresAtOnce(size_t cores, Body body) {
  struct Shared {
    Shared(size_t cores, Body body) : cores(cores), body(body) {}
    size_t cores;
    Body body;
    std::atomic<size_t> arrived{0};
    std::atomic<size_t> finished{0};
    ebbrt::Promise<void> done;
  };
  auto* shared = new Shared(cores, body);
  auto work = [shared] {
    shared->arrived.fetch_add(1);
    while (shared->arrived.load() < shared->cores) __builtin_ia32_pause();
    shared->body(ebbrt::MyCore());
    if (shared->finished.fetch_add(1) + 1 == shared->cores) shared->done.SetValue();
  };
  const int status = ebbrt::Run(cores, [shared, work] {
    ebbrt::Future<void> done = shared->done.GetFuture();
    for (size_t core = 1; core < shared->cores; ++core) ebbrt::SpawnRemote(work, core);
    work();
    EBBRT_CHECK(done.Block().ok());
    ebbrt::Stop(0);
  });
  EBBRT_CHECK(status == 0);
  delete shared;
}

}  // namespace ebbrt_test
