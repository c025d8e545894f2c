// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/core/ebb_allocator.h"

#include <atomic>

namespace ebbrt {
namespace {

std::atomic<EbbId> g_next_local{kFirstLocalId};
std::atomic<EbbId> g_next_global{kFirstGlobalId};

Result<EbbId> AllocateFrom(std::atomic<EbbId>& next, EbbId end, const char* exhausted) {
  EbbId id = next.load(std::memory_order_relaxed);
  do {
    if (id >= end) return Status(StatusCode::kResourceExhausted, exhausted);
  } while (!next.compare_exchange_weak(id, id + 1, std::memory_order_relaxed));
  return id;
}

}  // namespace

Result<EbbId> EbbAllocator::AllocateLocal() {
  return AllocateFrom(g_next_local, kFirstGlobalId, "local Ebb id range exhausted");
}

Result<EbbId> EbbAllocator::AllocateGlobal() {
  return AllocateFrom(g_next_global, kMaxEbbIds, "global Ebb id range exhausted");
}

}  // namespace ebbrt
