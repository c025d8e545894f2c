// SPDX-License-Identifier: Apache-2.0
// The C library's clocks on native (run with -smp 4; ebbrt/native/libc/time.cc):
//   1. CLOCK_MONOTONIC and CLOCK_REALTIME never go backwards, over many reads on each
//      core and across cores (a reading is never below one another core published before
//      it was taken), with all four cores reading at once;
//   2. both advance by at least the 50 ms an EbbRT timer waited, and by the same amount;
//   3. time(), gettimeofday() and clock_gettime(CLOCK_REALTIME) agree, and say a date no
//      earlier than 2026-01-01 (printed, so the log shows it against the host's clock);
//   4. clock_getres, EINVAL for other clocks, EFAULT for no timespec, ENOSYS (and the log
//      line) from nanosleep, sleep and usleep.
// One TEST each, in the native_libc SMP image (BUILD).
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::testing_internal::OnAllCoresAtOnce;

constexpr size_t kCores = 4;
constexpr int kReadsPerCore = 20000;
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr time_t k2026 = 1767225600;  // 2026-01-01 00:00:00 UTC (date -u -d 2026-01-01 +%s)
constexpr time_t k2100 = 4102444800;  // 2100-01-01: a clock past it is misread, not late.

// Nanoseconds on `clock`, or 0 when clock_gettime fails (which no caller expects).
uint64_t ReadNs(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

// --- 1. Never backwards ------------------------------------------------------------------
struct Monotonicity {
  std::atomic<uint64_t> latest{0};          // The largest reading any core has published.
  std::atomic<int> failed_reads{0};
  std::atomic<int> backwards_on_core{0};
  std::atomic<int> backwards_across_cores{0};

  void Read(clockid_t clock, uint64_t* previous) {
    const uint64_t published = latest.load();  // Taken before this core's reading.
    const uint64_t now = ReadNs(clock);
    if (now == 0) failed_reads.fetch_add(1);
    if (now < *previous) backwards_on_core.fetch_add(1);
    if (now < published) backwards_across_cores.fetch_add(1);
    *previous = now;
    uint64_t seen = latest.load();
    while (seen < now && !latest.compare_exchange_weak(seen, now)) {
    }
  }
};

TEST(TimeTest, NeverBackwards) {
  static Monotonicity monotonic;
  static Monotonicity realtime;
  OnAllCoresAtOnce(kCores, [](size_t) {
    uint64_t previous_monotonic = 0;
    uint64_t previous_realtime = 0;
    for (int i = 0; i < kReadsPerCore; ++i) {
      monotonic.Read(CLOCK_MONOTONIC, &previous_monotonic);
      realtime.Read(CLOCK_REALTIME, &previous_realtime);
    }
  });
  for (Monotonicity* m : {&monotonic, &realtime}) {
    const char* name = m == &monotonic ? "CLOCK_MONOTONIC" : "CLOCK_REALTIME";
    EXPECT_EQ(m->failed_reads.load(), 0) << name;
    EXPECT_EQ(m->backwards_on_core.load(), 0) << name;
    EXPECT_EQ(m->backwards_across_cores.load(), 0) << name;
    printf("time_test: %s: %d reads on each of %zu cores, %d backwards on a core, %d across cores\n",
           name, kReadsPerCore, kCores,
           m->backwards_on_core.load(), m->backwards_across_cores.load());
  }
}

// --- 2. Advancing with a timer -----------------------------------------------------------
TEST(TimeTest, AdvancesWithATimer) {
  constexpr uint64_t kWaitNs = 50'000'000;
  static uint64_t monotonic_before, realtime_before, monotonic_after, realtime_after;
  const int status = ebbrt::Run(1, [] {
    realtime_before = ReadNs(CLOCK_REALTIME);
    monotonic_before = ReadNs(CLOCK_MONOTONIC);
    ebbrt::timer->Start(kWaitNs, [] {
      monotonic_after = ReadNs(CLOCK_MONOTONIC);
      realtime_after = ReadNs(CLOCK_REALTIME);
      ebbrt::Stop(0);
    });
  });
  EXPECT_EQ(status, 0);
  const uint64_t monotonic_elapsed = monotonic_after - monotonic_before;
  const int64_t realtime_elapsed = static_cast<int64_t>(realtime_after - realtime_before);
  // A timer never fires early; a generous upper bound, only against a clock that runs wild
  // (this is not a performance assertion: an emulator on a busy host can be slow).
  EXPECT_GE(monotonic_elapsed, kWaitNs);
  EXPECT_LT(monotonic_elapsed, 60 * kNsPerSecond);
  // The realtime readings bracket the monotonic ones, so they span at least as much, and
  // the wall clock runs at the monotonic clock's rate (1 ms is the reads' slack).
  EXPECT_GE(realtime_elapsed, static_cast<int64_t>(monotonic_elapsed));
  EXPECT_LT(realtime_elapsed - static_cast<int64_t>(monotonic_elapsed), 1'000'000);
  printf("time_test: a %llu ms timer: CLOCK_MONOTONIC advanced %llu us, CLOCK_REALTIME %llu us\n",
         static_cast<unsigned long long>(kWaitNs / 1'000'000),
         static_cast<unsigned long long>(monotonic_elapsed / 1000),
         static_cast<unsigned long long>(realtime_elapsed / 1000));
}

// --- 3. The wall clock's three faces -----------------------------------------------------
TEST(TimeTest, WallClockAgrees) {
  const time_t first = time(nullptr);
  struct timeval tv;
  struct timezone tz = {123, 456};
  EXPECT_EQ(gettimeofday(&tv, &tz), 0);
  struct timespec ts;
  EXPECT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
  time_t stored = 0;
  const time_t last = time(&stored);
  EXPECT_EQ(stored, last);
  EXPECT_LE(first, tv.tv_sec);
  EXPECT_LE(tv.tv_sec, ts.tv_sec);
  EXPECT_LE(ts.tv_sec, last);
  EXPECT_LE(last - first, 1);
  EXPECT_GE(tv.tv_usec, 0);
  EXPECT_LT(tv.tv_usec, 1'000'000);
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1'000'000'000);
  EXPECT_EQ(tz.tz_minuteswest, 0);  // UTC.
  EXPECT_EQ(tz.tz_dsttime, 0);
  EXPECT_GE(first, k2026);
  EXPECT_LT(last, k2100);
  struct tm tm;
  char date[32] = "?";
  strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", gmtime_r(&last, &tm));
  printf("time_test: time() = %lld (%s UTC)\n", static_cast<long long>(last), date);
}

// --- 4. The rest of the interface --------------------------------------------------------
TEST(TimeTest, Interface) {
  struct timespec res = {7, 7};
  EXPECT_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
  EXPECT_EQ(res.tv_sec, 0);
  EXPECT_EQ(res.tv_nsec, 1);
  EXPECT_EQ(clock_getres(CLOCK_REALTIME, nullptr), 0);
  // CLOCK_REALTIME_COARSE (0), the CPU-time clocks (2, 3), CLOCK_MONOTONIC_RAW (5), junk.
  for (clockid_t clock : {0, 2, 3, 5, 99, -1}) {
    struct timespec ts;
    errno = 0;
    EXPECT_EQ(clock_gettime(clock, &ts), -1) << "clock " << clock;
    EXPECT_EQ(errno, EINVAL) << "clock " << clock;
    errno = 0;
    EXPECT_EQ(clock_getres(clock, &res), -1) << "clock " << clock;
    EXPECT_EQ(errno, EINVAL) << "clock " << clock;
  }
  errno = 0;
  EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, nullptr), -1);
  EXPECT_EQ(errno, EFAULT);
  // Sleeping would block the event loop (ebbrt/native/libc/syscalls.cc): each logs
  // "[ebbrt] unimplemented syscall: nanosleep" (the BUILD file's expect_log checks).
  struct timespec ten_ms = {0, 10'000'000};
  errno = 0;
  EXPECT_EQ(nanosleep(&ten_ms, nullptr), -1);
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_EQ(usleep(10), -1);
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_EQ(sleep(1), static_cast<unsigned>(-1));  // newlib's sleep on a failed nanosleep.
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_EQ(clock_settime(CLOCK_REALTIME, &ten_ms), -1);
  EXPECT_EQ(errno, ENOSYS);
}

}  // namespace
