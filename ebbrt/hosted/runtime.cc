// SPDX-License-Identifier: Apache-2.0
// Hosted runtime: cores as threads, each with its own epoll set (event_platform.cc).
// ebbrt::Run (ebbrt/event/run.h) starts `num_cores` threads, each running one core's event
// loop (pinned to CPU `core % online CPUs` when the kernel allows it), queues `main_fn` as
// the first event on core 0, and returns the status given to ebbrt::Stop() once every loop
// has stopped. Runs may follow one another in a process (tests do); they may not nest or
// overlap.
#include "ebbrt/event/run.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/hosted/internal/cpu_state.h"
#include "ebbrt/hosted/internal/hosted_core.h"
#include "ebbrt/platform/translation.h"

namespace ebbrt {
namespace {

std::atomic<size_t> g_cores_ready{0};

// The CPUs this process may run on when Run started (e.g. narrowed with taskset), in
// order; core i is pinned to the (i mod count)-th of them.
cpu_set_t g_allowed_cpus;
int g_allowed_count = 0;

void RecordAllowedCpus() {
  CPU_ZERO(&g_allowed_cpus);
  if (sched_getaffinity(0, sizeof(g_allowed_cpus), &g_allowed_cpus) != 0) {
    g_allowed_count = 0;
    return;
  }
  g_allowed_count = CPU_COUNT(&g_allowed_cpus);
}

void PinToCpu(size_t core) {
  if (g_allowed_count <= 0) return;
  int wanted = static_cast<int>(core % static_cast<size_t>(g_allowed_count));
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &g_allowed_cpus)) continue;
    if (wanted-- > 0) continue;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    // Best effort: containers may forbid it, and correctness does not depend on it.
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    return;
  }
}

void CoreMain(size_t core, size_t num_cores, MovableFunction<void()>* main_fn) {
  hosted_internal::SetMyCore(core);
  PinToCpu(core);
  platform::AttachTranslationTable();
  // Build this core's reps before anyone may spawn to it.
  EventManager& manager = event_manager.GetRep();
  (void)timer.GetRep();
  g_cores_ready.fetch_add(1, std::memory_order_acq_rel);
  while (g_cores_ready.load(std::memory_order_acquire) < num_cores) {
    sched_yield();
  }
  if (core == 0) manager.SpawnLocal(std::move(*main_fn));
  manager.RunLoopUntilStopped();
  hosted_internal::RunCoreExitHooks();
  platform::DetachTranslationTable();
  hosted_internal::SetMyCore(hosted_internal::kNotACore);
}

}  // namespace

size_t AvailableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  int count = CPU_COUNT(&set);
  return count > 0 ? static_cast<size_t>(count) : 1;
}

size_t MaxRunCores() { return kMaxCores; }

// Hosted cores exist only for the length of a Run: NumCores() is the Run's size.
size_t RunCores() { return NumCores(); }

int Run(size_t num_cores, MovableFunction<void()> main_fn) {
  EBBRT_CHECK_MSG(num_cores >= 1 && num_cores <= kMaxCores, "Run: bad core count");
  EBBRT_CHECK_MSG(!OnCore(), "Run called from inside a core");
  EBBRT_CHECK_MSG(hosted_internal::ClaimCores(num_cores),
                  "Run: another Run is active in this process");
  EventManager::ResetStopFlag();
  RecordAllowedCpus();
  g_cores_ready.store(0, std::memory_order_release);
  hosted_internal::CreateCores(num_cores);

  std::thread* threads = new std::thread[num_cores];
  for (size_t core = 0; core < num_cores; ++core) {
    threads[core] = std::thread(CoreMain, core, num_cores, &main_fn);
  }
  for (size_t core = 0; core < num_cores; ++core) threads[core].join();
  delete[] threads;

  // Every loop has stopped: the runtime's own Ebbs go, so a later Run starts fresh.
  EventManager::DestroyRuntimeEbbs();
  hosted_internal::DestroyCores(num_cores);
  hosted_internal::ReleaseCores();
  return StopStatus();
}

}  // namespace ebbrt
