// SPDX-License-Identifier: Apache-2.0
// The `stats` replies shared by the ASCII and binary protocols: the same names, values
// and order (memcached 1.6's server_stats subset that this server has).
//
//   ForEachGeneralStat(store.Stats(), [&](const char* name, const char* value) {
//     Emit(name, value);
//   });
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "apps/memcached/store.h"
#include "ebbrt/core/cpu.h"

namespace memcached {

// What `version` reports: the memcached release whose protocol behaviour we follow.
inline constexpr char kVersionString[] = "1.6.18-ebbrt";

namespace stats_internal {

template <typename Emit>
void EmitU64(Emit& emit, const char* name, uint64_t value) {
  char text[24];
  snprintf(text, sizeof(text), "%llu", static_cast<unsigned long long>(value));
  emit(name, text);
}

template <typename Emit>
void EmitI64(Emit& emit, const char* name, int64_t value) {
  char text[24];
  snprintf(text, sizeof(text), "%lld", static_cast<long long>(value));
  emit(name, text);
}

}  // namespace stats_internal

// `stats` with no argument: emit(name, value) per statistic.
template <typename Emit>
void ForEachGeneralStat(const StoreStats& s, Emit&& emit) {
  using stats_internal::EmitI64;
  using stats_internal::EmitU64;
  EmitI64(emit, "uptime", s.uptime);
  EmitI64(emit, "time", s.time);
  emit("version", kVersionString);
  EmitU64(emit, "pointer_size", sizeof(void*) * 8);
  EmitU64(emit, "curr_connections", s.curr_connections);
  EmitU64(emit, "total_connections", s.total_connections);
  EmitU64(emit, "cmd_get", s.cmd_get);
  EmitU64(emit, "cmd_set", s.cmd_set);
  EmitU64(emit, "cmd_flush", s.cmd_flush);
  EmitU64(emit, "cmd_touch", s.cmd_touch);
  EmitU64(emit, "get_hits", s.get_hits);
  EmitU64(emit, "get_misses", s.get_misses);
  EmitU64(emit, "get_expired", s.get_expired);
  EmitU64(emit, "get_flushed", s.get_flushed);
  EmitU64(emit, "delete_misses", s.delete_misses);
  EmitU64(emit, "delete_hits", s.delete_hits);
  EmitU64(emit, "incr_misses", s.incr_misses);
  EmitU64(emit, "incr_hits", s.incr_hits);
  EmitU64(emit, "decr_misses", s.decr_misses);
  EmitU64(emit, "decr_hits", s.decr_hits);
  EmitU64(emit, "cas_misses", s.cas_misses);
  EmitU64(emit, "cas_hits", s.cas_hits);
  EmitU64(emit, "cas_badval", s.cas_badval);
  EmitU64(emit, "touch_hits", s.touch_hits);
  EmitU64(emit, "touch_misses", s.touch_misses);
  EmitU64(emit, "store_too_large", s.store_too_large);
  EmitU64(emit, "store_no_memory", s.store_no_memory);
  EmitU64(emit, "limit_maxbytes", s.limit_maxbytes);
  EmitU64(emit, "threads", ebbrt::NumCores());
  EmitU64(emit, "bytes", s.bytes);
  EmitU64(emit, "curr_items", s.curr_items);
  EmitU64(emit, "total_items", s.total_items);
  EmitU64(emit, "evictions", s.evictions);
  EmitU64(emit, "reclaimed", s.reclaimed);
}

// `stats settings`: the settings this server has.
template <typename Emit>
void ForEachSettingsStat(const StoreConfig& config, Emit&& emit) {
  using stats_internal::EmitU64;
  EmitU64(emit, "maxbytes", config.memory_limit_bytes);
  EmitU64(emit, "item_size_max", config.item_size_limit);
  emit("evictions", "on");
  emit("cas_enabled", "yes");
  emit("lru_mode", "clock");
  EmitU64(emit, "num_threads", ebbrt::NumCores());
}

}  // namespace memcached
