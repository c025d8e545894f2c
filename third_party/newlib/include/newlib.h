// SPDX-License-Identifier: Apache-2.0
/* newlib's configuration header for EbbRT's native platform.
 *
 * newlib's configure normally generates this file from newlib/newlib.hin; the
 * tarball only carries an empty placeholder (newlib/libc/include/newlib.h).
 * EbbRT does not run configure, so every choice is made here, by hand, with
 * the reason next to it. The toolchain (toolchains/BUILD) puts this directory
 * on the native include path BEFORE newlib's own include directory, so this
 * file shadows the placeholder for newlib's sources and for EbbRT's code
 * alike: both must see one configuration.
 *
 * Every macro of newlib.hin is listed: defined, or left undefined on purpose
 * (commented out). Compile-only switches that are not part of the installed
 * headers (REENTRANT_SYSCALLS_PROVIDED, NO_FLOATING_POINT, ...) are in
 * third_party/newlib/BUILD.newlib instead. */
#ifndef __NEWLIB_H__
#define __NEWLIB_H__ 1

#include <_newlib_version.h>

/* EL/IX level: undefined = everything (level 4), as every newlib port ships. */
/* #undef _ELIX_LEVEL */

/* printf/scanf understand C99 length modifiers and conversions: %zu, %td,
 * %jd, %hhd (size_t and friends are everywhere in EbbRT code). */
#define _WANT_IO_C99_FORMATS 1

/* printf/scanf understand long long: %lld, %llu, %llx (64-bit counters). */
#define _WANT_IO_LONG_LONG 1

/* No atexit registration of a _fini function: there is no .fini section;
 * native images end by powering QEMU off (ebbrt/native/libc/syscalls.cc). */
/* #undef _WANT_REGISTER_FINI */

/* No long double conversions in printf/scanf: floating-point conversions are
 * compiled out altogether for now (NO_FLOATING_POINT in BUILD.newlib). */
/* #undef _WANT_IO_LONG_DOUBLE */

/* No positional arguments (%1$d): extra code and stack no caller here needs. */
/* #undef _WANT_IO_POS_ARGS */

/* The full struct _reent, statically allocated (reent/impure.c). The small
 * variant allocates parts of it with malloc on first use, and native malloc
 * has no allocator behind it yet (ebbrt/native/libc/malloc.cc). */
/* #undef _WANT_REENT_SMALL */

/* Only meaningful with _WANT_REENT_SMALL. */
/* #undef _REENT_CHECK_VERIFY */

/* Single-byte "C" locale only: no multibyte (UTF-8, JIS, ...) conversion
 * tables, no locale-dependent ctype. */
/* #undef _MB_CAPABLE */

/* MB_LEN_MAX for the single-byte "C" locale (configure's value without
 * _MB_CAPABLE). */
#define _MB_LEN_MAX 1

/* No iconv, hence no iconv encodings (the _ICONV_{TO,FROM}_ENCODING_* list
 * of newlib.hin stays undefined). */
/* #undef _ICONV_ENABLED */
/* #undef _ICONV_ENABLE_EXTERNAL_CCS */

/* The linker script has .init_array, but newlib's __libc_init_array
 * (misc/init.c) is not built: ebbrt_native_start runs the constructors
 * itself (ebbrt/native/boot/start.cc). Only init.c reads this macro. */
/* #undef HAVE_INITFINI_ARRAY */

/* atexit keeps its 32 static slots (the ISO C minimum) and never calls
 * malloc for more. */
/* #undef _ATEXIT_DYNAMIC_ALLOC */

/* x86-64 has a long double type (80-bit x87 extended precision) ... */
#define _HAVE_LONG_DOUBLE 1

/* ... which is not the same as double. */
/* #undef _LDBL_EQ_DBL */

/* That attribute is GCC's (-fno-tree-loop-distribute-patterns); clang has no
 * such option. Under -ffreestanding (toolchains/BUILD) clang does not turn
 * loops into memcpy/memset calls anyway, so memset.c cannot call itself. */
/* #undef _HAVE_CC_INHIBIT_LOOP_TO_LIBCALL */

/* newlib's defaults (configure enables these unless told otherwise): stdio
 * writes through iovecs, fseek optimisation, fwide() orientation, and the
 * unbuffered-stream optimisation that formats into a stack buffer before one
 * write (so an unbuffered stdout still reaches the console in one write). */
#define _FVWRITE_IN_STREAMIO 1
#define _FSEEK_OPTIMIZATION 1
#define _WIDE_ORIENT 1
#define _UNBUF_STREAM_OPT 1

/* exit() runs atexit handlers and flushes stdio normally (no weak-reference
 * "lite" exit). */
/* #undef _LITE_EXIT */

/* The atexit list is one static list for the machine (stdlib/__atexit.c,
 * __call_atexit.c), outside every struct _reent: handlers registered on any core
 * run when exit() is called, and the per-core structures (__DYNAMIC_REENT__
 * below) do not carry 800 bytes of atexit table each that nothing would use. */
#define _REENT_GLOBAL_ATEXIT 1

/* stdin/stdout/stderr are three global FILEs (stdio/findfp.c, __sf) that every
 * core's struct _reent points at, not three per structure: one stdout buffer
 * and lock for the machine, so a line printed on any core stays whole and in
 * order (ebbrt/native/libc/newlib_locks.h). */
#define _WANT_REENT_GLOBAL_STDIO_STREAMS 1

/* The full vfprintf/vfscanf, not the nano variants: nano printf has no %lld
 * and replaces the i-family (iprintf, fiprintf) that newlib's own code calls. */
/* #undef _NANO_FORMATTED_IO */

/* Retargetable locking (configure's --enable-newlib-retargetable-locking):
 * <sys/lock.h> turns newlib's locks (stdio FILEs and the stream list, atexit,
 * the environment, tzset) into calls to __retarget_lock_* and references to
 * static __lock___*_mutex objects, which EbbRT defines on its spin locks
 * (ebbrt/native/libc/newlib_locks.cc): several cores run C library code at
 * once. newlib's no-op versions of those (misc/lock.c) are not built. */
#define _RETARGETABLE_LOCKING 1

/* time_t stays 64-bit (newlib's default), not long. Same width on x86-64,
 * but 64-bit is what the headers promise everywhere. */
/* #undef _WANT_USE_LONG_TIME_T */

/* Not a newlib.hin macro but a port switch (sys/config.h sets it for Linux, RTEMS,
 * ...): _REENT, and so errno and the state of strtok, rand, asctime, ..., is
 * __getreent(), which EbbRT defines to return the calling core's own struct
 * _reent (ebbrt/native/libc/reent.h) instead of the one global structure.
 * _impure_ptr and _global_impure_ptr (reent/impure.c) both stay the global
 * structure, which is the boot core's. */
#define __DYNAMIC_REENT__ 1

/* Not a newlib.hin macro but a port switch that sys/config.h defaults to int for
 * bare-metal targets: read() and write() return ssize_t, as POSIX declares them
 * (newlib's Linux and RTEMS ports do the same). newlib.h is read before
 * sys/config.h (_ansi.h includes it first), so this definition wins. */
#define _READ_WRITE_RETURN_TYPE _ssize_t

/* Not newlib.hin macros either: the POSIX options that sys/features.h defines
 * only for RTEMS and Cygwin. Without them <time.h> declares no clock_gettime,
 * clock_getres or nanosleep and defines no CLOCK_MONOTONIC. EbbRT's glue
 * (ebbrt/native/libc/time.cc) implements clock_gettime and clock_getres for
 * CLOCK_REALTIME and CLOCK_MONOTONIC; nanosleep and clock_settime fail with
 * ENOSYS; the per-process timers this option also declares (timer_create, ...)
 * are not defined: using one is an undefined symbol at link time. The CPU-time
 * clocks (_POSIX_CPUTIME) stay undefined: nothing counts them. */
#define _POSIX_TIMERS 1
#define _POSIX_MONOTONIC_CLOCK 200112L

#endif /* !__NEWLIB_H__ */
