// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/pci/devices.h"

#include <stdio.h>

#include <atomic>

#include "ebbrt/base/console.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/native/acpi.h"
#include "ebbrt/native/pci/ecam_config_space.h"
#include "ebbrt/native/pci/port_io_config_space.h"

namespace ebbrt::pci {
namespace {

// Constant-initialised: no global constructor runs for these (docs/design.md).
constinit PortIoConfigSpace g_port_io;
constinit EcamConfigSpace g_ecam;
constinit ConfigSpace* g_active = &g_port_io;
char g_mechanism[64] = "port I/O";
constinit DeviceList g_devices;
constinit SpinLock g_enumerate_lock;
constinit std::atomic<bool> g_enumerated{false};

}  // namespace

void InitConfigSpace(uint64_t rsdp_paddr) {
  native::McfgRange range;
  if (!native::FindMcfgSegment0(rsdp_paddr, &range)) {
    snprintf(g_mechanism, sizeof(g_mechanism), "port I/O (no ACPI MCFG)");
    return;
  }
  g_ecam.Init(range.base, range.start_bus, range.end_bus);
  g_active = &g_ecam;
  snprintf(g_mechanism, sizeof(g_mechanism), "ECAM at 0x%llx, buses %u-%u",
           static_cast<unsigned long long>(range.base), range.start_bus, range.end_bus);
}

ConfigSpace& MachineConfigSpace() { return *g_active; }
const char* ConfigSpaceMechanism() { return g_mechanism; }
ConfigSpace& PortIoConfigSpaceOfMachine() { return g_port_io; }

const DeviceList& MachineDevices() {
  if (g_enumerated.load(std::memory_order_acquire)) return g_devices;
  SpinLockGuard guard(g_enumerate_lock);
  if (!g_enumerated.load(std::memory_order_relaxed)) {
    DeviceList& list = g_devices;
    Enumerate(
        *g_active,
        [](const Function& f) {
          DeviceList& list = g_devices;
          if (list.count_ < DeviceList::kMaxFunctions) {
            list.functions_[list.count_++] = f;
          } else {
            ++list.dropped_;
          }
          return true;
        },
        &list.skipped_bridges_);
    g_enumerated.store(true, std::memory_order_release);
  }
  return g_devices;
}

void PrintDevices() {
  const DeviceList& list = MachineDevices();
  char line[384];
  snprintf(line, sizeof(line), "[ebbrt] pci: %zu functions (configuration space: %s)%s\n",
           list.functions().size(), g_mechanism,
           list.dropped() + list.skipped_bridges() > 0 ? "; some not listed, below" : "");
  ConsolePrint(line);
  for (const Function& f : list.functions()) {
    int n = snprintf(line, sizeof(line), "[ebbrt] pci %02x:%02x.%x %04x:%04x class %02x.%02x.%02x%s",
                     f.address.bus, f.address.device, f.address.function, f.vendor_id,
                     f.device_id, f.class_code, f.subclass, f.prog_if,
                     f.header_type == 1 ? " bridge" : "");
    Bar bars[kMaxBars];
    if (f.header_type == 0 && ReadBars(*g_active, f.address, bars).ok()) {
      for (size_t i = 0; i < kMaxBars && n < static_cast<int>(sizeof(line)) - 64; ++i) {
        if (bars[i].kind == Bar::Kind::kUnused) continue;
        n += snprintf(line + n, sizeof(line) - n, " bar%zu %s%s 0x%llx+0x%llx", i,
                      BarKindName(bars[i].kind), bars[i].prefetchable ? " pf" : "",
                      static_cast<unsigned long long>(bars[i].address),
                      static_cast<unsigned long long>(bars[i].size));
      }
    }
    bool first = true;
    Status caps = ForEachCapability(*g_active, f.address, [&](uint8_t id, uint8_t) {
      if (n < static_cast<int>(sizeof(line)) - 8) {
        n += snprintf(line + n, sizeof(line) - n, "%s%02x", first ? " caps " : " ", id);
      }
      first = false;
      return true;
    });
    if (!caps.ok() && n < static_cast<int>(sizeof(line)) - 24) {
      n += snprintf(line + n, sizeof(line) - n, " (capability list malformed)");
    }
    snprintf(line + n, sizeof(line) - n, "\n");
    ConsolePrint(line);
  }
  if (list.dropped() > 0 || list.skipped_bridges() > 0) {
    snprintf(line, sizeof(line),
             "[ebbrt] pci: %zu functions past the list's %zu not listed; %zu bridges not followed "
             "(secondary bus unassigned or looping)\n",
             list.dropped(), DeviceList::kMaxFunctions, list.skipped_bridges());
    ConsolePrint(line);
  }
}

Result<volatile uint8_t*> MapBar(const Bar& bar, const char* name) {
  if (bar.kind != Bar::Kind::kMemory32 && bar.kind != Bar::Kind::kMemory64) {
    return Status(StatusCode::kInvalidArgument, "MapBar: not a memory BAR");
  }
  if (bar.address == 0) return Status(StatusCode::kFailedPrecondition, "MapBar: BAR not assigned");
  uintptr_t mapped = EBBRT_TRY(native::VMemAllocator::MapDevice(bar.address, bar.size, name));
  return reinterpret_cast<volatile uint8_t*>(mapped);
}

}  // namespace ebbrt::pci
