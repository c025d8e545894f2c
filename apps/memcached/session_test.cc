// SPDX-License-Identifier: Apache-2.0
// Session framing: protocol detection, requests split anywhere (down to one byte per
// Receive), many pipelined requests per Receive answered with one Send, multi-link
// chains, zero-copy GET replies, connection counting.
#include "apps/memcached/session.h"

#include <string>

#include "apps/memcached/binary_protocol.h"
#include "apps/memcached/test_util.h"
#include "gtest/gtest.h"

namespace memcached {
namespace {

using testing::BinRequest;
using testing::Client;
using testing::ParseResponses;
using ebbrt::testing_internal::InFreshRun;
using testing::SetExtras;

const std::string kAsciiScript =
    "set a 1 0 5\r\nhello\r\n"
    "get a b\r\n"
    "append a 0 0 1\r\n!\r\n"
    "incr a 1\r\n"
    "set n 0 0 2\r\n41\r\nincr n 1\r\n"
    "bogus\r\n"
    "set big 0 0 3000\r\n" + std::string(3000, 'z') + "\r\n"
    "set bad 0 0 1\r\nxx\r\n"
    "delete a\r\n"
    "get a n\r\n";

std::string BinaryScript() {
  using namespace binary;  // NOLINT
  return BinRequest{kSet, "a", SetExtras(1, 0), "hello", 1}.Encode() +
         BinRequest{kGetQ, "nokey", "", "", 2}.Encode() +
         BinRequest{kGetK, "a", "", "", 3}.Encode() +
         BinRequest{kAppend, "a", "", std::string(3000, 'z'), 4}.Encode() +
         BinRequest{kIncrement, "c", testing::DeltaExtras(1, 7, 0), "", 5}.Encode() +
         BinRequest{0x42, "", "", "skipped", 6}.Encode() +
         BinRequest{kDelete, "a", "", "", 7}.Encode() +
         BinRequest{kGet, "a", "", "", 8}.Encode() + BinRequest{kNoop, "", "", "", 9}.Encode();
}

// The same bytes, whole, chained, and one byte at a time, must give the same replies.
void ExpectSplitInvariant(const std::string& script) {
  std::string whole, chained, bytewise;
  InFreshRun(1, [&] {
    ItemStore store;
    Client c(store);
    whole = c.Send(script);
    EXPECT_EQ(c.sink.sends, 1);  // every reply of one Receive in one Send
  });
  InFreshRun(1, [&] {
    ItemStore store;
    Client c(store);
    chained = c.SendChained(script, 7);
  });
  InFreshRun(1, [&] {
    ItemStore store;
    Client c(store);
    bytewise = c.SendBytewise(script);
  });
  EXPECT_FALSE(whole.empty());
  EXPECT_EQ(chained, whole);
  EXPECT_EQ(bytewise, whole);
}

TEST(SessionTest, AsciiSplitAnywhere) {
  ExpectSplitInvariant(kAsciiScript);
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);
    EXPECT_EQ(c.Send(kAsciiScript),
              "STORED\r\n"
              "VALUE a 1 5\r\nhello\r\nEND\r\n"
              "STORED\r\n"
              "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
              "STORED\r\n42\r\n"
              "ERROR\r\n"
              "STORED\r\n"
              "CLIENT_ERROR bad data chunk\r\nERROR\r\n"  // "xx\r" read, then "\n"
              "DELETED\r\n"
              "VALUE n 0 2\r\n42\r\nEND\r\n");
  });
}

TEST(SessionTest, BinarySplitAnywhere) {
  ExpectSplitInvariant(BinaryScript());
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);
    auto r = ParseResponses(c.Send(BinaryScript()));
    ASSERT_EQ(r.size(), 8u);  // the GetQ miss is silent
    EXPECT_EQ(r[0].opaque, 1u);
    EXPECT_EQ(r[1].opaque, 3u);
    EXPECT_EQ(r[1].value, "hello");
    EXPECT_EQ(r[2].opaque, 4u);
    EXPECT_EQ(r[3].opaque, 5u);
    EXPECT_EQ(r[4].opaque, 6u);
    EXPECT_EQ(r[4].status, binary::kUnknownCommand);
    EXPECT_EQ(r[5].opaque, 7u);
    EXPECT_EQ(r[6].status, binary::kKeyNotFound);
    EXPECT_EQ(r[7].opaque, 9u);
  });
}

TEST(SessionTest, ManyPipelinedRequestsInOneReceive) {
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);
    std::string script;
    std::string expected;
    for (int i = 0; i < 1000; ++i) {
      std::string key = "key" + std::to_string(i);
      script += "set " + key + " 0 0 " + std::to_string(key.size()) + "\r\n" + key + "\r\n";
      script += "get " + key + "\r\n";
      expected += "STORED\r\nVALUE " + key + " 0 " + std::to_string(key.size()) + "\r\n" + key +
                  "\r\nEND\r\n";
    }
    EXPECT_EQ(c.Send(script), expected);
    EXPECT_EQ(c.sink.sends, 1);
  });
}

// The reply chain must contain a SharedIOBuf link showing the stored bytes themselves.
bool ChainReferences(const ebbrt::IOBuf& chain, const uint8_t* stored, size_t length) {
  for (const ebbrt::IOBuf& link : chain) {
    if (ebbrt::SharedIOBuf::IsShared(link) && link.data() == stored && link.length() == length) {
      return true;
    }
  }
  return false;
}

TEST(SessionTest, GetRepliesAreZeroCopy) {
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);
    c.Send("set a 0 0 11\r\nhello world\r\n");
    memcached::GetResult hit;
    ASSERT_TRUE(store.Get("a", &hit));
    const uint8_t* stored = hit.value->data();
    c.sink.chains.clear();

    EXPECT_EQ(c.Send("get a\r\n"), "VALUE a 0 11\r\nhello world\r\nEND\r\n");
    ASSERT_EQ(c.sink.chains.size(), 1u);
    EXPECT_TRUE(ChainReferences(*c.sink.chains[0], stored, 11));

  });
  InFreshRun(1, [] {
    ItemStore store;
    Client ascii(store);
    ascii.Send("set a 0 0 11\r\nhello world\r\n");
    memcached::GetResult hit;
    ASSERT_TRUE(store.Get("a", &hit));
    const uint8_t* stored = hit.value->data();
    Client bin(store);  // a binary connection to the same store
    auto r = ParseResponses(bin.Send(BinRequest{binary::kGet, "a"}.Encode()));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].value, "hello world");
    ASSERT_EQ(bin.sink.chains.size(), 1u);
    EXPECT_TRUE(ChainReferences(*bin.sink.chains[0], stored, 11));
    // The clone keeps the bytes when the item is overwritten meanwhile.
    ascii.Send("set a 0 0 3\r\nnew\r\n");
    EXPECT_EQ(testing::ChainText(*bin.sink.chains[0]).substr(28), "hello world");
  });
}

TEST(SessionTest, ProtocolIsChosenByTheFirstByte) {
  InFreshRun(1, [] {
    ItemStore store;
    Client ascii(store);
    EXPECT_EQ(ascii.Send("version\r\n").substr(0, 8), "VERSION ");
    // An ASCII connection reads a binary request as (bad) text: Noop's opcode is '\n',
    // so "\x80" is one line and the rest (cut at its first NUL) another.
    std::string reply = ascii.Send(BinRequest{binary::kNoop}.Encode() + "\r\nversion\r\n");
    EXPECT_EQ(reply.substr(0, 22), "ERROR\r\nERROR\r\nVERSION ");
    Client bin(store);
    // A binary connection given text after its first request: bad magic, closed.
    auto r = ParseResponses(
        bin.Send(BinRequest{binary::kNoop}.Encode() + "version\r\nversion\r\nversion\r\n"));
    EXPECT_EQ(r.size(), 1u);
    EXPECT_TRUE(bin.sink.closed);
  });
}

TEST(SessionTest, ConnectionStatsComeFromTheServer) {
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);  // a Session does not count itself...
    store.ConnectionOpened();  // ...the server's connection does
    EXPECT_NE(c.Send("stats\r\n").find("STAT curr_connections 1\r\n"), std::string::npos);
    store.ConnectionClosed();
    EXPECT_NE(c.Send("stats\r\n").find("STAT total_connections 1\r\n"), std::string::npos);
  });
}

TEST(SessionTest, EmptyAndNullReceives) {
  InFreshRun(1, [] {
    ItemStore store;
    Client c(store);
    c.session.Receive(nullptr);
    c.session.Receive(ebbrt::UniqueIOBuf::Create(0));
    EXPECT_EQ(c.sink.sends, 0);
    EXPECT_EQ(c.Send("version\r\n").substr(0, 8), "VERSION ");
  });
}

}  // namespace
}  // namespace memcached
