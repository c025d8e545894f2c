// SPDX-License-Identifier: Apache-2.0
// The native test image's program: runs every TEST linked into the image, one after
// another on the boot core, and prints googletest's progress lines. Like googletest's
// --gtest_filter, `gtest_filter=POSITIVE[-NEGATIVE]` on the kernel command line
// (':'-separated patterns with * and ?) picks tests, e.g.
//   bazel test //ebbrt/event:event_test_native_smp4 --test_arg=--append \
//       --test_arg='gtest_filter=TimerTest.*'
// The image's exit status (the QEMU runner's verdict) is 0 only when no test failed; skipped tests are
// listed but do not fail the run.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>
#include <string_view>

#include "ebbrt/app/app_main.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/event/run.h"
#include "ebbrt/native/boot/command_line.h"
#include "gtest/gtest.h"
#include "ebbrt/testing/native_gtest/test_state.h"

// The linker's bounds of the section every TEST puts its record in.
extern "C" const testing::internal::TestInfo __start_ebbrt_gtest_tests[];
extern "C" const testing::internal::TestInfo __stop_ebbrt_gtest_tests[];

namespace {

using testing::internal::CurrentTest;
using testing::internal::TestInfo;

enum class Verdict { kPassed, kFailed, kSkipped };

uint64_t ElapsedMs(uint64_t start_ns) {
  return (ebbrt::event_internal::PlatformNowNs() - start_ns) / 1'000'000;
}

// googletest's order: SetUp; the body unless SetUp failed fatally or skipped; TearDown
// always.
Verdict RunOne(const TestInfo& info) {
  printf("[ RUN      ] %s.%s\n", info.suite, info.name);
  CurrentTest().Reset();
  uint64_t start = ebbrt::event_internal::PlatformNowNs();
  testing::Test* test = info.factory();
  test->SetUp();
  if (!CurrentTest().fatal_failure.load() && !CurrentTest().skipped.load()) test->TestBody();
  test->TearDown();
  delete test;
  Verdict verdict = CurrentTest().failed.load()    ? Verdict::kFailed
                    : CurrentTest().skipped.load() ? Verdict::kSkipped
                                                   : Verdict::kPassed;
  const char* tag = verdict == Verdict::kFailed    ? "[  FAILED  ]"
                    : verdict == Verdict::kSkipped ? "[  SKIPPED ]"
                                                   : "[       OK ]";
  printf("%s %s.%s (%llu ms)\n", tag, info.suite, info.name,
         static_cast<unsigned long long>(ElapsedMs(start)));
  return verdict;
}

// Glob match with * (any run) and ? (any one character), as googletest's filter.
bool Matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  if (pattern[0] == '*') {
    for (size_t skip = 0; skip <= name.size(); ++skip) {
      if (Matches(pattern.substr(1), name.substr(skip))) return true;
    }
    return false;
  }
  if (name.empty() || (pattern[0] != '?' && pattern[0] != name[0])) return false;
  return Matches(pattern.substr(1), name.substr(1));
}

bool MatchesAny(std::string_view patterns, std::string_view name) {
  while (true) {
    size_t end = patterns.find(':');
    if (Matches(patterns.substr(0, end), name)) return true;
    if (end == std::string_view::npos) return false;
    patterns.remove_prefix(end + 1);
  }
}

// googletest's filter: positive patterns, then optionally '-' and negative ones.
bool Selected(std::string_view filter, std::string_view name) {
  size_t dash = filter.find('-');
  std::string_view positive = filter.substr(0, dash);
  if (positive.empty()) positive = "*";
  if (!MatchesAny(positive, name)) return false;
  return dash == std::string_view::npos || !MatchesAny(filter.substr(dash + 1), name);
}

// The first selected record of `test`'s suite (records of one suite may be apart: TEST
// and TEST_F of a suite can interleave with other suites in a file).
template <typename IsSelected>
const TestInfo* FirstOfSuite(const TestInfo* first, const TestInfo* test, IsSelected selected) {
  for (const TestInfo* t = first; t != test; ++t) {
    if (strcmp(t->suite, test->suite) == 0 && selected(*t)) return t;
  }
  return test;
}

void ListTests(const char* tag, const std::string& names) {
  size_t begin = 0;
  while (begin < names.size()) {
    size_t end = names.find('\n', begin);
    printf("%s %.*s\n", tag, static_cast<int>(end - begin), names.data() + begin);
    begin = end + 1;
  }
}

}  // namespace

int ebbrt::AppMain() {
  const TestInfo* first = __start_ebbrt_gtest_tests;
  const TestInfo* last = __stop_ebbrt_gtest_tests;
  std::string_view filter = ebbrt::native::CommandLineValue("gtest_filter");
  auto selected = [&](const TestInfo& t) {
    return filter.empty() || Selected(filter, std::string(t.suite) + "." + t.name);
  };
  size_t num_tests = 0;
  size_t num_suites = 0;
  for (const TestInfo* t = first; t != last; ++t) {
    if (!selected(*t)) continue;
    ++num_tests;
    if (FirstOfSuite(first, t, selected) == t) ++num_suites;
  }
  if (!filter.empty()) {
    printf("Note: Google Test filter = %.*s\n", static_cast<int>(filter.size()), filter.data());
  }
  // The vCPU count is part of the result: the same suite runs on 1 and on 4.
  printf("[==========] Running %zu tests from %zu test suites on %zu vCPUs.\n", num_tests,
         num_suites, ebbrt::AvailableCores());
  uint64_t start = ebbrt::event_internal::PlatformNowNs();
  size_t passed = 0;
  size_t num_failed = 0;
  size_t num_skipped = 0;
  std::string failed;
  std::string skipped;
  // googletest runs a suite's tests together, suites in the order they first appear.
  for (const TestInfo* suite = first; suite != last; ++suite) {
    if (!selected(*suite) || FirstOfSuite(first, suite, selected) != suite) continue;
    for (const TestInfo* t = suite; t != last; ++t) {
      if (strcmp(t->suite, suite->suite) != 0 || !selected(*t)) continue;
      std::string name = std::string(t->suite) + "." + t->name + "\n";
      switch (RunOne(*t)) {
        case Verdict::kPassed:
          ++passed;
          break;
        case Verdict::kFailed:
          ++num_failed;
          failed += name;
          break;
        case Verdict::kSkipped:
          ++num_skipped;
          skipped += name;
          break;
      }
    }
  }
  printf("[==========] %zu tests from %zu test suites ran on %zu vCPUs. (%llu ms total)\n",
         num_tests, num_suites, ebbrt::AvailableCores(),
         static_cast<unsigned long long>(ElapsedMs(start)));
  printf("[  PASSED  ] %zu tests.\n", passed);
  if (!skipped.empty()) {
    printf("[  SKIPPED ] %zu tests, listed below:\n", num_skipped);
    ListTests("[  SKIPPED ]", skipped);
  }
  if (!failed.empty()) {
    printf("[  FAILED  ] %zu tests, listed below:\n", num_failed);
    ListTests("[  FAILED  ]", failed);
  }
  if (num_tests == 0) {
    // A filter that matches nothing is a mistake, not a pass.
    printf("[  FAILED  ] no test in this image matches (filter: \"%.*s\")\n",
           static_cast<int>(filter.size()), filter.data());
    return 1;
  }
  return failed.empty() ? 0 : 1;
}
