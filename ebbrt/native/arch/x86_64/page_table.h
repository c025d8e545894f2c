// Changes to the boot identity map (docs/boot.md step 4) that later boot steps need:
// unmapping single 4 KiB pages (the null page, stack guard pages) inside the 2 MiB pages
// the boot path mapped, and asking whether an address is mapped.
//
// Page tables for split 2 MiB pages come from a small static pool (they are needed
// before the page allocator exists); running out is an error, not a corruption.
#pragma once

#include <stdint.h>

#include "ebbrt/base/status.h"

namespace ebbrt::x86_64 {

inline constexpr uintptr_t kPageSize = 4096;

// Makes the 4 KiB page holding `address` inaccessible: any access faults (#PF). A 2 MiB
// mapping around it is split into 4 KiB pages first, with a page table from a small
// static pool (enough for boot) and then from `allocate_table` (as for MapPage), if given.
// Safe to call from several cores at once.
Status UnmapPage(uintptr_t address, uintptr_t (*allocate_table)() = nullptr);

// Whether `address` is mapped present in the current page tables.
bool IsMapped(uintptr_t address);

// Maps the 4 KiB page at `virt` to `phys` (writable), creating missing paging structures
// with `allocate_table` (which returns a zeroed, page-aligned, identity-mapped page or 0).
// Fails if a table cannot be had or `virt` is inside a 2 MiB mapping.
Status MapPage(uintptr_t virt, uintptr_t phys, uintptr_t (*allocate_table)());

// Makes a page unmapped by UnmapPage present again (identity mapped, writable).
Status RemapPage(uintptr_t address);

}  // namespace ebbrt::x86_64
