// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/wall_clock.h"

#include <stdio.h>

#include "ebbrt/base/civil_time.h"
#include "ebbrt/native/acpi.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/cmos_rtc.h"
#include "ebbrt/native/arch/x86_64/cmos_rtc_registers.h"
#include "ebbrt/native/arch/x86_64/kvmclock.h"

namespace ebbrt::native {
namespace {

enum class Source { kNone, kKvmClock, kCmosRtc };

// Set on the boot core before other cores start; read-only afterwards.
Source g_source = Source::kNone;
// The CMOS reading as Unix nanoseconds, and NowNs() just after it was taken.
uint64_t g_rtc_unix_ns = 0;
uint64_t g_rtc_read_at_ns = 0;
char g_description[96] = "none";

Result<uint64_t> ReadRtcUnixNs(uint8_t century_register) {
  x86_64::CmosRtcRegisters registers = EBBRT_TRY(x86_64::ReadCmosRtc(century_register));
  CivilTime civil = EBBRT_TRY(x86_64::DecodeCmosRtc(registers));
  int64_t seconds = EBBRT_TRY(UnixSecondsFromCivil(civil));
  if (seconds < 0) return Status(StatusCode::kOutOfRange, "RTC: before 1970");
  return static_cast<uint64_t>(seconds) * 1'000'000'000;
}

}  // namespace

void InitWallClock(uint64_t rsdp_paddr) {
  if (x86_64::KvmClockActive()) {
    g_source = Source::kKvmClock;
    snprintf(g_description, sizeof(g_description), "kvmclock");
    return;
  }
  const uint8_t century_register = FindRtcCenturyRegister(rsdp_paddr);
  Result<uint64_t> rtc_ns = ReadRtcUnixNs(century_register);
  g_rtc_read_at_ns = x86_64::NowNs();
  if (!rtc_ns.ok()) {
    snprintf(g_description, sizeof(g_description), "none (%s)", rtc_ns.status().message());
    return;
  }
  g_rtc_unix_ns = rtc_ns.value();
  g_source = Source::kCmosRtc;
  if (century_register != 0) {
    snprintf(g_description, sizeof(g_description), "CMOS RTC read at boot, century from CMOS byte %#x (FADT)",
             century_register);
  } else {
    snprintf(g_description, sizeof(g_description), "CMOS RTC read at boot, no century register: 20xx assumed");
  }
}

Result<uint64_t> RealTimeNs() {
  switch (g_source) {
    case Source::kKvmClock:
      return x86_64::WallClockNs();
    case Source::kCmosRtc:
      return g_rtc_unix_ns + (x86_64::NowNs() - g_rtc_read_at_ns);
    case Source::kNone:
      break;
  }
  return Status(StatusCode::kUnavailable, "no wall clock");
}

const char* WallClockSource() { return g_description; }

}  // namespace ebbrt::native
