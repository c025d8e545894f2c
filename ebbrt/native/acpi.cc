// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/acpi.h"

#include <string.h>

namespace ebbrt::native {
namespace {

// ACPI 6.4 §5.2.5.3 (RSDP), §5.2.6 (header), §5.2.9 (FADT), §5.2.12 (MADT), §5.2.16 (SRAT).
struct [[gnu::packed]] Rsdp {
  char signature[8];
  uint8_t checksum;
  char oem_id[6];
  uint8_t revision;
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;
  uint8_t reserved[3];
};

struct [[gnu::packed]] SdtHeader {
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  uint32_t creator_id;
  uint32_t creator_revision;
};

struct [[gnu::packed]] Madt {
  SdtHeader header;
  uint32_t local_apic_address;
  uint32_t flags;
};

// The prefix of every MADT and SRAT entry.
struct [[gnu::packed]] EntryHeader {
  uint8_t type;
  uint8_t length;
};

struct [[gnu::packed]] MadtLocalApic {
  EntryHeader entry;  // type 0
  uint8_t processor_id;
  uint8_t apic_id;
  uint32_t flags;  // bit 0: enabled; bit 1: online capable
};

struct [[gnu::packed]] MadtLocalX2Apic {
  EntryHeader entry;  // type 9
  uint16_t reserved;
  uint32_t x2apic_id;
  uint32_t flags;
  uint32_t processor_uid;
};

// ACPI 6.4 §5.2.16 (SRAT): the header is followed by static resource allocation structures
// that share MADT entries' {type, length} prefix.
struct [[gnu::packed]] Srat {
  SdtHeader header;
  uint32_t reserved1;  // 1, for backward compatibility.
  uint64_t reserved2;
};

// ACPI 6.4 §5.2.16.1: the proximity domain is split, bits 7:0 first and 31:8 later.
struct [[gnu::packed]] SratLocalApic {
  EntryHeader entry;  // type 0
  uint8_t proximity_domain_low;
  uint8_t apic_id;
  uint32_t flags;  // bit 0: enabled
  uint8_t local_sapic_eid;
  uint8_t proximity_domain_high[3];
  uint32_t clock_domain;
};

// ACPI 6.4 §5.2.16.2.
struct [[gnu::packed]] SratMemory {
  EntryHeader entry;  // type 1
  uint32_t proximity_domain;
  uint16_t reserved1;
  uint32_t base_low;
  uint32_t base_high;
  uint32_t length_low;
  uint32_t length_high;
  uint32_t reserved2;
  uint32_t flags;  // bit 0: enabled; bit 1: hot pluggable; bit 2: non-volatile
  uint64_t reserved3;
};

// ACPI 6.4 §5.2.16.3.
struct [[gnu::packed]] SratLocalX2Apic {
  EntryHeader entry;  // type 2
  uint16_t reserved1;
  uint32_t proximity_domain;
  uint32_t x2apic_id;
  uint32_t flags;  // bit 0: enabled
  uint32_t clock_domain;
  uint32_t reserved2;
};

static_assert(sizeof(Srat) == 48 && sizeof(SratLocalApic) == 16 && sizeof(SratMemory) == 40 &&
              sizeof(SratLocalX2Apic) == 24);

bool ChecksumOk(const void* data, size_t length) {
  uint8_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + static_cast<const uint8_t*>(data)[i]);
  return sum == 0;
}

const Rsdp* SearchRsdp() {
  // The BIOS read-only area, on 16-byte boundaries (ACPI 6.4 §5.2.5.1).
  for (uintptr_t p = 0xe0000; p < 0x100000; p += 16) {
    const auto* rsdp = reinterpret_cast<const Rsdp*>(p);
    if (memcmp(rsdp->signature, "RSD PTR ", 8) == 0 && ChecksumOk(rsdp, 20)) return rsdp;
  }
  return nullptr;
}

const SdtHeader* Table(uint64_t address) {
  const auto* header = reinterpret_cast<const SdtHeader*>(address);
  if (address == 0 || header->length < sizeof(SdtHeader) || !ChecksumOk(header, header->length)) {
    return nullptr;
  }
  return header;
}

const Rsdp* FindRsdp(uint64_t rsdp_paddr) {
  const Rsdp* rsdp = rsdp_paddr != 0 ? reinterpret_cast<const Rsdp*>(rsdp_paddr) : SearchRsdp();
  if (rsdp == nullptr || memcmp(rsdp->signature, "RSD PTR ", 8) != 0) return nullptr;
  return rsdp;
}

// The first table with `signature` the root table lists, or nullptr.
const SdtHeader* FindTable(uint64_t rsdp_paddr, const char* signature) {
  const Rsdp* rsdp = FindRsdp(rsdp_paddr);
  if (rsdp == nullptr) return nullptr;
  bool xsdt = rsdp->revision >= 2 && rsdp->xsdt_address != 0;
  const SdtHeader* root = Table(xsdt ? rsdp->xsdt_address : rsdp->rsdt_address);
  if (root == nullptr) return nullptr;
  size_t entry_size = xsdt ? 8 : 4;
  size_t count = (root->length - sizeof(SdtHeader)) / entry_size;
  const auto* entries = reinterpret_cast<const uint8_t*>(root + 1);
  for (size_t i = 0; i < count; ++i) {
    uint64_t address = 0;
    memcpy(&address, entries + i * entry_size, entry_size);
    const SdtHeader* table = Table(address);
    if (table != nullptr && memcmp(table->signature, signature, 4) == 0) return table;
  }
  return nullptr;
}

// Calls fn(type, entry) for each {type, length} structure after the table's fixed part
// (`fixed_size` bytes, header included), stopping at the first malformed one.
template <typename Fn>
void ForEachEntry(const SdtHeader* table, size_t fixed_size, Fn fn) {
  const auto* p = reinterpret_cast<const uint8_t*>(table) + fixed_size;
  const auto* end = reinterpret_cast<const uint8_t*>(table) + table->length;
  while (p + sizeof(EntryHeader) <= end) {
    const auto* entry = reinterpret_cast<const EntryHeader*>(p);
    if (entry->length < sizeof(EntryHeader) || p + entry->length > end) break;  // Malformed.
    fn(*entry, p);
    p += entry->length;
  }
}

// ACPI 6.4 §5.2.9, Table 5.9: CENTURY, one byte at offset 108 of the FADT (present since
// ACPI 1.0, whose FADT was 116 bytes long).
constexpr size_t kFadtCenturyOffset = 108;

}  // namespace

size_t FindCpuApicIds(uint64_t rsdp_paddr, uint32_t* apic_ids, size_t capacity) {
  const SdtHeader* madt = FindTable(rsdp_paddr, "APIC");
  if (madt == nullptr) return 0;
  size_t found = 0;
  ForEachEntry(madt, sizeof(Madt), [&](const EntryHeader& entry, const uint8_t* p) {
    uint32_t id = 0;
    bool enabled = false;
    if (entry.type == 0 && entry.length >= sizeof(MadtLocalApic)) {
      const auto* lapic = reinterpret_cast<const MadtLocalApic*>(p);
      id = lapic->apic_id;
      enabled = (lapic->flags & 1) != 0;
    } else if (entry.type == 9 && entry.length >= sizeof(MadtLocalX2Apic)) {
      const auto* x2apic = reinterpret_cast<const MadtLocalX2Apic*>(p);
      id = x2apic->x2apic_id;
      enabled = (x2apic->flags & 1) != 0;
    }
    if (enabled && found < capacity) apic_ids[found++] = id;
  });
  return found;
}

bool FindSratAffinity(uint64_t rsdp_paddr, SratAffinity* out) {
  out->memory_count = 0;
  out->cpu_count = 0;
  out->dropped = 0;
  const SdtHeader* srat = FindTable(rsdp_paddr, "SRAT");
  if (srat == nullptr) return false;
  auto add_cpu = [out](uint32_t apic_id, uint32_t domain) {
    if (out->cpu_count == kMaxCores) {
      ++out->dropped;
      return;
    }
    out->cpus[out->cpu_count++] = SratCpuAffinity{apic_id, domain};
  };
  ForEachEntry(srat, sizeof(Srat), [&](const EntryHeader& entry, const uint8_t* p) {
    if (entry.type == 0 && entry.length >= sizeof(SratLocalApic)) {
      const auto* lapic = reinterpret_cast<const SratLocalApic*>(p);
      if ((lapic->flags & 1) == 0) return;
      uint32_t domain = lapic->proximity_domain_low | uint32_t{lapic->proximity_domain_high[0]} << 8 |
                        uint32_t{lapic->proximity_domain_high[1]} << 16 |
                        uint32_t{lapic->proximity_domain_high[2]} << 24;
      add_cpu(lapic->apic_id, domain);
    } else if (entry.type == 2 && entry.length >= sizeof(SratLocalX2Apic)) {
      const auto* x2apic = reinterpret_cast<const SratLocalX2Apic*>(p);
      if ((x2apic->flags & 1) == 0) return;
      add_cpu(x2apic->x2apic_id, x2apic->proximity_domain);
    } else if (entry.type == 1 && entry.length >= sizeof(SratMemory)) {
      const auto* memory = reinterpret_cast<const SratMemory*>(p);
      // Disabled entries are padding (QEMU adds some) or absent hot-plug slots.
      if ((memory->flags & 1) == 0) return;
      uint64_t base = uint64_t{memory->base_high} << 32 | memory->base_low;
      uint64_t length = uint64_t{memory->length_high} << 32 | memory->length_low;
      if (length == 0) return;
      if (out->memory_count == SratAffinity::kMaxMemoryRanges) {
        ++out->dropped;
        return;
      }
      out->memory[out->memory_count++] = SratMemoryAffinity{base, base + length, memory->proximity_domain};
    }
  });
  return true;
}

uint8_t FindRtcCenturyRegister(uint64_t rsdp_paddr) {
  const SdtHeader* fadt = FindTable(rsdp_paddr, "FACP");
  if (fadt == nullptr || fadt->length <= kFadtCenturyOffset) return 0;
  return reinterpret_cast<const uint8_t*>(fadt)[kFadtCenturyOffset];
}

bool FindMcfgSegment0(uint64_t rsdp_paddr, McfgRange* out) {
  // PCI Firmware 3.0 §4.1.2: the header, 8 reserved bytes, then 16-byte allocation
  // structures {base address, segment group, start bus, end bus, 4 reserved}.
  constexpr size_t kFirstAllocation = sizeof(SdtHeader) + 8;
  constexpr size_t kAllocationBytes = 16;
  const SdtHeader* mcfg = FindTable(rsdp_paddr, "MCFG");
  if (mcfg == nullptr) return false;
  const auto* bytes = reinterpret_cast<const uint8_t*>(mcfg);
  for (size_t at = kFirstAllocation; at + kAllocationBytes <= mcfg->length; at += kAllocationBytes) {
    McfgRange range;
    memcpy(&range.base, bytes + at, 8);
    memcpy(&range.segment, bytes + at + 8, 2);
    range.start_bus = bytes[at + 10];
    range.end_bus = bytes[at + 11];
    if (range.segment != 0 || range.base == 0 || range.end_bus < range.start_bus) continue;
    *out = range;
    return true;
  }
  return false;
}

}  // namespace ebbrt::native
