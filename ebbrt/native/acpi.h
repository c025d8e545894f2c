// SPDX-License-Identifier: Apache-2.0
// The CPUs of the machine and their NUMA affinity, from the ACPI MADT ("APIC" table) and
// SRAT ("SRAT" table); the real-time clock's century byte, from the FADT ("FACP").
//
// Parsed here directly (a few dozen lines: RSDP -> RSDT/XSDT -> MADT/SRAT -> their
// entries) rather than through a library such as ACPICA: EbbRT needs only the CPU list and
// the memory and processor affinity, and a full AML interpreter is far more code than it
// would use. Checksums are verified; a malformed table is reported and treated as absent
// (one CPU, one NUMA node). Pure parsing over memory at the addresses the tables give, so
// it builds and is tested on hosted as well, against tables built in a buffer.
//
//   uint32_t apic_ids[kMaxCores];
//   size_t cpus = FindCpuApicIds(rsdp_paddr, apic_ids, kMaxCores);
//   SratAffinity srat;
//   if (FindSratAffinity(rsdp_paddr, &srat)) { ... srat.memory[i].proximity_domain ... }
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/core/cpu.h"

namespace ebbrt::native {

// The local APIC ids of the enabled CPUs, boot CPU included, in MADT order; writes at
// most `capacity` and returns how many there are (0 if no usable MADT was found).
// `rsdp_paddr` is the start info's RSDP address (0: search the BIOS area for it).
size_t FindCpuApicIds(uint64_t rsdp_paddr, uint32_t* apic_ids, size_t capacity);

// A RAM range [begin, end) of one proximity domain (SRAT Memory Affinity Structure).
struct SratMemoryAffinity {
  uint64_t begin;
  uint64_t end;
  uint32_t proximity_domain;
};

// A CPU's proximity domain (SRAT Processor Local APIC or x2APIC Affinity Structure).
struct SratCpuAffinity {
  uint32_t apic_id;
  uint32_t proximity_domain;
};

// The enabled entries of the SRAT, in table order. Entries past the capacities are
// dropped (and counted in `dropped`). Proximity domains are the firmware's numbers, not
// necessarily dense: ebbrt/native/mem/memory_map.cc turns them into node indices.
struct SratAffinity {
  static constexpr size_t kMaxMemoryRanges = 64;
  SratMemoryAffinity memory[kMaxMemoryRanges];
  size_t memory_count = 0;
  SratCpuAffinity cpus[kMaxCores];
  size_t cpu_count = 0;
  size_t dropped = 0;
};

// Fills `out` from the SRAT and returns true; false (and `out` empty) when there is no
// RSDP, no SRAT, or its checksum is wrong. `rsdp_paddr` as for FindCpuApicIds.
bool FindSratAffinity(uint64_t rsdp_paddr, SratAffinity* out);

// One PCI segment's memory-mapped configuration space (ECAM), from the MCFG table: the
// 4 KiB configuration space of bus B, device D, function F is at
// base + ((B - start_bus) << 20 | D << 15 | F << 12). PCI Firmware 3.0 §4.1.2.
struct McfgRange {
  uint64_t base = 0;
  uint16_t segment = 0;
  uint8_t start_bus = 0;
  uint8_t end_bus = 0;
};

// The MCFG range of PCI segment 0 (the only one EbbRT uses); false when there is no MCFG
// (e.g. QEMU's i440fx machine), it is malformed, or it has no range for segment 0.
// `rsdp_paddr` as for FindCpuApicIds.
bool FindMcfgSegment0(uint64_t rsdp_paddr, McfgRange* out);

// The CMOS RAM index of the real-time clock's century byte, from the FADT's CENTURY field;
// 0 when there is no FADT, it is too short to have the field, or it names none.
// `rsdp_paddr` as for FindCpuApicIds.
uint8_t FindRtcCenturyRegister(uint64_t rsdp_paddr);

}  // namespace ebbrt::native
