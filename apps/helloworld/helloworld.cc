// SPDX-License-Identifier: Apache-2.0
// helloworld: the smallest EbbRT application, the same source on both platforms. It
// starts an event loop on every available core, has each core say hello from an event,
// and stops once all have.
#include <stdio.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/future/future.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("Hello from EbbRT!\n");
  return ebbrt::Run(ebbrt::AvailableCores(), [] {
    ebbrt::Status greeted = ebbrt::ForEachCore([](size_t core) {
                              char line[64];
                              snprintf(line, sizeof(line), "hello from the event loop of core %zu\n",
                                       core);
                              ebbrt::ConsolePrint(line);
                            }).Block();
    ebbrt::Stop(greeted.ok() ? 0 : 1);
  });
}
