// SPDX-License-Identifier: Apache-2.0
// Native image whose AppMain asks operator new for more memory than the machine has.
// There are no exceptions to throw, so new must stop the machine with a fatal report
// ("operator new(N): out of memory") and no exit banner: the runner reports FATAL.
#include <stddef.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("new_failure_image: asking operator new for 1 TiB\n");
  // Stored through a volatile so the allocation cannot be elided.
  char* volatile p = new char[size_t{1} << 40];
  // Reached only if new returned: reported as a failure, never as the expected fatal.
  return p != nullptr ? 3 : 4;
}
