// SPDX-License-Identifier: Apache-2.0
// The per-core Ebb translation table: slot `id` holds the calling core's rep of Ebb `id`,
// or null until the first use on this core faults it in (T::HandleFault -> CacheRef).
//
// The table's location is the platform's business (ebbrt/platform/translation.h):
// hosted, a per-thread table reached through one thread-local pointer; native, a
// per-core virtual region at a constant address. Either way a lookup is a load or two
// and never takes a lock.
#pragma once

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/platform/translation.h"

namespace ebbrt {

// The calling core's cached rep for `id`, or nullptr.
inline void* LookupRep(EbbId id) { return platform::TranslationTable()[id]; }

// Caches `rep` as the calling core's rep of `id`. Off a core (a thread that is not an
// EbbRT core) nothing is cached and every use faults again, which is correct but slow.
inline void CacheRef(EbbId id, void* rep) { platform::CacheTranslation(id, rep); }

}  // namespace ebbrt
