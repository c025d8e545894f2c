// SPDX-License-Identifier: Apache-2.0
// Addresses of memory handed to a device (DMA: descriptor rings, packet buffers). A
// device sees physical addresses; RAM from the page allocator, the general-purpose
// allocator (malloc/new) and the image's static data is identity-mapped, so its physical
// address is its address and it can be given to a device without copying. Memory in a
// VMemAllocator region (event and interrupt stacks, device mappings) or the Ebb
// translation region is not identity-mapped: its virtual address means nothing to a
// device, so handing it over is a bug that must not pass silently.
//
//   auto* ring = static_cast<Descriptor*>(malloc(bytes));
//   common_cfg->queue_desc = ebbrt::native::DmaAddress(ring, bytes);   // fatal if not DMA-able
//
//   Result<uint64_t> paddr = ebbrt::native::TryDmaAddress(buffer, len);  // an error instead
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"

namespace ebbrt::native {

// The physical address of [p, p + size) when all of it is mapped in the identity map;
// kInvalidArgument otherwise (outside the identity map: a VMem region such as a stack; or
// not mapped: the null page, a guard page; or size 0).
Result<uint64_t> TryDmaAddress(const void* p, size_t size);

// The same, for memory that must be DMA-able: anything else is a fatal error naming the
// address (a caller passing a stack buffer to a device, say).
uint64_t DmaAddress(const void* p, size_t size);

}  // namespace ebbrt::native
