// SPDX-License-Identifier: Apache-2.0
// IOBuf bounds checks stop the program (hosted only: death tests fork, which a native
// image cannot; tests/native checks that a failed CHECK stops the machine).
#include <string.h>

#include "ebbrt/iobuf/iobuf.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(IOBufDeathTest, ViewBoundsAreChecked) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto buf = UniqueIOBuf::Create(10, 2);
  buf->Append(5);
  EXPECT_DEATH(buf->Advance(6), "Advance past the end");
  EXPECT_DEATH(buf->Retreat(3), "Retreat past the start");
  EXPECT_DEATH(buf->Append(4), "Append past the end");
  EXPECT_DEATH(buf->TrimEnd(6), "TrimEnd past the start");
}

TEST(IOBufDeathTest, SplitPastTheEndIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto head = UniqueIOBuf::CopyOf("abc", 3);
  EXPECT_DEATH(IOBuf::SplitAt(*head, 4), "past the end");
}

void NoRelease(SharedIOBuf::Storage&) {}

TEST(IOBufDeathTest, WrappingStorageInUseOrWithoutOwnerIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  static uint8_t bytes[16];
  static SharedIOBuf::Storage orphan;  // no release: nobody would get the bytes back
  EXPECT_DEATH(SharedIOBuf::Wrap(orphan, bytes, sizeof(bytes), 0, 0), "without a release");
  static SharedIOBuf::Storage storage;
  storage.release = &NoRelease;
  auto first = SharedIOBuf::Wrap(storage, bytes, sizeof(bytes), 0, 4);
  EXPECT_DEATH(SharedIOBuf::Wrap(storage, bytes, sizeof(bytes), 0, 4), "still in use");
  static SharedIOBuf::Storage idle;
  idle.release = &NoRelease;
  EXPECT_DEATH(SharedIOBuf::Wrap(idle, bytes, sizeof(bytes), 8, 9), "view outside the buffer");
}

}  // namespace
}  // namespace ebbrt
