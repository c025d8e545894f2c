// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/mem/page_allocator.h"

#include <string.h>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/native/mem/internal/buddy_node.h"

namespace ebbrt::native {
namespace {

using page_allocator_internal::BuddyNode;
using page_allocator_internal::kMaxOrder;

static_assert(page_allocator_internal::kPageSize == PageAllocator::kPageSize);
static_assert(page_allocator_internal::kMaxOrder == PageAllocator::kMaxOrder);

BuddyNode g_nodes[PageAllocator::kMaxNodes];
size_t g_num_nodes = 1;
uint8_t g_core_node[kMaxCores];
// Set once the boot core's GS base holds its index (MyCore() reads it): before that,
// %gs:0 is whatever lies at address 0.
bool g_per_core_nodes = false;

BuddyNode* OwnerOf(uintptr_t address) {
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

bool PageAllocator::PlaceTable(size_t node, uintptr_t begin, uintptr_t end) {
  EBBRT_CHECK(node < g_num_nodes);
  return g_nodes[node].PlaceTable(begin, end);
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
  memset(reinterpret_cast<void*>(page.value()), 0, PageAllocator::kPageSize);
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
  BuddyNode* owner = OwnerOf(block);
  EBBRT_CHECK_MSG(owner != nullptr, "PageAllocator::Free of an address that is not an allocated block");
  owner->Free(block);
}

int PageAllocator::AllocatedOrder(uintptr_t address) {
  // The owner's answer is the order (OwnerOf would ask the owner a second time).
  for (size_t node = 0; node < g_num_nodes; ++node) {
    int order = g_nodes[node].AllocatedOrder(address);
    if (order >= 0) return order;
  }
  return -1;
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
