// SPDX-License-Identifier: Apache-2.0
// Native image whose application never returns: the QEMU test runner must
// stop it at its timeout and report a failure with the serial log.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("hang_image: spinning forever\n");
  for (;;) {
    // PAUSE: a spin-wait hint; the asm also makes the loop a side effect, so
    // the compiler may not assume it terminates.
    asm volatile("pause");
  }
}
