// SPDX-License-Identifier: Apache-2.0
// The runtime's text console: where boot banners, logs and application output
// go. Natively this is the serial port; hosted, it is the process's stdout.
//
//   ebbrt::ConsolePrint("Hello from EbbRT!\n");
//   ebbrt::ConsoleWrite(buffer, length);
#pragma once

#include <stddef.h>

namespace ebbrt {

// Writes `size` bytes of `data` verbatim (no newline translation). Each
// platform implements this once.
void ConsoleWrite(const char* data, size_t size);

// Writes the NUL-terminated string `cstr`. Portable, built on ConsoleWrite.
void ConsolePrint(const char* cstr);

}  // namespace ebbrt
