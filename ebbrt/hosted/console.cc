// SPDX-License-Identifier: Apache-2.0
// Hosted console backend: standard output of the Linux process.
#include <errno.h>
#include <unistd.h>

#include "ebbrt/base/console.h"

namespace ebbrt {

void ConsoleWrite(const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = write(STDOUT_FILENO, data, size);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;  // Nowhere left to report a broken stdout.
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

}  // namespace ebbrt
