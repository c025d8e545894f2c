// SPDX-License-Identifier: Apache-2.0
// Native image that crashes the virtual CPU: it loads an IDT with limit 0 and
// executes INT3. Vector 3 lies outside the IDT, so delivery raises #GP, whose
// vector is outside it too, giving #DF, which also cannot be delivered: a
// triple fault, i.e. shutdown (Intel SDM Vol. 3A §6.15, "Interrupt 8 -- Double
// Fault Exception"). With -no-reboot QEMU exits with status 0 and no exit
// banner is printed, which the runner must report as a failure.
#include <stdint.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

namespace {

// The LIDT operand. Intel SDM Vol. 3A §6.10, Figure 6-1.
struct [[gnu::packed]] IdtPointer {
  uint16_t limit;
  uint64_t base;
};

}  // namespace

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("triple_fault_image: loading an empty IDT and trapping\n");
  static constexpr IdtPointer kEmptyIdt = {0, 0};
  asm volatile(
      "lidt %0\n\t"
      "int3"
      :
      : "m"(kEmptyIdt)
      : "memory");
  // Not reached: the CPU shuts down inside the asm.
  return 0;
}
