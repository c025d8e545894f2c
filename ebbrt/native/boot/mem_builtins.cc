// memcpy, memmove, memset and memcmp for native images, which have no C
// library yet. Clang emits calls to these even with -ffreestanding (struct
// copies, zero-initialisation, large moves), so the image cannot link without
// them. The native C library (picolibc or newlib, a later issue) provides
// optimised versions and replaces this file.
//
// memcpy/memmove/memset use REP MOVSB/STOSB, which are fast on CPUs with ERMSB
// (Intel SDM Vol. 1 §7.3.9.3, "fast-string operation") and, being inline
// assembly, cannot be turned back into a call to the function being defined.
// memcmp is a byte loop; no_builtin (and -ffreestanding, which implies
// -fno-builtin) stops the optimiser from recognising it as a library idiom.
#include <stddef.h>

extern "C" {

__attribute__((no_builtin)) void* memcpy(void* dest, const void* src,
                                         size_t n) {
  void* ret = dest;
  asm volatile("rep movsb"
               : "+D"(dest), "+S"(src), "+c"(n)
               :
               : "memory");
  return ret;
}

__attribute__((no_builtin)) void* memmove(void* dest, const void* src,
                                          size_t n) {
  auto* d = static_cast<unsigned char*>(dest);
  auto* s = static_cast<const unsigned char*>(src);
  if (d <= s || d >= s + n) {
    // A forward copy never reads a byte it has already overwritten.
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  } else if (n != 0) {
    // Overlap with dest above src: copy backwards from the last byte, with the
    // direction flag set only for this instruction (the ABI requires DF=0 at
    // every call and return).
    d += n - 1;
    s += n - 1;
    asm volatile("std\n\trep movsb\n\tcld"
                 : "+D"(d), "+S"(s), "+c"(n)
                 :
                 : "memory");
  }
  return dest;
}

__attribute__((no_builtin)) void* memset(void* dest, int c, size_t n) {
  void* ret = dest;
  asm volatile("rep stosb"
               : "+D"(dest), "+c"(n)
               : "a"(static_cast<unsigned char>(c))
               : "memory");
  return ret;
}

__attribute__((no_builtin)) int memcmp(const void* lhs, const void* rhs,
                                       size_t n) {
  auto* a = static_cast<const unsigned char*>(lhs);
  auto* b = static_cast<const unsigned char*>(rhs);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

}  // extern "C"
