// SPDX-License-Identifier: Apache-2.0
// The PVH boot ABI's start-of-day information (Xen public/arch-x86/hvm/start_info.h),
// whose physical address the boot path receives in %ebx.
#pragma once

#include <stdint.h>

namespace ebbrt::native {

inline constexpr uint32_t kHvmStartMagic = 0x336ec578;

struct HvmStartInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;   // HvmModlistEntry[nr_modules]
  uint64_t cmdline_paddr;   // NUL-terminated, or 0
  uint64_t rsdp_paddr;      // ACPI RSDP, or 0
  uint64_t memmap_paddr;    // version >= 1: HvmMemmapEntry[memmap_entries]
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct HvmModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};

struct HvmMemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // 1: RAM (E820 types)
  uint32_t reserved;
};

}  // namespace ebbrt::native
