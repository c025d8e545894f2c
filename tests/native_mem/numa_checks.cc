// SPDX-License-Identifier: Apache-2.0
// NUMA natively (run with -smp 4, with and without QEMU's -numa): the node count the
// image found against the one the command line says QEMU was given (`numa_checks.nodes=N`;
// with N nodes, cores are split evenly and in order, as the test's -numa options do); each
// core's node; pages, slabs and large malloc blocks taken on a core lie in its node's SRAT
// ranges; a core whose node is exhausted gets memory from another node, and its node gets
// every page back. One TEST each.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ebbrt/core/cpu.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/native/boot/command_line.h"
#include "ebbrt/native/mem/memory_map.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/smp/smp.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::native::NumaNodeOfAddress;
using ebbrt::native::PageAllocator;
using ebbrt::testing_internal::InFreshRun;

constexpr size_t kCores = 4;

size_t ExpectedNodes() {
  std::string_view value = ebbrt::native::CommandLineValue("numa_checks.nodes");
  size_t nodes = 0;
  for (char c : value) nodes = nodes * 10 + static_cast<size_t>(c - '0');
  return nodes == 0 ? 1 : nodes;
}

// What a core allocates lies in its own node.
void AllocationsStayOnTheNode() {
  const size_t core = ebbrt::MyCore();
  const size_t node = PageAllocator::NodeOfCore(core);
  for (int order : {0, 2, 5}) {
    auto block = PageAllocator::Allocate(order);
    EXPECT_TRUE(block.ok()) << "order " << order;
    if (!block.ok()) continue;
    EXPECT_EQ(NumaNodeOfAddress(block.value()), node);
    EXPECT_EQ(NumaNodeOfAddress(block.value() + (PageAllocator::kPageSize << order) - 1), node);
    PageAllocator::Free(block.value());
  }
  // malloc: a small object (a slab of this core's) and a block of whole pages.
  for (size_t size : {size_t{48}, size_t{1000}, 3 * PageAllocator::kPageSize}) {
    void* p = malloc(size);
    EXPECT_NE(p, nullptr) << size << " bytes";
    EXPECT_EQ(NumaNodeOfAddress(reinterpret_cast<uintptr_t>(p)), node) << size << " bytes";
    free(p);
  }
}

// Takes every page of the caller's node, then allocates: the memory comes from another
// node; then gives everything back.
void FallbackWhenTheNodeIsExhausted() {
  const size_t node = PageAllocator::NodeOfCore(ebbrt::MyCore());
  const size_t free_before = PageAllocator::FreePages(node);
  // The taken blocks are linked through their first word: no bookkeeping memory needed.
  uintptr_t taken = 0;
  size_t pages = 0;
  for (int order = PageAllocator::kMaxOrder; order >= 0; --order) {
    while (true) {
      auto block = PageAllocator::AllocateOnNode(order, node);
      if (!block.ok()) {
        EXPECT_EQ(block.status().code(), ebbrt::StatusCode::kOutOfMemory);
        break;
      }
      EXPECT_EQ(NumaNodeOfAddress(block.value()), node);
      *reinterpret_cast<uintptr_t*>(block.value()) = taken;
      taken = block.value();
      pages += size_t{1} << order;
    }
  }
  EXPECT_EQ(pages, free_before);
  EXPECT_EQ(PageAllocator::FreePages(node), 0);
  printf("numa_checks: core %zu took all %zu pages of node %zu\n", ebbrt::MyCore(), pages, node);

  auto other = PageAllocator::Allocate(1);
  if (PageAllocator::NumNodes() == 1) {
    EXPECT_FALSE(other.ok());  // Nowhere to fall back to.
  } else {
    EXPECT_TRUE(other.ok());
    if (other.ok()) {
      EXPECT_NE(NumaNodeOfAddress(other.value()), node);
      PageAllocator::Free(other.value());
    }
    // malloc's whole-page blocks fall back the same way.
    void* p = malloc(2 * PageAllocator::kPageSize);
    EXPECT_NE(p, nullptr);
    EXPECT_NE(NumaNodeOfAddress(reinterpret_cast<uintptr_t>(p)), node);
    free(p);
  }

  while (taken != 0) {
    uintptr_t next = *reinterpret_cast<uintptr_t*>(taken);
    PageAllocator::Free(taken);
    taken = next;
  }
  EXPECT_EQ(PageAllocator::FreePages(node), free_before);
}

// The node count against numa_checks.nodes, each node's pages, each core's node.
TEST(NumaTest, NodesAndCores) {
  const size_t nodes = ExpectedNodes();
  printf("numa_checks: expecting %zu node(s) on %zu cores\n", nodes, kCores);
  EXPECT_EQ(ebbrt::NumCores(), kCores);
  EXPECT_EQ(PageAllocator::NumNodes(), nodes);
  EXPECT_EQ(ebbrt::native::NumaFromSrat(), nodes > 1);
  size_t total = 0;
  for (size_t node = 0; node < PageAllocator::NumNodes(); ++node) {
    EXPECT_GT(PageAllocator::TotalPages(node), 0u) << "node " << node;
    total += PageAllocator::TotalPages(node);
  }
  EXPECT_EQ(total, PageAllocator::TotalPages());
  for (size_t core = 0; core < kCores; ++core) {
    EXPECT_EQ(PageAllocator::NodeOfCore(core), core * nodes / kCores) << "core " << core;
    EXPECT_EQ(PageAllocator::NodeOfCore(core),
              ebbrt::native::NumaNodeOfApicId(ebbrt::native::ApicIdOf(core)))
        << "core " << core;
  }
}

TEST(NumaTest, AllocationsStayOnTheNode) {
  ASSERT_GE(ebbrt::NumCores(), kCores);
  InFreshRun(kCores, [] {
    for (size_t core = 0; core < kCores; ++core) {
      EXPECT_TRUE(ebbrt::SpawnOn(core, AllocationsStayOnTheNode).Block().ok());
    }
  });
}

TEST(NumaTest, FallbackWhenTheNodeIsExhausted) {
  ASSERT_GE(ebbrt::NumCores(), kCores);
  InFreshRun(kCores, [] {
    // Every core's loop must hold its event stacks before one core takes every page: a
    // core still starting (or core 0 blocking below without a spare stack in its pool)
    // would find no memory for a stack and stop the machine. One event on each core, and
    // this core's own block and resume, leave them all with what they need.
    EXPECT_TRUE(ebbrt::ForEachCore([](size_t) {}).Block().ok());
    EXPECT_TRUE(ebbrt::SpawnOn(kCores - 1, FallbackWhenTheNodeIsExhausted).Block().ok());
  });
}

}  // namespace
