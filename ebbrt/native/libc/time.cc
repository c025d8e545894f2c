// SPDX-License-Identifier: Apache-2.0
// The clocks beneath the C library on native: clock_gettime, clock_getres and newlib's
// _gettimeofday_r (behind gettimeofday() and time(), newlib's syscalls/sysgettod.c and
// time/time.c).
//
//   - CLOCK_MONOTONIC is NowNs() (apic.h): kvmclock's system time under KVM, otherwise
//     the TSC calibrated at boot, counted from the calibration; never goes backwards, on
//     one core or across cores.
//   - CLOCK_REALTIME, gettimeofday and time() are RealTimeNs() (ebbrt/native/wall_clock.h):
//     kvmclock's wall clock, or the CMOS RTC read at boot plus the monotonic clock since;
//     UTC, and no time zone (gettimeofday's `tz`, if given, says UTC).
//   - Any other clock id fails with EINVAL, as does CLOCK_REALTIME when the machine had no
//     wall clock to read at boot (the boot report's "[ebbrt] wall clock:" line says why).
//   - Both clocks count nanoseconds, so clock_getres reports 1 ns; what a reading is
//     worth is coarser (one TSC tick, or kvmclock's scaled tick).
#include <errno.h>
#include <reent.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "ebbrt/base/result.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/wall_clock.h"

namespace ebbrt::native {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;

// Clock `clock_id` in nanoseconds, or the errno for it.
Result<uint64_t> ReadClockNs(clockid_t clock_id) {
  switch (clock_id) {
    case CLOCK_MONOTONIC:
      return x86_64::NowNs();
    case CLOCK_REALTIME:
      return RealTimeNs();
    default:
      return Status(StatusCode::kInvalidArgument, "unknown clock");
  }
}

}  // namespace
}  // namespace ebbrt::native

using ebbrt::native::kNsPerSecond;
using ebbrt::native::ReadClockNs;

extern "C" {

int clock_gettime(clockid_t clock_id, struct timespec* tp) {
  if (tp == nullptr) {
    errno = EFAULT;
    return -1;
  }
  ebbrt::Result<uint64_t> ns = ReadClockNs(clock_id);
  if (!ns.ok()) {
    errno = EINVAL;
    return -1;
  }
  tp->tv_sec = static_cast<time_t>(ns.value() / kNsPerSecond);
  tp->tv_nsec = static_cast<long>(ns.value() % kNsPerSecond);
  return 0;
}

int clock_getres(clockid_t clock_id, struct timespec* res) {
  if (!ReadClockNs(clock_id).ok()) {
    errno = EINVAL;
    return -1;
  }
  // POSIX lets `res` be null: the caller only asks whether the clock exists.
  if (res != nullptr) *res = {0, 1};
  return 0;
}

// Signature as newlib's <reent.h> declares it.
int _gettimeofday_r(struct _reent* reent, struct timeval* tv, void* tz) {
  ebbrt::Result<uint64_t> ns = ReadClockNs(CLOCK_REALTIME);
  if (!ns.ok()) {
    reent->_errno = EINVAL;
    return -1;
  }
  if (tv != nullptr) {
    tv->tv_sec = static_cast<time_t>(ns.value() / kNsPerSecond);
    tv->tv_usec = static_cast<suseconds_t>(ns.value() % kNsPerSecond / 1000);
  }
  // Obsolete (POSIX leaves it unspecified), but callers that pass one expect UTC in it.
  if (tz != nullptr) *static_cast<struct timezone*>(tz) = {0, 0};
  return 0;
}

}  // extern "C"
