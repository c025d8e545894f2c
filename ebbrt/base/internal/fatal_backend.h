// SPDX-License-Identifier: Apache-2.0
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

// Report writers on PlatformFatalWrite that never allocate, for the report itself and for
// the backends above (defined in ebbrt/base/fatal.cc).
void FatalPrint(const char* cstr);
// "0x" and the value in at least `min_digits` hex digits (16: every 64-bit digit).
void FatalPrintHex(uint64_t value, int min_digits = 16);

}  // namespace ebbrt::base_internal
