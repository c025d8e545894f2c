#include "ebbrt/native/acpi.h"

#include <string.h>

namespace ebbrt::native {
namespace {

// ACPI 6.4 §5.2.5.3 (RSDP), §5.2.6 (header), §5.2.12 (MADT).
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

struct [[gnu::packed]] MadtEntry {
  uint8_t type;
  uint8_t length;
};

struct [[gnu::packed]] MadtLocalApic {
  MadtEntry entry;  // type 0
  uint8_t processor_id;
  uint8_t apic_id;
  uint32_t flags;  // bit 0: enabled; bit 1: online capable
};

struct [[gnu::packed]] MadtLocalX2Apic {
  MadtEntry entry;  // type 9
  uint16_t reserved;
  uint32_t x2apic_id;
  uint32_t flags;
  uint32_t processor_uid;
};

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

const Madt* FindMadt(const Rsdp* rsdp) {
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
    if (table != nullptr && memcmp(table->signature, "APIC", 4) == 0) {
      return reinterpret_cast<const Madt*>(table);
    }
  }
  return nullptr;
}

}  // namespace

size_t FindCpuApicIds(uint64_t rsdp_paddr, uint32_t* apic_ids, size_t capacity) {
  const Rsdp* rsdp = rsdp_paddr != 0 ? reinterpret_cast<const Rsdp*>(rsdp_paddr) : SearchRsdp();
  if (rsdp == nullptr || memcmp(rsdp->signature, "RSD PTR ", 8) != 0) return 0;
  const Madt* madt = FindMadt(rsdp);
  if (madt == nullptr) return 0;
  size_t found = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(madt + 1);
  const auto* end = reinterpret_cast<const uint8_t*>(madt) + madt->header.length;
  while (p + sizeof(MadtEntry) <= end) {
    const auto* entry = reinterpret_cast<const MadtEntry*>(p);
    if (entry->length < sizeof(MadtEntry) || p + entry->length > end) break;  // Malformed.
    uint32_t id = 0;
    bool enabled = false;
    if (entry->type == 0 && entry->length >= sizeof(MadtLocalApic)) {
      const auto* lapic = reinterpret_cast<const MadtLocalApic*>(p);
      id = lapic->apic_id;
      enabled = (lapic->flags & 1) != 0;
    } else if (entry->type == 9 && entry->length >= sizeof(MadtLocalX2Apic)) {
      const auto* x2apic = reinterpret_cast<const MadtLocalX2Apic*>(p);
      id = x2apic->x2apic_id;
      enabled = (x2apic->flags & 1) != 0;
    }
    if (enabled && found < capacity) apic_ids[found++] = id;
    p += entry->length;
  }
  return found;
}

}  // namespace ebbrt::native
