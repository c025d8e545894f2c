// SPDX-License-Identifier: Apache-2.0
// Changes to the boot identity map (docs/boot.md step 4) that later boot steps need:
// unmapping single 4 KiB pages (the null page, stack guard pages) inside the large pages
// the boot path mapped (1 GiB where the CPU has them, else 2 MiB), and asking whether an
// address is mapped; and 4 KiB mappings outside the identity map (MapPage, ClearPage) for
// the Ebb translation region and the VMemAllocator's regions.
//
// Paging structures for split large pages come from a small static pool (they are needed
// before the page allocator exists); running out is an error, not a corruption.
#pragma once

#include <stdint.h>

#include <optional>

#include "ebbrt/base/status.h"

namespace ebbrt::x86_64 {

inline constexpr uintptr_t kPageSize = 4096;

// The boot identity map covers physical (= virtual) addresses [0, 4 GiB).
inline constexpr uint64_t kIdentityMapEnd = uint64_t{4} << 30;

// The page size of the boot identity map below 3 GiB: 1 GiB when CPUID.80000001H:EDX[26]
// (Page1GB) says the CPU has 1 GiB pages, 2 MiB otherwise; pvh_entry.S decides by the same
// bit. The last GiB (3-4 GiB, RAM below the PCI hole and the hole's MMIO) is in 2 MiB pages
// either way, so no page spans two MTRR memory types (pvh_entry.S says why).
uint64_t IdentityMapPageBytes();

// The size of the page mapping `address` in the current page tables (4 KiB, 2 MiB or
// 1 GiB; smaller than the boot map's once UnmapPage split it), or 0 when it is not mapped.
uint64_t MappedPageBytes(uintptr_t address);

// Makes the 4 KiB page holding `address` inaccessible: any access faults (#PF). A large
// mapping around it is split first (1 GiB into 2 MiB pages, the 2 MiB page holding
// `address` into 4 KiB pages), with paging structures from a small static pool (enough
// for boot) and then from `allocate_table` (as for MapPage), if given.
// Safe to call from several cores at once.
Status UnmapPage(uintptr_t address, uintptr_t (*allocate_table)() = nullptr);

// Whether `address` is mapped present in the current page tables.
bool IsMapped(uintptr_t address);

// How the CPU caches a page. kUncached is for device registers (BARs): every access goes
// to the device, in program order, none merged or speculated. Intel SDM Vol. 3A §11.3.
enum class CacheType : uint8_t { kWriteBack, kUncached };

// Maps the 4 KiB page at `virt` to `phys` (writable, with cache type `cache`), creating
// missing paging structures with `allocate_table` (which returns a zeroed, page-aligned,
// identity-mapped page or 0). Fails if a table cannot be had or `virt` is inside a large
// mapping, and with kAlreadyExists (changing nothing) if `virt` is already mapped.
Status MapPage(uintptr_t virt, uintptr_t phys, uintptr_t (*allocate_table)(),
               CacheType cache = CacheType::kWriteBack);

// The cache type the page table gives `address` (nullopt when it is not mapped):
// kUncached when its entry selects the PAT's uncached entry, kWriteBack otherwise. The boot identity map
// is write-back by its entries; QEMU's firmware makes the PCI hole uncached through the
// MTRRs, which then win (Intel SDM Vol. 3A §11.5.2.2, Table 11-7).
std::optional<CacheType> MappedCacheType(uintptr_t address);

// Makes a page unmapped by UnmapPage present again (identity mapped, writable).
Status RemapPage(uintptr_t address);

// Gives the top-level (PML4) entry covering `virt` a paging structure now, on the boot
// core before secondary cores copy its PML4 (ebbrt/native/smp): the 512 GiB it covers are
// then shared by every core below that entry, so a MapPage on one core is seen by all.
Status ShareTopLevelSlot(uintptr_t virt, uintptr_t (*allocate_table)());

// Clears the 4 KiB mapping of `virt` made by MapPage and drops it from this core's TLB;
// returns the physical page it mapped, or 0 if it was not mapped. Other cores' TLBs are
// the caller's business (ebbrt/native/mem/vmem_allocator.h states its rule).
uintptr_t ClearPage(uintptr_t virt);


}  // namespace ebbrt::x86_64
