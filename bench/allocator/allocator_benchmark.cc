// SPDX-License-Identifier: Apache-2.0
// Allocator microbenchmarks, the same loops on both platforms: natively they
// measure EbbRT's GeneralPurposeAllocator (per-core slabs, remote-free lists) inside QEMU;
// hosted they measure glibc malloc, the baseline. Cycles come from the TSC, so compare
// ratios between the two runs, not nanoseconds.
//
//   tools/ebbrt run ... (native):  bazel run //bench/allocator:allocator_benchmark_qemu
//   hosted:                         bazel run -c opt //bench/allocator:allocator_benchmark
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <atomic>

#include "ebbrt/app/app_main.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/future/future.h"

namespace {

inline uint64_t Rdtsc() {
  uint32_t low;
  uint32_t high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (uint64_t{high} << 32) | low;
}

constexpr int kPairs = 200000;
constexpr int kBatch = 64;

// malloc+free of one small object, repeated: the allocator's fast path.
// Tenths of a cycle, printed as integers: native printf has no floating point yet.
uint64_t PairCyclesX10(size_t size) {
  uint64_t begin = Rdtsc();
  for (int i = 0; i < kPairs; ++i) {
    void* p = malloc(size);
    asm volatile("" : : "r"(p) : "memory");
    free(p);
  }
  return (Rdtsc() - begin) * 10 / kPairs;
}

// kBatch allocations then kBatch frees: exercises the free lists rather than one slot.
uint64_t BatchCyclesX10(size_t size) {
  void* blocks[kBatch];
  uint64_t begin = Rdtsc();
  for (int round = 0; round < kPairs / kBatch; ++round) {
    for (int i = 0; i < kBatch; ++i) blocks[i] = malloc(size);
    asm volatile("" : : "r"(blocks) : "memory");
    for (int i = 0; i < kBatch; ++i) free(blocks[i]);
  }
  return (Rdtsc() - begin) * 10 / (kPairs / kBatch * kBatch);
}

// "123.4" from tenths.
struct Tenths {
  explicit Tenths(uint64_t x10) {
    snprintf(text, sizeof(text), "%llu.%llu", static_cast<unsigned long long>(x10 / 10),
             static_cast<unsigned long long>(x10 % 10));
  }
  char text[32];
};

}  // namespace

int ebbrt::AppMain() {
  size_t cores = ebbrt::AvailableCores() >= 2 ? 2 : 1;
  return ebbrt::Run(cores, [cores] {
    printf("allocator_benchmark: cycles per operation (TSC), %zu core(s)\n", cores);
    for (size_t size : {16, 64, 256, 1024}) {
      Tenths pair(PairCyclesX10(size));
      Tenths batch(BatchCyclesX10(size));
      printf("  malloc+free pair, %4zu B: %8s cycles; batch of %d: %8s cycles per pair\n", size,
             pair.text, kBatch, batch.text);
    }
    if (cores < 2) {
      ebbrt::Stop(0);
      return;
    }
    // Remote free: core 1 frees what core 0 allocated (natively: onto core 0's
    // remote-free list; core 0 reuses those blocks when its own list runs dry).
    constexpr int kRemote = 50000;
    static void* blocks[kRemote];
    uint64_t alloc_begin = Rdtsc();
    for (int i = 0; i < kRemote; ++i) blocks[i] = malloc(64);
    uint64_t alloc_cycles = Rdtsc() - alloc_begin;
    ebbrt::Promise<uint64_t> freed;
    ebbrt::Future<uint64_t> freed_cycles = freed.GetFuture();
    ebbrt::SpawnRemote(
        [p = new ebbrt::Promise<uint64_t>(std::move(freed))] {
          uint64_t begin = Rdtsc();
          for (int i = 0; i < kRemote; ++i) free(blocks[i]);
          p->SetValue(Rdtsc() - begin);
          delete p;
        },
        1);
    uint64_t remote_free = freed_cycles.Block().value();
    // Allocating again on core 0 takes the remotely freed blocks back.
    uint64_t realloc_begin = Rdtsc();
    for (int i = 0; i < kRemote; ++i) blocks[i] = malloc(64);
    uint64_t realloc_cycles = Rdtsc() - realloc_begin;
    for (int i = 0; i < kRemote; ++i) free(blocks[i]);
    Tenths alloc(alloc_cycles * 10 / kRemote);
    Tenths freed_remotely(remote_free * 10 / kRemote);
    Tenths realloc(realloc_cycles * 10 / kRemote);
    printf("  64 B: allocate on core 0 %s, free on core 1 %s, allocate again on core 0 %s "
           "cycles each\n",
           alloc.text, freed_remotely.text, realloc.text);
    ebbrt::Stop(0);
  });
}
