// SPDX-License-Identifier: Apache-2.0
// The ASCII protocol through a Session: every command and its errors. Expected replies
// were taken from Debian's memcached 1.6.18 given the same bytes (except where a test
// says it deliberately differs).
#include "apps/memcached/ascii_protocol.h"

#include <string>

#include "apps/memcached/session.h"
#include "apps/memcached/stats_text.h"
#include "apps/memcached/test_util.h"
#include "gtest/gtest.h"

namespace memcached {
namespace {

using testing::Client;
using testing::fake_now;
using testing::FakeClock;
using ebbrt::testing_internal::InFreshRun;

// Runs `body(client, store)` on a core with a fresh store (fake clock) and one client.
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

TEST(AsciiTest, SetGetGets) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("set a 5 0 3\r\nabc\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("get a\r\n"), "VALUE a 5 3\r\nabc\r\nEND\r\n");
    std::string gets = c.Send("gets a\r\n");
    ASSERT_EQ(gets.substr(0, 12), "VALUE a 5 3 ");
    EXPECT_EQ(gets.substr(gets.size() - 12), "\r\nabc\r\nEND\r\n");
    EXPECT_EQ(c.Send("get nope\r\n"), "END\r\n");
    EXPECT_EQ(c.Send("set b 0 0 0\r\n\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("get a nope b a\r\n"),
              "VALUE a 5 3\r\nabc\r\nVALUE b 0 0\r\n\r\nVALUE a 5 3\r\nabc\r\nEND\r\n");
    EXPECT_EQ(c.Send("bget a\r\n"), "VALUE a 5 3\r\nabc\r\nEND\r\n");
  });
}

TEST(AsciiTest, ManyKeysBeyondOneTokenization) {
  WithClient([](Client& c, ItemStore&) {
    std::string expected;
    std::string line = "get";
    for (int i = 0; i < 100; ++i) {
      std::string key = "k" + std::to_string(i);
      if (i % 3 == 0) {
        EXPECT_EQ(c.Send("set " + key + " 0 0 1\r\nx\r\n"), "STORED\r\n");
        expected += "VALUE " + key + " 0 1\r\nx\r\n";
      }
      line += "  " + key;  // runs of spaces are one separator
    }
    EXPECT_EQ(c.Send(line + "\r\n"), expected + "END\r\n");
  });
}

TEST(AsciiTest, StorageCommands) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("add a 0 0 1\r\n1\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("add a 0 0 1\r\n2\r\n"), "NOT_STORED\r\n");
    EXPECT_EQ(c.Send("replace a 0 0 1\r\n3\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("replace zz 0 0 1\r\n3\r\n"), "NOT_STORED\r\n");
    EXPECT_EQ(c.Send("append a 9 0 2\r\nbc\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("prepend a 9 0 2\r\nzz\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("get a\r\n"), "VALUE a 0 5\r\nzz3bc\r\nEND\r\n");
    EXPECT_EQ(c.Send("append q 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
    EXPECT_EQ(c.Send("prepend q 0 0 1\r\nx\r\n"), "NOT_STORED\r\n");
  });
}

TEST(AsciiTest, CasExistsVersusNotFound) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("cas nokey 0 0 1 5\r\nx\r\n"), "NOT_FOUND\r\n");
    c.Send("set k 0 0 1\r\nx\r\n");
    std::string gets = c.Send("gets k\r\n");
    // "VALUE k 0 1 <cas>\r\n..."
    std::string cas = gets.substr(12, gets.find('\r') - 12);
    EXPECT_EQ(c.Send("cas k 0 0 1 " + cas + "1\r\ny\r\n"), "EXISTS\r\n");
    EXPECT_EQ(c.Send("cas k 0 0 1 " + cas + "\r\ny\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("cas k 0 0 1 " + cas + "\r\nz\r\n"), "EXISTS\r\n");
    EXPECT_EQ(c.Send("get k\r\n"), "VALUE k 0 1\r\ny\r\nEND\r\n");
    EXPECT_EQ(c.Send("cas k 0 0 1 abc\r\nx\r\n"),
              "CLIENT_ERROR bad command line format\r\nERROR\r\n");
    EXPECT_EQ(c.Send("cas k 0 0 1\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("cas k 0 0 1 " + cas + " noreply\r\nz\r\n"), "");
  });
}

TEST(AsciiTest, Noreply) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("set k 0 0 1 noreply\r\nx\r\n"), "");
    EXPECT_EQ(c.Send("add k 0 0 1 noreply\r\ny\r\n"), "");  // NOT_STORED suppressed too
    EXPECT_EQ(c.Send("append k 0 0 1 noreply\r\ny\r\n"), "");
    EXPECT_EQ(c.Send("get k\r\n"), "VALUE k 0 2\r\nxy\r\nEND\r\n");
    EXPECT_EQ(c.Send("set n 0 0 1 noreply\r\n5\r\nincr n 2 noreply\r\ndecr n 1 noreply\r\n"), "");
    EXPECT_EQ(c.Send("get n\r\n"), "VALUE n 0 1\r\n6\r\nEND\r\n");
    EXPECT_EQ(c.Send("touch n 10 noreply\r\n"), "");
    EXPECT_EQ(c.Send("delete n noreply\r\n"), "");
    EXPECT_EQ(c.Send("delete n 0 noreply\r\n"), "");
    EXPECT_EQ(c.Send("verbosity 1 noreply\r\n"), "");
    EXPECT_EQ(c.Send("flush_all noreply\r\n"), "");
    EXPECT_EQ(c.Send("get k\r\n"), "END\r\n");
    // Errors are suppressed as well; a bad data chunk's leftover is then parsed.
    EXPECT_EQ(c.Send("set k 0 0 1 noreply\r\nxyz\r\nget k\r\n"), "ERROR\r\nEND\r\n");
    EXPECT_EQ(c.Send("delete k x noreply\r\n"), "");
    // A last token that is not "noreply" is ignored.
    EXPECT_EQ(c.Send("set k 0 0 1 foo\r\nx\r\n"), "STORED\r\n");
  });
}

TEST(AsciiTest, Delete) {
  WithClient([](Client& c, ItemStore&) {
    c.Send("set k 0 0 1\r\nx\r\n");
    EXPECT_EQ(c.Send("delete k 1\r\n"),
              "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
    EXPECT_EQ(c.Send("delete k 0\r\n"), "DELETED\r\n");
    EXPECT_EQ(c.Send("delete k\r\n"), "NOT_FOUND\r\n");
    EXPECT_EQ(c.Send("delete\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("delete a b c d\r\n"), "ERROR\r\n");
  });
}

TEST(AsciiTest, IncrDecr) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("incr nope 1\r\n"), "NOT_FOUND\r\n");
    EXPECT_EQ(c.Send("set n 0 0 2\r\n10\r\ndecr n 1\r\nget n\r\n"),
              "STORED\r\n9\r\nVALUE n 0 1\r\n9\r\nEND\r\n");  // memcached pads: "9 "
    EXPECT_EQ(c.Send("incr n 18446744073709551615\r\n"), "8\r\n");
    EXPECT_EQ(c.Send("decr n 100\r\n"), "0\r\n");
    EXPECT_EQ(c.Send("set n 0 0 20\r\n18446744073709551615\r\nincr n 1\r\n"), "STORED\r\n0\r\n");
    EXPECT_EQ(c.Send("set n 0 0 3\r\nabc\r\nincr n 1\r\n"),
              "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    EXPECT_EQ(c.Send("set n 0 0 4\r\n12 a\r\nincr n 1\r\n"), "STORED\r\n13\r\n");
    EXPECT_EQ(c.Send("set n 0 0 0\r\n\r\nincr n 1\r\n"),
              "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    EXPECT_EQ(c.Send("incr n -1\r\n"), "CLIENT_ERROR invalid numeric delta argument\r\n");
    EXPECT_EQ(c.Send("incr n abc\r\n"), "CLIENT_ERROR invalid numeric delta argument\r\n");
    EXPECT_EQ(c.Send("incr n\r\n"), "ERROR\r\n");
  });
}

TEST(AsciiTest, TouchGatGats) {
  WithClient([](Client& c, ItemStore&) {
    c.Send("set k 3 10 1\r\nx\r\n");
    EXPECT_EQ(c.Send("touch k 100\r\n"), "TOUCHED\r\n");
    EXPECT_EQ(c.Send("touch zz 100\r\n"), "NOT_FOUND\r\n");
    EXPECT_EQ(c.Send("touch k abc\r\n"), "CLIENT_ERROR invalid exptime argument\r\n");
    fake_now += 50;
    EXPECT_EQ(c.Send("gat 5 k zz\r\n"), "VALUE k 3 1\r\nx\r\nEND\r\n");
    std::string gats = c.Send("gats 5 k\r\n");
    EXPECT_EQ(gats.substr(0, 12), "VALUE k 3 1 ");
    EXPECT_EQ(c.Send("gat 10\r\n"), "END\r\n");
    EXPECT_EQ(c.Send("gat abc k\r\n"), "CLIENT_ERROR invalid exptime argument\r\n");
    fake_now += 5;
    EXPECT_EQ(c.Send("get k\r\n"), "END\r\n");
  });
}

TEST(AsciiTest, ExpiryOnTheInjectedClock) {
  WithClient([](Client& c, ItemStore&) {
    c.Send("set rel 0 10 1\r\nr\r\n");
    c.Send("set abs 0 1700000005 1\r\na\r\n");
    EXPECT_EQ(c.Send("set neg 0 -1 1\r\nn\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("get neg\r\n"), "END\r\n");
    fake_now += 5;
    EXPECT_EQ(c.Send("get rel abs\r\n"), "VALUE rel 0 1\r\nr\r\nEND\r\n");
    fake_now += 5;
    EXPECT_EQ(c.Send("get rel\r\n"), "END\r\n");
  });
}

TEST(AsciiTest, FlushAll) {
  WithClient([](Client& c, ItemStore&) {
    c.Send("set a 0 0 1\r\n1\r\n");
    EXPECT_EQ(c.Send("flush_all abc\r\n"), "CLIENT_ERROR invalid exptime argument\r\n");
    EXPECT_EQ(c.Send("flush_all 10\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("get a\r\n"), "VALUE a 0 1\r\n1\r\nEND\r\n");
    fake_now += 10;
    EXPECT_EQ(c.Send("get a\r\n"), "END\r\n");
    c.Send("set a 0 0 1\r\n1\r\n");
    EXPECT_EQ(c.Send("flush_all\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("get a\r\n"), "END\r\n");
    EXPECT_EQ(c.Send("flush_all 0\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("flush_all -1\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("flush_all 10 foo\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("flush_all 1 2 3\r\n"), "ERROR\r\n");
  });
}

TEST(AsciiTest, VersionVerbosityStats) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("version\r\n"), std::string("VERSION ") + kVersionString + "\r\n");
    EXPECT_EQ(c.Send("verbosity 1\r\n"), "OK\r\n");
    EXPECT_EQ(c.Send("verbosity\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("verbosity abc\r\n"), "CLIENT_ERROR bad command line format\r\n");
    c.Send("set a 0 0 1\r\n1\r\nget a b\r\n");
    std::string stats = c.Send("stats\r\n");
    EXPECT_NE(stats.find("STAT curr_items 1\r\n"), std::string::npos) << stats;
    EXPECT_NE(stats.find("STAT cmd_get 2\r\n"), std::string::npos);
    EXPECT_NE(stats.find("STAT get_hits 1\r\n"), std::string::npos);
    EXPECT_NE(stats.find("STAT get_misses 1\r\n"), std::string::npos);
    EXPECT_NE(stats.find("STAT cmd_set 1\r\n"), std::string::npos);
    EXPECT_NE(stats.find("STAT limit_maxbytes 67108864\r\n"), std::string::npos);
    EXPECT_EQ(stats.substr(stats.size() - 5), "END\r\n");
    EXPECT_EQ(c.Send("stats reset\r\n"), "RESET\r\n");
    EXPECT_NE(c.Send("stats\r\n").find("STAT cmd_get 0\r\n"), std::string::npos);
    std::string settings = c.Send("stats settings\r\n");
    EXPECT_NE(settings.find("STAT maxbytes 67108864\r\n"), std::string::npos);
    EXPECT_EQ(c.Send("stats items\r\n"), "END\r\n");
    EXPECT_EQ(c.Send("stats slabs\r\n"), "END\r\n");
    EXPECT_EQ(c.Send("stats foo\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("stats detail\r\n"), "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
  });
}

TEST(AsciiTest, CommandErrors) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send(" \r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("x\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("xy\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("GET a\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("get\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("gets\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("mg foo v\r\n"), "ERROR\r\n");  // meta commands are not supported
    EXPECT_EQ(c.Send("shutdown\r\n"), "ERROR: shutdown not enabled\r\n");
    EXPECT_EQ(c.Send("set k 0 0\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("set k 0 0 1 2 3\r\n"), "ERROR\r\n");
    EXPECT_EQ(c.Send("set k 0 0 abc\r\n"), "CLIENT_ERROR bad command line format\r\n");
    EXPECT_EQ(c.Send("set k 0 0 -1\r\n"), "CLIENT_ERROR bad command line format\r\n");
    // The data line of a refused command line is read as a command.
    EXPECT_EQ(c.Send("set k -1 0 1\r\nx\r\n"), "CLIENT_ERROR bad command line format\r\nERROR\r\n");
    // memcached keeps the low 32 bits of flags and of the length.
    EXPECT_EQ(c.Send("set k 4294967296 0 1\r\nx\r\nget k\r\n"),
              "STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\n");
    EXPECT_EQ(c.Send("set k 0 0 4294967297\r\ny\r\nget k\r\n"),
              "STORED\r\nVALUE k 0 1\r\ny\r\nEND\r\n");
  });
}

TEST(AsciiTest, BadDataChunk) {
  WithClient([](Client& c, ItemStore&) {
    // <bytes>+2 are read; whatever follows them is parsed as commands.
    EXPECT_EQ(c.Send("set a 0 0 3\r\nabcde\r\nget a\r\n"),
              "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n");
    EXPECT_EQ(c.Send("set a 0 0 3\r\nabc\r\nset a 0 0 3\r\nxyzzz\r\nget a\r\n"),
              "STORED\r\nCLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE a 0 3\r\nabc\r\nEND\r\n");
    EXPECT_EQ(c.Send("set b 0 0 3\nabc\nget b\n"), "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
  });
}

TEST(AsciiTest, NewlineOnlyLineEndingsAndNul) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("set b 0 0 3\r\nabc\r\nget b\n"), "STORED\r\nVALUE b 0 3\r\nabc\r\nEND\r\n");
    EXPECT_EQ(c.Send(std::string("get b\0junk\r\n", 12)), "VALUE b 0 3\r\nabc\r\nEND\r\n");
    EXPECT_EQ(c.Send("version\n"), std::string("VERSION ") + kVersionString + "\r\n");
  });
}

TEST(AsciiTest, KeyLengthLimit) {
  WithClient([](Client& c, ItemStore&) {
    std::string k250(250, 'k');
    std::string k251(251, 'k');
    EXPECT_EQ(c.Send("set " + k250 + " 0 0 1\r\nx\r\n"), "STORED\r\n");
    EXPECT_EQ(c.Send("get " + k250 + "\r\n"), "VALUE " + k250 + " 0 1\r\nx\r\nEND\r\n");
    EXPECT_EQ(c.Send("set " + k251 + " 0 0 1\r\nx\r\n"),
              "CLIENT_ERROR bad command line format\r\nERROR\r\n");
    EXPECT_EQ(c.Send("get " + k251 + "\r\n"), "CLIENT_ERROR bad command line format\r\n");
    // Hits before a bad key are dropped with the rest of the reply.
    EXPECT_EQ(c.Send("get " + k250 + " " + k251 + "\r\n"),
              "CLIENT_ERROR bad command line format\r\n");
    EXPECT_EQ(c.Send("delete " + k251 + "\r\n"), "CLIENT_ERROR bad command line format\r\n");
    EXPECT_EQ(c.Send("incr " + k251 + " 1\r\n"), "CLIENT_ERROR bad command line format\r\n");
    EXPECT_EQ(c.Send("touch " + k251 + " 1\r\n"), "CLIENT_ERROR bad command line format\r\n");
  });
}

TEST(AsciiTest, TooLargeIsSwallowedAndASetDropsTheOldValue) {
  StoreConfig config;
  config.item_size_limit = 1024;
  WithClient(
      [](Client& c, ItemStore& store) {
        c.Send("set big 0 0 5\r\nhello\r\n");
        std::string huge(2000, 'y');
        // memcached 1.6 unlinks "big" too: a client whose set was refused must not go on
        // reading the value it meant to replace.
        EXPECT_EQ(c.Send("set big 0 0 2000\r\n" + huge + "\r\nget big\r\n"),
                  "SERVER_ERROR object too large for cache\r\nEND\r\n");
        // The swallowed block may arrive in pieces.
        c.Send("set big 0 0 5\r\nhello\r\n");
        EXPECT_EQ(c.Send("set big 0 0 2000 noreply\r\n" + huge.substr(0, 700)), "");
        EXPECT_EQ(c.Send(huge.substr(700) + "\r\nget big\r\n"), "END\r\n");
        // The exact boundary: key + value + 59 <= 1024.
        std::string fits(1024 - 59 - 3, 'f');
        EXPECT_EQ(c.Send("set big 0 0 " + std::to_string(fits.size()) + "\r\n" + fits + "\r\n"),
                  "STORED\r\n");
        EXPECT_EQ(c.Send("set big 1 0 " + std::to_string(fits.size()) + "\r\n" + fits + "\r\n"),
                  "SERVER_ERROR object too large for cache\r\n");
        EXPECT_EQ(c.Send("get big\r\n"), "END\r\n");
        EXPECT_GE(store.Stats().store_too_large, 3u);
      },
      config);
}

// memcached 1.6 drops the old item only for `set`: every other refused update leaves it.
TEST(AsciiTest, TooLargeAddReplaceCasAppendPrependKeepTheOldValue) {
  StoreConfig config;
  config.item_size_limit = 1024;
  WithClient(
      [](Client& c, ItemStore&) {
        c.Send("set k 0 0 3\r\nold\r\n");
        std::string gets = c.Send("gets k\r\n");
        std::string cas = gets.substr(12, gets.find("\r\n") - 12);  // "VALUE k 0 3 <cas>"
        std::string huge(2000, 'y');
        const std::string commands[] = {"add k 0 0 2000", "replace k 0 0 2000",
                                        "cas k 0 0 2000 " + cas, "append k 0 0 2000",
                                        "prepend k 0 0 2000"};
        for (const std::string& command : commands) {
          EXPECT_EQ(c.Send(command + "\r\n" + huge + "\r\nget k\r\n"),
                    "SERVER_ERROR object too large for cache\r\nVALUE k 0 3\r\nold\r\nEND\r\n")
              << command;
        }
        // Append past the limit: NOT_STORED, as memcached, and the item stays.
        std::string most(900, 'm');
        c.Send("set k 0 0 900\r\n" + most + "\r\n");
        for (std::string command : {"append", "prepend"}) {
          EXPECT_EQ(c.Send(command + " k 0 0 200\r\n" + std::string(200, 'a') + "\r\n"),
                    "NOT_STORED\r\n");
          EXPECT_EQ(c.Send("get k\r\n"), "VALUE k 0 900\r\n" + most + "\r\nEND\r\n");
        }
      },
      config);
}

TEST(AsciiTest, OutOfMemory) {
  StoreConfig config;
  config.memory_limit_bytes = 2048;
  config.item_size_limit = 4096;
  WithClient(
      [](Client& c, ItemStore&) {
        std::string value(3000, 'v');
        EXPECT_EQ(c.Send("set k 0 0 3000\r\n" + value + "\r\n"),
                  "SERVER_ERROR out of memory storing object\r\n");
        // A set refused for memory drops the old item too (memcached 1.6); cas keeps it.
        c.Send("set k 0 0 3\r\nold\r\n");
        std::string gets = c.Send("gets k\r\n");
        std::string cas = gets.substr(12, gets.find("\r\n") - 12);
        EXPECT_EQ(c.Send("cas k 0 0 3000 " + cas + "\r\n" + value + "\r\nget k\r\n"),
                  "SERVER_ERROR out of memory storing object\r\nVALUE k 0 3\r\nold\r\nEND\r\n");
        EXPECT_EQ(c.Send("set k 0 0 3000\r\n" + value + "\r\nget k\r\n"),
                  "SERVER_ERROR out of memory storing object\r\nEND\r\n");
      },
      config);
}

TEST(AsciiTest, QuitClosesAndLaterBytesAreIgnored) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send("version\r\nquit\r\nversion\r\n"),
              std::string("VERSION ") + kVersionString + "\r\n");
    EXPECT_TRUE(c.sink.closed);
    EXPECT_TRUE(c.session.closed());
    EXPECT_EQ(c.Send("version\r\n"), "");
  });
}

TEST(AsciiTest, LongLinesWithoutNewline) {
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send(std::string(3000, 'x')), "");  // memcached closes without a word
    EXPECT_TRUE(c.sink.closed);
  });
  WithClient([](Client& c, ItemStore&) {
    EXPECT_EQ(c.Send(std::string(150, ' ') + "get " + std::string(3000, 'a')), "");
    EXPECT_TRUE(c.sink.closed);
  });
  WithClient([](Client& c, ItemStore&) {
    // A multiget line may be long (here split across Receive calls)...
    c.Send("set a 0 0 1\r\n1\r\n");
    std::string line = "get";
    for (int i = 0; i < 500; ++i) line += " nokey" + std::to_string(i);
    line += " a\r\n";
    EXPECT_EQ(c.Send(line.substr(0, 2500)), "");
    EXPECT_FALSE(c.sink.closed);
    EXPECT_EQ(c.Send(line.substr(2500)), "VALUE a 0 1\r\n1\r\nEND\r\n");
  });
  StoreConfig config;
  config.item_size_limit = 8192;
  WithClient(
      [](Client& c, ItemStore&) {
        // ...up to the item size limit + 4 KiB.
        EXPECT_EQ(c.Send("get " + std::string(8192 + 4096, 'a')),
                  "SERVER_ERROR out of memory reading request\r\n");
        EXPECT_TRUE(c.sink.closed);
      },
      config);
}

TEST(AsciiTest, GarbageThenValidCommands) {
  WithClient([](Client& c, ItemStore&) {
    std::string garbage = "\x01\x02\xff garbage here\r\n\x7f\r\nset\r\n";
    EXPECT_EQ(c.Send(garbage + "set k 0 0 1\r\nv\r\nget k\r\n"),
              "ERROR\r\nERROR\r\nERROR\r\nSTORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n");
  });
}

}  // namespace
}  // namespace memcached
