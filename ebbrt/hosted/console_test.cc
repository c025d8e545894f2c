// SPDX-License-Identifier: Apache-2.0
// The hosted console writes every byte it is given to standard output, in order.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "ebbrt/base/console.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// Runs `write_fn` with stdout redirected into a pipe and returns what it wrote.
template <typename Fn>
std::string CaptureStdout(Fn write_fn) {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  int saved = dup(STDOUT_FILENO);
  EXPECT_GE(saved, 0);
  EXPECT_EQ(dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
  write_fn();
  EXPECT_EQ(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
  close(saved);
  close(fds[1]);
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) {
    out.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  return out;
}

TEST(HostedConsoleTest, PrintWritesTheWholeString) {
  EXPECT_EQ(CaptureStdout([] { ConsolePrint("hello, console\n"); }), "hello, console\n");
}

TEST(HostedConsoleTest, WriteCopiesEmbeddedNulsAndExactLength) {
  const char data[] = {'a', '\0', 'b', 'c'};
  EXPECT_EQ(CaptureStdout([&] { ConsoleWrite(data, 3); }), std::string("a\0b", 3));
}

TEST(HostedConsoleTest, EmptyPrintWritesNothing) {
  EXPECT_EQ(CaptureStdout([] { ConsolePrint(""); }), "");
}

TEST(HostedConsoleTest, LargeWriteIsNotTruncated) {
  // Larger than a pipe's default 64 KiB buffer would block; stay under it but well past
  // any single small-write fast path.
  std::string big(60000, 'x');
  EXPECT_EQ(CaptureStdout([&] { ConsoleWrite(big.data(), big.size()); }), big);
}

}  // namespace
}  // namespace ebbrt
