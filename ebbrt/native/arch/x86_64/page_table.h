// Changes to the boot identity map (docs/boot.md step 4) that later boot steps need:
// unmapping single 4 KiB pages (the null page, stack guard pages) inside the 2 MiB pages
// the boot path mapped, and asking whether an address is mapped.
//
// Page tables for split 2 MiB pages come from a small static pool until the page
// allocator exists (the memory issue); running out is an error, not a corruption.
#pragma once

#include <stdint.h>

#include "ebbrt/base/status.h"

namespace ebbrt::x86_64 {

inline constexpr uintptr_t kPageSize = 4096;

// Makes the 4 KiB page holding `address` inaccessible: any access faults (#PF).
Status UnmapPage(uintptr_t address);

// Whether `address` is mapped present in the current page tables.
bool IsMapped(uintptr_t address);

}  // namespace ebbrt::x86_64
