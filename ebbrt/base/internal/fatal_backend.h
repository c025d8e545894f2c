// What each platform provides to the fatal-error report (ebbrt/base/fatal.cc).
// Implemented in ebbrt/hosted/fatal_backend.cc and ebbrt/native/fatal_backend.cc.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::base_internal {

// Writes report text where a fatal report belongs (hosted: stderr; native: the console).
void PlatformFatalWrite(const char* data, size_t size);

// Whether [address, address + size) may be read while walking a stack.
bool PlatformIsReadableFrame(const void* address, size_t size);

// Prints a name for a code address ("function+0x12"), or nothing if unknown.
void PlatformPrintSymbol(uintptr_t address);

// Stops the program after a fatal error; never returns.
[[noreturn]] void PlatformHalt();

}  // namespace ebbrt::base_internal
