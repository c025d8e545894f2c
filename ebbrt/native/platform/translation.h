// SPDX-License-Identifier: Apache-2.0
// Native translation table (included as "ebbrt/platform/translation.h").
//
// Every core maps its own physical pages at the same virtual range, kTranslationRegion,
// so the table base is a constant and a lookup is a single load; pages are demand-zero,
// so untouched slots read as null. The region is set up at boot by InitTranslationRegion
// (ebbrt/native/translation.h): a per-core top-level page table entry and a fault handler
// that supplies zeroed pages on first touch.
#pragma once

#include <stdint.h>

#include "ebbrt/core/ebb_id.h"

namespace ebbrt::platform {

// 512 GiB: the second top-level (PML4) slot, outside the boot identity map of the low
// 4 GiB, so it can differ per core by one PML4 entry.
inline constexpr uintptr_t kTranslationRegion = uintptr_t{1} << 39;

inline void** TranslationTable() { return reinterpret_cast<void**>(kTranslationRegion); }

inline void CacheTranslation(EbbId id, void* rep) { TranslationTable()[id] = rep; }

}  // namespace ebbrt::platform
