// SPDX-License-Identifier: Apache-2.0
// Hosted translation table (included as "ebbrt/platform/translation.h").
//
// Each core thread owns a table of kMaxEbbIds slots, reserved with mmap and backed
// lazily by the kernel, so only the pages of ids used on that core cost memory. A
// thread that is not a core points at one shared, never-written table of nulls: its
// lookups always miss and nothing is cached for it.
#pragma once

#include "ebbrt/core/ebb_id.h"

namespace ebbrt::platform {

// All null; never written (CacheTranslation checks).
extern void* g_empty_translation_table[kMaxEbbIds];

// __thread rather than thread_local: no dynamic initialisation, so every access is a
// single %fs-relative load with no TLS wrapper call.
extern __thread void** tls_translation_table;

inline void** TranslationTable() { return tls_translation_table; }

inline void CacheTranslation(EbbId id, void* rep) {
  if (tls_translation_table != g_empty_translation_table) {
    tls_translation_table[id] = rep;
  }
}

// The hosted runtime gives each core thread its own table for its lifetime.
void AttachTranslationTable();
void DetachTranslationTable();

}  // namespace ebbrt::platform
