// SPDX-License-Identifier: Apache-2.0
// The C allocation functions on native, all on ebbrt::native::AllocateBytes, i.e. the
// per-core GeneralPurposeAllocator (allocate_bytes.h); a failed allocation returns null
// with errno = ENOMEM. newlib's own code calls the reentrant forms (_malloc_r, ...),
// which are here too; newlib's malloc is not built.
#include <errno.h>
#include <reent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
// After <stdlib.h>: newlib's <malloc.h> redeclares malloc without the noexcept that
// <stdlib.h> gives it in C++, which is an error only in the other order.
#include <malloc.h>

#include "ebbrt/native/libc/allocate_bytes.h"

namespace ebbrt {
namespace native {
namespace {

// What malloc promises: suitable for any object type (C17 §7.22.3).
constexpr size_t kMallocAlignment = alignof(max_align_t);

bool IsPowerOfTwo(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

void* AllocateOrSetErrno(size_t size, size_t alignment) {
  if (alignment < kMallocAlignment) alignment = kMallocAlignment;
  void* ptr = AllocateBytes(size, alignment);
  if (ptr == nullptr) errno = ENOMEM;
  return ptr;
}

}  // namespace
}  // namespace native
}  // namespace ebbrt

using ebbrt::native::AllocatedSize;
using ebbrt::native::AllocateOrSetErrno;
using ebbrt::native::FreeBytes;
using ebbrt::native::IsPowerOfTwo;
using ebbrt::native::kMallocAlignment;

extern "C" {

void* malloc(size_t size) { return AllocateOrSetErrno(size, kMallocAlignment); }

void free(void* ptr) { FreeBytes(ptr); }

void* calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  void* ptr = AllocateOrSetErrno(bytes, kMallocAlignment);
  if (ptr != nullptr) memset(ptr, 0, bytes);
  return ptr;
}

void* realloc(void* ptr, size_t size) {
  if (ptr == nullptr) return malloc(size);
  if (size == 0) {
    // C17 leaves this implementation-defined; like glibc, free and return nullptr.
    FreeBytes(ptr);
    return nullptr;
  }
  const size_t old_size = AllocatedSize(ptr);
  if (size <= old_size) return ptr;
  void* new_ptr = AllocateOrSetErrno(size, kMallocAlignment);
  if (new_ptr == nullptr) return nullptr;  // The old block stays valid (C17 §7.22.3.5).
  memcpy(new_ptr, ptr, old_size);
  FreeBytes(ptr);
  return new_ptr;
}

void* memalign(size_t alignment, size_t size) {
  if (!IsPowerOfTwo(alignment)) {
    errno = EINVAL;
    return nullptr;
  }
  return AllocateOrSetErrno(size, alignment);
}

void* aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

int posix_memalign(void** out, size_t alignment, size_t size) {
  // POSIX: the alignment must be a power of two multiple of sizeof(void*); errors are
  // returned, and errno is left alone.
  if (!IsPowerOfTwo(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  const int saved_errno = errno;
  void* ptr = AllocateOrSetErrno(size, alignment);
  errno = saved_errno;
  if (ptr == nullptr) return ENOMEM;
  *out = ptr;
  return 0;
}

size_t malloc_usable_size(void* ptr) { return AllocatedSize(ptr); }

// --- newlib's reentrant forms: errno lives in the struct _reent passed in. -----------
void* _malloc_r(struct _reent* reent, size_t size) {
  void* ptr = malloc(size);
  if (ptr == nullptr) reent->_errno = ENOMEM;
  return ptr;
}

void _free_r(struct _reent*, void* ptr) { free(ptr); }

void* _calloc_r(struct _reent* reent, size_t count, size_t size) {
  void* ptr = calloc(count, size);
  if (ptr == nullptr) reent->_errno = ENOMEM;
  return ptr;
}

void* _realloc_r(struct _reent* reent, void* ptr, size_t size) {
  void* new_ptr = realloc(ptr, size);
  if (new_ptr == nullptr && size != 0) reent->_errno = ENOMEM;
  return new_ptr;
}

void* _memalign_r(struct _reent* reent, size_t alignment, size_t size) {
  void* ptr = memalign(alignment, size);
  if (ptr == nullptr) reent->_errno = errno;
  return ptr;
}

}  // extern "C"
