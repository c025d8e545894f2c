// SPDX-License-Identifier: Apache-2.0
// Names for code addresses, from the image's own ELF symbol table.
//
// The symbol table is not part of the loaded image (it is not in a PT_LOAD segment), so
// the QEMU runner also hands the image file to the guest as its first boot module
// (`-initrd image`); InitSymbols() finds the .symtab and .strtab sections in it. Without
// the module, lookups find nothing and reports show bare addresses.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::native {

// `elf` is a complete ELF64 image in memory; returns false if it is not one or has no
// symbol table.
bool InitSymbols(const void* elf, size_t size);

// The function containing `address`: its (mangled) name and `address`'s offset in it.
bool LookupSymbol(uintptr_t address, const char** name, uintptr_t* offset);

}  // namespace ebbrt::native
