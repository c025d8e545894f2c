// The native test image's program: runs every TEST linked into the image, one after
// another on the boot core, and prints googletest's progress lines. The image's exit
// status (the QEMU runner's verdict) is 0 only when no test failed; skipped tests are
// listed but do not fail the run.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>

#include "ebbrt/app/app_main.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/event/run.h"
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

// The first record of `test`'s suite (records of one suite may be apart: TEST and TEST_F
// of a suite can interleave with other suites in a file).
const TestInfo* FirstOfSuite(const TestInfo* first, const TestInfo* test) {
  for (const TestInfo* t = first; t != test; ++t) {
    if (strcmp(t->suite, test->suite) == 0) return t;
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
  size_t num_tests = static_cast<size_t>(last - first);
  size_t num_suites = 0;
  for (const TestInfo* t = first; t != last; ++t) {
    if (FirstOfSuite(first, t) == t) ++num_suites;
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
    if (FirstOfSuite(first, suite) != suite) continue;
    for (const TestInfo* t = suite; t != last; ++t) {
      if (strcmp(t->suite, suite->suite) != 0) continue;
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
    printf("[  FAILED  ] no tests are linked into this image\n");
    return 1;
  }
  return failed.empty() ? 0 : 1;
}
