// SPDX-License-Identifier: Apache-2.0
// Portable part of the fatal-error report (check.h): formatting and the frame-pointer
// backtrace. The platform supplies where the text goes and how to stop
// (fatal_backend: PlatformFatalWrite, PlatformHalt).
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/internal/fatal_backend.h"

namespace ebbrt {
namespace {

void PrintDecimal(uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[sizeof(digits) - 1 - n] = static_cast<char>('0' + value % 10);
    value /= 10;
    ++n;
  } while (value != 0);
  base_internal::PlatformFatalWrite(digits + sizeof(digits) - n, static_cast<size_t>(n));
}

// One frame record of the x86_64 frame-pointer chain (-fno-omit-frame-pointer).
struct FrameRecord {
  const FrameRecord* caller;
  uintptr_t return_address;
};

constexpr int kMaxFrames = 64;

}  // namespace

namespace base_internal {

void FatalPrint(const char* cstr) {
  size_t size = 0;
  while (cstr[size] != '\0') ++size;
  PlatformFatalWrite(cstr, size);
}

void FatalPrintHex(uint64_t value, int min_digits) {
  char digits[2 + 16];
  int n = 0;
  do {
    digits[sizeof(digits) - 1 - n] = "0123456789abcdef"[value & 0xf];
    value >>= 4;
    ++n;
  } while (value != 0 || n < min_digits);
  digits[sizeof(digits) - 1 - n] = 'x';
  digits[sizeof(digits) - 2 - n] = '0';
  PlatformFatalWrite(digits + sizeof(digits) - 2 - n, static_cast<size_t>(n) + 2);
}

}  // namespace base_internal

void PrintBacktrace() { PrintBacktraceFrom(__builtin_frame_address(0), 0); }

void PrintBacktraceFrom(const void* frame_pointer, int first_index) {
  auto* frame = static_cast<const FrameRecord*>(frame_pointer);
  for (int depth = first_index; frame != nullptr && depth < first_index + kMaxFrames; ++depth) {
    if (!base_internal::PlatformIsReadableFrame(frame, sizeof(*frame)) ||
        frame->return_address == 0) {
      break;
    }
    base_internal::FatalPrint("  #");
    PrintDecimal(static_cast<uint64_t>(depth));
    base_internal::FatalPrint(" ");
    base_internal::FatalPrintHex(frame->return_address);
    base_internal::FatalPrint(" ");
    base_internal::PlatformPrintSymbol(frame->return_address);
    base_internal::FatalPrint("\n");
    // Frames grow down: a caller's record is always above ours. Anything else is a
    // corrupt chain, so stop rather than wander.
    if (frame->caller <= frame) break;
    frame = frame->caller;
  }
}

void FatalError(const char* file, int line, const char* what, const char* message) {
  base_internal::FatalPrint("[ebbrt] FATAL ");
  base_internal::FatalPrint(file);
  base_internal::FatalPrint(":");
  PrintDecimal(static_cast<uint64_t>(line));
  base_internal::FatalPrint(": ");
  base_internal::FatalPrint(what);
  if (message != nullptr && message[0] != '\0') {
    base_internal::FatalPrint(": ");
    base_internal::FatalPrint(message);
  }
  base_internal::FatalPrint("\n[ebbrt] backtrace:\n");
  PrintBacktrace();
  base_internal::PlatformHalt();
}

}  // namespace ebbrt
