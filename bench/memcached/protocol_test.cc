// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/protocol.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mcbench {
namespace {

std::string Encoded(const std::vector<char>& v) { return std::string(v.begin(), v.end()); }

Reply Parse(Protocol p, const std::string& bytes, const Expected& e) {
  return ParseReply(p, bytes.data(), bytes.size(), e);
}

const Expected kGet{Op::kGet, "key1", "hello", 7};
const Expected kSet{Op::kSet, "key1", "hello", 7};

TEST(AsciiTest, EncodesRequests) {
  std::vector<char> out;
  AppendGet(Protocol::kAscii, "key1", 0, &out);
  AppendSet(Protocol::kAscii, "key1", "hello", 0, &out);
  EXPECT_EQ(Encoded(out), "get key1\r\nset key1 0 0 5\r\nhello\r\n");
}

TEST(AsciiTest, Hit) {
  std::string r = "VALUE key1 0 5\r\nhello\r\nEND\r\nSTORED\r\n";
  Reply reply = Parse(Protocol::kAscii, r, kGet);
  EXPECT_EQ(reply.outcome, Outcome::kHit);
  EXPECT_EQ(reply.consumed, r.size() - 8);
  // With a CAS field (gets-style reply) too.
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 3 5 99\r\nhello\r\nEND\r\n", kGet).outcome,
            Outcome::kHit);
}

TEST(AsciiTest, EveryPrefixOfAReplyNeedsMore) {
  std::string r = "VALUE key1 0 5\r\nhello\r\nEND\r\n";
  for (size_t n = 0; n < r.size(); ++n) {
    Reply reply = Parse(Protocol::kAscii, r.substr(0, n), kGet);
    EXPECT_EQ(reply.outcome, Outcome::kNeedMore) << n;
    EXPECT_EQ(reply.consumed, 0u);
  }
}

TEST(AsciiTest, MissAndStored) {
  EXPECT_EQ(Parse(Protocol::kAscii, "END\r\n", kGet).outcome, Outcome::kMiss);
  EXPECT_EQ(Parse(Protocol::kAscii, "STORED\r\n", kSet).outcome, Outcome::kStored);
  EXPECT_EQ(Parse(Protocol::kAscii, "STORED\r\n", kSet).consumed, 8u);
}

TEST(AsciiTest, WrongValuesAreNotHits) {
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 5\r\nhellO\r\nEND\r\n", kGet).outcome,
            Outcome::kBadValue);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 4\r\nhell\r\nEND\r\n", kGet).outcome,
            Outcome::kBadValue);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key2 0 5\r\nhello\r\nEND\r\n", kGet).outcome,
            Outcome::kBadValue);
  // Well framed: the bad value is consumed and the stream continues.
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 4\r\nhell\r\nEND\r\n", kGet).consumed, 27u);
}

TEST(AsciiTest, ServerErrorsKeepTheStreamInStep) {
  Reply r = Parse(Protocol::kAscii, "SERVER_ERROR out of memory storing object\r\n", kSet);
  EXPECT_EQ(r.outcome, Outcome::kServerError);
  EXPECT_EQ(r.consumed, 43u);
  EXPECT_NE(r.detail.find("out of memory"), std::string::npos);
  EXPECT_EQ(Parse(Protocol::kAscii, "ERROR\r\n", kGet).outcome, Outcome::kServerError);
  EXPECT_EQ(Parse(Protocol::kAscii, "CLIENT_ERROR bad data chunk\r\n", kSet).outcome,
            Outcome::kServerError);
  EXPECT_EQ(Parse(Protocol::kAscii, "NOT_STORED\r\n", kSet).outcome, Outcome::kServerError);
}

TEST(AsciiTest, GarbageIsAProtocolError) {
  EXPECT_EQ(Parse(Protocol::kAscii, "STORED\r\n", kGet).outcome, Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "END\r\n", kSet).outcome, Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "HELLO\r\n", kGet).outcome, Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "END\n", kGet).outcome, Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 x\r\n", kGet).outcome, Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 5\r\nhelloXXEND\r\n", kGet).outcome,
            Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 5\r\nhello\r\nVALUE\r\n", kGet).outcome,
            Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, std::string(kMaxReplyLine, 'x'), kGet).outcome,
            Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kAscii, "VALUE key1 0 99999999999\r\n", kGet).outcome,
            Outcome::kProtocolError);
}

std::string BinaryReply(uint8_t opcode, uint16_t status, uint32_t opaque, const std::string& extras,
                        const std::string& value) {
  std::string h(24, '\0');
  h[0] = static_cast<char>(0x81);
  h[1] = static_cast<char>(opcode);
  h[4] = static_cast<char>(extras.size());
  h[6] = static_cast<char>(status >> 8);
  h[7] = static_cast<char>(status);
  uint32_t body = static_cast<uint32_t>(extras.size() + value.size());
  for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<char>(body >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) h[12 + i] = static_cast<char>(opaque >> (24 - 8 * i));
  return h + extras + value;
}

TEST(BinaryTest, EncodesRequests) {
  std::vector<char> out;
  AppendGet(Protocol::kBinary, "key1", 0x01020304, &out);
  std::string get = Encoded(out);
  ASSERT_EQ(get.size(), 28u);
  EXPECT_EQ(static_cast<uint8_t>(get[0]), 0x80);
  EXPECT_EQ(get[1], 0x00);
  EXPECT_EQ(get[3], 4);   // key length
  EXPECT_EQ(get[11], 4);  // body length
  EXPECT_EQ(get[12], 1);  // opaque, big endian
  EXPECT_EQ(get[15], 4);
  EXPECT_EQ(get.substr(24), "key1");
  out.clear();
  AppendSet(Protocol::kBinary, "key1", "hello", 9, &out);
  std::string set = Encoded(out);
  ASSERT_EQ(set.size(), 24u + 8 + 4 + 5);
  EXPECT_EQ(set[1], 0x01);
  EXPECT_EQ(set[4], 8);    // extras: flags + expiration
  EXPECT_EQ(set[11], 17);  // body = 8 + 4 + 5
  EXPECT_EQ(set.substr(24 + 8), "key1hello");
}

TEST(BinaryTest, Replies) {
  std::string hit = BinaryReply(0x00, 0, 7, std::string(4, '\0'), "hello");
  EXPECT_EQ(Parse(Protocol::kBinary, hit, kGet).outcome, Outcome::kHit);
  EXPECT_EQ(Parse(Protocol::kBinary, hit, kGet).consumed, hit.size());
  for (size_t n = 0; n < hit.size(); ++n) {
    EXPECT_EQ(Parse(Protocol::kBinary, hit.substr(0, n), kGet).outcome, Outcome::kNeedMore) << n;
  }
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x00, 1, 7, "", "Not found"), kGet).outcome,
            Outcome::kMiss);
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x01, 0, 7, "", ""), kSet).outcome,
            Outcome::kStored);
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x01, 0x82, 7, "", "Out of memory"), kSet).outcome,
            Outcome::kServerError);
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x00, 0, 7, std::string(4, '\0'), "hellO"), kGet)
                .outcome,
            Outcome::kBadValue);
  // Out of step (wrong opaque or opcode) and bad magic are protocol errors.
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x00, 0, 8, std::string(4, '\0'), "hello"), kGet)
                .outcome,
            Outcome::kProtocolError);
  EXPECT_EQ(Parse(Protocol::kBinary, BinaryReply(0x01, 0, 7, "", ""), kGet).outcome,
            Outcome::kProtocolError);
  std::string bad = hit;
  bad[0] = 0x80;
  EXPECT_EQ(Parse(Protocol::kBinary, bad, kGet).outcome, Outcome::kProtocolError);
}

}  // namespace
}  // namespace mcbench
