// Native ebbrt/core/cpu.h. Until SMP bring-up (the native platform issue) the boot CPU is
// the one and only core, and everything native runs on it.
#include "ebbrt/core/cpu.h"

namespace ebbrt {

bool OnCore() { return true; }
size_t MyCore() { return 0; }
size_t NumCores() { return 1; }

}  // namespace ebbrt
