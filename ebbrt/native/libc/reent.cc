// SPDX-License-Identifier: Apache-2.0
// newlib's __getreent() on per-core structures (see reent.h for the design).
#include "ebbrt/native/libc/reent.h"

#include <reent.h>
#include <string.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"

// newlib's stdio set-up (stdio/local.h, which is not an installed header).
extern "C" void __sinit(struct _reent*);

namespace ebbrt::native {
namespace {

// Its own cache lines: errno is written often, and cores should not share its line.
struct alignas(64) CoreReent {
  struct _reent reent;
};

// Cores 1..kMaxCores-1; core 0's is newlib's global structure.
CoreReent g_core_reents[kMaxCores - 1];

// Set once the boot core's GS base is: MyCore() works on every core from then on (the
// other cores set theirs before running any C code).
std::atomic<bool> g_per_core{false};

}  // namespace

void InitCoreReent(size_t core) {
  EBBRT_CHECK(core < kMaxCores);
  if (core == 0) {
    // exit() flushes the streams through the global structure's cleanup hook, which
    // newlib sets only when stdio is set up on that structure; with shared streams, a
    // secondary core's first printf sets them up through its own structure instead, and
    // its output would never be flushed at exit. So set them up here, on the global one.
    __sinit(_GLOBAL_REENT);
    g_per_core.store(true, std::memory_order_release);
    return;
  }
  _REENT_INIT_PTR(&g_core_reents[core - 1].reent);
}

size_t CallerCore() {
  return g_per_core.load(std::memory_order_relaxed) ? ebbrt::MyCore() : 0;
}

}  // namespace ebbrt::native

extern "C" struct _reent* __getreent() {
  const size_t core = ebbrt::native::CallerCore();
  return core == 0 ? _GLOBAL_REENT : &ebbrt::native::g_core_reents[core - 1].reent;
}
