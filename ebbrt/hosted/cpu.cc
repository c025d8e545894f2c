// SPDX-License-Identifier: Apache-2.0
// Hosted ebbrt/core/cpu.h: a core is a thread that ebbrt::Run started.
#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/hosted/internal/cpu_state.h"

namespace ebbrt {
namespace {

__thread size_t tls_core = hosted_internal::kNotACore;
std::atomic<size_t> g_num_cores{0};

}  // namespace

bool OnCore() { return tls_core != hosted_internal::kNotACore; }

size_t MyCore() {
  EBBRT_CHECK_MSG(tls_core != hosted_internal::kNotACore,
                  "not running on an EbbRT core (inside ebbrt::Run)");
  return tls_core;
}

size_t NumCores() { return g_num_cores.load(std::memory_order_acquire); }

namespace hosted_internal {

void SetMyCore(size_t core) { tls_core = core; }

bool ClaimCores(size_t num_cores) {
  size_t expected = 0;
  return g_num_cores.compare_exchange_strong(expected, num_cores, std::memory_order_acq_rel);
}

void ReleaseCores() { g_num_cores.store(0, std::memory_order_release); }

}  // namespace hosted_internal
}  // namespace ebbrt
