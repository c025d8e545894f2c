// SPDX-License-Identifier: Apache-2.0
#include <sys/mman.h>

#include "ebbrt/base/check.h"
#include "ebbrt/platform/translation.h"

namespace ebbrt::platform {

void* g_empty_translation_table[kMaxEbbIds];
__thread void** tls_translation_table = g_empty_translation_table;

namespace {
constexpr size_t kTableBytes = sizeof(void*) * kMaxEbbIds;
}  // namespace

void AttachTranslationTable() {
  EBBRT_CHECK(tls_translation_table == g_empty_translation_table);
  // Demand-zero pages: untouched slots read as null without costing memory.
  void* table = mmap(nullptr, kTableBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  EBBRT_CHECK_MSG(table != MAP_FAILED, "mmap of the Ebb translation table failed");
  tls_translation_table = static_cast<void**>(table);
}

void DetachTranslationTable() {
  if (tls_translation_table == g_empty_translation_table) return;
  munmap(tls_translation_table, kTableBytes);
  tls_translation_table = g_empty_translation_table;
}

}  // namespace ebbrt::platform
