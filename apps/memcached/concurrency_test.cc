// SPDX-License-Identifier: Apache-2.0
// Several cores working on overlapping keys at once, for a bounded number of operations:
// the store's structure stays consistent, values are never torn, read-modify-writes are
// atomic, the memory limit holds under concurrent eviction, and the statistics add up.
#include <stdint.h>

#include <stdio.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/memcached/session.h"
#include "apps/memcached/store.h"
#include "apps/memcached/test_util.h"
#include "ebbrt/base/xorshift.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace memcached {
namespace {

using testing::ChainText;
using testing::Value;

constexpr size_t kCores = 4;

// Calls step(core) on every core until it returns false, giving the core up between
// calls (blocking is a quiescent point, so RCU grace periods pass between batches), then
// done() on core 0 once every core has finished.
void RunOnAllCores(std::function<bool(size_t)> step, std::function<void()> done) {
  ebbrt::testing_internal::InFreshRun(kCores, [&] {
    EXPECT_TRUE(ebbrt::ForEachCore([&](size_t core) {
                  while (step(core)) (void)ebbrt::SpawnOn(ebbrt::MyCore(), [] {}).Block();
                }).Block().ok());
    done();
  });
}

// A value every byte of which is the same letter: a torn or mixed value shows.
std::string Uniform(char letter, size_t length) { return std::string(length, letter); }
bool IsUniform(const std::string& value) {
  for (char c : value) {
    if (c != value[0]) return false;
  }
  return true;
}

struct PerCore {
  ebbrt::XorShift64Star rng{0};
  size_t done = 0;
  uint64_t gets = 0, sets = 0, cas_ops = 0, deletes = 0, incrs = 0;
  bool failed = false;
};

TEST(ConcurrencyTest, MixedOperationsOnOverlappingKeys) {
  constexpr size_t kOpsPerCore = 40000;
  constexpr size_t kBatch = 500;
  constexpr size_t kKeys = 200;
  ItemStore* store = nullptr;
  std::vector<PerCore> cores(kCores);
  for (size_t c = 0; c < kCores; ++c) cores[c].rng = ebbrt::XorShift64Star(0x9e3779b97f4a7c15ull * (c + 1));
  std::atomic<bool> ready{false};
  std::atomic<bool> verified{false};

  RunOnAllCores(
      [&](size_t core) {
        if (!ready.load()) {
          if (core == 0) {
            store = new ItemStore();
            ready = true;
          }
          return true;  // try again in the next event
        }
        PerCore& me = cores[core];
        for (size_t i = 0; i < kBatch && me.done < kOpsPerCore; ++i, ++me.done) {
          std::string key = "key" + std::to_string(me.rng.Below(kKeys));
          switch (me.rng.Below(8)) {
            case 0:
            case 1:
            case 2: {
              GetResult hit;
              ++me.gets;
              if (store->Get(key, &hit)) {
                std::string value = ChainText(*hit.value);
                if (!IsUniform(value) || value.size() != hit.flags) me.failed = true;
              }
              break;
            }
            case 3:
            case 4: {
              char letter = static_cast<char>('a' + core);
              size_t length = 1 + me.rng.Below(300);
              ++me.sets;
              if (store->Store(StoreMode::kSet, key, static_cast<uint32_t>(length), 0,
                               Value(Uniform(letter, length)), 0, nullptr) != StoreResult::kStored) {
                me.failed = true;
              }
              break;
            }
            case 5:
              ++me.deletes;
              store->Delete(key);
              break;
            case 6: {
              // A CAS round trip: only the winner of a race may store.
              GetResult hit;
              ++me.gets;
              if (store->Get(key, &hit)) {
                char letter = static_cast<char>('a' + core);
                size_t length = hit.flags;
                ++me.sets;
                ++me.cas_ops;
                StoreResult r = store->Store(StoreMode::kCas, key, static_cast<uint32_t>(length),
                                             0, Value(Uniform(letter, length)), hit.cas, nullptr);
                if (r == StoreResult::kStored || r == StoreResult::kExists ||
                    r == StoreResult::kNotFound) {
                  break;
                }
                me.failed = true;
              }
              break;
            }
            case 7: {
              uint64_t value;
              ++me.incrs;
              DeltaCreate create{0, 0};
              std::string counter = "counter" + std::to_string(me.rng.Below(4));
              if (store->Delta(counter, true, 1, 0, &create, &value, nullptr) != DeltaResult::kOk) {
                me.failed = true;
              }
              break;
            }
          }
        }
        return me.done < kOpsPerCore;
      },
      [&] {
        ASSERT_TRUE(store->CheckConsistency().ok()) << store->CheckConsistency().message();
        StoreStats stats = store->Stats();
        uint64_t gets = 0, sets = 0, cas_ops = 0, deletes = 0, incrs = 0;
        for (const PerCore& c : cores) {
          EXPECT_FALSE(c.failed);
          gets += c.gets;
          sets += c.sets;
          cas_ops += c.cas_ops;
          deletes += c.deletes;
          incrs += c.incrs;
        }
        EXPECT_EQ(stats.cmd_get, gets);
        EXPECT_EQ(stats.get_hits + stats.get_misses, stats.cmd_get);
        EXPECT_EQ(stats.cmd_set, sets);
        EXPECT_EQ(stats.cas_hits + stats.cas_badval + stats.cas_misses, cas_ops);
        EXPECT_GT(stats.cas_hits, 0u);
        EXPECT_EQ(stats.delete_hits + stats.delete_misses, deletes);
        EXPECT_EQ(stats.incr_hits + stats.incr_misses + 4, incrs);  // 4 creations
        // Every create-or-increment counted once: the counters sum to the increments.
        uint64_t counted = 0;
        for (int i = 0; i < 4; ++i) {
          GetResult hit;
          if (store->Get("counter" + std::to_string(i), &hit)) {
            counted += std::stoull(ChainText(*hit.value)) + 1;  // created at 0
          }
        }
        EXPECT_EQ(counted, incrs);
        // curr_items and bytes match what is really there.
        uint64_t items = 0, bytes = 0;
        for (size_t k = 0; k < kKeys; ++k) {
          GetResult hit;
          std::string key = "key" + std::to_string(k);
          if (store->Get(key, &hit)) {
            ++items;
            bytes += ItemStore::ItemSize(key.size(), hit.value->length());
            EXPECT_TRUE(IsUniform(ChainText(*hit.value)));
          }
        }
        for (int i = 0; i < 4; ++i) {
          GetResult hit;
          std::string key = "counter" + std::to_string(i);
          if (store->Get(key, &hit)) {
            ++items;
            bytes += ItemStore::ItemSize(key.size(), hit.value->length());
          }
        }
        stats = store->Stats();
        EXPECT_EQ(stats.curr_items, items);
        EXPECT_EQ(stats.bytes, bytes);
        delete store;
        verified = true;
      });
  EXPECT_TRUE(verified);
}

TEST(ConcurrencyTest, ReadModifyWritesAreAtomic) {
  constexpr size_t kPerCore = 5000;
  ItemStore* store = nullptr;
  std::vector<size_t> done(kCores, 0);
  std::atomic<bool> verified{false};
  std::atomic<bool> ready{false};
  RunOnAllCores(
      [&](size_t core) {
        if (!ready.load()) {
          if (core == 0) {
            store = new ItemStore();
            store->Store(StoreMode::kSet, "ctr", 0, 0, Value("0"), 0, nullptr);
            store->Store(StoreMode::kSet, "log", 0, 0, Value(""), 0, nullptr);
            ready = true;
          }
          return true;  // try again in the next event
        }
        for (size_t i = 0; i < 100 && done[core] < kPerCore; ++i, ++done[core]) {
          uint64_t value;
          EXPECT_EQ(store->Delta("ctr", true, 1, 0, nullptr, &value, nullptr), DeltaResult::kOk);
          if (done[core] % 5 == 0) {
            char letter = static_cast<char>('a' + core);
            EXPECT_EQ(store->Store(core % 2 ? StoreMode::kAppend : StoreMode::kPrepend, "log", 0,
                                   0, Value(std::string(1, letter)), 0, nullptr),
                      StoreResult::kStored);
          }
        }
        return done[core] < kPerCore;
      },
      [&] {
        GetResult hit;
        ASSERT_TRUE(store->Get("ctr", &hit));
        EXPECT_EQ(ChainText(*hit.value), std::to_string(kCores * kPerCore));
        ASSERT_TRUE(store->Get("log", &hit));
        std::string log = ChainText(*hit.value);
        EXPECT_EQ(log.size(), kCores * kPerCore / 5);
        for (size_t c = 0; c < kCores; ++c) {
          size_t n = 0;
          for (char ch : log) n += ch == static_cast<char>('a' + c);
          EXPECT_EQ(n, kPerCore / 5) << "core " << c;
        }
        EXPECT_EQ(store->Stats().incr_hits, kCores * kPerCore);
        EXPECT_TRUE(store->CheckConsistency().ok());
        delete store;
        verified = true;
      });
  EXPECT_TRUE(verified);
}

TEST(ConcurrencyTest, EvictionUnderASmallLimit) {
  constexpr size_t kOpsPerCore = 20000;
  constexpr size_t kValue = 200;
  ItemStore* store = nullptr;
  std::vector<PerCore> cores(kCores);
  for (size_t c = 0; c < kCores; ++c) cores[c].rng = ebbrt::XorShift64Star(0x1234567ull * (c + 7));
  std::atomic<bool> ready{false};
  std::atomic<bool> verified{false};
  StoreConfig config;
  config.memory_limit_bytes = 256 * 1024;
  RunOnAllCores(
      [&](size_t core) {
        if (!ready.load()) {
          if (core == 0) {
            store = new ItemStore(config);
            ready = true;
          }
          return true;
        }
        PerCore& me = cores[core];
        for (size_t i = 0; i < 200 && me.done < kOpsPerCore; ++i, ++me.done) {
          char key[16];
          snprintf(key, sizeof(key), "key%06zu", me.rng.Below(5000));
          if (me.rng.Below(4) == 0) {
            GetResult hit;
            if (store->Get(key, &hit) && ChainText(*hit.value) != Uniform(hit.flags, kValue)) {
              me.failed = true;
            }
          } else {
            char letter = static_cast<char>('a' + me.rng.Below(26));
            if (store->Store(StoreMode::kSet, key, static_cast<uint32_t>(letter), 0,
                             Value(Uniform(letter, kValue)), 0, nullptr) != StoreResult::kStored) {
              me.failed = true;
            }
          }
          if (i % 50 == 0 && store->Stats().bytes > config.memory_limit_bytes) me.failed = true;
        }
        return me.done < kOpsPerCore;
      },
      [&] {
        for (const PerCore& c : cores) EXPECT_FALSE(c.failed);
        ebbrt::Status status = store->CheckConsistency();
        EXPECT_TRUE(status.ok()) << status.message();
        StoreStats stats = store->Stats();
        EXPECT_GT(stats.evictions, 0u);
        EXPECT_LE(stats.bytes, config.memory_limit_bytes);
        EXPECT_EQ(stats.bytes, stats.curr_items * ItemStore::ItemSize(9, kValue));
        // Nearly full: eviction takes only what it needs.
        EXPECT_GT(stats.bytes, config.memory_limit_bytes - 8 * ItemStore::ItemSize(9, kValue));
        delete store;
        verified = true;
      });
  EXPECT_TRUE(verified);
}

TEST(ConcurrencyTest, SessionsOnEveryCoreWithFlushes) {
  constexpr size_t kRounds = 200;
  ItemStore* store = nullptr;
  std::vector<std::unique_ptr<testing::Client>> clients(kCores);
  std::vector<size_t> round(kCores, 0);
  std::atomic<bool> ready{false};
  std::atomic<bool> verified{false};
  std::atomic<bool> bad_reply{false};
  RunOnAllCores(
      [&](size_t core) {
        if (!ready.load()) {
          if (core == 0) {
            store = new ItemStore();
            ready = true;
          }
          return true;
        }
        if (clients[core] == nullptr) {
          clients[core] = std::make_unique<testing::Client>(*store);
          store->ConnectionOpened();  // what the server's connection does
        }
        testing::Client& c = *clients[core];
        std::string script;
        for (int k = 0; k < 20; ++k) {
          std::string key = "k" + std::to_string(k);
          script += "set " + key + " 0 0 5\r\nvalue\r\nget " + key + "\r\n";
        }
        if (core == 0 && round[core] % 50 == 49) script += "flush_all\r\n";
        std::string reply = c.Send(script);
        // Each get answers END, possibly after one well-formed hit.
        size_t at = 0;
        for (int k = 0; k < 20; ++k) {
          std::string key = "k" + std::to_string(k);
          if (reply.compare(at, 8, "STORED\r\n") != 0) {
            bad_reply = true;
            break;
          }
          at += 8;
          std::string hit = "VALUE " + key + " 0 5\r\nvalue\r\n";
          if (reply.compare(at, hit.size(), hit) == 0) at += hit.size();
          if (reply.compare(at, 5, "END\r\n") != 0) {
            bad_reply = true;
            break;
          }
          at += 5;
        }
        ++round[core];
        if (round[core] == kRounds) {
          clients[core].reset();  // on its own core
          store->ConnectionClosed();
        }
        return round[core] < kRounds;
      },
      [&] {
        EXPECT_FALSE(bad_reply.load());
        EXPECT_TRUE(store->CheckConsistency().ok());
        StoreStats stats = store->Stats();
        EXPECT_EQ(stats.curr_connections, 0u);
        EXPECT_EQ(stats.total_connections, kCores);
        EXPECT_EQ(stats.cmd_get, kCores * kRounds * 20);
        EXPECT_EQ(stats.cmd_flush, kRounds / 50);
        delete store;
        verified = true;
      });
  EXPECT_TRUE(verified);
}

}  // namespace
}  // namespace memcached
