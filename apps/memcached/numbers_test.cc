// SPDX-License-Identifier: Apache-2.0
// memcached's number parsing: each case checked against memcached 1.6.18's behaviour.
#include "apps/memcached/numbers.h"

#include <string.h>

#include "gtest/gtest.h"

namespace memcached {
namespace {

TEST(NumbersTest, ParseU64) {
  uint64_t v = 0;
  EXPECT_TRUE(ParseU64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_FALSE(ParseU64("18446744073709551616", &v));  // ERANGE
  EXPECT_FALSE(ParseU64("", &v));
  EXPECT_FALSE(ParseU64("abc", &v));
  EXPECT_FALSE(ParseU64("12abc", &v));
  EXPECT_FALSE(ParseU64("-1", &v));  // wraps to >= 2^63 and has a '-'
  EXPECT_TRUE(ParseU64("-0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU64("+7", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(ParseU64("\t 42", &v));  // strtoull skips leading whitespace
  EXPECT_EQ(v, 42u);
  EXPECT_TRUE(ParseU64("42\tjunk", &v));  // whitespace ends the number
  EXPECT_EQ(v, 42u);
  // strtoull negates: -(2^63+1) is 2^63-1, positive as signed, so it is accepted.
  EXPECT_TRUE(ParseU64("-9223372036854775809", &v));
  EXPECT_EQ(v, 9223372036854775807u);
}

TEST(NumbersTest, ParseU32TruncatesLikeMemcached) {
  uint32_t v = 1;
  EXPECT_TRUE(ParseU32("4294967296", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseU32("4294967297", &v));
  EXPECT_EQ(v, 1u);
  EXPECT_FALSE(ParseU32("-1", &v));
  EXPECT_FALSE(ParseU32("x", &v));
}

TEST(NumbersTest, ParseI32) {
  int32_t v = 0;
  EXPECT_TRUE(ParseI32("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_TRUE(ParseI32("2592000", &v));
  EXPECT_EQ(v, 2592000);
  EXPECT_TRUE(ParseI32("4294967297", &v));  // strtol then truncation
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(ParseI32("-9223372036854775808", &v));
  EXPECT_FALSE(ParseI32("9223372036854775808", &v));  // ERANGE
  EXPECT_FALSE(ParseI32("-9223372036854775809", &v));
  EXPECT_FALSE(ParseI32("", &v));
  EXPECT_FALSE(ParseI32("1x", &v));
}

bool Stored(const char* text, uint64_t* out) {
  return ParseStoredNumber(reinterpret_cast<const uint8_t*>(text), strlen(text), out);
}

TEST(NumbersTest, ParseStoredNumber) {
  uint64_t v = 0;
  EXPECT_TRUE(Stored("10", &v));
  EXPECT_EQ(v, 10u);
  EXPECT_TRUE(Stored("12 a", &v));  // memcached: 13 after incr 1
  EXPECT_EQ(v, 12u);
  EXPECT_TRUE(Stored("9 ", &v));  // memcached's own space-padded values
  EXPECT_EQ(v, 9u);
  EXPECT_TRUE(Stored("-0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_FALSE(Stored("", &v));
  EXPECT_FALSE(Stored("abc", &v));
  EXPECT_FALSE(Stored("12ab", &v));
  EXPECT_FALSE(Stored(" -5", &v));
  EXPECT_FALSE(Stored("18446744073709551616", &v));
  EXPECT_TRUE(Stored("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(NumbersTest, FormatU64) {
  char text[20];
  EXPECT_EQ(std::string(text, FormatU64(0, text)), "0");
  EXPECT_EQ(std::string(text, FormatU64(UINT64_MAX, text)), "18446744073709551615");
  EXPECT_EQ(std::string(text, FormatU64(100, text)), "100");
}

}  // namespace
}  // namespace memcached
