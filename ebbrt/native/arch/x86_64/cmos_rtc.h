// SPDX-License-Identifier: Apache-2.0
// Reading the PC's MC146818 real-time clock through CMOS ports 0x70/0x71; the register
// formats are decoded by cmos_rtc_registers.h.
//
// Called once, on the boot core, by the wall clock (ebbrt/native/wall_clock.h); nothing
// else in EbbRT touches the CMOS, so the index-then-data port pair needs no lock.
//
//   Result<CmosRtcRegisters> r = ReadCmosRtc(FindRtcCenturyRegister(rsdp));
#pragma once

#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/native/arch/x86_64/cmos_rtc_registers.h"

namespace ebbrt::x86_64 {

// One consistent reading of the time registers and register B (and of CMOS byte
// `century_register` unless it is 0): taken while no update cycle is in progress, twice,
// until two readings agree. kTimeout if an update seems to last more than 10 ms (no RTC
// answering), kUnavailable if readings keep changing. Needs NowNs() (after
// InitApicAndClock).
Result<CmosRtcRegisters> ReadCmosRtc(uint8_t century_register);

}  // namespace ebbrt::x86_64
