// The allocation hook before the GeneralPurposeAllocator exists: every request fails.
//
// Deliberately not a bump or free-list allocator over a fixed region: the real
// allocator (page allocator, per-core slabs, size classes; DESIGN.md piece 4) arrives
// with the memory issue, and until then code that allocates should fail loudly, with a
// log line per request, instead of appearing to work on a stop-gap heap.
#include "ebbrt/native/libc/allocate_bytes.h"

#include <stdio.h>

#include "ebbrt/base/console.h"
#include "ebbrt/native/libc/exit.h"

namespace ebbrt {
namespace native {

void* AllocateBytes(size_t size, size_t alignment) {
  // snprintf into a stack buffer never allocates (newlib's string-only vfprintf), so
  // logging from here cannot recurse.
  char line[128];
  const int n = snprintf(line, sizeof(line),
                         "[ebbrt] AllocateBytes(%zu, align %zu): no allocator yet "
                         "(memory issue), returning nullptr\n",
                         size, alignment);
  if (n > 0) {
    ConsoleWrite(line, static_cast<size_t>(n) < sizeof(line) ? static_cast<size_t>(n)
                                                             : sizeof(line) - 1);
  }
  return nullptr;
}

void FreeBytes(void* ptr) {
  if (ptr == nullptr) return;
  // Nothing was ever allocated, so any other pointer was never ours.
  FatalError("FreeBytes: pointer was not returned by AllocateBytes");
}

size_t AllocatedSize(const void* ptr) {
  if (ptr == nullptr) return 0;
  FatalError("AllocatedSize: pointer was not returned by AllocateBytes");
}

}  // namespace native
}  // namespace ebbrt
