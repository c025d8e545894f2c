#include "ebbrt/native/mem/page_allocator.h"

#include <string.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/core/cpu.h"

namespace ebbrt::native {
namespace {

// Per-page state byte.
constexpr uint8_t kInterior = 0xff;   // Not a block head (or not this node's RAM).
constexpr uint8_t kFreeHead = 0x40;   // | order
constexpr uint8_t kAllocHead = 0x80;  // | order
constexpr uint8_t kOrderMask = 0x3f;

constexpr size_t kPageSize = PageAllocator::kPageSize;
constexpr int kMaxOrder = PageAllocator::kMaxOrder;

struct FreeBlock {
  FreeBlock* next;
  FreeBlock* prev;
};

constexpr size_t BlockBytes(int order) { return kPageSize << order; }

// One node's buddy allocator. Cache-line aligned so one node's lock and counters do not
// share a line with another's.
class alignas(64) Node {
 public:
  void Init(uintptr_t span_begin, uintptr_t span_end) {
    EBBRT_CHECK(state_ == nullptr && span_bytes_ == 0 && span_begin < span_end);
    span_begin_ = span_begin & ~(kPageSize - 1);
    span_bytes_ = ((span_end + kPageSize - 1) & ~(kPageSize - 1)) - span_begin_;
  }

  void AddRange(uintptr_t begin, uintptr_t end) {
    begin = (begin + kPageSize - 1) & ~(kPageSize - 1);
    end &= ~(kPageSize - 1);
    if (begin < span_begin_) begin = span_begin_;
    if (end > span_begin_ + span_bytes_) end = span_begin_ + span_bytes_;
    if (begin >= end) return;
    SpinLockGuard guard(lock_);
    if (state_ == nullptr) {
      // The state table lives at the start of the first range big enough for it.
      size_t pages = span_bytes_ / kPageSize;
      size_t table = (pages + kPageSize - 1) & ~(kPageSize - 1);
      if (end - begin <= table) return;
      state_ = reinterpret_cast<uint8_t*>(begin);
      memset(state_, kInterior, pages);
      begin += table;
    }
    // Hand the range over as the largest aligned blocks that fit.
    while (begin < end) {
      int order = kMaxOrder;
      while (order > 0 && ((begin & (BlockBytes(order) - 1)) != 0 || begin + BlockBytes(order) > end)) {
        --order;
      }
      total_pages_ += size_t{1} << order;
      free_pages_ += size_t{1} << order;
      FreeLocked(begin, order);
      begin += BlockBytes(order);
    }
  }

  Result<uintptr_t> Allocate(int order) {
    SpinLockGuard guard(lock_);
    int have = order;
    while (have <= kMaxOrder && free_[have] == nullptr) ++have;
    if (have > kMaxOrder) return Status(StatusCode::kOutOfMemory, "out of physical pages");
    uintptr_t block = reinterpret_cast<uintptr_t>(free_[have]);
    RemoveFree(block, have);
    // Split: the upper halves go back to the free lists.
    while (have > order) {
      --have;
      PushFree(block + BlockBytes(have), have);
    }
    StateOf(block) = static_cast<uint8_t>(kAllocHead | order);
    free_pages_ -= size_t{1} << order;
    return block;
  }

  void Free(uintptr_t block) {
    SpinLockGuard guard(lock_);
    EBBRT_CHECK_MSG(AllocatedOrder(block) >= 0,
                    "PageAllocator::Free of an address that is not an allocated block");
    int order = StateOf(block) & kOrderMask;
    free_pages_ += size_t{1} << order;
    FreeLocked(block, order);
  }

  // Reads the state byte without the lock: a block's head only changes while its owner
  // holds it (Allocate returns it, Free takes it back), so the owner asking is stable.
  int AllocatedOrder(uintptr_t address) const {
    if (state_ == nullptr || !InSpan(address) || (address & (kPageSize - 1)) != 0) return -1;
    uint8_t state = StateOf(address);
    if (state == kInterior || !(state & kAllocHead)) return -1;
    return state & kOrderMask;
  }

  size_t free_pages() const { return free_pages_; }
  size_t total_pages() const { return total_pages_; }

 private:
  bool InSpan(uintptr_t address) const { return address - span_begin_ < span_bytes_; }

  uint8_t& StateOf(uintptr_t address) const { return state_[(address - span_begin_) / kPageSize]; }

  void PushFree(uintptr_t address, int order) {
    auto* block = reinterpret_cast<FreeBlock*>(address);
    block->prev = nullptr;
    block->next = free_[order];
    if (block->next != nullptr) block->next->prev = block;
    free_[order] = block;
    StateOf(address) = static_cast<uint8_t>(kFreeHead | order);
  }

  void RemoveFree(uintptr_t address, int order) {
    auto* block = reinterpret_cast<FreeBlock*>(address);
    if (block->prev != nullptr) {
      block->prev->next = block->next;
    } else {
      free_[order] = block->next;
    }
    if (block->next != nullptr) block->next->prev = block->prev;
    StateOf(address) = kInterior;
  }

  // Frees a block, merging it with its free buddies. A buddy outside this node's RAM is
  // kInterior in this node's table (or outside its span), so merging stops at the node.
  void FreeLocked(uintptr_t address, int order) {
    while (order < kMaxOrder) {
      uintptr_t buddy = address ^ BlockBytes(order);
      if (!InSpan(buddy) || StateOf(buddy) != (kFreeHead | order)) break;
      RemoveFree(buddy, order);
      address = address < buddy ? address : buddy;
      ++order;
    }
    PushFree(address, order);
  }

  SpinLock lock_;
  uint8_t* state_ = nullptr;  // One byte per page of the span.
  uintptr_t span_begin_ = 0;
  size_t span_bytes_ = 0;
  FreeBlock* free_[kMaxOrder + 1] = {};
  size_t free_pages_ = 0;
  size_t total_pages_ = 0;
};

Node g_nodes[PageAllocator::kMaxNodes];
size_t g_num_nodes = 1;
uint8_t g_core_node[kMaxCores];
// Set once the boot core's GS base holds its index (MyCore() reads it): before that,
// %gs:0 is whatever lies at address 0.
bool g_per_core_nodes = false;

Node* OwnerOf(uintptr_t address) {
  // Node spans may interleave (an SRAT can give a node two ranges around another node's):
  // the owner is the node whose table has the page as a block head.
  for (size_t node = 0; node < g_num_nodes; ++node) {
    if (g_nodes[node].AllocatedOrder(address) >= 0) return &g_nodes[node];
  }
  return nullptr;
}

}  // namespace

void PageAllocator::SetNodeCount(size_t nodes) {
  EBBRT_CHECK(nodes >= 1 && nodes <= kMaxNodes);
  g_num_nodes = nodes;
}

void PageAllocator::Init(size_t node, uintptr_t span_begin, uintptr_t span_end) {
  EBBRT_CHECK(node < g_num_nodes);
  g_nodes[node].Init(span_begin, span_end);
}

void PageAllocator::AddRange(size_t node, uintptr_t begin, uintptr_t end) {
  EBBRT_CHECK(node < g_num_nodes);
  g_nodes[node].AddRange(begin, end);
}

void PageAllocator::SetCoreNode(size_t core, size_t node) {
  EBBRT_CHECK(core < kMaxCores && node < g_num_nodes);
  g_core_node[core] = static_cast<uint8_t>(node);
}

void PageAllocator::EnablePerCoreNodes() { g_per_core_nodes = true; }

uintptr_t PageAllocator::AllocatePageTable() {
  Result<uintptr_t> page = Allocate(0);
  if (!page.ok()) return 0;
  memset(reinterpret_cast<void*>(page.value()), 0, kPageSize);
  return page.value();
}

Result<uintptr_t> PageAllocator::Allocate(int order) {
  return Allocate(order, NodeOfCore(g_per_core_nodes ? MyCore() : 0));
}

Result<uintptr_t> PageAllocator::Allocate(int order, size_t node) {
  if (node >= g_num_nodes) return Status(StatusCode::kInvalidArgument, "PageAllocator: no such node");
  for (size_t i = 0; i < g_num_nodes; ++i) {
    Result<uintptr_t> block = AllocateOnNode(order, (node + i) % g_num_nodes);
    if (block.ok() || block.status().code() != StatusCode::kOutOfMemory) return block;
  }
  return Status(StatusCode::kOutOfMemory, "out of physical pages");
}

Result<uintptr_t> PageAllocator::AllocateOnNode(int order, size_t node) {
  if (order < 0 || order > kMaxOrder) {
    return Status(StatusCode::kInvalidArgument, "PageAllocator: order out of range");
  }
  if (node >= g_num_nodes) return Status(StatusCode::kInvalidArgument, "PageAllocator: no such node");
  return g_nodes[node].Allocate(order);
}

void PageAllocator::Free(uintptr_t block) {
  Node* owner = OwnerOf(block);
  EBBRT_CHECK_MSG(owner != nullptr, "PageAllocator::Free of an address that is not an allocated block");
  owner->Free(block);
}

int PageAllocator::AllocatedOrder(uintptr_t address) {
  Node* owner = OwnerOf(address);
  return owner != nullptr ? owner->AllocatedOrder(address) : -1;
}

size_t PageAllocator::NumNodes() { return g_num_nodes; }

size_t PageAllocator::NodeOfCore(size_t core) { return core < kMaxCores ? g_core_node[core] : 0; }

size_t PageAllocator::FreePages() {
  size_t pages = 0;
  for (size_t node = 0; node < g_num_nodes; ++node) pages += g_nodes[node].free_pages();
  return pages;
}

size_t PageAllocator::TotalPages() {
  size_t pages = 0;
  for (size_t node = 0; node < g_num_nodes; ++node) pages += g_nodes[node].total_pages();
  return pages;
}

size_t PageAllocator::FreePages(size_t node) { return node < g_num_nodes ? g_nodes[node].free_pages() : 0; }
size_t PageAllocator::TotalPages(size_t node) { return node < g_num_nodes ? g_nodes[node].total_pages() : 0; }

}  // namespace ebbrt::native
