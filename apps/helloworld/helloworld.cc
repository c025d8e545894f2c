// helloworld: the smallest EbbRT application, the same source on both platforms. It
// starts an event loop on every available core, has each core say hello from an event,
// and stops once all have.
#include <stdio.h>

#include <atomic>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("Hello from EbbRT!\n");
  const size_t cores = ebbrt::AvailableCores();
  static std::atomic<size_t> greeted{0};
  greeted = 0;
  return ebbrt::Run(cores, [cores] {
    for (size_t core = 0; core < cores; ++core) {
      ebbrt::SpawnRemote(
          [cores] {
            char line[64];
            snprintf(line, sizeof(line), "hello from the event loop of core %zu\n", ebbrt::MyCore());
            ebbrt::ConsolePrint(line);
            if (greeted.fetch_add(1) + 1 == cores) ebbrt::Stop(0);
          },
          core);
    }
  });
}
