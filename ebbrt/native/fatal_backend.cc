// SPDX-License-Identifier: Apache-2.0
// Native backend of the fatal-error report (ebbrt/base/internal/fatal_backend.h).
#include <stdint.h>

#include "ebbrt/native/fatal_console.h"
#include "ebbrt/base/internal/fatal_backend.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/debug_exit.h"
#include "ebbrt/native/symbols.h"

namespace ebbrt::base_internal {

void PlatformFatalWrite(const char* data, size_t size) {
  native::FatalConsoleWrite(data, size);
}

bool PlatformIsReadableFrame(const void* address, size_t size) {
  uintptr_t start = reinterpret_cast<uintptr_t>(address);
  uintptr_t last = start + size - 1;
  return last >= start && x86_64::IsMapped(start) && x86_64::IsMapped(last);
}

void PlatformPrintSymbol(uintptr_t address) {
  const char* name;
  uintptr_t offset;
  // address - 1: a return address may already be the first byte of the next function.
  if (!native::LookupSymbol(address - 1, &name, &offset)) return;
  FatalPrint(name);
  FatalPrint("+");
  FatalPrintHex(offset + 1, 1);
}

void PlatformHalt() { QemuDebugExit(kQemuFatalStatus); }

}  // namespace ebbrt::base_internal
