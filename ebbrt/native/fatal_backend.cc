// Native backend of the fatal-error report (ebbrt/base/internal/fatal_backend.h).
#include <stdint.h>

#include "ebbrt/base/console.h"
#include "ebbrt/base/internal/fatal_backend.h"
#include "ebbrt/native/debug_exit.h"

namespace ebbrt::base_internal {
namespace {

// The boot path identity-maps the first 4 GiB (docs/boot.md step 4); page 0 is treated
// as unreadable so a null frame pointer ends the walk.
constexpr uintptr_t kMappedEnd = uintptr_t{4} << 30;
constexpr uintptr_t kFirstPage = 4096;

// The status a fatal error reports through isa-debug-exit (QEMU exits with 255). No
// exit banner is printed, so the test runner calls it a crash, which it is.
constexpr uint8_t kFatalStatus = 127;

}  // namespace

void PlatformFatalWrite(const char* data, size_t size) { ConsoleWrite(data, size); }

bool PlatformIsReadableFrame(const void* address, size_t size) {
  uintptr_t start = reinterpret_cast<uintptr_t>(address);
  return start >= kFirstPage && start + size <= kMappedEnd && start + size > start;
}

// Symbolization from the image's own symbol table comes with the native platform issue.
void PlatformPrintSymbol(uintptr_t) {}

void PlatformHalt() { QemuDebugExit(kFatalStatus); }

}  // namespace ebbrt::base_internal
