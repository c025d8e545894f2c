// SPDX-License-Identifier: Apache-2.0
// VMemAllocator: virtual regions outside the identity map, each with optional guard pages
// below it and its own page-fault behaviour (eagerly backed, or demand-zero), physical
// pages from the PageAllocator. Event stacks, secondary cores' boot stacks and interrupt
// stacks come from here.
//
//   VMemOptions options{.size = 64 * 1024, .name = "event stack", .is_stack = true,
//                       .core = MyCore()};
//   uintptr_t base = EBBRT_TRY(VMemAllocator::Allocate(options));  // stack top: base + size
//   VMemAllocator::Free(base);
//
// Address range: [kBase, kEnd), the third top-level (PML4) slot: slot 0 holds the
// identity map, slot 1 the per-core Ebb translation region. Init() gives the slot its
// page directory pointer table before secondary cores copy the boot core's PML4, so every
// core shares all tables below it and a mapping made on one core is seen by all.
//
// Each region takes a span of a power-of-two number of pages (guard pages + size, rounded
// up) carved from the range in address order; a freed span is reused only for a region
// of the same span size. Only `size` bytes are backed: the rounding costs address space,
// not memory. Page tables in the range are never freed (a freed span's are reused).
//
// TLB rule. Freeing clears the region's page table entries and invalidates them in the
// freeing core's TLB only. Other cores are never interrupted, so:
//  - kCoreLocal regions are touched only by `core` (and the core that frees them), and are
//    allocated on `core`. A freed span goes back to `core`'s own free list, and is reused
//    only by an Allocate on `core`, which invalidates the whole span in its TLB first;
//    stale entries can only be in that TLB, so none survive into the new region.
//    Exception, event stacks: other cores write to them (an event hands out pointers to
//    its locals), so their TLBs may hold entries too. That stays safe because stacks are
//    freed only between Runs, when no core runs events, and every core flushes its whole
//    TLB when it joins the next Run (ebbrt/native/runtime.cc) before anything can use the
//    stack's address or its old memory again through it.
//  - kShared regions may be touched by any core, whose TLBs may keep entries after the
//    free. Their spans are never reused (retired), so no new region is reachable through
//    a stale entry. Their physical pages are reused at once: a use after free on another
//    core may read or write reused memory through a stale entry instead of faulting.
//    Allocate and free shared regions rarely (the range is 512 GiB).
//
// Faults: a demand-zero region's first touch of a page maps a zeroed page (never on a
// stack: the fault handler takes the page allocator's and page tables' locks, so a first
// touch while holding either would deadlock); a fault on a guard page, a freed region or
// unbacked memory is reported, naming the region ("the guard page of the event stack:
// stack overflow" for stacks).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"

namespace ebbrt::native {

enum class VMemBacking {
  kEager,       // Every page mapped by Allocate (contents undefined).
  kDemandZero,  // Pages mapped, zeroed, on first touch.
  kDevice,      // Device memory mapped uncached by MapDevice (not by Allocate).
};

enum class VMemSharing { kCoreLocal, kShared };  // See the TLB rule above.

struct VMemOptions {
  size_t size = 0;  // Bytes, a non-zero multiple of 4 KiB.
  size_t guard_pages = 1;
  VMemBacking backing = VMemBacking::kEager;
  VMemSharing sharing = VMemSharing::kCoreLocal;
  // Names the region in fault reports; must outlive it (a string literal).
  const char* name = "vmem region";
  // A guard hit is reported as a stack overflow.
  bool is_stack = false;
  // kCoreLocal: the core that uses the region; Allocate must run on it.
  size_t core = 0;
};

class VMemAllocator {
 public:
  static constexpr uintptr_t kBase = uintptr_t{2} << 39;
  static constexpr uintptr_t kEnd = uintptr_t{3} << 39;

  // On the boot core, after the PageAllocator and before secondary cores start.
  [[nodiscard]] static Status Init();

  // A region's first usable address (its guard pages are below it). kInvalidArgument for
  // a bad size, kResourceExhausted when the range has no span left for it, kOutOfMemory
  // when its pages or bookkeeping cannot be had; nothing changes on failure.
  [[nodiscard]] static Result<uintptr_t> Allocate(const VMemOptions& options);

  // A shared region mapping the device memory [paddr, paddr + size) uncached (a BAR,
  // anywhere in the physical address space, above 4 GiB too), with a guard page below;
  // returns the address of `paddr` in it (which keeps paddr's offset within its page).
  // kInvalidArgument for an empty range or one past the 52-bit physical address space;
  // otherwise as Allocate. Free gives the mapping back without touching the device pages.
  [[nodiscard]] static Result<uintptr_t> MapDevice(uint64_t paddr, size_t size, const char* name);

  // Frees a region from Allocate or MapDevice (given its first usable address; anything
  // else is a fatal error): its RAM pages go back to the PageAllocator, its span as the
  // rule says.
  static void Free(uintptr_t region);

  // Regions allocated and not yet freed.
  static size_t LiveRegions();

  // Maps a zeroed page at the page holding `address`; false when memory is exhausted. The
  // demand-zero fault handler, shared with the per-core Ebb translation region (which has
  // its own top-level slot, outside this range: ebbrt/native/translation.cc).
  static bool MapZeroPage(uintptr_t address);
};

}  // namespace ebbrt::native
