// SPDX-License-Identifier: Apache-2.0
// The native C library (newlib + EbbRT's glue) checked from C: this file is compiled as
// C by the native toolchain, so it also proves that C code sees newlib's headers with no
// dependency declared. Each LibcCheck* function is one TEST of libc_test.cc, which fails
// the test when the function's checks counted a failure.
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/native_libc/libc_checks.h"

// C cannot use googletest's macros, so this file has its own, C-callable, non-fatal
// ones: a failed LIBC_EXPECT_* prints its file, line, expression and values and counts in
// libc_expect_failures; the C++ TEST reads the count (unlike EBBRT_CHECK, nothing stops).
int libc_expect_failures = 0;

static void LibcExpectFailed(const char* file, int line, const char* what) {
  ++libc_expect_failures;
  printf("%s:%d: Failure\n  %s\n", file, line, what);
}

#define LIBC_EXPECT_TRUE(cond)                                \
  do {                                                        \
    if (!(cond)) LibcExpectFailed(__FILE__, __LINE__, #cond); \
  } while (0)

// Integer comparison; both sides are printed on failure.
#define LIBC_EXPECT_EQ(actual, expected)                                                \
  do {                                                                                  \
    const long long libc_actual_ = (long long)(actual);                                 \
    const long long libc_expected_ = (long long)(expected);                             \
    if (libc_actual_ != libc_expected_) {                                               \
      printf("  %s == %lld, expected %lld\n", #actual, libc_actual_, libc_expected_);    \
      LibcExpectFailed(__FILE__, __LINE__, #actual " == " #expected);                   \
    }                                                                                   \
  } while (0)

// C string comparison; both sides are printed on failure.
#define LIBC_EXPECT_STREQ(actual, expected)                                           \
  do {                                                                                \
    const char* libc_actual_ = (actual);                                              \
    const char* libc_expected_ = (expected);                                          \
    if (strcmp(libc_actual_, libc_expected_) != 0) {                                  \
      printf("  %s == \"%s\", expected \"%s\"\n", #actual, libc_actual_, libc_expected_); \
      LibcExpectFailed(__FILE__, __LINE__, #actual " == " #expected);                 \
    }                                                                                 \
  } while (0)

void LibcCheckSnprintf(void) {
  char buf[80];
  LIBC_EXPECT_EQ(snprintf(buf, sizeof(buf), "%d %i %u", -42, 7, 4000000000u), 16);
  LIBC_EXPECT_STREQ(buf, "-42 7 4000000000");
  snprintf(buf, sizeof(buf), "[%s|%5s|%-5s|%.2s]", "abc", "ab", "ab", "xyz");
  LIBC_EXPECT_STREQ(buf, "[abc|   ab|ab   |xy]");
  snprintf(buf, sizeof(buf), "%x %X %#x %08x", 255, 255, 255, 0xbeef);
  LIBC_EXPECT_STREQ(buf, "ff FF 0xff 0000beef");
  snprintf(buf, sizeof(buf), "%zu %zd %zx", (size_t)123456789012, (ptrdiff_t)-5,
           (size_t)0xabc);
  LIBC_EXPECT_STREQ(buf, "123456789012 -5 abc");
  snprintf(buf, sizeof(buf), "%lld %llu %llx", LLONG_MIN, ULLONG_MAX,
           0x123456789abcdefULL);
  LIBC_EXPECT_STREQ(buf, "-9223372036854775808 18446744073709551615 123456789abcdef");
  snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRId32 " %" PRIx16, UINT64_MAX, INT32_MIN,
           (uint16_t)0xbeef);
  LIBC_EXPECT_STREQ(buf, "18446744073709551615 -2147483648 beef");
  snprintf(buf, sizeof(buf), "%c%c%% %p %+d %5d|%-4d|", 'o', 'k', (void*)0x1000, 5, 42,
           7);
  LIBC_EXPECT_STREQ(buf, "ok% 0x1000 +5    42|7   |");
  // Truncation: the return value is the length that would have been written.
  LIBC_EXPECT_EQ(snprintf(buf, 5, "%s", "hello world"), 11);
  LIBC_EXPECT_STREQ(buf, "hell");
  LIBC_EXPECT_EQ(snprintf(NULL, 0, "%d", 12345), 5);
  LIBC_EXPECT_EQ(sprintf(buf, "%s-%d", "sprintf", 2), 9);
  LIBC_EXPECT_STREQ(buf, "sprintf-2");
  // Floating-point conversions are compiled out until malloc works (NO_FLOATING_POINT in
  // third_party/newlib/BUILD.newlib): newlib prints the conversion letter itself. This
  // check pins that, so enabling them must update it.
  snprintf(buf, sizeof(buf), "%d %f %d", 1, 2.5, 3);
  LIBC_EXPECT_STREQ(buf, "1 f 3");
  // sscanf from a string (integer conversions only).
  int a = 0;
  unsigned b = 0;
  char word[16];
  LIBC_EXPECT_EQ(sscanf("17 0x1f word", "%d %x %15s", &a, &b, word), 3);
  LIBC_EXPECT_EQ(a, 17);
  LIBC_EXPECT_EQ(b, 0x1f);
  LIBC_EXPECT_STREQ(word, "word");
}

void LibcCheckStrtol(void) {
  char* end = NULL;
  LIBC_EXPECT_EQ(strtol("  -1234xyz", &end, 10), -1234);
  LIBC_EXPECT_STREQ(end, "xyz");
  LIBC_EXPECT_EQ(strtol("0x7f", NULL, 16), 127);
  LIBC_EXPECT_EQ(strtol("0x7f", NULL, 0), 127);
  LIBC_EXPECT_EQ(strtol("0755", NULL, 0), 493);
  LIBC_EXPECT_EQ(strtol("zz", NULL, 36), 1295);
  errno = 0;
  LIBC_EXPECT_EQ(strtol("99999999999999999999", NULL, 10), LONG_MAX);
  LIBC_EXPECT_EQ(errno, ERANGE);
  LIBC_EXPECT_EQ(strtoul("4294967295", NULL, 10), 4294967295UL);
  LIBC_EXPECT_TRUE(strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
  LIBC_EXPECT_EQ(atoi("42"), 42);
  LIBC_EXPECT_EQ(atol("-7"), -7);
  LIBC_EXPECT_EQ(labs(-5L), 5);
  div_t d = div(17, 5);
  LIBC_EXPECT_EQ(d.quot, 3);
  LIBC_EXPECT_EQ(d.rem, 2);
}

static int CompareInts(const void* lhs, const void* rhs) {
  const int a = *(const int*)lhs;
  const int b = *(const int*)rhs;
  return (a > b) - (a < b);
}

void LibcCheckQsortBsearch(void) {
  int values[] = {5, -3, 9, 0, 42, 7, -3};
  const size_t n = sizeof(values) / sizeof(values[0]);
  qsort(values, n, sizeof(values[0]), CompareInts);
  const int sorted[] = {-3, -3, 0, 5, 7, 9, 42};
  LIBC_EXPECT_TRUE(memcmp(values, sorted, sizeof(sorted)) == 0);
  const int key = 9;
  const int* found = (const int*)bsearch(&key, values, n, sizeof(values[0]), CompareInts);
  LIBC_EXPECT_TRUE(found == &values[5]);
  const int missing = 8;
  LIBC_EXPECT_TRUE(bsearch(&missing, values, n, sizeof(values[0]), CompareInts) == NULL);
}

// Large enough for the non-temporal loops of newlib's memcpy.S and memset.S (>= 256).
static unsigned char big_src[4096 + 7];
static unsigned char big_dst[4096 + 7];

void LibcCheckMemoryAndStrings(void) {
  char forward[16] = "abcdefghij";
  memmove(forward + 2, forward, 8);  // Overlap, destination above the source.
  LIBC_EXPECT_STREQ(forward, "ababcdefgh");
  char backward[16] = "abcdefghij";
  memmove(backward, backward + 3, 7);  // Overlap, destination below the source.
  LIBC_EXPECT_STREQ(backward, "defghijhij");

  for (size_t i = 0; i < sizeof(big_src); ++i) big_src[i] = (unsigned char)(i * 7 + 1);
  // Unaligned destination and an odd length: the head, bulk and tail paths.
  memcpy(big_dst + 3, big_src + 1, 4096 + 1);
  LIBC_EXPECT_TRUE(memcmp(big_dst + 3, big_src + 1, 4096 + 1) == 0);
  memset(big_dst + 1, 0xa5, 4096 + 3);
  int all_set = 1;
  for (size_t i = 1; i < 4096 + 4; ++i) all_set &= big_dst[i] == 0xa5;
  LIBC_EXPECT_TRUE(all_set);
  LIBC_EXPECT_EQ(big_dst[0], 0);
  // Overlapping memmove larger than a page.
  memmove(big_src + 5, big_src, 4096);
  LIBC_EXPECT_EQ(big_src[5 + 4095], (unsigned char)(4095 * 7 + 1));
  LIBC_EXPECT_TRUE(memcmp("abc", "abd", 3) < 0);

  char buf[32];
  LIBC_EXPECT_EQ(strlen("native"), 6);
  LIBC_EXPECT_TRUE(strcmp("abc", "abd") < 0);
  LIBC_EXPECT_EQ(strncmp("abcdef", "abcxyz", 3), 0);
  strcpy(buf, "foo");
  strcat(buf, "bar");
  LIBC_EXPECT_STREQ(buf, "foobar");
  LIBC_EXPECT_STREQ(strchr(buf, 'b'), "bar");
  LIBC_EXPECT_STREQ(strrchr("a/b/c", '/'), "/c");
  LIBC_EXPECT_STREQ(strstr("needle in haystack", "hay"), "haystack");
  LIBC_EXPECT_EQ(strspn("123abc", "0123456789"), 3);
  char tokens[] = "a,b,,c";
  char* save = NULL;
  LIBC_EXPECT_STREQ(strtok_r(tokens, ",", &save), "a");
  LIBC_EXPECT_STREQ(strtok_r(NULL, ",", &save), "b");
  LIBC_EXPECT_STREQ(strtok_r(NULL, ",", &save), "c");
  LIBC_EXPECT_TRUE(strtok_r(NULL, ",", &save) == NULL);
  LIBC_EXPECT_STREQ(strerror(ENOSYS), "Function not implemented");
  LIBC_EXPECT_EQ(strlcpy(buf, "truncated copy", 6), 14);
  LIBC_EXPECT_STREQ(buf, "trunc");
}

void LibcCheckCtype(void) {
  LIBC_EXPECT_TRUE(isdigit('7'));
  LIBC_EXPECT_TRUE(!isdigit('x'));
  LIBC_EXPECT_TRUE(isspace('\t'));
  LIBC_EXPECT_TRUE(isxdigit('F'));
  LIBC_EXPECT_TRUE(isalpha('q'));
  LIBC_EXPECT_TRUE(!isprint('\n'));
  LIBC_EXPECT_EQ(toupper('a'), 'A');
  LIBC_EXPECT_EQ(tolower('Z'), 'z');
}

// Unimplemented system calls fail with ENOSYS (and log "[ebbrt] unimplemented syscall:
// <name>", which the runner's log shows but cannot check).
void LibcCheckSyscalls(void) {
  errno = 0;
  LIBC_EXPECT_EQ(open("/etc/passwd", O_RDONLY), -1);
  LIBC_EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  LIBC_EXPECT_EQ(getpid(), -1);
  LIBC_EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  LIBC_EXPECT_EQ(write(5, "x", 1), -1);
  LIBC_EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  LIBC_EXPECT_TRUE(sbrk(4096) == (void*)-1);
  LIBC_EXPECT_EQ(errno, ENOMEM);
  LIBC_EXPECT_EQ(isatty(1), 1);
  LIBC_EXPECT_EQ(isatty(2), 1);
  static const char kLine[] = "libc_checks: write(1) reaches the console\n";
  LIBC_EXPECT_EQ(write(1, kLine, sizeof(kLine) - 1), sizeof(kLine) - 1);
  LIBC_EXPECT_EQ(printf("libc_checks: printf reaches the console: %d\n", 42), 44);
  LIBC_EXPECT_EQ(fprintf(stderr, "libc_checks: so does stderr\n"), 28);
  LIBC_EXPECT_EQ(fflush(stdout), 0);
}

// The allocator behind malloc (ebbrt/native/mem): allocations work, are distinct and
// writable; impossible requests fail cleanly with ENOMEM.
void LibcCheckMalloc(void) {
  char* a = malloc(16);
  char* b = malloc(16);
  LIBC_EXPECT_TRUE(a != NULL && b != NULL && a != b);
  memset(a, 'a', 16);
  memset(b, 'b', 16);
  LIBC_EXPECT_EQ(a[15], 'a');
  free(a);
  free(b);
  errno = 0;
  LIBC_EXPECT_TRUE(calloc(SIZE_MAX, 2) == NULL);  // Overflow: refused before asking.
  LIBC_EXPECT_EQ(errno, ENOMEM);
  int* zeros = calloc(1000, sizeof(int));
  LIBC_EXPECT_TRUE(zeros != NULL && zeros[0] == 0 && zeros[999] == 0);
  free(zeros);
  char* grown = realloc(NULL, 8);
  LIBC_EXPECT_TRUE(grown != NULL);
  memcpy(grown, "1234567", 8);
  grown = realloc(grown, 100000);  // From a slab to whole pages: contents move along.
  LIBC_EXPECT_TRUE(grown != NULL && strcmp(grown, "1234567") == 0);
  free(grown);
  free(NULL);
  void* p = NULL;
  LIBC_EXPECT_EQ(posix_memalign(&p, 3, 8), EINVAL);
  LIBC_EXPECT_EQ(posix_memalign(&p, 4096, 8), 0);
  LIBC_EXPECT_TRUE(p != NULL && ((uintptr_t)p & 4095) == 0);
  free(p);
  errno = 0;
  LIBC_EXPECT_TRUE(malloc((size_t)1 << 40) == NULL);  // More than the machine has.
  LIBC_EXPECT_EQ(errno, ENOMEM);
  char* copy = strdup("copy");
  LIBC_EXPECT_TRUE(copy != NULL && strcmp(copy, "copy") == 0);
  free(copy);
}

void LibcCheckTime(void) {
  const time_t billennium = 1000000000;
  struct tm tm;
  LIBC_EXPECT_TRUE(gmtime_r(&billennium, &tm) == &tm);
  LIBC_EXPECT_EQ(tm.tm_year, 101);
  LIBC_EXPECT_EQ(tm.tm_mon, 8);
  LIBC_EXPECT_EQ(tm.tm_mday, 9);
  LIBC_EXPECT_EQ(tm.tm_hour, 1);
  LIBC_EXPECT_EQ(tm.tm_min, 46);
  LIBC_EXPECT_EQ(tm.tm_sec, 40);
  LIBC_EXPECT_EQ(tm.tm_wday, 0);
  char buf[32];
  LIBC_EXPECT_EQ(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm), 19);
  LIBC_EXPECT_STREQ(buf, "2001-09-09 01:46:40");
  // TZ is unset, so local time is UTC and mktime inverts gmtime.
  LIBC_EXPECT_TRUE(mktime(&tm) == billennium);
}
