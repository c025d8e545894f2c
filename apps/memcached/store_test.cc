// SPDX-License-Identifier: Apache-2.0
// ItemStore semantics on one core: every operation's outcomes, expiry on an injected
// clock, flush_all, eviction under a small memory limit, accounting and statistics.
#include "apps/memcached/store.h"

#include <stdio.h>

#include <memory>
#include <string>

#include "apps/memcached/test_util.h"
#include "gtest/gtest.h"

namespace memcached {
namespace {

using testing::AfterGracePeriod;
using testing::ChainText;
using testing::fake_now;
using testing::FakeClock;
using ebbrt::testing_internal::InFreshRun;
using testing::Value;

StoreConfig FakeClockConfig() {
  StoreConfig config;
  config.clock = &FakeClock;
  return config;
}

std::string GetText(ItemStore& store, std::string_view key) {
  GetResult hit;
  if (!store.Get(key, &hit)) return "<miss>";
  return ChainText(*hit.value);
}

StoreResult Set(ItemStore& store, std::string_view key, std::string_view value,
                int64_t exptime = 0, uint32_t flags = 0, uint64_t* cas = nullptr) {
  return store.Store(StoreMode::kSet, key, flags, exptime, Value(value), 0, cas);
}

TEST(StoreTest, SetGetDeleteAndFlags) {
  InFreshRun(1, [] {
    ItemStore store;
    uint64_t cas = 0;
    EXPECT_EQ(Set(store, "k", "hello", 0, 42, &cas), StoreResult::kStored);
    EXPECT_NE(cas, 0u);
    GetResult hit;
    ASSERT_TRUE(store.Get("k", &hit));
    EXPECT_EQ(hit.flags, 42u);
    EXPECT_EQ(hit.cas, cas);
    EXPECT_EQ(ChainText(*hit.value), "hello");
    EXPECT_FALSE(store.Get("other", &hit));
    EXPECT_EQ(store.Delete("k"), DeleteResult::kDeleted);
    EXPECT_EQ(store.Delete("k"), DeleteResult::kNotFound);
    EXPECT_EQ(GetText(store, "k"), "<miss>");
    EXPECT_EQ(Set(store, "empty", ""), StoreResult::kStored);
    EXPECT_EQ(GetText(store, "empty"), "");
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, GetReturnsACloneOfTheStoredBytes) {
  InFreshRun(1, [] {
    ItemStore store;
    auto value = Value("zero-copy");
    const uint8_t* stored_bytes = value->data();
    ASSERT_EQ(store.Store(StoreMode::kSet, "k", 0, 0, std::move(value), 0, nullptr),
              StoreResult::kStored);
    GetResult a, b;
    ASSERT_TRUE(store.Get("k", &a));
    ASSERT_TRUE(store.Get("k", &b));
    ASSERT_TRUE(ebbrt::SharedIOBuf::IsShared(*a.value));
    EXPECT_EQ(a.value->data(), stored_bytes);
    EXPECT_EQ(b.value->data(), stored_bytes);
    EXPECT_EQ(static_cast<ebbrt::SharedIOBuf&>(*a.value).ShareCount(), 3u);
  });
}

TEST(StoreTest, CloneOutlivesDeleteAndReplace) {
  testing::RunUntilStopped([] {
    auto store = std::make_shared<ItemStore>();
    Set(*store, "k", "first");
    auto held = std::make_shared<GetResult>();
    ASSERT_TRUE(store->Get("k", held.get()));
    Set(*store, "k", "second");
    EXPECT_EQ(store->Delete("k"), DeleteResult::kDeleted);
    // Once a grace period has passed the items are freed; the clone keeps the bytes.
    AfterGracePeriod([held, store]() mutable {
      EXPECT_EQ(ChainText(*held->value), "first");
      EXPECT_EQ(static_cast<ebbrt::SharedIOBuf&>(*held->value).ShareCount(), 1u);
      store.reset();
      ebbrt::Stop(0);
    });
  });
}

TEST(StoreTest, AddReplaceAppendPrepend) {
  InFreshRun(1, [] {
    ItemStore store;
    EXPECT_EQ(store.Store(StoreMode::kReplace, "k", 0, 0, Value("x"), 0, nullptr),
              StoreResult::kNotStored);
    EXPECT_EQ(store.Store(StoreMode::kAppend, "k", 0, 0, Value("x"), 0, nullptr),
              StoreResult::kNotStored);
    EXPECT_EQ(store.Store(StoreMode::kPrepend, "k", 0, 0, Value("x"), 0, nullptr),
              StoreResult::kNotStored);
    EXPECT_EQ(store.Store(StoreMode::kAdd, "k", 7, 0, Value("mid"), 0, nullptr),
              StoreResult::kStored);
    EXPECT_EQ(store.Store(StoreMode::kAdd, "k", 0, 0, Value("again"), 0, nullptr),
              StoreResult::kNotStored);
    EXPECT_EQ(store.Store(StoreMode::kAppend, "k", 99, 0, Value(">"), 0, nullptr),
              StoreResult::kStored);
    EXPECT_EQ(store.Store(StoreMode::kPrepend, "k", 99, 0, Value("<"), 0, nullptr),
              StoreResult::kStored);
    GetResult hit;
    ASSERT_TRUE(store.Get("k", &hit));
    EXPECT_EQ(ChainText(*hit.value), "<mid>");
    EXPECT_EQ(hit.flags, 7u);  // append/prepend keep the item's flags
    EXPECT_EQ(store.Store(StoreMode::kReplace, "k", 1, 0, Value("new"), 0, nullptr),
              StoreResult::kStored);
    EXPECT_EQ(GetText(store, "k"), "new");
    // A non-zero CAS on append must match (binary protocol).
    EXPECT_EQ(store.Store(StoreMode::kAppend, "k", 0, 0, Value("!"), 12345, nullptr),
              StoreResult::kExists);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, CasExistsVersusNotFound) {
  InFreshRun(1, [] {
    ItemStore store;
    EXPECT_EQ(store.Store(StoreMode::kCas, "k", 0, 0, Value("v"), 1, nullptr),
              StoreResult::kNotFound);
    uint64_t cas1 = 0, cas2 = 0, cas3 = 0;
    Set(store, "k", "v1", 0, 0, &cas1);
    EXPECT_EQ(store.Store(StoreMode::kCas, "k", 0, 0, Value("v2"), cas1 + 1, nullptr),
              StoreResult::kExists);
    EXPECT_EQ(store.Store(StoreMode::kCas, "k", 0, 0, Value("v2"), cas1, &cas2),
              StoreResult::kStored);
    EXPECT_NE(cas2, cas1);
    EXPECT_EQ(store.Store(StoreMode::kCas, "k", 0, 0, Value("v3"), cas1, nullptr),
              StoreResult::kExists);
    EXPECT_EQ(GetText(store, "k"), "v2");
    // CAS uniques differ across keys and stores of one key.
    Set(store, "other", "x", 0, 0, &cas3);
    EXPECT_NE(cas3, cas2);
    EXPECT_NE(cas3, cas1);
    StoreStats stats = store.Stats();
    EXPECT_EQ(stats.cas_misses, 1u);
    EXPECT_EQ(stats.cas_badval, 2u);
    EXPECT_EQ(stats.cas_hits, 1u);
  });
}

TEST(StoreTest, DeleteWithCas) {
  InFreshRun(1, [] {
    ItemStore store;
    uint64_t cas = 0;
    Set(store, "k", "v", 0, 0, &cas);
    EXPECT_EQ(store.Delete("k", cas + 1), DeleteResult::kExists);
    EXPECT_EQ(store.Delete("k", cas), DeleteResult::kDeleted);
    EXPECT_EQ(store.Delete("k", cas), DeleteResult::kNotFound);
  });
}

TEST(StoreTest, IncrDecr) {
  InFreshRun(1, [] {
    ItemStore store;
    uint64_t value = 0, cas = 0, old_cas = 0;
    EXPECT_EQ(store.Delta("n", true, 1, 0, nullptr, &value, nullptr), DeltaResult::kNotFound);
    Set(store, "n", "99", 0, 5, &old_cas);
    EXPECT_EQ(store.Delta("n", true, 1, 0, nullptr, &value, &cas), DeltaResult::kOk);
    EXPECT_EQ(value, 100u);
    EXPECT_NE(cas, old_cas);
    EXPECT_EQ(GetText(store, "n"), "100");  // the length grew
    EXPECT_EQ(store.Delta("n", false, 1, 0, nullptr, &value, nullptr), DeltaResult::kOk);
    EXPECT_EQ(GetText(store, "n"), "99");  // and shrank (no space padding)
    GetResult hit;
    ASSERT_TRUE(store.Get("n", &hit));
    EXPECT_EQ(hit.flags, 5u);
    EXPECT_EQ(store.Delta("n", false, 1000, 0, nullptr, &value, nullptr), DeltaResult::kOk);
    EXPECT_EQ(value, 0u);  // decr stops at 0
    Set(store, "n", "18446744073709551615");
    EXPECT_EQ(store.Delta("n", true, 2, 0, nullptr, &value, nullptr), DeltaResult::kOk);
    EXPECT_EQ(value, 1u);  // incr wraps
    Set(store, "s", "abc");
    EXPECT_EQ(store.Delta("s", true, 1, 0, nullptr, &value, nullptr), DeltaResult::kNonNumeric);
    Set(store, "s", "");
    EXPECT_EQ(store.Delta("s", true, 1, 0, nullptr, &value, nullptr), DeltaResult::kNonNumeric);
    // memcached checks for an empty value before it compares the CAS.
    EXPECT_EQ(store.Delta("s", true, 1, 1, nullptr, &value, nullptr), DeltaResult::kNonNumeric);
    Set(store, "s", "12 apples");
    EXPECT_EQ(store.Delta("s", true, 1, 0, nullptr, &value, nullptr), DeltaResult::kOk);
    EXPECT_EQ(value, 13u);
    // A non-zero CAS must match.
    EXPECT_EQ(store.Delta("s", true, 1, 1, nullptr, &value, nullptr), DeltaResult::kExists);
    // Binary protocol: create with the initial value when missing.
    DeltaCreate create{.initial = 40, .exptime = 0};
    EXPECT_EQ(store.Delta("c", true, 2, 0, &create, &value, &cas), DeltaResult::kOk);
    EXPECT_EQ(value, 40u);
    EXPECT_EQ(store.Delta("c", true, 2, 0, &create, &value, &cas), DeltaResult::kOk);
    EXPECT_EQ(value, 42u);
    StoreStats stats = store.Stats();
    EXPECT_EQ(stats.incr_misses, 1u);
    EXPECT_EQ(stats.incr_hits, 4u);
    EXPECT_EQ(stats.decr_hits, 2u);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, ExpirationRelativeAbsoluteNegative) {
  InFreshRun(1, [] {
    fake_now = 1'700'000'000;
    ItemStore store(FakeClockConfig());
    Set(store, "rel", "v", 10);
    Set(store, "abs", "v", 1'700'000'005);
    Set(store, "past", "v", 1'600'000'000);  // absolute, already past
    Set(store, "neg", "v", -1);
    Set(store, "forever", "v", 0);
    Set(store, "max_rel", "v", kMaxRelativeExptime);  // still relative
    EXPECT_EQ(GetText(store, "rel"), "v");
    EXPECT_EQ(GetText(store, "abs"), "v");
    EXPECT_EQ(GetText(store, "past"), "<miss>");
    EXPECT_EQ(GetText(store, "neg"), "<miss>");
    fake_now += 5;
    EXPECT_EQ(GetText(store, "abs"), "<miss>");  // expires at its second
    EXPECT_EQ(GetText(store, "rel"), "v");
    fake_now += 5;
    EXPECT_EQ(GetText(store, "rel"), "<miss>");
    EXPECT_EQ(GetText(store, "forever"), "v");
    EXPECT_EQ(GetText(store, "max_rel"), "v");
    fake_now += kMaxRelativeExptime;
    EXPECT_EQ(GetText(store, "max_rel"), "<miss>");
    EXPECT_EQ(GetText(store, "forever"), "v");
    StoreStats stats = store.Stats();
    EXPECT_GE(stats.get_expired, 4u);
    // An expired item is gone for every command.
    EXPECT_EQ(store.Store(StoreMode::kReplace, "rel", 0, 0, Value("x"), 0, nullptr),
              StoreResult::kNotStored);
    EXPECT_EQ(store.Store(StoreMode::kAdd, "rel", 0, 0, Value("x"), 0, nullptr),
              StoreResult::kStored);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, TouchAndGetAndTouch) {
  InFreshRun(1, [] {
    fake_now = 1'700'000'000;
    ItemStore store(FakeClockConfig());
    Set(store, "k", "v", 10);
    EXPECT_TRUE(store.Touch("k", 100));
    EXPECT_FALSE(store.Touch("missing", 100));
    fake_now += 50;
    EXPECT_EQ(GetText(store, "k"), "v");
    GetResult hit;
    EXPECT_TRUE(store.GetAndTouch("k", 5, &hit));
    EXPECT_EQ(ChainText(*hit.value), "v");
    fake_now += 5;
    EXPECT_FALSE(store.GetAndTouch("k", 5, &hit));
    Set(store, "k2", "v", 10);
    EXPECT_TRUE(store.Touch("k2", -1));  // touched into the past
    EXPECT_EQ(GetText(store, "k2"), "<miss>");
    StoreStats stats = store.Stats();
    EXPECT_EQ(stats.touch_hits, 3u);
    EXPECT_EQ(stats.touch_misses, 2u);
    EXPECT_EQ(stats.cmd_touch, 5u);
  });
}

TEST(StoreTest, FlushAllNowAndDelayed) {
  InFreshRun(1, [] {
    fake_now = 1'700'000'000;
    ItemStore store(FakeClockConfig());
    Set(store, "a", "1");
    Set(store, "b", "2");
    store.FlushAll(0);
    EXPECT_EQ(GetText(store, "a"), "<miss>");
    EXPECT_EQ(store.Stats().curr_items, 0u);
    EXPECT_EQ(store.Stats().bytes, 0u);
    Set(store, "a", "after");  // stored in the same second, after the flush
    EXPECT_EQ(GetText(store, "a"), "after");
    // Delayed: items stored up to the flush time become invalid when it comes.
    store.FlushAll(10);
    EXPECT_EQ(GetText(store, "a"), "after");
    fake_now += 5;
    Set(store, "c", "3");
    fake_now += 4;  // memcached's oldest_live = now + delay - 1
    EXPECT_EQ(GetText(store, "a"), "<miss>");
    EXPECT_EQ(GetText(store, "c"), "<miss>");
    fake_now += 2;
    Set(store, "d", "4");
    EXPECT_EQ(GetText(store, "d"), "4");
    EXPECT_GE(store.Stats().get_flushed, 2u);
    EXPECT_EQ(store.Stats().cmd_flush, 2u);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, TooLargeFollowsMemcachedsItemSizeFormula) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.item_size_limit = 1024;
    ItemStore store(config);
    // key 1 + value + 59 header bytes must fit in 1024 (63 with flags).
    EXPECT_FALSE(store.TooLarge(1, 1024 - 60, 0));
    EXPECT_TRUE(store.TooLarge(1, 1024 - 59, 0));
    EXPECT_TRUE(store.TooLarge(1, 1024 - 60, 1));
    EXPECT_FALSE(store.RefuseIfTooLarge(StoreMode::kSet, "k", 1024 - 60, 0));
    EXPECT_EQ(store.Stats().store_too_large, 0u);
    EXPECT_TRUE(store.RefuseIfTooLarge(StoreMode::kSet, "k", 1024 - 59, 0));
    EXPECT_EQ(store.Stats().store_too_large, 1u);
  });
}

// memcached 1.6: a set that cannot be stored removes the item it would have replaced,
// so the client that sent it cannot go on reading the stale value.
TEST(StoreTest, ARefusedSetRemovesTheOldItem) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.item_size_limit = 1024;
    ItemStore store(config);
    Set(store, "k", "old");
    EXPECT_EQ(Set(store, "k", std::string(2000, 'x')), StoreResult::kTooLarge);
    EXPECT_EQ(GetText(store, "k"), "<miss>");
    // The protocols' check before they read the value does the same.
    Set(store, "k", "old");
    EXPECT_TRUE(store.RefuseIfTooLarge(StoreMode::kSet, "k", 2000, 0));
    EXPECT_EQ(GetText(store, "k"), "<miss>");
    StoreStats stats = store.Stats();
    EXPECT_EQ(stats.store_too_large, 2u);
    EXPECT_EQ(stats.curr_items, 0u);
    EXPECT_EQ(stats.bytes, 0u);
    EXPECT_EQ(stats.delete_hits, 0u);  // not a delete
    // Nothing to remove: still refused.
    EXPECT_EQ(Set(store, "absent", std::string(2000, 'x')), StoreResult::kTooLarge);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, ASetRefusedForMemoryRemovesTheOldItem) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.memory_limit_bytes = 4096;
    config.item_size_limit = 8192;
    ItemStore store(config);
    Set(store, "k", "old");
    Set(store, "other", "kept");
    EXPECT_EQ(Set(store, "k", std::string(5000, 'x')), StoreResult::kNoMemory);
    EXPECT_EQ(GetText(store, "k"), "<miss>");
    EXPECT_EQ(GetText(store, "other"), "kept");
    EXPECT_EQ(store.Stats().store_no_memory, 1u);
    EXPECT_EQ(store.Stats().curr_items, 1u);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

// The other refused updates leave the item alone, as in memcached 1.6.
TEST(StoreTest, OtherRefusedUpdatesKeepTheOldItem) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.item_size_limit = 1024;
    config.memory_limit_bytes = 64 * 1024;
    ItemStore store(config);
    uint64_t cas = 0;
    Set(store, "k", "old", 0, 0, &cas);
    const std::string huge(2000, 'x');
    for (StoreMode mode : {StoreMode::kAdd, StoreMode::kReplace, StoreMode::kCas,
                           StoreMode::kAppend, StoreMode::kPrepend}) {
      EXPECT_TRUE(store.RefuseIfTooLarge(mode, "k", huge.size(), 0));
      EXPECT_EQ(GetText(store, "k"), "old") << static_cast<int>(mode);
    }
    for (StoreMode mode : {StoreMode::kAdd, StoreMode::kReplace, StoreMode::kCas}) {
      EXPECT_EQ(store.Store(mode, "k", 0, 0, Value(huge), cas, nullptr), StoreResult::kTooLarge);
      EXPECT_EQ(GetText(store, "k"), "old") << static_cast<int>(mode);
    }
    // Growth past the limit by append/prepend.
    Set(store, "k", std::string(900, 'a'), 0, 0, &cas);
    for (StoreMode mode : {StoreMode::kAppend, StoreMode::kPrepend}) {
      EXPECT_EQ(store.Store(mode, "k", 0, 0, Value(std::string(200, 'b')), 0, nullptr),
                StoreResult::kTooLarge);
      EXPECT_EQ(GetText(store, "k"), std::string(900, 'a'));
    }
    // Refused for memory: cas and replace keep it too.
    config.memory_limit_bytes = 4096;
    config.item_size_limit = 8192;
    ItemStore small(config);
    Set(small, "k", "old", 0, 0, &cas);
    EXPECT_EQ(small.Store(StoreMode::kCas, "k", 0, 0, Value(std::string(5000, 'x')), cas,
                          nullptr),
              StoreResult::kNoMemory);
    EXPECT_EQ(small.Store(StoreMode::kReplace, "k", 0, 0, Value(std::string(5000, 'x')), 0,
                          nullptr),
              StoreResult::kNoMemory);
    EXPECT_EQ(GetText(small, "k"), "old");
    EXPECT_TRUE(store.CheckConsistency().ok());
    EXPECT_TRUE(small.CheckConsistency().ok());
  });
}

TEST(StoreTest, EvictionKeepsBytesUnderTheLimitAndSparesRecentlyRead) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.memory_limit_bytes = 64 * 1024;
    config.item_size_limit = 4096;
    ItemStore store(config);
    const size_t value_size = 100;
    const size_t item_size = ItemStore::ItemSize(8, value_size);
    Set(store, "hot00000", std::string(value_size, 'h'));
    for (int i = 0; i < 2000; ++i) {
      char key[16];
      snprintf(key, sizeof(key), "key%05d", i);
      ASSERT_EQ(Set(store, key, std::string(value_size, 'v')), StoreResult::kStored);
      ASSERT_EQ(GetText(store, "hot00000"), std::string(value_size, 'h')) << "at " << i;
      ASSERT_LE(store.Stats().bytes, config.memory_limit_bytes);
    }
    StoreStats stats = store.Stats();
    EXPECT_GT(stats.evictions, 0u);
    EXPECT_EQ(stats.curr_items * item_size, stats.bytes);
    EXPECT_GT(stats.bytes, config.memory_limit_bytes - 2 * item_size);  // full, not emptied
    EXPECT_EQ(stats.total_items, 2001u);
    EXPECT_EQ(stats.curr_items + stats.evictions, 2001u);
    // The most recent keys are there.
    EXPECT_NE(GetText(store, "key01999"), "<miss>");
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

std::string NumberedKey(size_t i) {
  char key[16];
  snprintf(key, sizeof(key), "key%08zu", i);
  return key;
}

// Writes `count` distinct keys with `value_size`-byte values and, every `check_every`
// writes, finds the youngest key that is gone (scanning back from the newest with
// Contains, which does not mark items read). Returns the fewest writes any evicted key
// had been followed by when it was found gone (SIZE_MAX if none was).
size_t YoungestEvictionAge(ItemStore& store, size_t count, size_t value_size,
                           size_t check_every) {
  const std::string value(value_size, 'v');
  size_t youngest = SIZE_MAX;
  for (size_t i = 0; i < count; ++i) {
    EXPECT_EQ(Set(store, NumberedKey(i), value), StoreResult::kStored) << i;
    if (i % check_every != 0 && i + 1 != count) continue;
    for (size_t age = 0; age <= i; ++age) {
      if (!store.Contains(NumberedKey(i - age))) {
        if (age < youngest) youngest = age;
        break;
      }
    }
  }
  return youngest;
}

// The case memcached users notice: with -m 8, after 100 MiB of distinct 1,000-byte
// values, every one of the last 1,000 keys is still there (as in stock memcached).
TEST(StoreTest, EvictionKeepsTheNewestItems) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.memory_limit_bytes = 8 << 20;
    ItemStore store(config);
    const size_t count = (100 << 20) / 1000;
    const std::string value(1000, 'v');
    for (size_t i = 0; i < count; ++i) {
      ASSERT_EQ(Set(store, NumberedKey(i), value), StoreResult::kStored) << i;
    }
    size_t missing = 0;
    for (size_t i = count - 1000; i < count; ++i) missing += store.Contains(NumberedKey(i)) ? 0 : 1;
    EXPECT_EQ(missing, 0u);
    EXPECT_GT(store.Stats().evictions, count / 2);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

// Whatever shard an item lands in, and from the first fill on, it survives until most
// of the memory limit has been written after it: CLOCK's hand only takes items that
// have waited two whole turns (store.h). Small and large stores, small and large items.
TEST(StoreTest, AFreshItemSurvivesMostOfTheMemoryLimitWrittenAfterIt) {
  InFreshRun(1, [] {
    struct Case {
      size_t memory_limit;
      size_t value_size;
    };
    for (Case c : {Case{2 << 20, 1000}, Case{1 << 20, 100}, Case{1 << 20, 4000},
                   Case{256 << 10, 1000}}) {
      StoreConfig config;
      config.memory_limit_bytes = c.memory_limit;
      ItemStore store(config);
      const size_t item_size = ItemStore::ItemSize(11, c.value_size);
      const size_t fit = c.memory_limit / item_size;  // items the limit holds
      // Eight times the limit: the first fill and well into the steady state.
      size_t youngest = YoungestEvictionAge(store, 8 * fit, c.value_size, fit / 50 + 1);
      printf("limit %zu, %zu-byte values: %zu items fit; the youngest evicted item had "
             "%zu writes after it (%.2f of the limit)\n",
             c.memory_limit, c.value_size, fit, youngest,
             static_cast<double>(youngest) / static_cast<double>(fit));
      // memcached's LRU keeps all of the last `fit` items; CLOCK keeps most of them.
      EXPECT_GE(youngest, fit * 6 / 10)
          << "limit " << c.memory_limit << ", values " << c.value_size;
      EXPECT_TRUE(store.CheckConsistency().ok());
    }
  });
}

// The hand's worst case: every item read again before the hand comes back, and large
// items that are all still young. A write still finds room (it never says out of memory
// while there is an item to evict).
TEST(StoreTest, EvictionFindsRoomWhenEveryItemIsReferencedOrYoung) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.memory_limit_bytes = 64 * 1024;
    ItemStore store(config);
    size_t oldest = 0;
    for (size_t i = 0; i < 1000; ++i) {
      ASSERT_EQ(Set(store, NumberedKey(i), std::string(100, 'v')), StoreResult::kStored) << i;
      while (!store.Contains(NumberedKey(oldest))) ++oldest;
      GetResult hit;
      for (size_t k = oldest; k <= i; ++k) store.Get(NumberedKey(k), &hit);
    }
    ItemStore large(config);
    for (size_t i = 0; i < 100; ++i) {
      ASSERT_EQ(Set(large, NumberedKey(i), std::string(20000, 'v')), StoreResult::kStored) << i;
    }
    EXPECT_EQ(store.Stats().store_no_memory + large.Stats().store_no_memory, 0u);
    EXPECT_TRUE(store.CheckConsistency().ok());
    EXPECT_TRUE(large.CheckConsistency().ok());
  });
}

TEST(StoreTest, ExpiredItemsAreReclaimedBeforeLiveOnesAreEvicted) {
  InFreshRun(1, [] {
    fake_now = 1'700'000'000;
    StoreConfig config = FakeClockConfig();
    config.memory_limit_bytes = 32 * 1024;
    ItemStore store(config);
    size_t fit = config.memory_limit_bytes / ItemStore::ItemSize(8, 50);
    for (size_t i = 0; i < fit / 2; ++i) {
      char key[16];
      snprintf(key, sizeof(key), "old%05zu", i);
      Set(store, key, std::string(50, 'o'), 5);
    }
    fake_now += 10;  // all of those are expired now
    for (size_t i = 0; i < fit; ++i) {
      char key[16];
      snprintf(key, sizeof(key), "new%05zu", i);
      Set(store, key, std::string(50, 'n'));
    }
    StoreStats stats = store.Stats();
    EXPECT_GT(stats.reclaimed, 0u);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, AnItemLargerThanTheWholeMemoryIsOutOfMemory) {
  InFreshRun(1, [] {
    StoreConfig config;
    config.memory_limit_bytes = 4096;
    ItemStore store(config);
    Set(store, "k", "small");
    EXPECT_EQ(Set(store, "big", std::string(8000, 'x')), StoreResult::kNoMemory);
    EXPECT_EQ(store.Stats().store_no_memory, 1u);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

TEST(StoreTest, StatsCountersAndReset) {
  InFreshRun(1, [] {
    ItemStore store;
    Set(store, "a", "1");
    Set(store, "b", "2");
    GetResult hit;
    store.Get("a", &hit);
    store.Get("a", &hit);
    store.Get("zz", &hit);
    store.Delete("b");
    store.Delete("b");
    store.ConnectionOpened();
    StoreStats s = store.Stats();
    EXPECT_EQ(s.cmd_set, 2u);
    EXPECT_EQ(s.cmd_get, 3u);
    EXPECT_EQ(s.get_hits, 2u);
    EXPECT_EQ(s.get_misses, 1u);
    EXPECT_EQ(s.delete_hits, 1u);
    EXPECT_EQ(s.delete_misses, 1u);
    EXPECT_EQ(s.curr_items, 1u);
    EXPECT_EQ(s.total_items, 2u);
    EXPECT_EQ(s.bytes, ItemStore::ItemSize(1, 1));
    EXPECT_EQ(s.limit_maxbytes, 64u << 20);
    EXPECT_EQ(s.curr_connections, 1u);
    EXPECT_EQ(s.total_connections, 1u);
    store.ResetStats();
    s = store.Stats();
    EXPECT_EQ(s.cmd_get, 0u);
    EXPECT_EQ(s.total_items, 0u);
    EXPECT_EQ(s.curr_items, 1u);  // gauges survive a reset
    EXPECT_EQ(s.curr_connections, 1u);
    store.ConnectionClosed();
    EXPECT_EQ(store.Stats().curr_connections, 0u);
  });
}

TEST(StoreTest, ItemOverheadIsModest) {
  // Key and value bytes plus a fixed overhead (README.md, "Memory accounting").
  size_t overhead = ItemStore::ItemSize(0, 0);
  EXPECT_EQ(ItemStore::ItemSize(10, 100), overhead + 110);
  EXPECT_LE(overhead, 256u);
  printf("item overhead: %zu bytes\n", overhead);
}

TEST(StoreTest, KeysOfEveryLengthAndByte) {
  InFreshRun(1, [] {
    ItemStore store;
    for (size_t length = 1; length <= kMaxKeyLength; ++length) {
      std::string key(length, static_cast<char>('a' + length % 26));
      key[0] = static_cast<char>(length);  // any byte may be in a key here
      ASSERT_EQ(Set(store, key, key), StoreResult::kStored);
    }
    for (size_t length = 1; length <= kMaxKeyLength; ++length) {
      std::string key(length, static_cast<char>('a' + length % 26));
      key[0] = static_cast<char>(length);
      ASSERT_EQ(GetText(store, key), key);
    }
    EXPECT_EQ(store.Stats().curr_items, kMaxKeyLength);
    EXPECT_TRUE(store.CheckConsistency().ok());
  });
}

}  // namespace
}  // namespace memcached
