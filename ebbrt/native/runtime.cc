// SPDX-License-Identifier: Apache-2.0
// Native ebbrt::Run (ebbrt/event/run.h): one event loop per started vCPU (ebbrt/native/smp).
#include <stddef.h>

#include <atomic>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/smp/smp.h"

namespace ebbrt {
namespace {

bool g_running = false;
std::atomic<size_t> g_cores_ready{0};
std::atomic<size_t> g_cores_done{0};
size_t g_run_size = 0;

// Every core of a Run: build its reps, wait for the others, run its loop until Stop, then
// forget the cached reps of the runtime's Ebbs (the next Run builds new ones).
void RunCore(MovableFunction<void()>* main_fn) {
  // Event stacks are core-local VMemAllocator regions that other cores do touch (an event
  // passes its locals by reference); they are freed only between Runs, invalidated in the
  // freeing core's TLB alone. Every core drops its whole TLB here, before any event of the
  // new Run, so no stale translation of a freed stack survives into reused memory
  // (ebbrt/native/mem/vmem_allocator.h, TLB rule).
  x86_64::FlushTlb();
  EventManager& manager = event_manager.GetRep();
  (void)timer.GetRep();
  g_cores_ready.fetch_add(1, std::memory_order_acq_rel);
  while (g_cores_ready.load(std::memory_order_acquire) < g_run_size) __builtin_ia32_pause();
  if (main_fn != nullptr) manager.SpawnLocal(std::move(*main_fn));
  manager.RunLoopUntilStopped();
  CacheRef(kEventManagerId, nullptr);
  CacheRef(kTimerId, nullptr);
}

void RunSecondaryCore(size_t) {
  RunCore(nullptr);
  g_cores_done.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace

size_t AvailableCores() { return NumCores(); }

size_t MaxRunCores() { return NumCores(); }

size_t RunCores() { return g_running ? g_run_size : 0; }

int Run(size_t num_cores, MovableFunction<void()> main_fn) {
  EBBRT_CHECK_MSG(num_cores >= 1 && num_cores <= NumCores(),
                  "Run: more cores than the machine started (give QEMU more vCPUs: -smp)");
  EBBRT_CHECK_MSG(MyCore() == 0, "Run must be called on the boot core");
  EBBRT_CHECK_MSG(!g_running, "Run: runs may not nest");
  g_running = true;
  EventManager::ResetStopFlag();
  g_run_size = num_cores;
  g_cores_ready.store(0, std::memory_order_release);
  g_cores_done.store(0, std::memory_order_release);
  native::WakeSecondaryCores(num_cores, &RunSecondaryCore);
  RunCore(&main_fn);
  while (g_cores_done.load(std::memory_order_acquire) < num_cores - 1) __builtin_ia32_pause();
  // Every loop has stopped: the runtime's own Ebbs go, so a later Run starts fresh.
  EventManager::DestroyRuntimeEbbs();
  g_running = false;
  return StopStatus();
}

}  // namespace ebbrt
