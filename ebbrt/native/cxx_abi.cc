// SPDX-License-Identifier: Apache-2.0
// The few C++ ABI entry points clang-generated code calls on native, with no libc++abi.
//
// Full C++ for applications (libc++abi from pinned LLVM source) is planned, not built; the
// framework core needs only these.
#include <stdint.h>

#include "ebbrt/base/check.h"

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
  ebbrt::FatalError(__FILE__, __LINE__, "pure virtual function called", "");
}

}  // extern "C"
