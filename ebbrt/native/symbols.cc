// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/symbols.h"

#include <string.h>

namespace ebbrt::native {
namespace {

// ELF64 structures (System V gABI, "ELF Header", "Sections", "Symbol Table").
struct Elf64Header {
  unsigned char ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf64Section {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
struct Elf64Symbol {
  uint32_t name;
  unsigned char info, other;
  uint16_t shndx;
  uint64_t value, size;
};
constexpr uint32_t kSymtab = 2;
constexpr unsigned char kFunc = 2;

const Elf64Symbol* g_symbols = nullptr;
size_t g_symbol_count = 0;
const char* g_strings = nullptr;
size_t g_strings_size = 0;

}  // namespace

bool InitSymbols(const void* elf, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(elf);
  if (size < sizeof(Elf64Header)) return false;
  const auto* header = static_cast<const Elf64Header*>(elf);
  if (memcmp(header->ident, "\x7f" "ELF", 4) != 0 || header->ident[4] != 2 /* 64-bit */) {
    return false;
  }
  if (header->shentsize != sizeof(Elf64Section) ||
      header->shoff + uint64_t{header->shnum} * sizeof(Elf64Section) > size) {
    return false;
  }
  const auto* sections = reinterpret_cast<const Elf64Section*>(bytes + header->shoff);
  for (uint16_t i = 0; i < header->shnum; ++i) {
    const Elf64Section& symtab = sections[i];
    if (symtab.type != kSymtab || symtab.link >= header->shnum) continue;
    const Elf64Section& strtab = sections[symtab.link];
    if (symtab.offset + symtab.size > size || strtab.offset + strtab.size > size) return false;
    g_symbols = reinterpret_cast<const Elf64Symbol*>(bytes + symtab.offset);
    g_symbol_count = symtab.size / sizeof(Elf64Symbol);
    g_strings = reinterpret_cast<const char*>(bytes + strtab.offset);
    g_strings_size = strtab.size;
    return true;
  }
  return false;
}

bool LookupSymbol(uintptr_t address, const char** name, uintptr_t* offset) {
  const Elf64Symbol* best = nullptr;
  for (size_t i = 0; i < g_symbol_count; ++i) {
    const Elf64Symbol& sym = g_symbols[i];
    if ((sym.info & 0xf) != kFunc || sym.value > address || sym.name >= g_strings_size) continue;
    if (sym.size != 0 && address >= sym.value + sym.size) continue;
    if (best == nullptr || sym.value > best->value) best = &sym;
  }
  if (best == nullptr) return false;
  *name = g_strings + best->name;
  *offset = address - best->value;
  return true;
}

}  // namespace ebbrt::native
