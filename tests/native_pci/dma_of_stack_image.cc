// SPDX-License-Identifier: Apache-2.0
// Handing a stack buffer to a device is a bug DmaAddress stops loudly: an event's stack is
// a VMemAllocator region, not identity-mapped, so its address means nothing to a device.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/native/mem/dma.h"

int ebbrt::AppMain() {
  return ebbrt::Run(1, [] {
    char frame[64] = {};
    ebbrt::ConsolePrint("dma_of_stack_image: giving a device a stack buffer\n");
    (void)ebbrt::native::DmaAddress(frame, sizeof(frame));
    ebbrt::Stop(0);
  });
}
