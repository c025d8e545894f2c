#include "ebbrt/native/arch/x86_64/page_table.h"

#include <stddef.h>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"

namespace ebbrt::x86_64 {
namespace {

// Paging-structure entry bits. Intel SDM Vol. 3A §4.5, Tables 4-14 to 4-20.
constexpr uint64_t kPresent = 1u << 0;
constexpr uint64_t kWritable = 1u << 1;
constexpr uint64_t kLargePage = 1u << 7;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
constexpr size_t kEntries = 512;
// Page tables for splitting 2 MiB pages before the page allocator exists (boot unmaps the
// null page and the boot stack's guard); later splits take tables from the caller.
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

// The PD entry covering `address`, or nullptr if an upper level is not present.
uint64_t* FindPdEntry(uintptr_t address) {
  uint64_t* pml4 = reinterpret_cast<uint64_t*>(ReadCr3() & kAddressMask);
  uint64_t pml4e = pml4[Index(address, 4)];
  if (!(pml4e & kPresent)) return nullptr;
  uint64_t pdpte = Table(pml4e)[Index(address, 3)];
  if (!(pdpte & kPresent) || (pdpte & kLargePage)) return nullptr;
  return &Table(pdpte)[Index(address, 2)];
}

}  // namespace

Status UnmapPage(uintptr_t address, uintptr_t (*allocate_table)()) {
  SpinLockGuard guard(g_page_table_lock);
  uint64_t* pde = FindPdEntry(address);
  if (pde == nullptr || !(*pde & kPresent)) return Status::Ok();  // Already unmapped.
  if (*pde & kLargePage) {
    // Split the 2 MiB page into 512 4 KiB pages with the same attributes.
    uint64_t* pt = nullptr;
    if (g_split_used < kSplitPool) {
      pt = g_split_tables[g_split_used++];
    } else if (allocate_table != nullptr) {
      pt = reinterpret_cast<uint64_t*>(allocate_table());
    }
    if (pt == nullptr) {
      return Status(StatusCode::kResourceExhausted, "no page table left to split a 2 MiB page");
    }
    uint64_t base = *pde & kAddressMask & ~((uint64_t{1} << 21) - 1);
    uint64_t flags = *pde & (kPresent | kWritable);
    for (size_t i = 0; i < kEntries; ++i) pt[i] = (base + i * kPageSize) | flags;
    *pde = reinterpret_cast<uint64_t>(pt) | kPresent | kWritable;
  }
  uint64_t* pt = Table(*pde);
  pt[Index(address, 1)] &= ~kPresent;
  InvalidatePage(address & ~(kPageSize - 1));
  return Status::Ok();
}

Status MapPage(uintptr_t virt, uintptr_t phys, uintptr_t (*allocate_table)()) {
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
  table[Index(virt, 1)] = (phys & kAddressMask) | kPresent | kWritable;
  InvalidatePage(virt);
  return Status::Ok();
}

Status RemapPage(uintptr_t address) {
  SpinLockGuard guard(g_page_table_lock);
  uint64_t* pde = FindPdEntry(address);
  if (pde == nullptr || !(*pde & kPresent)) {
    return Status(StatusCode::kNotFound, "RemapPage: no page directory entry");
  }
  if (*pde & kLargePage) return Status::Ok();  // Never split: still mapped.
  uint64_t& pte = Table(*pde)[Index(address, 1)];
  pte = (address & kAddressMask & ~(kPageSize - 1)) | kPresent | kWritable;
  InvalidatePage(address & ~(kPageSize - 1));
  return Status::Ok();
}

bool IsMapped(uintptr_t address) {
  if (address >= (uint64_t{1} << 47)) return false;  // Non-canonical or kernel half: unused.
  uint64_t* pde = FindPdEntry(address);
  if (pde == nullptr || !(*pde & kPresent)) return false;
  if (*pde & kLargePage) return true;
  return (Table(*pde)[Index(address, 1)] & kPresent) != 0;
}

}  // namespace ebbrt::x86_64
