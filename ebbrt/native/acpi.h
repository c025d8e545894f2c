// The CPUs of the machine, from the ACPI MADT ("APIC" table).
//
// Parsed here directly (a few dozen lines: RSDP -> RSDT/XSDT -> MADT -> processor local
// APIC entries) rather than through a library such as ACPICA: EbbRT needs only the CPU
// list now (and the SRAT's memory affinity later), and a full AML interpreter is far more
// code than it would use. Checksums are verified; a malformed table is reported and
// treated as absent (one CPU).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::native {

// The local APIC ids of the enabled CPUs, boot CPU included, in MADT order; writes at
// most `capacity` and returns how many there are (0 if no usable MADT was found).
// `rsdp_paddr` is the start info's RSDP address (0: search the BIOS area for it).
size_t FindCpuApicIds(uint64_t rsdp_paddr, uint32_t* apic_ids, size_t capacity);

}  // namespace ebbrt::native
