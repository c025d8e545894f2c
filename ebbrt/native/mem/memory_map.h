// SPDX-License-Identifier: Apache-2.0
// Turns the boot memory map (PVH start_info, E820 types) into the PageAllocator's RAM:
// every usable RAM range below 4 GiB (what the boot identity map covers), minus the
// first MiB (legacy BIOS areas), the image itself, the start info, the memory map and the
// boot modules (the image copy the symbolizer reads); and gives each piece to the
// PageAllocator of its NUMA node. More reserved ranges than memory_map.cc has slots for is
// fatal, never a range silently left usable.
//
// NUMA nodes come from the ACPI SRAT: its proximity domains, in increasing order, are
// nodes 0, 1, ...; RAM the SRAT does not cover, and CPUs it does not list, belong to
// node 0. Without an SRAT (QEMU without -numa) there is one node.
//
//   size_t node = NumaNodeOfAddress(reinterpret_cast<uintptr_t>(malloc(64)));
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::native {

// Called once, early in ebbrt_native_start; fatal if the boot information has no memory
// map or no usable RAM. Reads the SRAT through the start info's RSDP.
void InitMemory(uint32_t start_info_paddr);

// Whether an SRAT described the nodes (false: one node by default).
bool NumaFromSrat();
// The node of the RAM at `address` by the SRAT (0 outside its ranges or without one).
size_t NumaNodeOfAddress(uintptr_t address);
// The node of the CPU with local APIC id `apic_id` by the SRAT (0 when it is not listed).
size_t NumaNodeOfApicId(uint32_t apic_id);

}  // namespace ebbrt::native
