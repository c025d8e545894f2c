// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/mem/dma.h"

#include <stdio.h>

#include "ebbrt/base/check.h"
#include "ebbrt/native/arch/x86_64/page_table.h"

namespace ebbrt::native {

Result<uint64_t> TryDmaAddress(const void* p, size_t size) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p);
  if (size == 0 || begin >= x86_64::kIdentityMapEnd || size > x86_64::kIdentityMapEnd - begin) {
    return Status(StatusCode::kInvalidArgument,
                  "DmaAddress: not in the identity map (a VMem region: stack or device mapping?)");
  }
  // Every page of the range must be present: the identity map has holes (the null page,
  // the boot stack's guard) that a device would read through regardless.
  for (uintptr_t page = begin & ~(x86_64::kPageSize - 1); page < begin + size;
       page += x86_64::kPageSize) {
    if (!x86_64::IsMapped(page)) {
      return Status(StatusCode::kInvalidArgument, "DmaAddress: range includes an unmapped page");
    }
  }
  return uint64_t{begin};
}

uint64_t DmaAddress(const void* p, size_t size) {
  Result<uint64_t> paddr = TryDmaAddress(p, size);
  if (!paddr.ok()) {
    char message[160];
    snprintf(message, sizeof(message), "%s: %p + %zu bytes", paddr.status().message(), p, size);
    FatalError(__FILE__, __LINE__, "memory handed to a device must be DMA-able", message);
  }
  return paddr.value();
}

}  // namespace ebbrt::native
