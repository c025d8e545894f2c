// SPDX-License-Identifier: Apache-2.0
// newlib's per-core state (run with -smp 4): each core has its own struct _reent
// (ebbrt/native/libc/reent.h), so errno and the static state of strtok and rand belong to
// the core that uses them, while stdin/stdout/stderr and the atexit list stay shared.
// The cores run in lock step (a barrier between steps), so with one struct _reent for the
// whole machine every check below fails deterministically, not by chance: all cores
// write, then all cores read. One TEST per kind of state, in the native_libc SMP image
// (BUILD).
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
// After <stdlib.h>: newlib's <malloc.h> redeclares malloc without the noexcept that
// <stdlib.h> gives it in C++ (see ebbrt/native/libc/malloc.cc).
#include <malloc.h>
#include <reent.h>

#include <atomic>

#include "ebbrt/base/console.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::testing_internal::OnAllCoresAtOnce;
using ebbrt::testing_internal::StepBarrier;

constexpr size_t kCores = 4;
constexpr int kErrnoRounds = 150;
constexpr int kStrtokRounds = 20;
constexpr int kTokens = 6;
constexpr int kRandValues = 40;

constinit StepBarrier g_barrier(kCores);

// Failures of C library calls that set errno and print nothing, one errno value each.
// Sizes go through volatile so the compiler neither warns about nor folds the calls.
volatile size_t g_huge_size = size_t{INT_MAX} + 1;
volatile size_t g_half_max = SIZE_MAX / 2 + 1;

struct FailingCall {
  const char* name;
  int expected_errno;
  bool (*fail)();  // true when the call reported failure the documented way
};

constexpr FailingCall kFailingCalls[kCores] = {
    {"strtol overflow", ERANGE,
     [] { return strtol("99999999999999999999999", nullptr, 10) == LONG_MAX; }},
    {"memalign(3, 16)", EINVAL, [] { return memalign(3, 16) == nullptr; }},
    {"snprintf(size > INT_MAX)", EOVERFLOW,
     [] {
       char buffer[4];
       return snprintf(buffer, g_huge_size, "x") == EOF;
     }},
    {"calloc overflow", ENOMEM, [] { return calloc(g_half_max, 2) == nullptr; }},
};

// --- Which struct _reent each core uses ------------------------------------------------
struct _reent* g_reent_of[kCores];
FILE* g_stdout_of[kCores];

TEST(ReentSmpTest, EachCoreHasItsOwnReent) {
  OnAllCoresAtOnce(kCores, [](size_t core) {
    g_reent_of[core] = _REENT;
    g_stdout_of[core] = stdout;
  });
  // The boot core's is newlib's global one: boot code used it before other cores existed.
  EXPECT_EQ(g_reent_of[0], _GLOBAL_REENT);
  for (size_t core = 0; core < kCores; ++core) {
    for (size_t other = core + 1; other < kCores; ++other) {
      EXPECT_NE(g_reent_of[core], g_reent_of[other]) << "cores " << core << " and " << other;
    }
    // One stdout for the machine (one buffer, one lock), whichever core prints.
    EXPECT_EQ(g_stdout_of[core], g_stdout_of[0]) << "core " << core;
  }
}

// --- errno ---------------------------------------------------------------------------
struct ErrnoResult {
  int mismatches = 0;
  int first_round = -1;
  int first_seen = 0;
  const char* first_call = nullptr;
};
ErrnoResult g_errno_result[kCores];

// Every round, all cores fail a different call at once (each core a different one each
// round), wait until all have failed, then read errno: each must see its own call's value.
TEST(ReentSmpTest, ErrnoIsPerCore) {
  OnAllCoresAtOnce(kCores, [](size_t core) {
    ErrnoResult& result = g_errno_result[core];
    for (int round = 0; round < kErrnoRounds; ++round) {
      const FailingCall& call = kFailingCalls[(core + round) % kCores];
      errno = 0;
      g_barrier.Wait();
      const bool failed = call.fail();
      g_barrier.Wait();  // every core has set errno
      const int seen = errno;
      if (!failed || seen != call.expected_errno) {
        if (result.mismatches++ == 0) {
          result.first_round = round;
          result.first_seen = seen;
          result.first_call = call.name;
        }
      }
      g_barrier.Wait();  // every core has read errno before the next round clears it
    }
  });
  for (size_t core = 0; core < kCores; ++core) {
    const ErrnoResult& result = g_errno_result[core];
    if (result.mismatches != 0) {
      printf("  core %zu: %d of %d rounds saw another core's errno (first: round %d, %s, "
             "errno %d)\n",
             core, result.mismatches, kErrnoRounds, result.first_round, result.first_call,
             result.first_seen);
    }
    EXPECT_EQ(result.mismatches, 0) << "core " << core;
  }
  printf("reent_smp: errno: %d rounds on %zu cores\n", kErrnoRounds, kCores);
}

// --- strtok ----------------------------------------------------------------------------
int g_strtok_mismatches[kCores];

// Each core splits its own string, one token per step, all cores stepping together: with
// one saved position for the machine, strtok(NULL, ...) continues another core's string.
TEST(ReentSmpTest, StrtokIsPerCore) {
  OnAllCoresAtOnce(kCores, [](size_t core) {
    for (int round = 0; round < kStrtokRounds; ++round) {
      char text[128];
      int n = 0;
      for (int token = 0; token < kTokens; ++token) {
        n += snprintf(text + n, sizeof(text) - n, "%sc%zut%d", token == 0 ? "" : ",;", core, token);
      }
      char expected[16];
      for (int token = 0; token < kTokens; ++token) {
        g_barrier.Wait();
        const char* got = strtok(token == 0 ? text : nullptr, ",;");
        snprintf(expected, sizeof(expected), "c%zut%d", core, token);
        if (got == nullptr || strcmp(got, expected) != 0) ++g_strtok_mismatches[core];
      }
      g_barrier.Wait();
      if (strtok(nullptr, ",;") != nullptr) ++g_strtok_mismatches[core];
    }
  });
  for (size_t core = 0; core < kCores; ++core) {
    EXPECT_EQ(g_strtok_mismatches[core], 0) << "core " << core;
  }
}

// --- rand ------------------------------------------------------------------------------
int g_expected_rand[kCores][kRandValues];
int g_rand_mismatches[kCores];

// Each core seeds rand differently and draws in lock step with the others: each sequence
// must be the one a lone core draws from that seed (computed first, on core 0 alone).
TEST(ReentSmpTest, RandIsPerCore) {
  for (size_t core = 0; core < kCores; ++core) {
    srand(static_cast<unsigned>(core + 1));
    for (int i = 0; i < kRandValues; ++i) g_expected_rand[core][i] = rand();
  }
  OnAllCoresAtOnce(kCores, [](size_t core) {
    srand(static_cast<unsigned>(core + 1));
    for (int i = 0; i < kRandValues; ++i) {
      g_barrier.Wait();
      if (rand() != g_expected_rand[core][i]) ++g_rand_mismatches[core];
    }
  });
  for (size_t core = 0; core < kCores; ++core) {
    EXPECT_EQ(g_rand_mismatches[core], 0) << "core " << core;
  }
}

// --- atexit ----------------------------------------------------------------------------
// The atexit list is the machine's: a handler registered on core 3 runs when core 0
// calls exit() after AppMain, i.e. after the last test (expect_log in BUILD).
void AtexitHandler() {
  ebbrt::ConsolePrint("reent_smp: atexit handler registered on core 3 ran\n");
}

TEST(ReentSmpTest, AtexitFromAnotherCore) {
  static std::atomic<int> status{-1};
  OnAllCoresAtOnce(kCores, [](size_t core) {
    if (core == 3) status.store(atexit(AtexitHandler));
  });
  EXPECT_EQ(status.load(), 0);
}

}  // namespace
