// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/store.h"

#include <string.h>
#include <time.h>

#include <new>
#include <utility>

#include "apps/memcached/numbers.h"
#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"

namespace memcached {

using ebbrt::IOBuf;
using ebbrt::SharedIOBuf;
using ebbrt::SpinLockGuard;

namespace {

constexpr size_t kShardBits = 7;
constexpr size_t kShards = size_t{1} << kShardBits;
constexpr size_t kMinBuckets = 1024;
constexpr size_t kMaxBuckets = size_t{1} << 22;
constexpr size_t kBytesPerBucket = 512;

// memcached's item_size_ok: sizeof(item) 48 + key + 1 + "\r\n" 2 + CAS 8 = key + value + 59,
// plus 4 for the client flags when they are not zero.
constexpr size_t kMemcachedItemHeader = 59;
constexpr size_t kMemcachedFlagsSuffix = 4;

// What an item costs beyond its key and value bytes, besides the Item header itself: the
// value's SharedIOBuf descriptor, its storage header (a reference count, padded), and
// the allocator's header of each of the three blocks (item, descriptor, storage).
constexpr size_t kValueOverhead = sizeof(SharedIOBuf) + 16;
constexpr size_t kAllocatorOverhead = 3 * 16;

// The absolute expiration time of an item that must read as expired at any clock value.
constexpr int64_t kExpiredLongAgo = INT64_MIN;

// Walks of a chain or ring give up past this many links (a corrupted structure must not
// hang the consistency check).
constexpr size_t kWalkLimit = size_t{1} << 32;

// memcached's own ceiling for -I; it also keeps an item's charged size within 32 bits.
constexpr size_t kMaxItemSizeLimit = size_t{1} << 30;

// The eviction hand's clock (store.h, "Eviction"): an item becomes a candidate once the
// hand has moved this many shard visits since the item was placed behind it, i.e. after
// kEligibleTurns whole turns over the shards.
constexpr uint32_t kEligibleTurns = 2;
constexpr int32_t kEligibleAge = static_cast<int32_t>(kEligibleTurns * kShards);
// While the store fills without evicting, the hand also moves one visit per this
// fraction of the memory limit charged, so items stored then still age in order.
constexpr size_t kFillStepsPerLimit = kEligibleTurns * kShards;

uint64_t Rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// A fast keyed-by-length hash over 8-byte words. Not collision resistant against an
// adversary choosing keys (neither is memcached's default murmur3/jenkins).
uint64_t HashKey(std::string_view key) {
  const char* p = key.data();
  size_t n = key.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xc2b2ae3d27d4eb4full);
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    v *= 0x87c37b91114253d5ull;
    v = Rotl(v, 31);
    v *= 0x4cf5ad432745937full;
    h ^= v;
    h = Rotl(h, 27) * 5 + 0x52dce729;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n > 0) memcpy(&tail, p, n);
  tail *= 0x87c37b91114253d5ull;
  tail = Rotl(tail, 31);
  h ^= tail * 0x4cf5ad432745937full;
  return Fmix64(h);
}

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

bool IsSingleSharedLink(const IOBuf& buf) {
  return SharedIOBuf::IsShared(buf) && !buf.IsChained();
}

}  // namespace

// --- Data structures ---------------------------------------------------------------------

struct ItemStore::Item {
  // The hash chain. Readers follow it without locks; only writers holding the bucket's
  // shard lock store it, and an unlinked item's `next` is never changed (readers that
  // still stand on it must be able to go on).
  std::atomic<Item*> next{nullptr};
  // The shard's CLOCK ring (under the shard lock only).
  Item* ring_prev = nullptr;
  Item* ring_next = nullptr;
  // Immutable after publication: the value, hash, CAS, store time, flags, size, key.
  std::unique_ptr<IOBuf> value;
  uint64_t hash = 0;
  uint64_t cas = 0;
  int64_t time = 0;
  // touch/gat change it in place, without a lock.
  std::atomic<int64_t> exptime{0};
  // ItemSize(); at most kMaxItemSizeLimit plus the overhead, so 32 bits hold it.
  uint32_t size = 0;
  uint32_t flags = 0;
  // The eviction hand's position (low 32 bits) when the item was last placed behind it:
  // when it was linked, or given a second chance (under the shard lock only).
  uint32_t stamp = 0;
  // CLOCK's referenced bit: set by reads, cleared by the eviction hand.
  std::atomic<uint8_t> referenced{0};
  uint8_t key_length = 0;
  // The key bytes follow the Item in the same allocation.

  char* key_data() { return reinterpret_cast<char*>(this + 1); }
  const char* key_data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const { return {key_data(), key_length}; }
};

struct alignas(64) ItemStore::Shard {
  ebbrt::SpinLock lock;
  // The CLOCK hand: the next eviction candidate; new items go just behind it, so the
  // ring from here on is in the order the items were placed, oldest stamp first.
  Item* hand = nullptr;
  // Written under the lock; read without it to skip empty shards when evicting.
  std::atomic<size_t> count{0};
  size_t bytes = 0;
  // CAS uniques: (sequence << kShardBits) | shard index, unique across the store.
  uint64_t cas_sequence = 0;
};

enum ItemStore::Counter : uint8_t {
  kCmdGet,
  kCmdSet,
  kCmdFlush,
  kCmdTouch,
  kGetHits,
  kGetMisses,
  kGetExpired,
  kGetFlushed,
  kDeleteHits,
  kDeleteMisses,
  kIncrHits,
  kIncrMisses,
  kDecrHits,
  kDecrMisses,
  kCasHits,
  kCasMisses,
  kCasBadval,
  kTouchHits,
  kTouchMisses,
  kStoreTooLarge,
  kStoreNoMemory,
  kEvictions,
  kReclaimed,
  // Gauges: per-core values may wrap below zero; only the sum means anything.
  kCurrItems,
  kTotalItems,
  kCurrConnections,
  kTotalConnections,
  kNumCounters,
};

// One core's counters, on lines no other core writes: only the owning core stores them
// (plain load + store, no RMW); `stats` reads them all with relaxed loads.
struct alignas(64) ItemStore::CoreCounters {
  std::atomic<uint64_t> value[kNumCounters] = {};
};

namespace {

void DestroyItemMemory(ItemStore::Item* item) {
  item->~Item();
  ::operator delete(item);
}

// Items waiting for an RCU grace period, linked through ring_next (no longer in a ring).
// Owning, so a callback destroyed unrun (the runtime stopping) still frees them.
class RetiredItems {
 public:
  explicit RetiredItems(ItemStore::Item* head) : head_(head) {}
  RetiredItems(RetiredItems&& other) noexcept : head_(other.head_) { other.head_ = nullptr; }
  RetiredItems& operator=(RetiredItems&&) = delete;
  ~RetiredItems() {
    while (head_ != nullptr) {
      ItemStore::Item* next = head_->ring_next;
      DestroyItemMemory(head_);
      head_ = next;
    }
  }

 private:
  ItemStore::Item* head_;
};

}  // namespace

// --- Construction ----------------------------------------------------------------------------

int64_t SystemClock() { return static_cast<int64_t>(time(nullptr)); }

ItemStore::ItemStore(const StoreConfig& config)
    : config_(config),
      clock_(config.clock != nullptr ? config.clock : &SystemClock),
      started_(clock_()) {
  EBBRT_CHECK_MSG(config.item_size_limit <= kMaxItemSizeLimit,
                  "ItemStore: item_size_limit over 1 GiB (memcached's limit too)");
  // A power of two near memory_limit_bytes / kFillStepsPerLimit (shift, not divide, on
  // every charge).
  size_t fill_step = config.memory_limit_bytes / kFillStepsPerLimit;
  while ((size_t{2} << fill_shift_) <= fill_step) ++fill_shift_;
  size_t want = config.hash_buckets != 0 ? config.hash_buckets
                                         : config.memory_limit_bytes / kBytesPerBucket;
  if (want < kMinBuckets) want = kMinBuckets;
  if (want > kMaxBuckets && config.hash_buckets == 0) want = kMaxBuckets;
  size_t buckets = RoundUpToPowerOfTwo(want);
  bucket_mask_ = buckets - 1;
  buckets_ = new std::atomic<Item*>[buckets];
  for (size_t i = 0; i < buckets; ++i) buckets_[i].store(nullptr, std::memory_order_relaxed);
  shards_ = new Shard[kShards];
  counters_ = new ebbrt::PerCore<CoreCounters>;
  baseline_ = new uint64_t[kNumCounters]();
}

ItemStore::~ItemStore() {
  for (size_t b = 0; b <= bucket_mask_; ++b) {
    Item* item = buckets_[b].load(std::memory_order_relaxed);
    while (item != nullptr) {
      Item* next = item->next.load(std::memory_order_relaxed);
      DestroyItemMemory(item);
      item = next;
    }
  }
  delete[] buckets_;
  delete[] shards_;
  delete counters_;
  delete[] baseline_;
}

size_t ItemStore::ItemSize(size_t key_length, size_t value_length) {
  return sizeof(Item) + kValueOverhead + kAllocatorOverhead + key_length + value_length;
}

int64_t ItemStore::AbsoluteExptime(int64_t exptime, int64_t now) {
  if (exptime == 0) return 0;
  if (exptime < 0) return kExpiredLongAgo;
  if (exptime > kMaxRelativeExptime) return exptime;  // absolute unix time
  return now + exptime;
}

// --- Helpers ----------------------------------------------------------------------------------

ItemStore::Shard& ItemStore::ShardOfBucket(size_t bucket) const {
  return shards_[bucket & (kShards - 1)];
}

void ItemStore::Bump(Counter counter, uint64_t n) {
  size_t core = ebbrt::MyCore();
  // Read-mostly: written only the first time a core with a higher index counts.
  size_t used = cores_used_.load(std::memory_order_relaxed);
  while (core >= used &&
         !cores_used_.compare_exchange_weak(used, core + 1, std::memory_order_relaxed)) {
  }
  std::atomic<uint64_t>& c = (*counters_)[core].value[counter];
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

uint64_t ItemStore::Sum(Counter counter) const {
  uint64_t total = 0;
  size_t cores = cores_used_.load(std::memory_order_relaxed);
  for (size_t core = 0; core < cores; ++core) {
    total += (*counters_)[core].value[counter].load(std::memory_order_relaxed);
  }
  return total;
}

ItemStore::Item* ItemStore::NewItem(std::string_view key, uint64_t hash, uint32_t flags,
                                    int64_t exptime, std::unique_ptr<IOBuf> value,
                                    int64_t now) {
  void* block = ::operator new(sizeof(Item) + key.size());
  Item* item = new (block) Item();
  memcpy(item->key_data(), key.data(), key.size());
  item->key_length = static_cast<uint8_t>(key.size());
  item->hash = hash;
  item->flags = flags;
  item->time = now;
  item->exptime.store(exptime, std::memory_order_relaxed);
  item->size = static_cast<uint32_t>(ItemSize(key.size(), value->length()));
  item->value = std::move(value);
  return item;
}

void ItemStore::DestroyItem(Item* item) { DestroyItemMemory(item); }

void ItemStore::Retire(Item* item) {
  item->ring_next = nullptr;
  ebbrt::CallRcu([retired = RetiredItems(item)] {});
}

ItemStore::Item* ItemStore::Find(size_t bucket, uint64_t hash, std::string_view key) const {
  for (Item* item = buckets_[bucket].load(std::memory_order_acquire); item != nullptr;
       item = item->next.load(std::memory_order_acquire)) {
    if (item->hash == hash && item->key_length == key.size() &&
        memcmp(item->key_data(), key.data(), key.size()) == 0) {
      return item;
    }
  }
  return nullptr;
}

std::atomic<ItemStore::Item*>* ItemStore::FindLink(size_t bucket, const Item* item) const {
  std::atomic<Item*>* link = &buckets_[bucket];
  while (Item* current = link->load(std::memory_order_relaxed)) {
    if (current == item) return link;
    link = &current->next;
  }
  return nullptr;
}

bool ItemStore::Live(const Item* item, int64_t now) const {
  int64_t exptime = item->exptime.load(std::memory_order_relaxed);
  if (exptime != 0 && exptime <= now) return false;
  int64_t oldest = oldest_live_.load(std::memory_order_relaxed);
  if (oldest != 0 && oldest <= now && item->time <= oldest) return false;
  return true;
}

void ItemStore::RingInsert(Shard& shard, Item* item) {
  // Loaded under the shard lock and never decreasing: stamps along a ring never decrease.
  item->stamp = static_cast<uint32_t>(evict_cursor_.load(std::memory_order_relaxed));
  if (shard.hand == nullptr) {
    item->ring_prev = item->ring_next = item;
    shard.hand = item;
    return;
  }
  // Just behind the hand: the last place it will look.
  Item* last = shard.hand->ring_prev;
  last->ring_next = item;
  item->ring_prev = last;
  item->ring_next = shard.hand;
  shard.hand->ring_prev = item;
}

void ItemStore::RingRemove(Shard& shard, Item* item) {
  if (item->ring_next == item) {
    shard.hand = nullptr;
  } else {
    item->ring_prev->ring_next = item->ring_next;
    item->ring_next->ring_prev = item->ring_prev;
    if (shard.hand == item) shard.hand = item->ring_next;
  }
  item->ring_prev = item->ring_next = nullptr;
}

void ItemStore::Link(Shard& shard, size_t bucket, Item* old, Item* fresh) {
  // The CAS must be in place before the release store that publishes the item.
  size_t shard_index = static_cast<size_t>(&shard - shards_);
  fresh->cas = (++shard.cas_sequence << kShardBits) | shard_index;
  if (old != nullptr) {
    std::atomic<Item*>* link = FindLink(bucket, old);
    EBBRT_CHECK_MSG(link != nullptr, "ItemStore: replacing an item that is not linked");
    fresh->next.store(old->next.load(std::memory_order_relaxed), std::memory_order_relaxed);
    link->store(fresh, std::memory_order_release);
    RingRemove(shard, old);
    shard.bytes -= old->size;
    shard.count.store(shard.count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    Bump(kCurrItems, ~uint64_t{0});
  } else {
    fresh->next.store(buckets_[bucket].load(std::memory_order_relaxed), std::memory_order_relaxed);
    buckets_[bucket].store(fresh, std::memory_order_release);
  }
  RingInsert(shard, fresh);
  shard.bytes += fresh->size;
  shard.count.store(shard.count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  Bump(kCurrItems);
  Bump(kTotalItems);
}

void ItemStore::Unlink(Shard& shard, size_t bucket, Item* item) {
  std::atomic<Item*>* link = FindLink(bucket, item);
  EBBRT_CHECK_MSG(link != nullptr, "ItemStore: unlinking an item that is not linked");
  link->store(item->next.load(std::memory_order_relaxed), std::memory_order_release);
  RingRemove(shard, item);
  shard.bytes -= item->size;
  shard.count.store(shard.count.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  Bump(kCurrItems, ~uint64_t{0});
}

// --- Memory limit and eviction ---------------------------------------------------------

namespace {

// Whether an item placed behind the hand at `stamp` has waited long enough at hand
// position `position`, read under the shard lock and so at or past every stamp in that
// shard. A stamp that looks ahead of it has wrapped (the hand moved 2^31 visits, e.g. by
// fill steps while nothing was evicted, since the item was placed): that item is old.
bool Eligible(uint32_t stamp, uint32_t position) {
  int32_t age = static_cast<int32_t>(position - stamp);
  return age < 0 || age >= kEligibleAge;
}

}  // namespace

void ItemStore::AdvanceEvictCursor(uint64_t from) {
  evict_cursor_.compare_exchange_strong(from, from + 1, std::memory_order_relaxed);
}

bool ItemStore::SweepShard(Shard& shard, const Item* keep, int64_t now) {
  // Under the lock, so at least every stamp in this ring; a second chance restamps with it.
  uint32_t position = static_cast<uint32_t>(evict_cursor_.load(std::memory_order_relaxed));
  while (Item* victim = shard.hand) {
    bool live = Live(victim, now);
    // The ring is in stamp order from the hand: everything after a young item is younger.
    if (live && !Eligible(victim->stamp, position)) return false;
    shard.hand = victim->ring_next;
    if (victim == keep ||
        (live && victim->referenced.load(std::memory_order_relaxed) != 0)) {
      // Second chance: it is behind the hand now, and waits as long as a new item.
      victim->referenced.store(0, std::memory_order_relaxed);
      victim->stamp = position;
      continue;
    }
    Unlink(shard, BucketOf(victim->hash), victim);
    bytes_.fetch_sub(victim->size, std::memory_order_relaxed);
    Bump(live ? kEvictions : kReclaimed);
    Retire(victim);
    return true;
  }
  return false;
}

bool ItemStore::EvictOne(Shard& home, const Item* keep, int64_t now) {
  // One hand over all items: it visits the shards in turn, and a visit ends at the
  // shard's first item that is not yet eligible (or when the shard is empty). Shards
  // other than `home` (which the caller holds) are only TryLock'ed: waiting for a second
  // lock could deadlock with a writer doing the same the other way round. A busy shard
  // is passed over for this turn.
  // Enough visits to find a victim if there is one: kEligibleTurns turns until every
  // item present now is eligible, one turn giving referenced ones their second chance,
  // kEligibleTurns more until those are eligible again, and one to reach them.
  constexpr size_t kVisits = (2 * kEligibleTurns + 2) * kShards;
  constexpr int kRounds = 64;
  for (int round = 0; round < kRounds; ++round) {
    bool busy = false;
    for (size_t visit = 0; visit < kVisits; ++visit) {
      uint64_t position = evict_cursor_.load(std::memory_order_relaxed);
      Shard& shard = shards_[position & (kShards - 1)];
      bool other = &shard != &home;
      if (other) {
        if (shard.count.load(std::memory_order_relaxed) == 0) {
          AdvanceEvictCursor(position);
          continue;
        }
        if (!shard.lock.TryLock()) {
          busy = true;
          AdvanceEvictCursor(position);
          continue;
        }
      }
      bool evicted = SweepShard(shard, keep, now);
      if (!evicted) AdvanceEvictCursor(position);  // this visit is over
      if (other) shard.lock.Unlock();
      if (evicted) return true;
    }
    if (!busy) return false;
    for (int spin = 0; spin < 64; ++spin) __builtin_ia32_pause();
  }
  return false;
}

bool ItemStore::Charge(Shard& home, int64_t delta, const Item* keep, int64_t now) {
  if (delta <= 0) {
    bytes_.fetch_sub(static_cast<size_t>(-delta), std::memory_order_relaxed);
    return true;
  }
  size_t need = static_cast<size_t>(delta);
  size_t limit = config_.memory_limit_bytes;
  if (need > limit) return false;
  bool evicted = false;
  while (true) {
    size_t current = bytes_.load(std::memory_order_relaxed);
    while (current + need <= limit) {
      if (bytes_.compare_exchange_weak(current, current + need, std::memory_order_relaxed)) {
        // Filling without evicting: the hand's clock moves with the bytes stored, so the
        // items stored now are not all the same age when eviction starts.
        uint64_t steps = ((current + need) >> fill_shift_) - (current >> fill_shift_);
        if (!evicted && steps != 0) {
          evict_cursor_.fetch_add(steps, std::memory_order_relaxed);
        }
        return true;
      }
    }
    if (!EvictOne(home, keep, now)) return false;
    evicted = true;
  }
}

// --- Reads ---------------------------------------------------------------------------------

bool ItemStore::Lookup(std::string_view key, bool touch, int64_t exptime, GetResult* out) {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  uint64_t hash = HashKey(key);
  size_t bucket = BucketOf(hash);
  int64_t now = Now();
  Bump(touch ? kCmdTouch : kCmdGet);
  Item* item = Find(bucket, hash, key);
  if (item != nullptr && Live(item, now)) {
    if (touch) item->exptime.store(AbsoluteExptime(exptime, now), std::memory_order_relaxed);
    // Only write the shared line when the bit changes.
    if (item->referenced.load(std::memory_order_relaxed) == 0) {
      item->referenced.store(1, std::memory_order_relaxed);
    }
    if (out != nullptr) {
      out->flags = item->flags;
      out->cas = item->cas;
      out->value = SharedIOBuf::Clone(*item->value);
    }
    Bump(touch ? kTouchHits : kGetHits);
    return true;
  }
  Bump(touch ? kTouchMisses : kGetMisses);
  if (item != nullptr) {
    if (!touch) {
      int64_t item_exptime = item->exptime.load(std::memory_order_relaxed);
      Bump(item_exptime != 0 && item_exptime <= now ? kGetExpired : kGetFlushed);
    }
    ReclaimIfDead(bucket, item, now);
  }
  return false;
}

void ItemStore::ReclaimIfDead(size_t bucket, Item* item, int64_t now) {
  Shard& shard = ShardOfBucket(bucket);
  {
    SpinLockGuard guard(shard.lock);
    if (FindLink(bucket, item) == nullptr || Live(item, now)) return;
    Unlink(shard, bucket, item);
    bytes_.fetch_sub(item->size, std::memory_order_relaxed);
    Bump(kReclaimed);
  }
  Retire(item);
}

bool ItemStore::Get(std::string_view key, GetResult* out) {
  return Lookup(key, /*touch=*/false, 0, out);
}

bool ItemStore::GetAndTouch(std::string_view key, int64_t exptime, GetResult* out) {
  return Lookup(key, /*touch=*/true, exptime, out);
}

bool ItemStore::Touch(std::string_view key, int64_t exptime) {
  return Lookup(key, /*touch=*/true, exptime, nullptr);
}

bool ItemStore::Contains(std::string_view key) const {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  uint64_t hash = HashKey(key);
  const Item* item = Find(BucketOf(hash), hash, key);
  return item != nullptr && Live(item, Now());
}

// --- Writes --------------------------------------------------------------------------------

bool ItemStore::TooLarge(size_t key_length, size_t value_length, uint32_t flags) const {
  size_t header = kMemcachedItemHeader + (flags != 0 ? kMemcachedFlagsSuffix : 0);
  return value_length > config_.item_size_limit ||
         key_length + value_length + header > config_.item_size_limit;
}

bool ItemStore::RefuseIfTooLarge(StoreMode mode, std::string_view key, size_t value_length,
                                 uint32_t flags) {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  if (!TooLarge(key.size(), value_length, flags)) return false;
  Bump(kStoreTooLarge);
  if (mode == StoreMode::kSet) DropStale(key);
  return true;
}

void ItemStore::DropStale(std::string_view key) {
  uint64_t hash = HashKey(key);
  size_t bucket = BucketOf(hash);
  Shard& shard = ShardOfBucket(bucket);
  Item* item;
  {
    SpinLockGuard guard(shard.lock);
    item = Find(bucket, hash, key);
    if (item == nullptr) return;
    // Not a delete (memcached counts none either); a dead one is reclaimed as anywhere.
    if (!Live(item, Now())) Bump(kReclaimed);
    Unlink(shard, bucket, item);
    bytes_.fetch_sub(item->size, std::memory_order_relaxed);
  }
  Retire(item);
}

StoreResult ItemStore::Publish(Shard& shard, size_t bucket, Item* expected, bool must_match,
                               StoreMode mode, uint64_t cas_in, Item* fresh, int64_t now) {
  // Called with shard.lock held. `fresh` is published on kStored and otherwise left to
  // the caller. With must_match, the current item must still be `expected` (the item a
  // read-modify-write read); a mismatch returns kExists for the caller to retry.
  Item* old = Find(bucket, fresh->hash, fresh->key());
  if (must_match && old != expected) return StoreResult::kExists;
  bool old_live = old != nullptr && Live(old, now);
  switch (mode) {
    case StoreMode::kAdd:
      if (old_live) {
        old->referenced.store(1, std::memory_order_relaxed);  // memcached bumps it too
        return StoreResult::kNotStored;
      }
      break;
    case StoreMode::kReplace:
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      if (!old_live) return StoreResult::kNotStored;
      break;
    case StoreMode::kCas:
      if (!old_live) {
        Bump(kCasMisses);
        return StoreResult::kNotFound;
      }
      if (old->cas != cas_in) {
        Bump(kCasBadval);
        return StoreResult::kExists;
      }
      break;
    case StoreMode::kSet:
      break;
  }
  int64_t delta = static_cast<int64_t>(fresh->size) -
                  (old != nullptr ? static_cast<int64_t>(old->size) : 0);
  if (!Charge(shard, delta, old, now)) {
    Bump(kStoreNoMemory);
    if (mode == StoreMode::kSet && old != nullptr) {
      // As for a too-large set: the value the client meant to replace goes.
      if (!old_live) Bump(kReclaimed);
      Unlink(shard, bucket, old);
      bytes_.fetch_sub(old->size, std::memory_order_relaxed);
      Retire(old);
    }
    return StoreResult::kNoMemory;
  }
  Link(shard, bucket, old, fresh);
  if (mode == StoreMode::kCas) Bump(kCasHits);
  if (old != nullptr) Retire(old);
  return StoreResult::kStored;
}

StoreResult ItemStore::Store(StoreMode mode, std::string_view key, uint32_t flags,
                             int64_t exptime, std::unique_ptr<IOBuf> value, uint64_t cas_in,
                             uint64_t* cas_out) {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  EBBRT_CHECK_MSG(value != nullptr && IsSingleSharedLink(*value),
                  "ItemStore::Store: the value must be one SharedIOBuf");
  Bump(kCmdSet);
  uint64_t hash = HashKey(key);
  size_t bucket = BucketOf(hash);
  Shard& shard = ShardOfBucket(bucket);
  int64_t now = Now();

  if (mode != StoreMode::kAppend && mode != StoreMode::kPrepend) {
    if (RefuseIfTooLarge(mode, key, value->length(), flags)) return StoreResult::kTooLarge;
    Item* fresh = NewItem(key, hash, flags, AbsoluteExptime(exptime, now), std::move(value), now);
    StoreResult result;
    {
      SpinLockGuard guard(shard.lock);
      result = Publish(shard, bucket, nullptr, false, mode, cas_in, fresh, now);
      if (result == StoreResult::kStored && cas_out != nullptr) *cas_out = fresh->cas;
    }
    if (result != StoreResult::kStored) DestroyItem(fresh);
    return result;
  }

  // append/prepend: read the current item without a lock, build the combined value, then
  // publish only if the item is still the one we read. The read pointer stays valid
  // until our event ends (RCU), so comparing it is safe.
  while (true) {
    Item* old = Find(bucket, hash, key);
    if (old == nullptr || !Live(old, now)) return StoreResult::kNotStored;
    if (cas_in != 0 && old->cas != cas_in) return StoreResult::kExists;
    size_t old_length = old->value->length();
    size_t add_length = value->length();
    if (TooLarge(key.size(), old_length + add_length, old->flags)) {
      Bump(kStoreTooLarge);
      return StoreResult::kTooLarge;
    }
    std::unique_ptr<IOBuf> combined = SharedIOBuf::Create(old_length + add_length);
    uint8_t* out = combined->MutableData();
    const IOBuf& first = mode == StoreMode::kAppend ? *old->value : *value;
    const IOBuf& second = mode == StoreMode::kAppend ? *value : *old->value;
    if (first.length() > 0) memcpy(out, first.data(), first.length());
    if (second.length() > 0) memcpy(out + first.length(), second.data(), second.length());
    combined->Append(old_length + add_length);
    Item* fresh = NewItem(key, hash, old->flags, old->exptime.load(std::memory_order_relaxed),
                          std::move(combined), now);
    StoreResult result;
    {
      SpinLockGuard guard(shard.lock);
      result = Publish(shard, bucket, old, true, mode, 0, fresh, now);
      if (result == StoreResult::kStored && cas_out != nullptr) *cas_out = fresh->cas;
    }
    if (result == StoreResult::kStored) return result;
    DestroyItem(fresh);
    if (result != StoreResult::kExists) return result;
    // Someone changed the item meanwhile: read it again.
  }
}

DeleteResult ItemStore::Delete(std::string_view key, uint64_t cas) {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  uint64_t hash = HashKey(key);
  size_t bucket = BucketOf(hash);
  Shard& shard = ShardOfBucket(bucket);
  int64_t now = Now();
  Item* victim = nullptr;
  DeleteResult result;
  {
    SpinLockGuard guard(shard.lock);
    Item* item = Find(bucket, hash, key);
    if (item == nullptr || !Live(item, now)) {
      result = DeleteResult::kNotFound;
      if (item != nullptr) {  // dead: reclaim it while we hold the lock
        Unlink(shard, bucket, item);
        bytes_.fetch_sub(item->size, std::memory_order_relaxed);
        Bump(kReclaimed);
        victim = item;
      }
    } else if (cas != 0 && cas != item->cas) {
      result = DeleteResult::kExists;
    } else {
      Unlink(shard, bucket, item);
      bytes_.fetch_sub(item->size, std::memory_order_relaxed);
      victim = item;
      result = DeleteResult::kDeleted;
    }
  }
  Bump(result == DeleteResult::kDeleted ? kDeleteHits : kDeleteMisses);
  if (victim != nullptr) Retire(victim);
  return result;
}

DeltaResult ItemStore::Delta(std::string_view key, bool incr, uint64_t delta, uint64_t cas_in,
                             const DeltaCreate* create, uint64_t* value_out,
                             uint64_t* cas_out) {
  EBBRT_CHECK(key.size() <= kMaxKeyLength);
  uint64_t hash = HashKey(key);
  size_t bucket = BucketOf(hash);
  Shard& shard = ShardOfBucket(bucket);
  int64_t now = Now();
  char digits[20];
  while (true) {
    Item* old = Find(bucket, hash, key);
    uint64_t next;
    uint32_t flags = 0;
    int64_t exptime;
    StoreMode mode;
    if (old == nullptr || !Live(old, now)) {
      if (create == nullptr) {
        Bump(incr ? kIncrMisses : kDecrMisses);
        return DeltaResult::kNotFound;
      }
      next = create->initial;
      exptime = AbsoluteExptime(create->exptime, now);
      mode = StoreMode::kAdd;
    } else {
      // memcached's order: an empty value is non-numeric before the CAS is compared.
      if (old->value->length() == 0) return DeltaResult::kNonNumeric;
      if (cas_in != 0 && old->cas != cas_in) return DeltaResult::kExists;
      uint64_t current;
      if (!ParseStoredNumber(old->value->data(), old->value->length(), &current)) {
        return DeltaResult::kNonNumeric;
      }
      next = incr ? current + delta : (delta > current ? 0 : current - delta);
      flags = old->flags;
      exptime = old->exptime.load(std::memory_order_relaxed);
      mode = StoreMode::kReplace;
    }
    size_t length = FormatU64(next, digits);
    // memcached cannot allocate an item that size: "out of memory" (tiny -I only).
    if (TooLarge(key.size(), length, flags)) return DeltaResult::kNoMemory;
    std::unique_ptr<IOBuf> value = SharedIOBuf::Create(length);
    memcpy(value->MutableData(), digits, length);
    value->Append(length);
    Item* fresh = NewItem(key, hash, flags, exptime, std::move(value), now);
    StoreResult result;
    {
      SpinLockGuard guard(shard.lock);
      result = Publish(shard, bucket, old, mode == StoreMode::kReplace, mode, 0, fresh, now);
      if (result == StoreResult::kStored && cas_out != nullptr) *cas_out = fresh->cas;
    }
    if (result == StoreResult::kStored) {
      if (mode == StoreMode::kReplace) Bump(incr ? kIncrHits : kDecrHits);
      *value_out = next;
      return DeltaResult::kOk;
    }
    DestroyItem(fresh);
    if (result == StoreResult::kNoMemory) return DeltaResult::kNoMemory;
    // kExists (changed under us) or kNotStored (added or removed meanwhile): again.
  }
}

void ItemStore::FlushAll(int64_t delay) {
  Bump(kCmdFlush);
  int64_t now = Now();
  if (delay > 0) {
    // memcached: oldest_live = realtime(delay) - 1; items stored at or before it are
    // invalid once the clock reaches it.
    int64_t oldest = AbsoluteExptime(delay, now) - 1;
    if (oldest > now) {
      oldest_live_.store(oldest, std::memory_order_relaxed);
      return;
    }
  }
  // Now: a later delayed flush no longer applies (memcached overwrites oldest_live too),
  // and every item goes at once rather than lazily.
  oldest_live_.store(now - 1, std::memory_order_relaxed);
  for (size_t index = 0; index < kShards; ++index) {
    Shard& shard = shards_[index];
    Item* retired = nullptr;
    {
      SpinLockGuard guard(shard.lock);
      if (shard.hand == nullptr) continue;
      // Cut every chain of this shard at its bucket: readers already inside a chain
      // keep walking it (next pointers are untouched); new readers find nothing.
      for (size_t b = index; b <= bucket_mask_; b += kShards) {
        buckets_[b].store(nullptr, std::memory_order_release);
      }
      // Collect the ring into one retired list.
      Item* item = shard.hand;
      size_t count = shard.count.load(std::memory_order_relaxed);
      for (size_t i = 0; i < count; ++i) {
        Item* next = item->ring_next;
        item->ring_prev = nullptr;
        item->ring_next = retired;
        retired = item;
        item = next;
      }
      bytes_.fetch_sub(shard.bytes, std::memory_order_relaxed);
      Bump(kCurrItems, 0 - static_cast<uint64_t>(count));
      shard.hand = nullptr;
      shard.bytes = 0;
      shard.count.store(0, std::memory_order_relaxed);
    }
    ebbrt::CallRcu([list = RetiredItems(retired)] {});
  }
}

// --- Statistics ----------------------------------------------------------------------------

StoreStats ItemStore::Stats() const {
  uint64_t sums[kNumCounters];
  {
    SpinLockGuard guard(baseline_lock_);
    for (size_t k = 0; k < kNumCounters; ++k) {
      sums[k] = Sum(static_cast<Counter>(k)) - baseline_[k];
    }
  }
  StoreStats s;
  s.cmd_get = sums[kCmdGet];
  s.cmd_set = sums[kCmdSet];
  s.cmd_flush = sums[kCmdFlush];
  s.cmd_touch = sums[kCmdTouch];
  s.get_hits = sums[kGetHits];
  s.get_misses = sums[kGetMisses];
  s.get_expired = sums[kGetExpired];
  s.get_flushed = sums[kGetFlushed];
  s.delete_hits = sums[kDeleteHits];
  s.delete_misses = sums[kDeleteMisses];
  s.incr_hits = sums[kIncrHits];
  s.incr_misses = sums[kIncrMisses];
  s.decr_hits = sums[kDecrHits];
  s.decr_misses = sums[kDecrMisses];
  s.cas_hits = sums[kCasHits];
  s.cas_misses = sums[kCasMisses];
  s.cas_badval = sums[kCasBadval];
  s.touch_hits = sums[kTouchHits];
  s.touch_misses = sums[kTouchMisses];
  s.store_too_large = sums[kStoreTooLarge];
  s.store_no_memory = sums[kStoreNoMemory];
  s.evictions = sums[kEvictions];
  s.reclaimed = sums[kReclaimed];
  s.curr_items = sums[kCurrItems];
  s.total_items = sums[kTotalItems];
  s.curr_connections = sums[kCurrConnections];
  s.total_connections = sums[kTotalConnections];
  s.bytes = bytes_.load(std::memory_order_relaxed);
  s.limit_maxbytes = config_.memory_limit_bytes;
  s.time = Now();
  s.uptime = s.time - started_;
  return s;
}

void ItemStore::ResetStats() {
  SpinLockGuard guard(baseline_lock_);
  for (size_t k = 0; k < kNumCounters; ++k) {
    if (k == kCurrItems || k == kCurrConnections) continue;  // gauges
    baseline_[k] = Sum(static_cast<Counter>(k));
  }
}

void ItemStore::ConnectionOpened() {
  Bump(kCurrConnections);
  Bump(kTotalConnections);
}

void ItemStore::ConnectionClosed() { Bump(kCurrConnections, ~uint64_t{0}); }

ebbrt::Status ItemStore::CheckConsistency() const {
  using ebbrt::Status;
  using ebbrt::StatusCode;
  size_t total_bytes = 0;
  size_t total_items = 0;
  for (size_t index = 0; index < kShards; ++index) {
    Shard& shard = shards_[index];
    SpinLockGuard guard(shard.lock);
    size_t chain_items = 0;
    size_t chain_bytes = 0;
    for (size_t b = index; b <= bucket_mask_; b += kShards) {
      for (const Item* item = buckets_[b].load(std::memory_order_relaxed); item != nullptr;
           item = item->next.load(std::memory_order_relaxed)) {
        if (++chain_items > kWalkLimit) return Status(StatusCode::kInternal, "chain loops");
        if (BucketOf(item->hash) != b || HashKey(item->key()) != item->hash) {
          return Status(StatusCode::kInternal, "item in the wrong bucket");
        }
        if (item->key_length > kMaxKeyLength) {
          return Status(StatusCode::kInternal, "key too long");
        }
        if (item->value == nullptr || !IsSingleSharedLink(*item->value)) {
          return Status(StatusCode::kInternal, "value is not one SharedIOBuf");
        }
        if (item->size != ItemSize(item->key_length, item->value->length())) {
          return Status(StatusCode::kInternal, "item size accounting");
        }
        if (TooLarge(item->key_length, item->value->length(), item->flags)) {
          return Status(StatusCode::kInternal, "item over the item size limit");
        }
        if (item->ring_next == nullptr || item->ring_prev == nullptr ||
            item->ring_next->ring_prev != item || item->ring_prev->ring_next != item) {
          return Status(StatusCode::kInternal, "item not in its shard's ring");
        }
        for (const Item* other = item->next.load(std::memory_order_relaxed); other != nullptr;
             other = other->next.load(std::memory_order_relaxed)) {
          if (other->key() == item->key()) return Status(StatusCode::kInternal, "duplicate key");
        }
        if ((item->cas & (kShards - 1)) != index) {
          return Status(StatusCode::kInternal, "CAS from another shard");
        }
        chain_bytes += item->size;
      }
    }
    size_t ring_items = 0;
    if (shard.hand != nullptr) {
      // Eviction stops at the first young item, which is right only if the stamps never
      // decrease from the hand on (and none is ahead of the hand itself). Checked modulo
      // 2^32, so it holds until the hand moves 2^31 visits past an item (Eligible).
      uint32_t position = static_cast<uint32_t>(evict_cursor_.load());
      uint32_t previous = shard.hand->stamp;
      const Item* item = shard.hand;
      do {
        if (++ring_items > chain_items) return Status(StatusCode::kInternal, "ring too long");
        if (static_cast<int32_t>(item->stamp - previous) < 0 ||
            static_cast<int32_t>(position - item->stamp) < 0) {
          return Status(StatusCode::kInternal, "ring not in stamp order");
        }
        previous = item->stamp;
        item = item->ring_next;
      } while (item != shard.hand);
    }
    if (ring_items != chain_items || chain_items != shard.count.load()) {
      return Status(StatusCode::kInternal, "shard item counts disagree");
    }
    if (chain_bytes != shard.bytes) return Status(StatusCode::kInternal, "shard byte count");
    total_bytes += chain_bytes;
    total_items += chain_items;
  }
  if (total_bytes != bytes_.load()) return Status(StatusCode::kInternal, "byte count");
  if (total_bytes > config_.memory_limit_bytes) {
    return Status(StatusCode::kInternal, "over the memory limit");
  }
  if (total_items != Sum(kCurrItems)) return Status(StatusCode::kInternal, "curr_items");
  return Status::Ok();
}

}  // namespace memcached
