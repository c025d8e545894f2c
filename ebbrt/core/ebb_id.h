// SPDX-License-Identifier: Apache-2.0
// EbbId: the 32-bit name of an Ebb, and how the id space is divided.
//
//   [0]                    kNullEbbId, never bound
//   [1, 256)               system ids, fixed in this header (the runtime's own Ebbs)
//   [256, 65536)           static ids, computed at compile time from a name (StaticEbbId)
//   [65536, 524288)        local ids, handed out at run time by EbbAllocator on this machine
//   [524288, kMaxEbbIds)   global ids, meaningful across the nodes of one application
//
// Ids index the per-core translation table directly, so the id space is bounded
// (kMaxEbbIds); a table slot costs 8 bytes of virtual memory per core, touched only when
// that id is used on that core.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt {

using EbbId = uint32_t;

inline constexpr EbbId kNullEbbId = 0;
inline constexpr EbbId kMaxEbbIds = 1u << 20;

inline constexpr EbbId kFirstSystemId = 1;
inline constexpr EbbId kFirstStaticId = 256;
inline constexpr EbbId kFirstLocalId = 1u << 16;
inline constexpr EbbId kFirstGlobalId = 1u << 19;

// The runtime's own Ebbs.
inline constexpr EbbId kEventManagerId = 1;
inline constexpr EbbId kTimerId = 2;
inline constexpr EbbId kRcuManagerId = 3;

// A static id derived from `name` at compile time (FNV-1a, folded into the static range).
// Two names may collide; StaticEbbRegistry reports a collision when both are registered.
//
//   inline constexpr EbbId kMyServiceId = StaticEbbId("my_service");
constexpr EbbId StaticEbbId(const char* name) {
  uint32_t hash = 2166136261u;
  for (const char* p = name; *p != '\0'; ++p) {
    hash ^= static_cast<uint8_t>(*p);
    hash *= 16777619u;
  }
  return kFirstStaticId + hash % (kFirstLocalId - kFirstStaticId);
}

constexpr bool IsStaticId(EbbId id) { return id >= kFirstStaticId && id < kFirstLocalId; }
constexpr bool IsLocalId(EbbId id) { return id >= kFirstLocalId && id < kFirstGlobalId; }
constexpr bool IsGlobalId(EbbId id) { return id >= kFirstGlobalId && id < kMaxEbbIds; }

}  // namespace ebbrt
