// NUMA natively (run with -smp 4, with and without QEMU's -numa): the node count the
// image found against the one the command line says QEMU was given (`numa_checks.nodes=N`;
// with N nodes, cores are split evenly and in order, as the test's -numa options do); each
// core's node; pages, slabs and large malloc blocks taken on a core lie in its node's SRAT
// ranges; a core whose node is exhausted gets memory from another node, and its node gets
// every page back. Verdict: AppMain's return value.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/future/future.h"
#include "ebbrt/native/boot/command_line.h"
#include "ebbrt/native/mem/memory_map.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/smp/smp.h"
#include "tests/native_libc/check.h"

namespace {

using ebbrt::native::NumaNodeOfAddress;
using ebbrt::native::PageAllocator;

constexpr size_t kCores = 4;

size_t ExpectedNodes() {
  std::string_view value = ebbrt::native::CommandLineValue("numa_checks.nodes");
  size_t nodes = 0;
  for (char c : value) nodes = nodes * 10 + static_cast<size_t>(c - '0');
  return nodes == 0 ? 1 : nodes;
}

// Runs `body` on `core` and waits for it (from an event on core 0).
template <typename Body>
void RunOnCore(size_t core, Body body) {
  auto* done = new ebbrt::Promise<void>();
  ebbrt::Future<void> finished = done->GetFuture();
  ebbrt::SpawnRemote(
      [body, done] {
        body();
        done->SetValue();
      },
      core);
  EXPECT_TRUE(finished.Block().ok());
  delete done;
}

// What a core allocates lies in its own node.
void AllocationsStayOnTheNode() {
  const size_t core = ebbrt::MyCore();
  const size_t node = PageAllocator::NodeOfCore(core);
  for (int order : {0, 2, 5}) {
    auto block = PageAllocator::Allocate(order);
    EXPECT_TRUE(block.ok());
    if (!block.ok()) continue;
    EXPECT_EQ(NumaNodeOfAddress(block.value()), node);
    EXPECT_EQ(NumaNodeOfAddress(block.value() + (PageAllocator::kPageSize << order) - 1), node);
    PageAllocator::Free(block.value());
  }
  // malloc: a small object (a slab of this core's) and a block of whole pages.
  for (size_t size : {size_t{48}, size_t{1000}, 3 * PageAllocator::kPageSize}) {
    void* p = malloc(size);
    EXPECT_TRUE(p != nullptr);
    EXPECT_EQ(NumaNodeOfAddress(reinterpret_cast<uintptr_t>(p)), node);
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
        EXPECT_TRUE(block.status().code() == ebbrt::StatusCode::kOutOfMemory);
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
    EXPECT_TRUE(!other.ok());  // Nowhere to fall back to.
  } else {
    EXPECT_TRUE(other.ok());
    if (other.ok()) {
      EXPECT_TRUE(NumaNodeOfAddress(other.value()) != node);
      PageAllocator::Free(other.value());
    }
    // malloc's whole-page blocks fall back the same way.
    void* p = malloc(2 * PageAllocator::kPageSize);
    EXPECT_TRUE(p != nullptr);
    EXPECT_TRUE(NumaNodeOfAddress(reinterpret_cast<uintptr_t>(p)) != node);
    free(p);
  }

  while (taken != 0) {
    uintptr_t next = *reinterpret_cast<uintptr_t*>(taken);
    PageAllocator::Free(taken);
    taken = next;
  }
  EXPECT_EQ(PageAllocator::FreePages(node), free_before);
}

}  // namespace

int ebbrt::AppMain() {
  const size_t nodes = ExpectedNodes();
  printf("numa_checks: expecting %zu node(s) on %zu cores\n", nodes, kCores);
  EXPECT_EQ(ebbrt::NumCores(), kCores);
  EXPECT_EQ(PageAllocator::NumNodes(), nodes);
  EXPECT_EQ(ebbrt::native::NumaFromSrat() ? 1 : 0, nodes > 1 ? 1 : 0);
  size_t total = 0;
  for (size_t node = 0; node < PageAllocator::NumNodes(); ++node) {
    EXPECT_TRUE(PageAllocator::TotalPages(node) > 0);
    total += PageAllocator::TotalPages(node);
  }
  EXPECT_EQ(total, PageAllocator::TotalPages());
  for (size_t core = 0; core < kCores; ++core) {
    EXPECT_EQ(PageAllocator::NodeOfCore(core), core * nodes / kCores);
    EXPECT_EQ(PageAllocator::NodeOfCore(core),
              ebbrt::native::NumaNodeOfApicId(ebbrt::native::ApicIdOf(core)));
  }
  int status = ebbrt::Run(kCores, [] {
    for (size_t core = 0; core < kCores; ++core) RunOnCore(core, AllocationsStayOnTheNode);
    RunOnCore(kCores - 1, FallbackWhenTheNodeIsExhausted);
    ebbrt::Stop(0);
  });
  EXPECT_EQ(status, 0);
  printf("numa_checks: %d failure(s)\n", ebbrt_check_failures);
  return ebbrt_check_failures;
}
