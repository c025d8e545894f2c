// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/arch/x86_64/kvmclock.h"

#include <atomic>

#include "ebbrt/core/cpu.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/pvclock.h"

namespace ebbrt::x86_64 {
namespace {

// Each core's structure on a cache line of its own: the hypervisor rewrites one vCPU's
// structure without touching the lines other cores read. volatile because the hypervisor
// writes them behind the compiler's back (during a WRMSR, and at any time after).
struct alignas(64) CoreTimeInfo {
  volatile PvclockVcpuTimeInfo info;
};
// In .bss, which the boot identity map covers, so a structure's virtual address is the
// guest physical address the MSR wants (4-byte aligned, as msr.rst requires; these are
// 64-byte aligned).
CoreTimeInfo g_time_info[kMaxCores];
volatile PvclockWallClock g_wall_clock;

// Set on the boot core before other cores start; read-only afterwards.
KvmClockDetection g_detection;
bool g_active = false;
uint64_t g_boot_wall_ns = 0;

// The latest reading any core returned, used only without stable TSCs
// (MonotonicAcrossCores in pvclock.h says why it is shared).
std::atomic<uint64_t> g_latest_ns{0};

const volatile PvclockVcpuTimeInfo& MyTimeInfo() { return g_time_info[MyCore()].info; }

// Points the hypervisor at this core's structure; it fills it in before WRMSR returns and
// keeps it up to date from then on. Linux Documentation/virt/kvm/x86/msr.rst
// (MSR_KVM_SYSTEM_TIME_NEW).
void RegisterThisCore() {
  WriteMsr(kMsrKvmSystemTimeNew, reinterpret_cast<uintptr_t>(&g_time_info[MyCore()].info) | kKvmSystemTimeEnable);
}

}  // namespace

bool InitKvmClock() {
  g_detection = DetectKvmClock([](uint32_t leaf) { return Cpuid(leaf); });
  if (!g_detection.usable) return false;
  RegisterThisCore();
  // The hypervisor writes the wall clock at boot once, at this WRMSR. Linux
  // Documentation/virt/kvm/x86/msr.rst (MSR_KVM_WALL_CLOCK_NEW).
  WriteMsr(kMsrKvmWallClockNew, reinterpret_cast<uintptr_t>(&g_wall_clock));
  g_boot_wall_ns = ReadPvclockWallClockNs(g_wall_clock);
  g_active = true;
  return true;
}

void InitKvmClockOnSecondaryCore() {
  if (g_active) RegisterThisCore();
}

bool KvmClockActive() { return g_active; }

uint64_t KvmClockNowNs() {
  PvclockReading reading = ReadPvclock(MyTimeInfo(), [] { return RdtscOrdered(); });
  // The flag can change at run time (after a migration, say), so it is read each time.
  if (g_detection.tsc_stable && (reading.flags & kPvclockTscStable) != 0) return reading.system_time_ns;
  return MonotonicAcrossCores(g_latest_ns, reading.system_time_ns);
}

Result<uint64_t> WallClockNs() {
  if (!g_active) return Status(StatusCode::kUnavailable, "no wall clock without kvmclock");
  return WallClockNs(g_boot_wall_ns, KvmClockNowNs());
}

const char* KvmClockStatus() {
  if (!g_active) return g_detection.reason;
  return g_detection.tsc_stable ? "TSC stable across cores" : "made monotonic across cores";
}

}  // namespace ebbrt::x86_64
