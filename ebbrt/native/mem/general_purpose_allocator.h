// SPDX-License-Identifier: Apache-2.0
// GeneralPurposeAllocator: the memory behind malloc/free and new/delete natively
// (ebbrt/native/libc/allocate_bytes.cc calls it).
//
// Small requests (up to 2 KiB, alignment up to 16) come from per-core slab caches: each
// size class (16, 32, ..., 2048 bytes) has, per core, a free list no other core touches,
// refilled from 16 KiB slabs taken from the PageAllocator, from the core's own NUMA node
// while it has memory (then from the others). A block freed on another core
// than its slab's owner goes onto the owner's remote-free list (a lock-free stack) and is
// reused by the owner when its own list runs dry, so the common path shares nothing.
// Everything larger or more aligned is a block of whole pages from the PageAllocator,
// again from the calling core's node first.
//
// Running out returns nullptr; nothing is ever corrupted by it. Slabs stay with their
// size class once carved (memory moves between classes only through large blocks).
#pragma once

#include <stddef.h>

namespace ebbrt::native {

class GeneralPurposeAllocator {
 public:
  // `alignment` is a power of two; nullptr when out of memory.
  static void* Allocate(size_t size, size_t alignment);
  // A pointer from Allocate (nullptr is ignored; any other pointer is a fatal error).
  static void Free(void* ptr);
  // The usable size of an allocated block (>= the size asked for).
  static size_t UsableSize(const void* ptr);
};

}  // namespace ebbrt::native
