// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/mem/memory_map.h"

#include <stddef.h>
#include <stdio.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/native/acpi.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/start_info.h"

extern "C" char __image_start[];
extern "C" char _end[];

namespace ebbrt::native {
namespace {

constexpr uint32_t kE820Ram = 1;
constexpr uint64_t kLowMemoryEnd = 1 << 20;
using x86_64::kIdentityMapEnd;
constexpr size_t kMaxReserved = 16;

struct Range {
  uint64_t begin;
  uint64_t end;
};

Range g_reserved[kMaxReserved];
size_t g_reserved_count = 0;

// The SRAT's memory ranges and CPUs with their node indices.
struct NodeRange {
  uint64_t begin;
  uint64_t end;
  size_t node;
};
NodeRange g_node_ranges[SratAffinity::kMaxMemoryRanges];
size_t g_node_range_count = 0;
struct CpuNode {
  uint32_t apic_id;
  size_t node;
};
CpuNode g_cpu_nodes[kMaxCores];
size_t g_cpu_node_count = 0;
bool g_from_srat = false;

// Numbers the SRAT's proximity domains 0, 1, ... in increasing order (firmware may use
// any 32-bit numbers); returns the node count. Domains past PageAllocator::kMaxNodes
// share node 0.
size_t ReadSrat(uint64_t rsdp_paddr) {
  static SratAffinity srat;  // 3.6 KiB: not on the boot stack.
  if (!FindSratAffinity(rsdp_paddr, &srat)) return 1;
  uint32_t domains[PageAllocator::kMaxNodes];
  size_t count = 0;
  bool folded = false;
  auto note = [&](uint32_t domain) {
    size_t i = 0;
    while (i < count && domains[i] < domain) ++i;
    if (i < count && domains[i] == domain) return;
    if (count == PageAllocator::kMaxNodes) {
      folded = true;
      return;
    }
    for (size_t j = count; j > i; --j) domains[j] = domains[j - 1];
    domains[i] = domain;
    ++count;
  };
  for (size_t i = 0; i < srat.memory_count; ++i) note(srat.memory[i].proximity_domain);
  for (size_t i = 0; i < srat.cpu_count; ++i) note(srat.cpus[i].proximity_domain);
  if (count == 0) return 1;
  auto node_of = [&](uint32_t domain) -> size_t {
    for (size_t i = 0; i < count; ++i) {
      if (domains[i] == domain) return i;
    }
    return 0;
  };
  for (size_t i = 0; i < srat.memory_count; ++i) {
    const SratMemoryAffinity& m = srat.memory[i];
    g_node_ranges[g_node_range_count++] = NodeRange{m.begin, m.end, node_of(m.proximity_domain)};
  }
  for (size_t i = 0; i < srat.cpu_count; ++i) {
    g_cpu_nodes[g_cpu_node_count++] = CpuNode{srat.cpus[i].apic_id, node_of(srat.cpus[i].proximity_domain)};
  }
  if (folded || srat.dropped > 0) {
    ConsolePrint("[ebbrt] ACPI SRAT: more proximity domains or entries than EbbRT keeps; the rest are node 0\n");
  }
  g_from_srat = true;
  return count;
}

// Calls fn(begin, end, node) for the pieces of [begin, end) by node.
template <typename Fn>
void SplitByNode(uint64_t begin, uint64_t end, const Fn& fn) {
  if (begin >= end) return;
  for (size_t i = 0; i < g_node_range_count; ++i) {
    const NodeRange& r = g_node_ranges[i];
    if (r.end <= begin || r.begin >= end) continue;
    uint64_t overlap_begin = r.begin > begin ? r.begin : begin;
    uint64_t overlap_end = r.end < end ? r.end : end;
    SplitByNode(begin, overlap_begin, fn);
    fn(overlap_begin, overlap_end, r.node);
    SplitByNode(overlap_end, end, fn);
    return;
  }
  fn(begin, end, size_t{0});
}

// Fatal when the slots run out: a range left unreserved (a boot module the symbolizer still
// reads) would be handed out by the page allocator while in use.
void Reserve(uint64_t begin, uint64_t size) {
  EBBRT_CHECK_MSG(g_reserved_count < kMaxReserved,
                  "memory_map.cc: more reserved ranges (image, start info, memory map, boot modules) "
                  "than its kMaxReserved slots; raise kMaxReserved or pass fewer boot modules");
  g_reserved[g_reserved_count++] = Range{begin, begin + size};
}

// Calls fn(begin, end) for the pieces of [begin, end) outside every reserved range.
template <typename Fn>
void ForEachUsable(uint64_t begin, uint64_t end, const Fn& fn) {
  if (begin >= end) return;
  for (size_t i = 0; i < g_reserved_count; ++i) {
    const Range& r = g_reserved[i];
    if (r.end <= begin || r.begin >= end) continue;
    ForEachUsable(begin, r.begin, fn);
    ForEachUsable(r.end, end, fn);
    return;
  }
  fn(begin, end);
}

}  // namespace

void InitMemory(uint32_t start_info_paddr) {
  const auto* info = reinterpret_cast<const HvmStartInfo*>(uintptr_t{start_info_paddr});
  EBBRT_CHECK_MSG(info != nullptr && info->magic == kHvmStartMagic, "no PVH start info");
  EBBRT_CHECK_MSG(info->version >= 1 && info->memmap_entries > 0,
                  "the boot loader passed no memory map (PVH start info version < 1)");
  const auto* map = reinterpret_cast<const HvmMemmapEntry*>(info->memmap_paddr);

  Reserve(0, kLowMemoryEnd);
  Reserve(reinterpret_cast<uintptr_t>(__image_start),
          reinterpret_cast<uintptr_t>(_end) - reinterpret_cast<uintptr_t>(__image_start));
  Reserve(start_info_paddr, sizeof(HvmStartInfo));
  Reserve(info->memmap_paddr, sizeof(HvmMemmapEntry) * info->memmap_entries);
  if (info->nr_modules > 0) {
    Reserve(info->modlist_paddr, sizeof(HvmModlistEntry) * info->nr_modules);
    const auto* modules = reinterpret_cast<const HvmModlistEntry*>(info->modlist_paddr);
    for (uint32_t i = 0; i < info->nr_modules; ++i) {
      Reserve(modules[i].paddr, modules[i].size);
    }
  }

  const size_t nodes = ReadSrat(info->rsdp_paddr);
  PageAllocator::SetNodeCount(nodes);
  // Until SMP knows the core, allocations are the boot CPU's: from its node.
  PageAllocator::SetCoreNode(0, NumaNodeOfApicId(x86_64::InitialApicId()));

  // Each node's span sizes its page-state table.
  Range spans[PageAllocator::kMaxNodes];
  for (size_t node = 0; node < nodes; ++node) spans[node] = Range{kIdentityMapEnd, 0};
  auto for_each_ram_piece = [&](auto fn) {
    for (uint32_t i = 0; i < info->memmap_entries; ++i) {
      if (map[i].type != kE820Ram) continue;
      uint64_t begin = map[i].addr < kLowMemoryEnd ? kLowMemoryEnd : map[i].addr;
      uint64_t end = map[i].addr + map[i].size;
      if (end > kIdentityMapEnd) end = kIdentityMapEnd;
      SplitByNode(begin, end, fn);
    }
  };
  for_each_ram_piece([&](uint64_t begin, uint64_t end, size_t node) {
    if (begin < spans[node].begin) spans[node].begin = begin;
    if (end > spans[node].end) spans[node].end = end;
  });
  bool any = false;
  for (size_t node = 0; node < nodes; ++node) {
    if (spans[node].begin >= spans[node].end) continue;  // A node without RAM (CPUs only).
    PageAllocator::Init(node, spans[node].begin, spans[node].end);
    any = true;
  }
  EBBRT_CHECK_MSG(any, "no usable RAM between 1 MiB and 4 GiB");
  // Two passes over the usable pieces: the first places each node's page-state table in its
  // first piece big enough for it, the second hands every piece over, those before the
  // table's piece included.
  bool has_table[PageAllocator::kMaxNodes] = {};
  for_each_ram_piece([&](uint64_t begin, uint64_t end, size_t node) {
    ForEachUsable(begin, end, [&](uint64_t b, uint64_t e) {
      if (!has_table[node]) has_table[node] = PageAllocator::PlaceTable(node, b, e);
    });
  });
  for (size_t node = 0; node < nodes; ++node) {
    if (spans[node].begin >= spans[node].end || has_table[node]) continue;
    char line[128];
    snprintf(line, sizeof(line), "[ebbrt] memory: node %zu has no usable range big enough for its page-state "
             "table; its RAM is not used\n", node);
    ConsolePrint(line);
  }
  for_each_ram_piece([&](uint64_t begin, uint64_t end, size_t node) {
    if (!has_table[node]) return;
    ForEachUsable(begin, end, [node](uint64_t b, uint64_t e) { PageAllocator::AddRange(node, b, e); });
  });
  EBBRT_CHECK_MSG(PageAllocator::TotalPages() > 0, "no RAM for the page allocator");
}

bool NumaFromSrat() { return g_from_srat; }

size_t NumaNodeOfAddress(uintptr_t address) {
  for (size_t i = 0; i < g_node_range_count; ++i) {
    if (address >= g_node_ranges[i].begin && address < g_node_ranges[i].end) return g_node_ranges[i].node;
  }
  return 0;
}

size_t NumaNodeOfApicId(uint32_t apic_id) {
  for (size_t i = 0; i < g_cpu_node_count; ++i) {
    if (g_cpu_nodes[i].apic_id == apic_id) return g_cpu_nodes[i].node;
  }
  return 0;
}

}  // namespace ebbrt::native
