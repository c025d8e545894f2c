// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/arch/x86_64/cmos_rtc.h"

#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt::x86_64 {
namespace {

// An update cycle keeps UIP set for at most 244 us before it and 1984 us during it
// (MC146818A data sheet, "Update Cycle"); 10 ms of UIP means no working clock.
constexpr uint64_t kMaxUpdateWaitNs = 10'000'000;
// Two readings differ only when an update fell between them, at most once a second; three
// tries are plenty unless the chip is broken.
constexpr int kMaxAttempts = 3;

uint8_t ReadCmos(uint8_t index) {
  OutB(kCmosIndexPort, index);
  return InB(kCmosDataPort);
}

bool WaitWhileUpdating() {
  const uint64_t deadline = NowNs() + kMaxUpdateWaitNs;
  while ((ReadCmos(kRtcStatusA) & kRtcStatusAUpdateInProgress) != 0) {
    if (NowNs() > deadline) return false;
    __builtin_ia32_pause();
  }
  return true;
}

// With UIP clear there are at least 244 us before the registers change; reading them all
// takes far less on hardware, but not necessarily under an emulator on a busy host, hence
// the second reading.
Result<CmosRtcRegisters> ReadOnce(uint8_t century_register) {
  if (!WaitWhileUpdating()) return Status(StatusCode::kTimeout, "RTC: update in progress for 10 ms");
  CmosRtcRegisters r{};
  r.seconds = ReadCmos(kRtcSeconds);
  r.minutes = ReadCmos(kRtcMinutes);
  r.hours = ReadCmos(kRtcHours);
  r.day_of_month = ReadCmos(kRtcDayOfMonth);
  r.month = ReadCmos(kRtcMonth);
  r.year = ReadCmos(kRtcYear);
  r.has_century = century_register != 0;
  if (r.has_century) r.century = ReadCmos(century_register);
  r.status_b = ReadCmos(kRtcStatusB);
  return r;
}

}  // namespace

Result<CmosRtcRegisters> ReadCmosRtc(uint8_t century_register) {
  CmosRtcRegisters previous = EBBRT_TRY(ReadOnce(century_register));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    CmosRtcRegisters current = EBBRT_TRY(ReadOnce(century_register));
    if (current == previous) return current;
    previous = current;
  }
  return Status(StatusCode::kUnavailable, "RTC: readings kept changing");
}

}  // namespace ebbrt::x86_64
