// SPDX-License-Identifier: Apache-2.0
// Assertions for invariants: on failure they print file:line, the condition and a
// message, then a backtrace where the platform can, and stop the program (hosted: abort;
// native: the machine reports failure to QEMU). They are for bugs, not for bad input:
// bad input is an error value (Status/Result).
//
//   EBBRT_CHECK(core < num_cores);
//   EBBRT_CHECK_MSG(stack != nullptr, "event stack pool exhausted");
//   EBBRT_CHECK_OK(status);          // the Status must be ok
//   EBBRT_UNREACHABLE("bad state");  // control must never get here
//   EBBRT_DCHECK(cheap_invariant);   // compiled out with NDEBUG (-c opt)
#pragma once

#include "ebbrt/base/status.h"

namespace ebbrt {

// Prints the report and stops; implemented per platform (ebbrt/base/BUILD :fatal_backend).
[[noreturn]] void FatalError(const char* file, int line, const char* what,
                             const char* message);

// Prints the frames of the calling thread's stack, one per line (frame-pointer walk).
void PrintBacktrace();
// The same from a given frame pointer (e.g. an interrupted context's %rbp), numbering
// the frames from `first_index`.
void PrintBacktraceFrom(const void* frame_pointer, int first_index);

}  // namespace ebbrt

#define EBBRT_CHECK(cond)                                             \
  do {                                                                \
    if (!(cond)) [[unlikely]] {                                       \
      ::ebbrt::FatalError(__FILE__, __LINE__, "CHECK(" #cond ")", ""); \
    }                                                                 \
  } while (0)

#define EBBRT_CHECK_MSG(cond, message)                                       \
  do {                                                                       \
    if (!(cond)) [[unlikely]] {                                              \
      ::ebbrt::FatalError(__FILE__, __LINE__, "CHECK(" #cond ")", (message)); \
    }                                                                        \
  } while (0)

#define EBBRT_CHECK_OK(expr)                                                     \
  do {                                                                           \
    const ::ebbrt::Status ebbrt_check_status_ = (expr).status();                 \
    if (!ebbrt_check_status_.ok()) [[unlikely]] {                                \
      ::ebbrt::FatalError(__FILE__, __LINE__, "CHECK_OK(" #expr ")",             \
                          ebbrt_check_status_.message());                        \
    }                                                                            \
  } while (0)

#define EBBRT_UNREACHABLE(message) \
  ::ebbrt::FatalError(__FILE__, __LINE__, "UNREACHABLE", (message))

#ifdef NDEBUG
#define EBBRT_DCHECK(cond) \
  do {                     \
    (void)sizeof(cond);    \
  } while (0)
#else
#define EBBRT_DCHECK(cond) EBBRT_CHECK(cond)
#endif
