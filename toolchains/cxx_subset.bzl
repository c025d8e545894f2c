# SPDX-License-Identifier: Apache-2.0
"""The curated C++ standard-library subset for native code: which headers are in.

Native C++ compiles against libc++ 14's headers (header-only, no libc++ library is
linked) with toolchains/native/cxx_subset/ searched first (toolchains/BUILD). That
directory holds one small file per standard header name:

  ALLOWED   a pass-through: it marks "inside an allowed standard header" (a macro saved
            and restored with push_macro/pop_macro) and #include_next's libc++'s header.
  REJECTED  a stub: outside an allowed header it stops the compile with
            #error "<name> is outside EbbRT's native C++ subset (docs/build.md#...)";
            inside one (libc++'s <memory> includes <typeinfo>, <iosfwd>, ...) it passes
            through, so allowed headers still compile.

The stubs deliberately have no include guard: an excluded header that an allowed one
already pulled in must still fail when user code includes it directly.

Every public header of libc++ 14 (and of its experimental/ and ext/ directories) is in
exactly one list; //tests/native_libc:cxx_subset_test checks that against the installed
libc++, that each ALLOWED header compiles on its own for native, and that each REJECTED
one fails with the message above. docs/build.md explains the choices.
"""

# Header-only, exception- and RTTI-free pieces of the standard library (docs/design.md,
# "C++ on bare metal"), plus the C library wrappers newlib backs.
CXX_SUBSET_ALLOWED = [
    "algorithm",  # non-parallel algorithms (<execution> is rejected)
    "array",
    "atomic",
    "bit",
    "cassert",
    "cctype",
    "cerrno",
    "cfloat",
    "chrono",  # durations and time points; clocks' now() is not implemented yet
    "cinttypes",
    "climits",
    "compare",
    "concepts",
    "cstdarg",
    "cstddef",
    "cstdint",
    "cstdio",  # newlib's snprintf family; printf goes to the console
    "cstdlib",  # strtol, qsort, abs, ... (malloc has no allocator behind it yet)
    "cstring",
    "ctime",  # newlib's time conversions (gmtime_r, mktime, strftime)
    "functional",  # std::function without target_type(); invoke, reference_wrapper, hash
    "initializer_list",
    "iterator",
    "limits",
    "memory",  # unique_ptr, addressof, construct_at; shared_ptr does not link
    "new",  # placement new; operator new is ebbrt/native/libc/new_delete.cc
    "numbers",
    "numeric",
    "optional",
    "ranges",  # what libc++ 14 ships complete (incomplete ranges stay disabled)
    "ratio",
    "span",
    "string_view",
    "tuple",
    "type_traits",
    "utility",
    "variant",
    "version",
]

# Allocating containers and strings that test code may use (the portable unit tests run
# natively through ebbrt/testing's googletest-compatible harness). Their stubs pass
# through where EBBRT_NATIVE_TEST_CXX is defined, which only //ebbrt/testing:native_gtest
# defines (for whatever depends on it); elsewhere they are rejected like the list below.
# Header-only: libc++ library functions behind them (std::to_string, std::stoi,
# shared_ptr's control block) do not link; _LIBCPP_DISABLE_EXTERN_TEMPLATE makes the
# rest instantiate locally.
CXX_SUBSET_TEST_ONLY = [
    "deque",
    "map",
    "set",
    "string",
    "vector",
]

# Everything else libc++ 14 ships. By reason:
#   exceptions/RTTI:   exception stdexcept typeinfo typeindex any system_error
#   needs the libc++ library: charconv (decimal to_chars calls __itoa::__u32toa,
#       compiled into libc++.so; use snprintf/strtol from the C library)
#   allocating containers and strings (need operator new plus exceptions for errors;
#   EbbRT code uses its own allocators and IOBufs): list forward_list unordered_map
#       unordered_set stack queue bitset valarray scoped_allocator regex (and, outside
#       tests, the CXX_SUBSET_TEST_ONLY ones)
#   iostreams and locales (no localization in this libc++ configuration): iostream
#       istream ostream ios iosfwd iomanip fstream sstream streambuf strstream locale
#       clocale codecvt format
#   threads (EbbRT's concurrency is per-core event loops): thread mutex shared_mutex
#       condition_variable future barrier latch semaphore execution
#   no libm, no floating-point environment yet: cmath ctgmath complex ccomplex cfenv
#       random
#   wide characters are off: cwchar cwctype
#   no signals; longjmp would skip destructors: csignal csetjmp
#   deprecated C++ compatibility headers: ciso646 cstdbool
#   not decided yet (futures could use it; they do not today): coroutine
#   filesystem, and libc++'s experimental/ and ext/ extensions.
CXX_SUBSET_REJECTED = [
    "any",
    "barrier",
    "bitset",
    "ccomplex",
    "cfenv",
    "charconv",
    "ciso646",
    "clocale",
    "cmath",
    "codecvt",
    "complex",
    "condition_variable",
    "coroutine",
    "csetjmp",
    "csignal",
    "cstdbool",
    "ctgmath",
    "cwchar",
    "cwctype",
    "exception",
    "execution",
    "filesystem",
    "format",
    "forward_list",
    "fstream",
    "future",
    "iomanip",
    "ios",
    "iosfwd",
    "iostream",
    "istream",
    "latch",
    "list",
    "locale",
    "mutex",
    "ostream",
    "queue",
    "random",
    "regex",
    "scoped_allocator",
    "semaphore",
    "shared_mutex",
    "sstream",
    "stack",
    "stdexcept",
    "streambuf",
    "strstream",
    "system_error",
    "thread",
    "typeindex",
    "typeinfo",
    "unordered_map",
    "unordered_set",
    "valarray",
    "experimental/algorithm",
    "experimental/coroutine",
    "experimental/deque",
    "experimental/filesystem",
    "experimental/forward_list",
    "experimental/functional",
    "experimental/iterator",
    "experimental/list",
    "experimental/map",
    "experimental/memory_resource",
    "experimental/propagate_const",
    "experimental/regex",
    "experimental/set",
    "experimental/simd",
    "experimental/string",
    "experimental/type_traits",
    "experimental/unordered_map",
    "experimental/unordered_set",
    "experimental/utility",
    "experimental/vector",
    "ext/hash_map",
    "ext/hash_set",
]
