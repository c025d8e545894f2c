// SPDX-License-Identifier: Apache-2.0
// The wall clock: Unix time (UTC) for the C library's CLOCK_REALTIME, gettimeofday and
// time() (ebbrt/native/libc/time.cc).
//
// With kvmclock (kvmclock.h), the hypervisor's wall clock. Otherwise the CMOS real-time
// clock (cmos_rtc.h) is read once at boot and advanced by the monotonic clock, NowNs(),
// so the wall clock never goes backwards and costs no port I/O to read. The CMOS counts
// whole seconds and is read at an unknown point within one, so this wall clock runs up
// to a second behind the RTC; nothing ever sets or steps it (no NTP).
//
// InitWallClock() runs once on the boot core after InitKvmClock(), before other cores
// start; RealTimeNs() may be called from any core afterwards.
//
//   InitWallClock(rsdp_paddr);
//   Result<uint64_t> ns = RealTimeNs();  // kUnavailable if neither clock could be read
#pragma once

#include <stdint.h>

#include "ebbrt/base/result.h"

namespace ebbrt::native {

// Chooses the wall clock: kvmclock's when it is active, otherwise the CMOS RTC's reading,
// with the century from the CMOS byte the FADT names (found from `rsdp_paddr`, the start
// info's RSDP address; 0 searches the BIOS area), or 20xx when it names none.
void InitWallClock(uint64_t rsdp_paddr);

// Nanoseconds since 1970-01-01 00:00:00 UTC; kUnavailable without a wall clock.
Result<uint64_t> RealTimeNs();

// For the boot report: where the time comes from ("kvmclock", "CMOS RTC read at boot,
// century from CMOS byte 0x32 (FADT)", ...), or why there is none.
const char* WallClockSource();

}  // namespace ebbrt::native
