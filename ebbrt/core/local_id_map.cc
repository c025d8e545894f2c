// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/core/local_id_map.h"

#include <atomic>

#include "ebbrt/base/check.h"

namespace ebbrt {
namespace {

// Binding protocol: claim `type` with a CAS (null -> tag), then publish `root`. Readers
// load `root` first, so a non-null root implies its type is visible.
struct Entry {
  std::atomic<void*> root;
  std::atomic<const void*> type;
};

struct Chunk {
  Entry entries[LocalIdMap::kChunkSize];
};

constexpr EbbId kNumChunks = kMaxEbbIds / LocalIdMap::kChunkSize;
std::atomic<Chunk*> g_chunks[kNumChunks];

Entry* FindEntry(EbbId id) {
  Chunk* chunk = g_chunks[id / LocalIdMap::kChunkSize].load(std::memory_order_acquire);
  return chunk == nullptr ? nullptr : &chunk->entries[id % LocalIdMap::kChunkSize];
}

Entry& FindOrCreateEntry(EbbId id) {
  std::atomic<Chunk*>& slot = g_chunks[id / LocalIdMap::kChunkSize];
  Chunk* chunk = slot.load(std::memory_order_acquire);
  if (chunk == nullptr) {
    Chunk* fresh = new Chunk();
    if (slot.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel)) {
      chunk = fresh;
    } else {
      delete fresh;  // Another core installed this chunk first; `chunk` is theirs.
    }
  }
  return chunk->entries[id % LocalIdMap::kChunkSize];
}

void CheckType(const Entry& entry, const void* type_tag) {
  EBBRT_CHECK_MSG(entry.type.load(std::memory_order_acquire) == type_tag,
                  "Ebb id is bound to a root of another type (static id name collision?)");
}

}  // namespace

void* LocalIdMap::Find(EbbId id, const void* type_tag) {
  EBBRT_CHECK(id < kMaxEbbIds);
  Entry* entry = FindEntry(id);
  if (entry == nullptr) return nullptr;
  while (true) {
    void* root = entry->root.load(std::memory_order_acquire);
    if (root == nullptr) return nullptr;
    const void* type = entry->type.load(std::memory_order_acquire);
    // Unbind clears root, then type: a concurrent Unbind (and maybe a re-Bind) may have
    // run between the two loads. Trust the pair only if root is still the same.
    if (entry->root.load(std::memory_order_acquire) != root) continue;
    if (type == nullptr) return nullptr;  // Mid-Unbind: treat as unbound.
    EBBRT_CHECK_MSG(type == type_tag,
                    "Ebb id is bound to a root of another type (static id name collision?)");
    return root;
  }
}

void* LocalIdMap::Bind(EbbId id, void* root, const void* type_tag) {
  EBBRT_CHECK(id != kNullEbbId && id < kMaxEbbIds);
  EBBRT_CHECK(root != nullptr && type_tag != nullptr);
  Entry& entry = FindOrCreateEntry(id);
  while (true) {
    const void* claimed = nullptr;
    if (entry.type.compare_exchange_strong(claimed, type_tag, std::memory_order_acq_rel)) {
      entry.root.store(root, std::memory_order_release);
      return nullptr;
    }
    // Someone else claimed the id: wait for their root (or for an Unbind to finish).
    void* existing = entry.root.load(std::memory_order_acquire);
    if (existing != nullptr) {
      CheckType(entry, type_tag);
      return existing;
    }
    __builtin_ia32_pause();
  }
}

void* LocalIdMap::Unbind(EbbId id) {
  EBBRT_CHECK(id < kMaxEbbIds);
  Entry* entry = FindEntry(id);
  if (entry == nullptr) return nullptr;
  void* root = entry->root.exchange(nullptr, std::memory_order_acq_rel);
  if (root != nullptr) entry->type.store(nullptr, std::memory_order_release);
  return root;
}

}  // namespace ebbrt
