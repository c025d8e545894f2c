// The native C library (newlib + EbbRT's glue) checked from C: this file is compiled as
// C by the native toolchain, so it also proves that C code sees newlib's headers with no
// dependency declared. libc_test.cc's AppMain runs it.
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

#include "tests/native_libc/check.h"

int RunLibcChecks(void);

static void TestSnprintf(void) {
  char buf[80];
  EXPECT_EQ(snprintf(buf, sizeof(buf), "%d %i %u", -42, 7, 4000000000u), 16);
  EXPECT_STREQ(buf, "-42 7 4000000000");
  snprintf(buf, sizeof(buf), "[%s|%5s|%-5s|%.2s]", "abc", "ab", "ab", "xyz");
  EXPECT_STREQ(buf, "[abc|   ab|ab   |xy]");
  snprintf(buf, sizeof(buf), "%x %X %#x %08x", 255, 255, 255, 0xbeef);
  EXPECT_STREQ(buf, "ff FF 0xff 0000beef");
  snprintf(buf, sizeof(buf), "%zu %zd %zx", (size_t)123456789012, (ptrdiff_t)-5,
           (size_t)0xabc);
  EXPECT_STREQ(buf, "123456789012 -5 abc");
  snprintf(buf, sizeof(buf), "%lld %llu %llx", LLONG_MIN, ULLONG_MAX,
           0x123456789abcdefULL);
  EXPECT_STREQ(buf, "-9223372036854775808 18446744073709551615 123456789abcdef");
  snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRId32 " %" PRIx16, UINT64_MAX, INT32_MIN,
           (uint16_t)0xbeef);
  EXPECT_STREQ(buf, "18446744073709551615 -2147483648 beef");
  snprintf(buf, sizeof(buf), "%c%c%% %p %+d %5d|%-4d|", 'o', 'k', (void*)0x1000, 5, 42,
           7);
  EXPECT_STREQ(buf, "ok% 0x1000 +5    42|7   |");
  // Truncation: the return value is the length that would have been written.
  EXPECT_EQ(snprintf(buf, 5, "%s", "hello world"), 11);
  EXPECT_STREQ(buf, "hell");
  EXPECT_EQ(snprintf(NULL, 0, "%d", 12345), 5);
  EXPECT_EQ(sprintf(buf, "%s-%d", "sprintf", 2), 9);
  EXPECT_STREQ(buf, "sprintf-2");
  // Floating-point conversions are compiled out until malloc works (NO_FLOATING_POINT in
  // third_party/newlib/BUILD.newlib): newlib prints the conversion letter itself. This
  // check pins that, so enabling them must update it.
  snprintf(buf, sizeof(buf), "%d %f %d", 1, 2.5, 3);
  EXPECT_STREQ(buf, "1 f 3");
  // sscanf from a string (integer conversions only).
  int a = 0;
  unsigned b = 0;
  char word[16];
  EXPECT_EQ(sscanf("17 0x1f word", "%d %x %15s", &a, &b, word), 3);
  EXPECT_EQ(a, 17);
  EXPECT_EQ(b, 0x1f);
  EXPECT_STREQ(word, "word");
}

static void TestStrtol(void) {
  char* end = NULL;
  EXPECT_EQ(strtol("  -1234xyz", &end, 10), -1234);
  EXPECT_STREQ(end, "xyz");
  EXPECT_EQ(strtol("0x7f", NULL, 16), 127);
  EXPECT_EQ(strtol("0x7f", NULL, 0), 127);
  EXPECT_EQ(strtol("0755", NULL, 0), 493);
  EXPECT_EQ(strtol("zz", NULL, 36), 1295);
  errno = 0;
  EXPECT_EQ(strtol("99999999999999999999", NULL, 10), LONG_MAX);
  EXPECT_EQ(errno, ERANGE);
  EXPECT_EQ(strtoul("4294967295", NULL, 10), 4294967295UL);
  EXPECT_TRUE(strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
  EXPECT_EQ(atoi("42"), 42);
  EXPECT_EQ(atol("-7"), -7);
  EXPECT_EQ(labs(-5L), 5);
  div_t d = div(17, 5);
  EXPECT_EQ(d.quot, 3);
  EXPECT_EQ(d.rem, 2);
}

static int CompareInts(const void* lhs, const void* rhs) {
  const int a = *(const int*)lhs;
  const int b = *(const int*)rhs;
  return (a > b) - (a < b);
}

static void TestQsortBsearch(void) {
  int values[] = {5, -3, 9, 0, 42, 7, -3};
  const size_t n = sizeof(values) / sizeof(values[0]);
  qsort(values, n, sizeof(values[0]), CompareInts);
  const int sorted[] = {-3, -3, 0, 5, 7, 9, 42};
  EXPECT_TRUE(memcmp(values, sorted, sizeof(sorted)) == 0);
  const int key = 9;
  const int* found = (const int*)bsearch(&key, values, n, sizeof(values[0]), CompareInts);
  EXPECT_TRUE(found == &values[5]);
  const int missing = 8;
  EXPECT_TRUE(bsearch(&missing, values, n, sizeof(values[0]), CompareInts) == NULL);
}

// Large enough for the non-temporal loops of newlib's memcpy.S and memset.S (>= 256).
static unsigned char big_src[4096 + 7];
static unsigned char big_dst[4096 + 7];

static void TestMemoryAndStrings(void) {
  char forward[16] = "abcdefghij";
  memmove(forward + 2, forward, 8);  // Overlap, destination above the source.
  EXPECT_STREQ(forward, "ababcdefgh");
  char backward[16] = "abcdefghij";
  memmove(backward, backward + 3, 7);  // Overlap, destination below the source.
  EXPECT_STREQ(backward, "defghijhij");

  for (size_t i = 0; i < sizeof(big_src); ++i) big_src[i] = (unsigned char)(i * 7 + 1);
  // Unaligned destination and an odd length: the head, bulk and tail paths.
  memcpy(big_dst + 3, big_src + 1, 4096 + 1);
  EXPECT_TRUE(memcmp(big_dst + 3, big_src + 1, 4096 + 1) == 0);
  memset(big_dst + 1, 0xa5, 4096 + 3);
  int all_set = 1;
  for (size_t i = 1; i < 4096 + 4; ++i) all_set &= big_dst[i] == 0xa5;
  EXPECT_TRUE(all_set);
  EXPECT_EQ(big_dst[0], 0);
  // Overlapping memmove larger than a page.
  memmove(big_src + 5, big_src, 4096);
  EXPECT_EQ(big_src[5 + 4095], (unsigned char)(4095 * 7 + 1));
  EXPECT_TRUE(memcmp("abc", "abd", 3) < 0);

  char buf[32];
  EXPECT_EQ(strlen("native"), 6);
  EXPECT_TRUE(strcmp("abc", "abd") < 0);
  EXPECT_EQ(strncmp("abcdef", "abcxyz", 3), 0);
  strcpy(buf, "foo");
  strcat(buf, "bar");
  EXPECT_STREQ(buf, "foobar");
  EXPECT_STREQ(strchr(buf, 'b'), "bar");
  EXPECT_STREQ(strrchr("a/b/c", '/'), "/c");
  EXPECT_STREQ(strstr("needle in haystack", "hay"), "haystack");
  EXPECT_EQ(strspn("123abc", "0123456789"), 3);
  char tokens[] = "a,b,,c";
  char* save = NULL;
  EXPECT_STREQ(strtok_r(tokens, ",", &save), "a");
  EXPECT_STREQ(strtok_r(NULL, ",", &save), "b");
  EXPECT_STREQ(strtok_r(NULL, ",", &save), "c");
  EXPECT_TRUE(strtok_r(NULL, ",", &save) == NULL);
  EXPECT_STREQ(strerror(ENOSYS), "Function not implemented");
  EXPECT_EQ(strlcpy(buf, "truncated copy", 6), 14);
  EXPECT_STREQ(buf, "trunc");
}

static void TestCtype(void) {
  EXPECT_TRUE(isdigit('7'));
  EXPECT_TRUE(!isdigit('x'));
  EXPECT_TRUE(isspace('\t'));
  EXPECT_TRUE(isxdigit('F'));
  EXPECT_TRUE(isalpha('q'));
  EXPECT_TRUE(!isprint('\n'));
  EXPECT_EQ(toupper('a'), 'A');
  EXPECT_EQ(tolower('Z'), 'z');
}

// Unimplemented system calls fail with ENOSYS (and log "[ebbrt] unimplemented syscall:
// <name>", which the runner's log shows but cannot check).
static void TestSyscalls(void) {
  errno = 0;
  EXPECT_EQ(open("/etc/passwd", O_RDONLY), -1);
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_EQ(getpid(), -1);
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_EQ(write(5, "x", 1), -1);
  EXPECT_EQ(errno, ENOSYS);
  errno = 0;
  EXPECT_TRUE(sbrk(4096) == (void*)-1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(isatty(1), 1);
  EXPECT_EQ(isatty(2), 1);
  static const char kLine[] = "libc_checks: write(1) reaches the console\n";
  EXPECT_EQ(write(1, kLine, sizeof(kLine) - 1), sizeof(kLine) - 1);
  EXPECT_EQ(printf("libc_checks: printf reaches the console: %d\n", 42), 44);
  EXPECT_EQ(fprintf(stderr, "libc_checks: so does stderr\n"), 28);
  EXPECT_EQ(fflush(stdout), 0);
}

// The allocator behind malloc (ebbrt/native/mem): allocations work, are distinct and
// writable; impossible requests fail cleanly with ENOMEM.
static void TestMalloc(void) {
  char* a = malloc(16);
  char* b = malloc(16);
  EXPECT_TRUE(a != NULL && b != NULL && a != b);
  memset(a, 'a', 16);
  memset(b, 'b', 16);
  EXPECT_EQ(a[15], 'a');
  free(a);
  free(b);
  errno = 0;
  EXPECT_TRUE(calloc(SIZE_MAX, 2) == NULL);  // Overflow: refused before asking.
  EXPECT_EQ(errno, ENOMEM);
  int* zeros = calloc(1000, sizeof(int));
  EXPECT_TRUE(zeros != NULL && zeros[0] == 0 && zeros[999] == 0);
  free(zeros);
  char* grown = realloc(NULL, 8);
  EXPECT_TRUE(grown != NULL);
  memcpy(grown, "1234567", 8);
  grown = realloc(grown, 100000);  // From a slab to whole pages: contents move along.
  EXPECT_TRUE(grown != NULL && strcmp(grown, "1234567") == 0);
  free(grown);
  free(NULL);
  void* p = NULL;
  EXPECT_EQ(posix_memalign(&p, 3, 8), EINVAL);
  EXPECT_EQ(posix_memalign(&p, 4096, 8), 0);
  EXPECT_TRUE(p != NULL && ((uintptr_t)p & 4095) == 0);
  free(p);
  errno = 0;
  EXPECT_TRUE(malloc((size_t)1 << 40) == NULL);  // More than the machine has.
  EXPECT_EQ(errno, ENOMEM);
  char* copy = strdup("copy");
  EXPECT_TRUE(copy != NULL && strcmp(copy, "copy") == 0);
  free(copy);
}

static void TestTime(void) {
  const time_t billennium = 1000000000;
  struct tm tm;
  EXPECT_TRUE(gmtime_r(&billennium, &tm) == &tm);
  EXPECT_EQ(tm.tm_year, 101);
  EXPECT_EQ(tm.tm_mon, 8);
  EXPECT_EQ(tm.tm_mday, 9);
  EXPECT_EQ(tm.tm_hour, 1);
  EXPECT_EQ(tm.tm_min, 46);
  EXPECT_EQ(tm.tm_sec, 40);
  EXPECT_EQ(tm.tm_wday, 0);
  char buf[32];
  EXPECT_EQ(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm), 19);
  EXPECT_STREQ(buf, "2001-09-09 01:46:40");
  // TZ is unset, so local time is UTC and mktime inverts gmtime.
  EXPECT_TRUE(mktime(&tm) == billennium);
}

int RunLibcChecks(void) {
  TestSnprintf();
  TestStrtol();
  TestQsortBsearch();
  TestMemoryAndStrings();
  TestCtype();
  TestSyscalls();
  TestMalloc();
  TestTime();
  return ebbrt_check_failures;
}
