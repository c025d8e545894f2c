// SPDX-License-Identifier: Apache-2.0
// The machine's PCI functions, found by enumerating configuration space (port I/O) once,
// the first time anything asks, and printed at boot when the kernel command line has
// `ebbrt.pci`:
//
//   [ebbrt] pci: 5 functions
//   [ebbrt] pci 00:00.0 8086:29c0 class 06.00.00
//   [ebbrt] pci 01:03.0 1af4:1000 class 02.00.00 bar0 io 0xc000+0x20 bar1 mem32 ...
//
//   for (const pci::Function& f : pci::MachineDevices().functions()) { ... }
#pragma once

#include <stddef.h>

#include <span>

#include "ebbrt/base/result.h"
#include "ebbrt/native/pci/config_space.h"
#include "ebbrt/native/pci/pci.h"

namespace ebbrt::pci {

class DeviceList {
 public:
  static constexpr size_t kMaxFunctions = 64;

  std::span<const Function> functions() const { return {functions_, count_}; }
  // Functions past kMaxFunctions (not listed) and bridges not followed (Enumerate).
  size_t dropped() const { return dropped_; }
  size_t skipped_bridges() const { return skipped_bridges_; }

 private:
  friend const DeviceList& MachineDevices();
  Function functions_[kMaxFunctions];
  size_t count_ = 0;
  size_t dropped_ = 0;
  size_t skipped_bridges_ = 0;
};

// Chooses how configuration space is reached: ECAM when ACPI has an MCFG range for
// segment 0 (all 4 KiB of each function), port I/O otherwise. At boot, before anything
// asks for MachineConfigSpace(); cheap (an ACPI table lookup, nothing is mapped).
void InitConfigSpace(uint64_t rsdp_paddr);

// The machine's configuration space (callable from any core), and a description of the
// mechanism for the boot's listing ("ECAM at 0xb0000000, buses 0-255" or "port I/O").
ConfigSpace& MachineConfigSpace();
const char* ConfigSpaceMechanism();
// Port I/O whatever the machine has (for tests that compare the two mechanisms).
ConfigSpace& PortIoConfigSpaceOfMachine();

// Enumerates on the first call (from any core; later calls wait for it and then return
// the same list).
const DeviceList& MachineDevices();

// One console line per function: address, ids, class, BARs in use, capability ids.
void PrintDevices();

// Maps a memory BAR uncached (wherever firmware put it, above 4 GiB too) and returns its
// first byte; `name` (a literal) names the mapping in fault reports. kInvalidArgument for
// an I/O or unused BAR, kFailedPrecondition for one firmware did not assign (address 0),
// else as VMemAllocator::MapDevice. Access it with ebbrt/native/arch/x86_64/mmio.h.
Result<volatile uint8_t*> MapBar(const Bar& bar, const char* name);

}  // namespace ebbrt::pci
