// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/arch/x86_64/page_table.h"

#include <stddef.h>

#include <optional>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"

namespace ebbrt::x86_64 {
namespace {

// Paging-structure entry bits. Intel SDM Vol. 3A §4.5, Tables 4-14 to 4-20.
constexpr uint64_t kPresent = 1u << 0;
constexpr uint64_t kWritable = 1u << 1;
constexpr uint64_t kLargePage = 1u << 7;
// PWT and PCD select PAT entry 3 in a 4 KiB entry (PAT bit 7 clear), which is UC in the
// power-on PAT that EbbRT keeps (PA0 WB, PA1 WT, PA2 UC-, PA3 UC). Intel SDM Vol. 3A
// §11.12.3 (selecting a PAT entry), §11.12.4 (the PAT's power-on value).
constexpr uint64_t kWriteThrough = 1u << 3;
constexpr uint64_t kCacheDisable = 1u << 4;
constexpr uint64_t kUncachedBits = kWriteThrough | kCacheDisable;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
constexpr size_t kEntries = 512;
// Paging structures for splitting large pages before the page allocator exists (boot
// unmaps the null page and the boot stack's guard: with 1 GiB pages that is one page
// directory and two page tables); later splits take tables from the caller.
constexpr size_t kSplitPool = 8;

alignas(4096) uint64_t g_split_tables[kSplitPool][kEntries];
size_t g_split_used = 0;

// The paging structures below the PML4 are shared by every core: one change at a time.
SpinLock g_page_table_lock;

uint64_t* Table(uint64_t entry) {
  // The boot map is the identity, so a table's physical address is its address.
  return reinterpret_cast<uint64_t*>(entry & kAddressMask);
}

size_t Index(uintptr_t address, int level) {
  // level 4: PML4 (bits 47..39) ... level 1: PT (bits 20..12).
  return (address >> (12 + 9 * (level - 1))) & (kEntries - 1);
}

// Bytes an entry at `level` maps: 4 KiB (PT), 2 MiB (PD), 1 GiB (PDPT).
constexpr uint64_t EntryBytes(int level) { return uint64_t{1} << (12 + 9 * (level - 1)); }

// The entry that decides how `address` is mapped: the first on the walk down from the PML4
// that is not present or maps a page (a 1 GiB PDPT entry, a 2 MiB PD entry, a PT entry);
// its level in *level (4..1).
uint64_t* FindLeafEntry(uintptr_t address, int* level) {
  uint64_t* table = reinterpret_cast<uint64_t*>(ReadCr3() & kAddressMask);
  for (int l = 4;; --l) {
    uint64_t* entry = &table[Index(address, l)];
    // The PS bit means a page only in PDPT and PD entries (Intel SDM Vol. 3A §4.5).
    bool page = l == 1 || ((l == 3 || l == 2) && (*entry & kLargePage));
    if (!(*entry & kPresent) || page) {
      *level = l;
      return entry;
    }
    table = Table(*entry);
  }
}

// Replaces the large page `*entry` at `level` (3: 1 GiB, 2: 2 MiB) with a table of 512
// entries one level down mapping the same memory with the same access rights: 2 MiB pages
// under a split 1 GiB page, 4 KiB pages under a split 2 MiB page.
Status SplitLargePage(uint64_t* entry, int level, uintptr_t (*allocate_table)()) {
  uint64_t* table = nullptr;
  if (g_split_used < kSplitPool) {
    table = g_split_tables[g_split_used++];
  } else if (allocate_table != nullptr) {
    table = reinterpret_cast<uint64_t*>(allocate_table());
  }
  if (table == nullptr) {
    return Status(StatusCode::kResourceExhausted, "no page table left to split a large page");
  }
  uint64_t base = *entry & kAddressMask & ~(EntryBytes(level) - 1);
  uint64_t flags = (*entry & (kPresent | kWritable)) | (level - 1 > 1 ? kLargePage : 0);
  for (size_t i = 0; i < kEntries; ++i) table[i] = (base + i * EntryBytes(level - 1)) | flags;
  // The new table is complete before the entry points at it: another core walking the
  // tables sees either the large page or the split one, both the same mapping.
  *entry = reinterpret_cast<uint64_t>(table) | kPresent | kWritable;
  return Status::Ok();
}

}  // namespace

uint64_t IdentityMapPageBytes() {
  // CPUID.80000001H:EDX[26]. Intel SDM Vol. 2A §3.3 (CPUID), Table 3-8.
  constexpr uint32_t kPage1Gb = 1u << 26;
  bool has = Cpuid(0x80000000).eax >= 0x80000001 && (Cpuid(0x80000001).edx & kPage1Gb) != 0;
  return has ? EntryBytes(3) : EntryBytes(2);
}

Status UnmapPage(uintptr_t address, uintptr_t (*allocate_table)()) {
  SpinLockGuard guard(g_page_table_lock);
  int level;
  uint64_t* entry = FindLeafEntry(address, &level);
  if (!(*entry & kPresent)) return Status::Ok();  // Already unmapped.
  // A large page: split 1 GiB -> 2 MiB -> 4 KiB down to the page holding `address`.
  while (level > 1) {
    Status split = SplitLargePage(entry, level, allocate_table);
    if (!split.ok()) return split;
    --level;
    entry = &Table(*entry)[Index(address, level)];
  }
  *entry &= ~kPresent;
  // The old large page's TLB entry covers `address` too; INVLPG drops the entries of
  // whatever page size hold it (Intel SDM Vol. 3A §4.10.4.1).
  InvalidatePage(address & ~(kPageSize - 1));
  return Status::Ok();
}

Status MapPage(uintptr_t virt, uintptr_t phys, uintptr_t (*allocate_table)(), CacheType cache) {
  SpinLockGuard guard(g_page_table_lock);
  uint64_t* table = reinterpret_cast<uint64_t*>(ReadCr3() & kAddressMask);
  for (int level = 4; level > 1; --level) {
    uint64_t& entry = table[Index(virt, level)];
    if (!(entry & kPresent)) {
      uintptr_t fresh = allocate_table();
      if (fresh == 0) return Status(StatusCode::kOutOfMemory, "no memory for a page table");
      entry = fresh | kPresent | kWritable;
    } else if (entry & kLargePage) {
      return Status(StatusCode::kFailedPrecondition, "MapPage inside a large page");
    }
    table = Table(entry);
  }
  uint64_t& pte = table[Index(virt, 1)];
  // Two cores faulting on one demand-zero page both get here: the second must not replace
  // the first's page (whose core keeps using it through its TLB).
  if (pte & kPresent) return Status(StatusCode::kAlreadyExists, "MapPage: already mapped");
  pte = (phys & kAddressMask) | kPresent | kWritable |
        (cache == CacheType::kUncached ? kUncachedBits : 0);
  InvalidatePage(virt);
  return Status::Ok();
}

std::optional<CacheType> MappedCacheType(uintptr_t address) {
  if (!IsMapped(address)) return std::nullopt;
  int level;
  const uint64_t entry = *FindLeafEntry(address, &level);
  return (entry & kUncachedBits) == kUncachedBits ? CacheType::kUncached : CacheType::kWriteBack;
}

Status RemapPage(uintptr_t address) {
  SpinLockGuard guard(g_page_table_lock);
  int level;
  uint64_t* entry = FindLeafEntry(address, &level);
  if (level > 1) {
    if (*entry & kPresent) return Status::Ok();  // A large page, never split: still mapped.
    return Status(StatusCode::kNotFound, "RemapPage: no page table for the address");
  }
  *entry = (address & kAddressMask & ~(kPageSize - 1)) | kPresent | kWritable;
  InvalidatePage(address & ~(kPageSize - 1));
  return Status::Ok();
}

Status ShareTopLevelSlot(uintptr_t virt, uintptr_t (*allocate_table)()) {
  SpinLockGuard guard(g_page_table_lock);
  uint64_t& pml4e = reinterpret_cast<uint64_t*>(ReadCr3() & kAddressMask)[Index(virt, 4)];
  if (pml4e & kPresent) return Status::Ok();
  uintptr_t fresh = allocate_table();
  if (fresh == 0) return Status(StatusCode::kOutOfMemory, "no memory for a page table");
  pml4e = fresh | kPresent | kWritable;
  return Status::Ok();
}

uintptr_t ClearPage(uintptr_t virt) {
  SpinLockGuard guard(g_page_table_lock);
  int level;
  uint64_t& pte = *FindLeafEntry(virt, &level);
  // Only 4 KiB mappings are cleared; a large page (the identity map) is left alone.
  if (level != 1 || !(pte & kPresent)) return 0;
  uintptr_t phys = pte & kAddressMask;
  pte = 0;
  InvalidatePage(virt & ~(kPageSize - 1));
  return phys;
}

bool IsMapped(uintptr_t address) { return MappedPageBytes(address) != 0; }

uint64_t MappedPageBytes(uintptr_t address) {
  if (address >= (uint64_t{1} << 47)) return 0;  // Non-canonical or kernel half: unused.
  int level;
  return (*FindLeafEntry(address, &level) & kPresent) != 0 ? EntryBytes(level) : 0;
}

}  // namespace ebbrt::x86_64
