// SPDX-License-Identifier: Apache-2.0
// stdio from four cores at once (run with -smp 4): every core prints numbered lines,
// checkable one by one, through
//   1. printf to stdout (line-buffered, the console): stdout's write function is wrapped
//      for the test, so every byte that reaches the console is also kept in memory, and
//      the wrapper notes if two cores are ever inside it at once;
//   2. fprintf to one memory stream (open_memstream) that all cores share.
// Then every line must be whole and appear exactly once. With newlib's no-op locks the
// cores tear each other's lines (docs/build.md#native-c-library). One TEST each, in the
// native_libc SMP image (BUILD).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::testing_internal::OnAllCoresAtOnce;

constexpr size_t kCores = 4;
constexpr int kConsoleLines = 60;   // per core
constexpr int kMemoryLines = 1500;  // per core

// Several conversions per line, so vfprintf writes each line in several pieces.
constexpr const char* kFormat = "stdio_smp: core %zu line %04d %s %s\n";
constexpr const char* kWordA = "abcdefghijklmnopqrstuvwxyz";
constexpr const char* kWordB = "ZYXWVUTSRQPONMLKJIHGFEDCBA";

int PrintLine(FILE* out, size_t core, int line) {
  return fprintf(out, kFormat, core, line, kWordA, kWordB);
}

// Checks `text` holds exactly kCores * lines_per_core whole lines, each (core, line) once.
// Returns how many problems it found; prints the first few.
int CheckLines(const char* what, const char* text, size_t size, int lines_per_core) {
  static bool seen[kCores][kMemoryLines];
  memset(seen, 0, sizeof(seen));
  int problems = 0;
  int whole = 0;
  auto report = [&](const char* problem, const char* at, size_t length) {
    if (++problems <= 5) printf("  %s: %s: \"%.*s\"\n", what, problem, static_cast<int>(length), at);
  };
  const char* end = text + size;
  for (const char* line = text; line < end;) {
    const char* newline = static_cast<const char*>(memchr(line, '\n', end - line));
    const size_t length = (newline == nullptr ? end : newline + 1) - line;
    size_t core;
    int number;
    char expected[128];
    if (sscanf(line, "stdio_smp: core %zu line %d", &core, &number) != 2 || core >= kCores ||
        number < 0 || number >= lines_per_core) {
      report("malformed line", line, length);
    } else if (snprintf(expected, sizeof(expected), kFormat, core, number, kWordA, kWordB),
               strlen(expected) != length || memcmp(expected, line, length) != 0) {
      report("torn line", line, length);
    } else if (seen[core][number]) {
      report("duplicate line", line, length);
    } else {
      seen[core][number] = true;
      ++whole;
    }
    line += length;
  }
  if (whole != static_cast<int>(kCores) * lines_per_core) {
    ++problems;
    printf("  %s: %d whole lines, expected %d\n", what, whole,
           static_cast<int>(kCores) * lines_per_core);
  }
  return problems;
}

// --- 1. stdout ----------------------------------------------------------------------
using WriteFn = decltype(stdout->_write);
WriteFn g_console_write;
std::atomic<int> g_writers_inside{0};
std::atomic<int> g_overlaps{0};
ebbrt::SpinLock g_capture_lock;  // guards the copy only, so the test itself cannot tear
char g_capture[kCores * kConsoleLines * 128];  // a line is 82 bytes
size_t g_captured = 0;

_READ_WRITE_RETURN_TYPE CapturingWrite(struct _reent* reent, void* cookie, const char* data,
                                       _READ_WRITE_BUFSIZE_TYPE size) {
  if (g_writers_inside.fetch_add(1) != 0) g_overlaps.fetch_add(1);
  {
    ebbrt::SpinLockGuard guard(g_capture_lock);
    const size_t room = sizeof(g_capture) - g_captured;
    const size_t n = static_cast<size_t>(size) < room ? static_cast<size_t>(size) : room;
    memcpy(g_capture + g_captured, data, n);
    g_captured += n;
  }
  const auto written = g_console_write(reent, cookie, data, size);
  g_writers_inside.fetch_sub(1);
  return written;
}

TEST(StdioSmpTest, ConsoleLinesStayWhole) {
  printf("stdio_smp: %zu cores print %d lines each to stdout\n", kCores, kConsoleLines);
  fflush(stdout);
  g_console_write = stdout->_write;
  stdout->_write = CapturingWrite;
  OnAllCoresAtOnce(kCores, [](size_t core) {
    for (int line = 0; line < kConsoleLines; ++line) PrintLine(stdout, core, line);
  });
  fflush(stdout);
  stdout->_write = g_console_write;
  EXPECT_EQ(g_overlaps.load(), 0);
  EXPECT_EQ(CheckLines("stdout", g_capture, g_captured, kConsoleLines), 0);
}

// --- 2. One memory stream -------------------------------------------------------------
FILE* g_stream;

TEST(StdioSmpTest, MemoryStreamLinesStayWhole) {
  char* buffer = nullptr;
  size_t size = 0;
  g_stream = open_memstream(&buffer, &size);
  ASSERT_NE(g_stream, nullptr);
  OnAllCoresAtOnce(kCores, [](size_t core) {
    for (int line = 0; line < kMemoryLines; ++line) PrintLine(g_stream, core, line);
  });
  EXPECT_EQ(fclose(g_stream), 0);
  EXPECT_EQ(CheckLines("memory stream", buffer, size, kMemoryLines), 0);
  printf("stdio_smp: memory stream holds %zu bytes\n", size);
  free(buffer);
}

}  // namespace
