// SPDX-License-Identifier: Apache-2.0
// The binary protocol through a Session: every opcode, quiet variants, statuses, and
// malformed requests. Expected responses follow Debian's memcached 1.6.18.
#include "apps/memcached/binary_protocol.h"

#include <string>
#include <vector>

#include "apps/memcached/session.h"
#include "apps/memcached/stats_text.h"
#include "apps/memcached/test_util.h"
#include "gtest/gtest.h"

namespace memcached {
namespace {

using namespace binary;  // NOLINT: opcodes and statuses
using testing::BinRequest;
using testing::BinResponse;
using testing::Client;
using testing::DeltaExtras;
using testing::fake_now;
using testing::FakeClock;
using testing::LoadBe;
using testing::ParseResponses;
using ebbrt::testing_internal::InFreshRun;
using testing::SetExtras;

template <typename Body>
void WithClient(Body body, StoreConfig config = {}) {
  InFreshRun(1, [&] {
    fake_now = 1'700'000'000;
    config.clock = &FakeClock;
    ItemStore store(config);
    Client client(store);
    body(client, store);
  });
}

std::vector<BinResponse> Exchange(Client& c, const std::string& bytes) {
  return ParseResponses(c.Send(bytes));
}

std::string Set(uint8_t op, std::string key, std::string value, uint32_t flags = 0,
                uint32_t exptime = 0, uint64_t cas = 0, uint32_t opaque = 0) {
  return BinRequest{op, std::move(key), SetExtras(flags, exptime), std::move(value), opaque, cas}
      .Encode();
}
std::string Req(uint8_t op, std::string key = "", std::string extras = "", uint32_t opaque = 0,
                uint64_t cas = 0) {
  return BinRequest{op, std::move(key), std::move(extras), "", opaque, cas}.Encode();
}

TEST(BinaryTest, GetMissAndHit) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Req(kGet, "nokey", "", 7));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].magic, kResponseMagic);
    EXPECT_EQ(r[0].opcode, kGet);
    EXPECT_EQ(r[0].status, kKeyNotFound);
    EXPECT_EQ(r[0].opaque, 7u);
    EXPECT_EQ(r[0].value, "Not found");
    r = Exchange(c, Req(kGetK, "nokey", "", 8));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, kKeyNotFound);
    EXPECT_EQ(r[0].key, "nokey");
    EXPECT_EQ(r[0].value, "");

    r = Exchange(c, Set(kSet, "a", "hello", 5, 0, 0, 3) + Req(kGet, "a", "", 4) + Req(kGetK, "a"));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].opcode, kSet);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(r[0].opaque, 3u);
    EXPECT_NE(r[0].cas, 0u);
    EXPECT_EQ(r[1].status, kSuccess);
    EXPECT_EQ(r[1].opaque, 4u);
    EXPECT_EQ(r[1].cas, r[0].cas);
    EXPECT_EQ(r[1].extras, testing::Be32(5));
    EXPECT_EQ(r[1].key, "");
    EXPECT_EQ(r[1].value, "hello");
    EXPECT_EQ(r[2].key, "a");
    EXPECT_EQ(r[2].value, "hello");
  });
}

TEST(BinaryTest, QuietGetsAnswerHitsOnlyAndNoopFlushes) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Req(kGetQ, "nokey") + Req(kGetKQ, "nokey") + Req(kNoop, "", "", 9));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].opcode, kNoop);
    EXPECT_EQ(r[0].opaque, 9u);
    c.Send(Set(kSet, "a", "v"));
    r = Exchange(c, Req(kGetQ, "a", "", 1) + Req(kGetKQ, "a", "", 2) + Req(kGetQ, "b") +
                        Req(kNoop));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].opcode, kGetQ);
    EXPECT_EQ(r[0].value, "v");
    EXPECT_EQ(r[1].opcode, kGetKQ);
    EXPECT_EQ(r[1].key, "a");
    EXPECT_EQ(r[2].opcode, kNoop);
  });
}

TEST(BinaryTest, QuietUpdatesAnswerErrorsOnly) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Set(kSetQ, "a", "1") + Set(kAddQ, "a", "2") + Set(kReplaceQ, "zz", "3") +
                             BinRequest{kAppendQ, "a", "", "+"}.Encode() +
                             BinRequest{kPrependQ, "a", "", "-"}.Encode() +
                             Req(kDeleteQ, "zz") + Req(kDeleteQ, "a") +
                             Req(kIncrementQ, "zz", DeltaExtras(1, 0, 0xffffffff)) +
                             Req(kFlushQ) + Req(kNoop));
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].opcode, kAddQ);
    EXPECT_EQ(r[0].status, kKeyExists);
    EXPECT_EQ(r[0].value, "Data exists for key.");
    EXPECT_EQ(r[1].opcode, kReplaceQ);
    EXPECT_EQ(r[1].status, kKeyNotFound);
    EXPECT_EQ(r[2].opcode, kDeleteQ);
    EXPECT_EQ(r[2].status, kKeyNotFound);
    EXPECT_EQ(r[3].opcode, kIncrementQ);
    EXPECT_EQ(r[3].status, kKeyNotFound);
    EXPECT_EQ(r[4].opcode, kNoop);
  });
}

TEST(BinaryTest, StoreStatuses) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Set(kAdd, "a", "1") + Set(kAdd, "a", "2") + Set(kReplace, "zz", "3") +
                             BinRequest{kAppend, "zz", "", "x"}.Encode() +
                             BinRequest{kAppend, "a", "", "x"}.Encode() +
                             BinRequest{kPrepend, "a", "", "y"}.Encode() + Req(kGet, "a"));
    ASSERT_EQ(r.size(), 7u);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(r[1].status, kKeyExists);
    EXPECT_EQ(r[2].status, kKeyNotFound);
    EXPECT_EQ(r[3].status, kNotStored);
    EXPECT_EQ(r[3].value, "Not stored.");
    EXPECT_EQ(r[4].status, kSuccess);
    EXPECT_EQ(r[5].status, kSuccess);
    EXPECT_EQ(r[6].value, "y1x");
  });
}

TEST(BinaryTest, CasOnSetAddReplaceAppendDelete) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Set(kSet, "a", "1"));
    uint64_t cas = r[0].cas;
    r = Exchange(c, Set(kSet, "a", "x", 0, 0, cas + 1) + Set(kAdd, "qq", "x", 0, 0, 5) +
                        Set(kReplace, "a", "2", 0, 0, cas));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].status, kKeyExists);
    EXPECT_EQ(r[1].status, kKeyNotFound);  // add with a CAS is a CAS
    EXPECT_EQ(r[2].status, kSuccess);
    uint64_t cas2 = r[2].cas;
    EXPECT_NE(cas2, cas);
    r = Exchange(c, BinRequest{kAppend, "a", "", "x", 0, cas}.Encode() +
                        BinRequest{kAppend, "a", "", "x", 0, cas2}.Encode());
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].status, kKeyExists);
    EXPECT_EQ(r[1].status, kSuccess);
    r = Exchange(c, Req(kDelete, "a", "", 0, 99) + Req(kDelete, "a", "", 0, r[1].cas) +
                        Req(kDelete, "a"));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].status, kKeyExists);
    EXPECT_EQ(r[1].status, kSuccess);
    EXPECT_EQ(r[2].status, kKeyNotFound);
  });
}

TEST(BinaryTest, IncrementDecrement) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Req(kIncrement, "ctr", DeltaExtras(5, 100, 0)) +
                             Req(kIncrement, "ctr", DeltaExtras(5, 100, 0)) +
                             Req(kDecrement, "ctr", DeltaExtras(1000, 0, 0)) +
                             Req(kIncrement, "none", DeltaExtras(5, 100, 0xffffffff)) +
                             Req(kGet, "ctr"));
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(LoadBe(r[0].value), 100u);  // created with the initial value
    EXPECT_NE(r[0].cas, 0u);
    EXPECT_EQ(LoadBe(r[1].value), 105u);
    EXPECT_NE(r[1].cas, r[0].cas);
    EXPECT_EQ(LoadBe(r[2].value), 0u);
    EXPECT_EQ(r[3].status, kKeyNotFound);
    EXPECT_EQ(r[4].value, "0");
    EXPECT_EQ(r[4].extras, testing::Be32(0));
    c.Send(Set(kSet, "s", "abc"));
    r = Exchange(c, Req(kIncrement, "s", DeltaExtras(1, 0, 0)) +
                        Req(kIncrement, "ctr", DeltaExtras(1, 0, 0), 0, 12345));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].status, kNonNumeric);
    EXPECT_EQ(r[0].value, "Non-numeric server-side value for incr or decr");
    EXPECT_EQ(r[1].status, kKeyExists);
  });
}

TEST(BinaryTest, TouchGatGatk) {
  WithClient([](Client& c, ItemStore&) {
    c.Send(Set(kSet, "a", "hello", 9, 10));
    auto r = Exchange(c, Req(kTouch, "a", testing::Be32(100)) + Req(kGat, "a", testing::Be32(100)) +
                             Req(kGatK, "a", testing::Be32(100)) +
                             Req(kTouch, "zz", testing::Be32(100)) +
                             Req(kGatQ, "zz", testing::Be32(1)) + Req(kGatKQ, "a", testing::Be32(5)));
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(r[0].extras, testing::Be32(9));  // touch answers the flags, no value
    EXPECT_EQ(r[0].value, "");
    EXPECT_EQ(r[1].value, "hello");
    EXPECT_EQ(r[1].key, "");
    EXPECT_EQ(r[2].key, "a");
    EXPECT_EQ(r[2].value, "hello");
    EXPECT_EQ(r[3].status, kKeyNotFound);
    EXPECT_EQ(r[4].opcode, kGatKQ);  // a quiet hit is answered
    fake_now += 6;
    r = Exchange(c, Req(kGet, "a"));
    EXPECT_EQ(r[0].status, kKeyNotFound);
  });
}

TEST(BinaryTest, FlushVersionNoopStat) {
  WithClient([](Client& c, ItemStore&) {
    c.Send(Set(kSet, "a", "1"));
    auto r = Exchange(c, Req(kFlush, "", testing::Be32(10)) + Req(kGet, "a") + Req(kVersion) +
                             Req(kNoop));
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(r[1].status, kSuccess);  // not yet
    EXPECT_EQ(r[2].value, kVersionString);
    fake_now += 10;
    r = Exchange(c, Req(kGet, "a") + Req(kFlush));
    EXPECT_EQ(r[0].status, kKeyNotFound);
    EXPECT_EQ(r[1].status, kSuccess);

    c.Send(Set(kSet, "b", "2"));
    r = Exchange(c, Req(kStat, "", "", 42));
    ASSERT_GT(r.size(), 10u);
    bool saw_items = false;
    for (const BinResponse& s : r) {
      EXPECT_EQ(s.opaque, 42u);
      EXPECT_EQ(s.status, kSuccess);
      if (s.key == "curr_items") {
        saw_items = true;
        EXPECT_EQ(s.value, "1");
      }
    }
    EXPECT_TRUE(saw_items);
    EXPECT_EQ(r.back().key, "");  // the terminator
    EXPECT_EQ(r.back().value, "");
    r = Exchange(c, Req(kStat, "settings"));
    EXPECT_EQ(r[0].key, "maxbytes");
    r = Exchange(c, Req(kStat, "items") + Req(kStat, "reset") + Req(kStat, "bogus"));
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].key, "");
    EXPECT_EQ(r[1].key, "");
    EXPECT_EQ(r[2].status, kKeyNotFound);
  });
}

TEST(BinaryTest, QuitAndQuitQ) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Req(kQuit) + Req(kVersion));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].opcode, kQuit);
    EXPECT_TRUE(c.sink.closed);
  });
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send(Req(kQuitQ) + Req(kVersion)), "");
    EXPECT_TRUE(c.sink.closed);
  });
}

TEST(BinaryTest, UnknownCommandSkipsItsBody) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, BinRequest{0x50, "k", "", "abc"}.Encode() + Req(kVersion));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].opcode, 0x50);
    EXPECT_EQ(r[0].status, kUnknownCommand);
    EXPECT_EQ(r[0].value, "Unknown command");
    EXPECT_EQ(r[1].opcode, kVersion);
    EXPECT_FALSE(c.sink.closed);
  });
}

TEST(BinaryTest, MalformedRequestsClose) {
  // A bad magic after a valid request: closed without a reply.
  WithClient([](Client& c, ItemStore&) {
    BinRequest bad{kVersion};
    bad.magic = 0x81;
    auto r = Exchange(c, Req(kVersion) + bad.Encode() + Req(kVersion));
    EXPECT_EQ(r.size(), 1u);
    EXPECT_TRUE(c.sink.closed);
  });
  // Key longer than the body: UNKNOWN_COMMAND, then closed.
  WithClient([](Client& c, ItemStore&) {
    std::string bytes = Req(kGet, "abc");
    bytes[11] = 1;  // body length 1 < key length 3
    auto r = Exchange(c, bytes + Req(kVersion));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].status, kUnknownCommand);
    EXPECT_TRUE(c.sink.closed);
  });
  // Lengths wrong for the opcode: EINVAL, then closed.
  for (const std::string& bytes :
       {Req(kGet, "abc", "1234"), Req(kGet, std::string(251, 'k')),
        BinRequest{kFlush, "", "", "x"}.Encode(), BinRequest{kSet, "a", "", "v"}.Encode(),
        BinRequest{kNoop, "", "", "x"}.Encode(), BinRequest{kGet, "a", "", "zz"}.Encode(),
        BinRequest{kTouch, "a", testing::Be32(1), "zz"}.Encode(), Req(kIncrement, "a", "12"),
        Req(kDelete, ""), Req(kVersion, "k")}) {
    WithClient([&](Client& c, ItemStore&) {
      auto r = Exchange(c, bytes + Req(kVersion));
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].status, kInvalidArguments);
      EXPECT_EQ(r[0].value, "Invalid arguments");
      EXPECT_TRUE(c.sink.closed);
    });
  }
}

TEST(BinaryTest, TooLargeIsSkippedAndASetDropsTheOldValue) {
  StoreConfig config;
  config.item_size_limit = 1024;
  WithClient(
      [](Client& c, ItemStore&) {
        c.Send(Set(kSet, "a", "small"));
        auto r = Exchange(c, Set(kSet, "a", std::string(2000, 'x')) + Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kTooLarge);
        EXPECT_EQ(r[0].value, "Too large.");
        EXPECT_EQ(r[1].status, kKeyNotFound);  // memcached 1.6 unlinks it too
        // SetQ: the error is still sent, and the old item goes as well.
        c.Send(Set(kSet, "a", "small"));
        r = Exchange(c, Set(kSetQ, "a", std::string(2000, 'x')) + Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kTooLarge);
        EXPECT_EQ(r[1].status, kKeyNotFound);
        // A SET with the item's CAS too (memcached looks at the opcode, not the CAS).
        auto stored = Exchange(c, Set(kSet, "a", "small"));
        ASSERT_EQ(stored.size(), 1u);
        r = Exchange(c, Set(kSet, "a", std::string(2000, 'x'), 0, 0, stored[0].cas) +
                            Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kTooLarge);
        EXPECT_EQ(r[1].status, kKeyNotFound);
      },
      config);
}

TEST(BinaryTest, TooLargeAddReplaceAppendPrependKeepTheOldValue) {
  StoreConfig config;
  config.item_size_limit = 1024;
  WithClient(
      [](Client& c, ItemStore&) {
        c.Send(Set(kSet, "a", "small"));
        const std::string huge(2000, 'x');
        for (uint8_t op : {kAdd, kReplace, kAddQ, kReplaceQ}) {
          auto r = Exchange(c, Set(op, "a", huge) + Req(kGet, "a"));
          ASSERT_EQ(r.size(), 2u);
          EXPECT_EQ(r[0].status, kTooLarge) << int{op};
          EXPECT_EQ(r[1].value, "small") << int{op};
        }
        for (uint8_t op : {kAppend, kPrepend, kAppendQ, kPrependQ}) {
          auto r = Exchange(c, BinRequest{op, "a", "", huge}.Encode() + Req(kGet, "a"));
          ASSERT_EQ(r.size(), 2u);
          EXPECT_EQ(r[0].status, kTooLarge) << int{op};
          EXPECT_EQ(r[1].value, "small") << int{op};
        }
        // Growth past the limit: NOT_STORED, and the item stays.
        c.Send(Set(kSet, "a", std::string(900, 'm')));
        auto r = Exchange(c, BinRequest{kAppend, "a", "", std::string(200, 'b')}.Encode() +
                                 Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kNotStored);
        EXPECT_EQ(r[1].value, std::string(900, 'm'));
      },
      config);
}

TEST(BinaryTest, OutOfMemory) {
  StoreConfig config;
  config.memory_limit_bytes = 2048;
  config.item_size_limit = 4096;
  WithClient(
      [](Client& c, ItemStore&) {
        auto r = Exchange(c, Set(kSet, "a", std::string(3000, 'x')));
        ASSERT_EQ(r.size(), 1u);
        EXPECT_EQ(r[0].status, kOutOfMemory);
        // The old item goes with a refused SET (memcached 1.6), not with a refused REPLACE.
        c.Send(Set(kSet, "a", "old"));
        r = Exchange(c, Set(kReplace, "a", std::string(3000, 'x')) + Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kOutOfMemory);
        EXPECT_EQ(r[1].value, "old");
        r = Exchange(c, Set(kSet, "a", std::string(3000, 'x')) + Req(kGet, "a"));
        ASSERT_EQ(r.size(), 2u);
        EXPECT_EQ(r[0].status, kOutOfMemory);
        EXPECT_EQ(r[1].status, kKeyNotFound);
      },
      config);
}

TEST(BinaryTest, EmptyValuesAndKeylessRequests) {
  WithClient([](Client& c, ItemStore&) {
    auto r = Exchange(c, Set(kSet, "e", "") + Req(kGet, "e") + Req(kFlush) + Req(kNoop));
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].status, kSuccess);
    EXPECT_EQ(r[1].value, "");
    EXPECT_EQ(r[1].status, kSuccess);
  });
}

}  // namespace
}  // namespace memcached
