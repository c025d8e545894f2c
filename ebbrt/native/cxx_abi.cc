// The few C++ ABI entry points clang-generated code calls on native, with no libc++abi.
//
// A later issue brings libc++abi for applications that want full C++; the framework core
// needs only these.
#include <stdint.h>

#include "ebbrt/base/console.h"
#include "ebbrt/native/debug_exit.h"

// Status reported for runtime fatal errors (the largest isa-debug-exit can carry).
constexpr uint8_t kFatalStatus = 127;

extern "C" {

// Static destructors are registered here by -fuse-cxa-atexit code. A native image never
// returns to anything that would run them (it ends by powering QEMU off), so they are
// deliberately not recorded.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }

// The image is one module; its handle only needs a unique address.
void* __dso_handle = &__dso_handle;

// Reached only through a call to a pure virtual function of a half-built or destroyed
// object: a bug, so stop the machine with a report.
[[noreturn]] void __cxa_pure_virtual() {
  ebbrt::ConsolePrint("[ebbrt] fatal: pure virtual function called\n");
  ebbrt::QemuDebugExit(kFatalStatus);
}

}  // extern "C"
