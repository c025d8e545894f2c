// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/mem/general_purpose_allocator.h"

#include <stdint.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/native/mem/page_allocator.h"

namespace ebbrt::native {
namespace {

constexpr size_t kNumClasses = 8;  // 16 << 0 .. 16 << 7 = 2048
constexpr size_t kMaxSmall = 2048;
constexpr size_t kSmallAlignment = 16;
constexpr int kSlabOrder = 2;  // 16 KiB slabs.
constexpr size_t kSlabBytes = PageAllocator::kPageSize << kSlabOrder;
constexpr uint32_t kSlabMagic = 0x5ab5ab5a;

// At the start of every slab; objects follow it.
struct alignas(64) SlabHeader {
  uint32_t magic;
  uint16_t size_class;
  uint16_t owner_core;
};
static_assert(sizeof(SlabHeader) == 64);

struct FreeObject {
  FreeObject* next;
};

// One core's cache for one size class. `local` is touched only by its core;
// `remote` is pushed by any core and taken whole by the owner.
struct alignas(64) ClassCache {
  FreeObject* local = nullptr;
  std::atomic<FreeObject*> remote{nullptr};
};

ClassCache g_caches[kMaxCores][kNumClasses];

size_t ClassOf(size_t size) {
  size_t cls = 0;
  size_t class_size = 16;
  while (class_size < size) {
    class_size <<= 1;
    ++cls;
  }
  return cls;
}

constexpr size_t ClassSize(size_t cls) { return size_t{16} << cls; }

SlabHeader* SlabOf(const void* ptr) {
  return reinterpret_cast<SlabHeader*>(reinterpret_cast<uintptr_t>(ptr) & ~(kSlabBytes - 1));
}

bool Refill(ClassCache& cache, size_t cls, size_t core) {
  // First what other cores gave back.
  FreeObject* remote = cache.remote.exchange(nullptr, std::memory_order_acquire);
  if (remote != nullptr) {
    cache.local = remote;
    return true;
  }
  // The owner's NUMA node first: the owner is the core that touches the slab most.
  Result<uintptr_t> slab = PageAllocator::Allocate(kSlabOrder, PageAllocator::NodeOfCore(core));
  if (!slab.ok()) return false;
  auto* header = reinterpret_cast<SlabHeader*>(slab.value());
  header->magic = kSlabMagic;
  header->size_class = static_cast<uint16_t>(cls);
  header->owner_core = static_cast<uint16_t>(core);
  size_t size = ClassSize(cls);
  uintptr_t first = slab.value() + sizeof(SlabHeader);
  uintptr_t end = slab.value() + kSlabBytes;
  FreeObject* list = nullptr;
  // Link in reverse so allocation walks the slab upwards.
  for (uintptr_t obj = first + ((end - first) / size - 1) * size; obj >= first; obj -= size) {
    auto* free_object = reinterpret_cast<FreeObject*>(obj);
    free_object->next = list;
    list = free_object;
    if (obj == first) break;
  }
  cache.local = list;
  return true;
}

size_t LargeOrder(size_t size) {
  int order = 0;
  while ((PageAllocator::kPageSize << order) < size) ++order;
  return static_cast<size_t>(order);
}

}  // namespace

void* GeneralPurposeAllocator::Allocate(size_t size, size_t alignment) {
  if (size == 0) size = 1;
  if (size <= kMaxSmall && alignment <= kSmallAlignment) {
    size_t cls = ClassOf(size);
    size_t core = MyCore();
    ClassCache& cache = g_caches[core][cls];
    if (cache.local == nullptr && !Refill(cache, cls, core)) return nullptr;
    FreeObject* object = cache.local;
    cache.local = object->next;
    return object;
  }
  // Pages: a block of 2^order pages is aligned to its size, so any alignment up to the
  // block size is met by asking for enough pages.
  size_t need = size > alignment ? size : alignment;
  size_t order = LargeOrder(need);
  if (order > static_cast<size_t>(PageAllocator::kMaxOrder)) return nullptr;
  Result<uintptr_t> block = PageAllocator::Allocate(static_cast<int>(order));
  return block.ok() ? reinterpret_cast<void*>(block.value()) : nullptr;
}

void GeneralPurposeAllocator::Free(void* ptr) {
  if (ptr == nullptr) return;
  uintptr_t address = reinterpret_cast<uintptr_t>(ptr);
  if (PageAllocator::AllocatedOrder(address) >= 0) {
    // Slab objects never sit at the start of a block (the header does), so a block head
    // is a large allocation.
    PageAllocator::Free(address);
    return;
  }
  SlabHeader* slab = SlabOf(ptr);
  EBBRT_CHECK_MSG(PageAllocator::AllocatedOrder(reinterpret_cast<uintptr_t>(slab)) == kSlabOrder &&
                      slab->magic == kSlabMagic && slab->size_class < kNumClasses,
                  "free() of a pointer the allocator did not return");
  size_t size = ClassSize(slab->size_class);
  EBBRT_CHECK_MSG((address - reinterpret_cast<uintptr_t>(slab) - sizeof(SlabHeader)) % size == 0,
                  "free() of a pointer into the middle of a block");
  auto* object = static_cast<FreeObject*>(ptr);
  size_t core = MyCore();
  ClassCache& cache = g_caches[slab->owner_core][slab->size_class];
  if (slab->owner_core == core) {
    object->next = cache.local;
    cache.local = object;
    return;
  }
  // Another core's slab: push onto its remote list (Treiber stack).
  FreeObject* head = cache.remote.load(std::memory_order_relaxed);
  do {
    object->next = head;
  } while (!cache.remote.compare_exchange_weak(head, object, std::memory_order_release,
                                               std::memory_order_relaxed));
}

size_t GeneralPurposeAllocator::UsableSize(const void* ptr) {
  if (ptr == nullptr) return 0;
  uintptr_t address = reinterpret_cast<uintptr_t>(ptr);
  int order = PageAllocator::AllocatedOrder(address);
  if (order >= 0) return PageAllocator::kPageSize << order;
  SlabHeader* slab = SlabOf(ptr);
  EBBRT_CHECK_MSG(slab->magic == kSlabMagic, "malloc_usable_size of a foreign pointer");
  return ClassSize(slab->size_class);
}

}  // namespace ebbrt::native
