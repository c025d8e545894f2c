// Native image whose AppMain calls a plain operator new while no allocator exists
// (ebbrt/native/libc/allocate_bytes.h). There are no exceptions to throw, so new must
// stop the machine with "[ebbrt] fatal: operator new(4): out of memory" and no exit
// banner: the QEMU runner must report a crash.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("new_failure_image: calling operator new with no allocator\n");
  // Stored through a volatile so the allocation cannot be elided.
  int* volatile p = new int(1);
  // Reached only if new returned: reported as a failure, never as the expected crash.
  return *p == 1 ? 3 : 4;
}
