// SPDX-License-Identifier: Apache-2.0
// Platform-independent part of the console (see console.h).
#include "ebbrt/base/console.h"

namespace ebbrt {

void ConsolePrint(const char* cstr) {
  size_t size = 0;
  while (cstr[size] != '\0') {
    ++size;
  }
  ConsoleWrite(cstr, size);
}

}  // namespace ebbrt
