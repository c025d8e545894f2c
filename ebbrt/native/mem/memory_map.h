// Turns the boot memory map (PVH start_info, E820 types) into the PageAllocator's RAM:
// every usable RAM range below 4 GiB (what the boot identity map covers), minus the
// first MiB (legacy BIOS areas), the image itself, the start info, the memory map and the
// boot modules (the image copy the symbolizer reads).
#pragma once

#include <stdint.h>

namespace ebbrt::native {

// Called once, early in ebbrt_native_start; fatal if the boot information has no memory
// map or no usable RAM.
void InitMemory(uint32_t start_info_paddr);

}  // namespace ebbrt::native
