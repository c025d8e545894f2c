// SPDX-License-Identifier: Apache-2.0
// The allocation hook on the GeneralPurposeAllocator (ebbrt/native/mem).
#include "ebbrt/native/libc/allocate_bytes.h"

#include "ebbrt/native/mem/general_purpose_allocator.h"

namespace ebbrt {
namespace native {

void* AllocateBytes(size_t size, size_t alignment) {
  return GeneralPurposeAllocator::Allocate(size, alignment);
}

void FreeBytes(void* ptr) { GeneralPurposeAllocator::Free(ptr); }

size_t AllocatedSize(const void* ptr) { return GeneralPurposeAllocator::UsableSize(ptr); }

}  // namespace native
}  // namespace ebbrt
