#include "ebbrt/native/mem/page_allocator.h"

#include <string.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/spin_lock.h"

namespace ebbrt::native {
namespace {

// Per-page state byte.
constexpr uint8_t kInterior = 0xff;   // Not a block head (or not RAM).
constexpr uint8_t kFreeHead = 0x40;   // | order
constexpr uint8_t kAllocHead = 0x80;  // | order
constexpr uint8_t kOrderMask = 0x3f;

struct FreeBlock {
  FreeBlock* next;
  FreeBlock* prev;
};

SpinLock g_lock;
uint8_t* g_state = nullptr;  // One byte per page in [g_span_begin, g_span_end).
uintptr_t g_span_begin = 0;
uintptr_t g_span_end = 0;
size_t g_state_bytes = 0;
FreeBlock* g_free[PageAllocator::kMaxOrder + 1] = {};
size_t g_free_pages = 0;
size_t g_total_pages = 0;

constexpr size_t BlockBytes(int order) { return PageAllocator::kPageSize << order; }

uint8_t& StateOf(uintptr_t address) {
  return g_state[(address - g_span_begin) / PageAllocator::kPageSize];
}

bool InSpan(uintptr_t address) { return address >= g_span_begin && address < g_span_end; }

void PushFree(uintptr_t address, int order) {
  auto* block = reinterpret_cast<FreeBlock*>(address);
  block->prev = nullptr;
  block->next = g_free[order];
  if (block->next != nullptr) block->next->prev = block;
  g_free[order] = block;
  StateOf(address) = static_cast<uint8_t>(kFreeHead | order);
}

void RemoveFree(uintptr_t address, int order) {
  auto* block = reinterpret_cast<FreeBlock*>(address);
  if (block->prev != nullptr) {
    block->prev->next = block->next;
  } else {
    g_free[order] = block->next;
  }
  if (block->next != nullptr) block->next->prev = block->prev;
  StateOf(address) = kInterior;
}

// Frees a block, merging it with its free buddies.
void FreeLocked(uintptr_t address, int order) {
  while (order < PageAllocator::kMaxOrder) {
    uintptr_t buddy = address ^ BlockBytes(order);
    if (!InSpan(buddy) || StateOf(buddy) != (kFreeHead | order)) break;
    RemoveFree(buddy, order);
    address = address < buddy ? address : buddy;
    ++order;
  }
  PushFree(address, order);
}

}  // namespace

void PageAllocator::Init(uintptr_t span_begin, uintptr_t span_end) {
  EBBRT_CHECK(g_state == nullptr && span_begin < span_end);
  g_span_begin = span_begin & ~(kPageSize - 1);
  g_span_end = (span_end + kPageSize - 1) & ~(kPageSize - 1);
  g_state_bytes = (g_span_end - g_span_begin) / kPageSize;
}

void PageAllocator::AddRange(uintptr_t begin, uintptr_t end) {
  begin = (begin + kPageSize - 1) & ~(kPageSize - 1);
  end &= ~(kPageSize - 1);
  if (begin < g_span_begin) begin = g_span_begin;
  if (end > g_span_end) end = g_span_end;
  if (begin >= end) return;
  SpinLockGuard guard(g_lock);
  if (g_state == nullptr) {
    // The state table lives at the start of the first range big enough for it.
    size_t table = (g_state_bytes + kPageSize - 1) & ~(kPageSize - 1);
    if (end - begin <= table) return;
    g_state = reinterpret_cast<uint8_t*>(begin);
    for (size_t i = 0; i < g_state_bytes; ++i) g_state[i] = kInterior;
    begin += table;
  }
  // Hand the range over as the largest aligned blocks that fit.
  while (begin < end) {
    int order = kMaxOrder;
    while (order > 0 && ((begin & (BlockBytes(order) - 1)) != 0 || begin + BlockBytes(order) > end)) {
      --order;
    }
    g_total_pages += size_t{1} << order;
    g_free_pages += size_t{1} << order;
    FreeLocked(begin, order);
    begin += BlockBytes(order);
  }
}

uintptr_t PageAllocator::AllocatePageTable() {
  Result<uintptr_t> page = Allocate(0);
  if (!page.ok()) return 0;
  memset(reinterpret_cast<void*>(page.value()), 0, kPageSize);
  return page.value();
}

Result<uintptr_t> PageAllocator::Allocate(int order) {
  if (order < 0 || order > kMaxOrder) {
    return Status(StatusCode::kInvalidArgument, "PageAllocator: order out of range");
  }
  SpinLockGuard guard(g_lock);
  int have = order;
  while (have <= kMaxOrder && g_free[have] == nullptr) ++have;
  if (have > kMaxOrder) return Status(StatusCode::kOutOfMemory, "out of physical pages");
  uintptr_t block = reinterpret_cast<uintptr_t>(g_free[have]);
  RemoveFree(block, have);
  // Split: the upper halves go back to the free lists.
  while (have > order) {
    --have;
    PushFree(block + BlockBytes(have), have);
  }
  StateOf(block) = static_cast<uint8_t>(kAllocHead | order);
  g_free_pages -= size_t{1} << order;
  return block;
}

void PageAllocator::Free(uintptr_t block) {
  SpinLockGuard guard(g_lock);
  EBBRT_CHECK_MSG(InSpan(block) && (block & (kPageSize - 1)) == 0 &&
                      (StateOf(block) & kAllocHead) != 0 && StateOf(block) != kInterior,
                  "PageAllocator::Free of an address that is not an allocated block");
  int order = StateOf(block) & kOrderMask;
  g_free_pages += size_t{1} << order;
  FreeLocked(block, order);
}

int PageAllocator::AllocatedOrder(uintptr_t address) {
  if (g_state == nullptr || !InSpan(address) || (address & (kPageSize - 1)) != 0) return -1;
  uint8_t state = StateOf(address);
  if (state == kInterior || !(state & kAllocHead)) return -1;
  return state & kOrderMask;
}

size_t PageAllocator::FreePages() { return g_free_pages; }
size_t PageAllocator::TotalPages() { return g_total_pages; }

}  // namespace ebbrt::native
