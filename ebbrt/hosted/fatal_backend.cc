// SPDX-License-Identifier: Apache-2.0
// Hosted backend of the fatal-error report (ebbrt/base/internal/fatal_backend.h).
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ebbrt/base/internal/fatal_backend.h"

namespace ebbrt::base_internal {

void PlatformFatalWrite(const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = write(STDERR_FILENO, data, size);
    if (written <= 0) return;  // Nowhere left to report to.
    data += written;
    size -= static_cast<size_t>(written);
  }
}

bool PlatformIsReadableFrame(const void* address, size_t size) {
  // mincore() fails with ENOMEM for unmapped pages: a cheap "is this mapped" probe.
  constexpr uintptr_t kPage = 4096;
  uintptr_t start = reinterpret_cast<uintptr_t>(address) & ~(kPage - 1);
  uintptr_t end = reinterpret_cast<uintptr_t>(address) + size;
  unsigned char residency[2];
  return mincore(reinterpret_cast<void*>(start), end - start, residency) == 0;
}

void PlatformPrintSymbol(uintptr_t address) {
  Dl_info info;
  // address - 1: the return address may already be the first byte of the next function.
  if (dladdr(reinterpret_cast<void*>(address - 1), &info) == 0) return;
  if (info.dli_sname != nullptr) FatalPrint(info.dli_sname);
  if (info.dli_fname != nullptr) {
    // The offset into the binary is what addr2line needs for functions dladdr cannot name
    // (non-exported ones; the binary is position-independent).
    FatalPrint(" (");
    FatalPrint(info.dli_fname);
    FatalPrint("+");
    FatalPrintHex(address - reinterpret_cast<uintptr_t>(info.dli_fbase), 1);
    FatalPrint(")");
  }
}

void PlatformHalt() { abort(); }

}  // namespace ebbrt::base_internal
