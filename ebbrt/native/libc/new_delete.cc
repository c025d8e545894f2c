// SPDX-License-Identifier: Apache-2.0
// C++ operator new and delete on native, every replaceable form (C++20 [new.delete]),
// on ebbrt::native::AllocateBytes. No libc++ library is linked, so nothing else
// defines them (nor std::nothrow).
//
// There are no exceptions: a plain or aligned `new` that cannot get memory stops the
// machine with a fatal report instead of throwing std::bad_alloc (and the compiler may
// rely on it never returning nullptr). The nothrow forms return nullptr. Today that
// means every plain `new` is fatal: AllocateBytes has no allocator behind it yet
// (allocate_bytes.h).
#include <stddef.h>
#include <stdio.h>

#include <new>

#include "ebbrt/native/libc/allocate_bytes.h"
#include "ebbrt/native/libc/exit.h"

// libc++'s <new> declares it; its definition lives in the libc++ library elsewhere.
const std::nothrow_t std::nothrow{};

namespace ebbrt {
namespace native {
namespace {

[[noreturn]] void OutOfMemory(size_t size) {
  char message[64];
  snprintf(message, sizeof(message), "operator new(%zu): out of memory", size);
  FatalError(message);
}

void* NewOrDie(size_t size, size_t alignment) {
  void* ptr = AllocateBytes(size, alignment);
  if (ptr == nullptr) OutOfMemory(size);
  return ptr;
}

void* NewOrNull(size_t size, size_t alignment) { return AllocateBytes(size, alignment); }

constexpr size_t kDefaultAlignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

}  // namespace
}  // namespace native
}  // namespace ebbrt

using ebbrt::native::FreeBytes;
using ebbrt::native::kDefaultAlignment;
using ebbrt::native::NewOrDie;
using ebbrt::native::NewOrNull;

void* operator new(size_t size) { return NewOrDie(size, kDefaultAlignment); }
void* operator new[](size_t size) { return NewOrDie(size, kDefaultAlignment); }
void* operator new(size_t size, std::align_val_t alignment) {
  return NewOrDie(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment) {
  return NewOrDie(size, static_cast<size_t>(alignment));
}

void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return NewOrNull(size, kDefaultAlignment);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return NewOrNull(size, kDefaultAlignment);
}
void* operator new(size_t size, std::align_val_t alignment,
                   const std::nothrow_t&) noexcept {
  return NewOrNull(size, static_cast<size_t>(alignment));
}
void* operator new[](size_t size, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  return NewOrNull(size, static_cast<size_t>(alignment));
}

void operator delete(void* ptr) noexcept { FreeBytes(ptr); }
void operator delete[](void* ptr) noexcept { FreeBytes(ptr); }
void operator delete(void* ptr, size_t) noexcept { FreeBytes(ptr); }
void operator delete[](void* ptr, size_t) noexcept { FreeBytes(ptr); }
void operator delete(void* ptr, std::align_val_t) noexcept { FreeBytes(ptr); }
void operator delete[](void* ptr, std::align_val_t) noexcept { FreeBytes(ptr); }
void operator delete(void* ptr, size_t, std::align_val_t) noexcept { FreeBytes(ptr); }
void operator delete[](void* ptr, size_t, std::align_val_t) noexcept { FreeBytes(ptr); }
void operator delete(void* ptr, const std::nothrow_t&) noexcept { FreeBytes(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { FreeBytes(ptr); }
void operator delete(void* ptr, std::align_val_t, const std::nothrow_t&) noexcept {
  FreeBytes(ptr);
}
void operator delete[](void* ptr, std::align_val_t, const std::nothrow_t&) noexcept {
  FreeBytes(ptr);
}
