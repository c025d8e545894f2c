// SPDX-License-Identifier: Apache-2.0
// The native platform's single entry point for general-purpose memory: malloc, calloc,
// realloc, memalign, posix_memalign, aligned_alloc (malloc.cc) and every form of C++
// operator new (new_delete.cc) call these, and nothing else does.
//
// Behind them is the GeneralPurposeAllocator (ebbrt/native/mem): per-core slab caches
// for small blocks, whole pages from the PageAllocator for the rest. Out of memory is
// nullptr: malloc then fails with ENOMEM and a plain `new` stops the machine.
//
//   void* p = ebbrt::native::AllocateBytes(64, alignof(std::max_align_t));
//   if (p == nullptr) { /* out of memory */ }
//   ebbrt::native::FreeBytes(p);
#pragma once

#include <stddef.h>

namespace ebbrt {
namespace native {

// Returns at least `size` bytes aligned to `alignment` (a power of two, at most a page),
// or nullptr when the memory is not available. Does not touch errno: the C functions
// set it, operator new does not need it. `size` may be 0 (returns a unique block).
[[nodiscard]] void* AllocateBytes(size_t size, size_t alignment);

// Returns a block from AllocateBytes. nullptr is ignored; any other pointer that
// AllocateBytes did not return is a bug that stops the machine.
void FreeBytes(void* ptr);

// The usable size of a block from AllocateBytes (at least the size asked for), for
// realloc and malloc_usable_size. 0 for nullptr.
size_t AllocatedSize(const void* ptr);

}  // namespace native
}  // namespace ebbrt
