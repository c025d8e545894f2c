// Native ebbrt::Run (ebbrt/event/run.h): the boot core's event loop. SMP bring-up (the
// native platform issue) will start the other vCPUs' loops; until then Run accepts one core.
#include <stddef.h>

#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/core/local_id_map.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"

namespace ebbrt {
namespace {

template <typename Root>
void DestroyRoot(EbbId id) {
  delete static_cast<Root*>(LocalIdMap::Unbind(id));
}

bool g_running = false;

}  // namespace

int Run(size_t num_cores, MovableFunction<void()> main_fn) {
  EBBRT_CHECK_MSG(num_cores >= 1 && num_cores <= NumCores(),
                  "Run: more cores than the machine has started (SMP bring-up pending)");
  EBBRT_CHECK_MSG(!g_running, "Run: runs may not nest");
  g_running = true;
  EventManager::ResetStopFlag();
  EventManager& manager = event_manager.GetRep();
  (void)timer.GetRep();
  manager.SpawnLocal(std::move(main_fn));
  manager.RunLoopUntilStopped();
  // The loop has stopped: the runtime's Ebbs go, so a later Run starts fresh. The
  // translation cache still names them, so it must forget them too.
  DestroyRoot<EventManagerRoot>(kEventManagerId);
  DestroyRoot<MulticoreRoot<Timer>>(kTimerId);
  CacheRef(kEventManagerId, nullptr);
  CacheRef(kTimerId, nullptr);
  g_running = false;
  return StopStatus();
}

}  // namespace ebbrt
