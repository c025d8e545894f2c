// SPDX-License-Identifier: Apache-2.0
// Dereferences a null pointer: the CPU raises #PF on the unmapped page 0, and the image
// must print a fatal report (vector, cr2, registers, a backtrace naming this function)
// and stop with the fatal status.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

namespace {

[[gnu::noinline]] int ReadThroughNull(volatile int* pointer) { return *pointer; }

}  // namespace

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("page_fault_image: reading through a null pointer\n");
  volatile int* null = nullptr;
  int value = ReadThroughNull(null);
  // Not a tail call, so AppMain's frame is in the backtrace.
  ebbrt::ConsolePrint("page_fault_image: survived a null dereference (a bug)\n");
  return value;
}
