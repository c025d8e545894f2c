// SPDX-License-Identifier: Apache-2.0
// kvmclock: the clock KVM keeps for each vCPU in guest memory, chosen over the calibrated
// TSC when the hypervisor offers it (CPUID: KVM's signature and
// KVM_FEATURE_CLOCKSOURCE2). It gives monotonic time (NowNs() in apic.h reads it) and
// wall-clock time. The ABI's pure parts are in pvclock.h.
//
// InitKvmClock() runs once on the boot core after its core index is set (MyCore() works)
// and before other cores start; each secondary core then calls
// InitKvmClockOnSecondaryCore() to register its own structure.
//
//   if (KvmClockActive()) uint64_t ns = KvmClockNowNs();
//   Result<uint64_t> wall = WallClockNs();  // kUnavailable without kvmclock
//
// What has run: only the path that finds no kvmclock (QEMU's TCG here). The MSR path has
// not run on any machine this project has: TCG has no kvmclock, and the build machines'
// KVM stops in an emulation failure before the image prints anything (docs/boot.md).
#pragma once

#include <stdint.h>

#include "ebbrt/base/result.h"

namespace ebbrt::x86_64 {

// Detects kvmclock and, when offered, registers the boot core's time structure and reads
// the wall clock at boot. Returns whether kvmclock is now the clock.
bool InitKvmClock();

// Registers this core's time structure (nothing without kvmclock).
void InitKvmClockOnSecondaryCore();

bool KvmClockActive();

// Nanoseconds of the VM's system time, monotonic across cores: as the hypervisor
// reports it when it promises stable TSCs, otherwise never below what any core read last.
uint64_t KvmClockNowNs();

// Wall-clock nanoseconds since 1970 from kvmclock; kUnavailable without it.
Result<uint64_t> WallClockNs();

// For the boot report: with kvmclock, "TSC stable across cores" or "made monotonic across
// cores"; without, why not ("no hypervisor", "hypervisor is not KVM", ...).
const char* KvmClockStatus();

}  // namespace ebbrt::x86_64
