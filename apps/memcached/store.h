// SPDX-License-Identifier: Apache-2.0
// ItemStore: memcached's item store, shared by every core of the server.
//
// Items are a key (<= 250 bytes), client flags, an expiration time, a CAS unique and a
// value held ONCE in a SharedIOBuf: a GET hands out SharedIOBuf::Clone()s of it, so a
// reply references the stored bytes without copying them, and a clone keeps them alive
// even if the item is replaced, deleted or evicted while the reply is still queued.
//
//   memcached::ItemStore store({.memory_limit_bytes = 64 << 20});
//   auto value = ebbrt::SharedIOBuf::Create(5);
//   memcpy(value->MutableData(), "hello", 5);
//   value->Append(5);
//   uint64_t cas;
//   store.Store(memcached::StoreMode::kSet, "k", /*flags=*/0, /*exptime=*/0,
//               std::move(value), /*cas_in=*/0, &cas);            // kStored
//   memcached::GetResult hit;
//   if (store.Get("k", &hit)) Send(std::move(hit.value));           // zero copy
//
// Every method must be called from an EbbRT event (inside ebbrt::Run): unlinked items
// are freed through ebbrt::CallRcu, and per-core statistics are indexed by MyCore().
//
// ---- Concurrency: one shared table, lock-free readers (the trade-off) --------------------
// The alternative was a partition per core (each core owns the keys that hash to it, and
// requests for other cores' keys are forwarded with SpawnRemote). That has no shared
// writes at all, but a connection lives on the core that accepted it, so with N cores
// (N-1)/N of all requests would pay a cross-core message and a second event, plus a
// reply hop back, and a multi-key GET fans out to many cores. memcached workloads are
// read-mostly (the paper's ETC mix is ~97% GET), so we chose the layout where the
// common case costs nothing shared:
//   * a fixed-size open hash table whose bucket and chain pointers are std::atomic;
//     readers (get/gets/gat's lookup, touch) walk it with acquire loads, take no lock and
//     write no shared line except the item's CLOCK bit (only when it is not yet set)
//     and the value's reference count (Clone);
//   * writers (set/add/.../delete/incr, eviction) lock one of kShards shards (a
//     SpinLock each, cache-line padded); buckets are striped over the shards, so writers
//     of unrelated keys rarely meet;
//   * an unlinked item is freed with ebbrt::CallRcu once every core has finished the
//     event it was running, so a reader never sees freed memory (EbbRT's events are the
//     RCU read-side critical sections);
//   * the read-modify-write operations (append/prepend/incr/decr) build the new item
//     outside the lock from a lock-free read, then lock and publish only if the item is
//     still the one they read (retrying otherwise), so no value is copied under a lock.
// Costs we accept: a write does one shared atomic RMW on the byte counter (the memory
// limit is global), hot keys share their value's reference-count line, the table does
// not resize (its size is chosen from the memory limit, see StoreConfig::hash_buckets).
//
// ---- Memory limit and eviction (approximate LRU: CLOCK) ----------------------------------
// Each item is charged ItemStore::ItemSize(key, value) bytes: a fixed overhead for the
// item header, the value's SharedIOBuf descriptor and storage header and the allocator's
// per-block headers, plus the key and value bytes. The sum of all linked items never
// exceeds memory_limit_bytes. The hash table itself and bytes pinned by in-flight
// replies (clones of deleted values) are not charged, as in memcached.
// When a write would pass the limit, items are evicted by CLOCK (second chance) with
// one hand over all items: a read sets the item's referenced bit; the hand evicts the
// oldest item it finds whose bit is clear (expired or flushed items go first and count as
// "reclaimed", not as evictions), clears set bits as it passes, and never takes an item
// that has not waited kEligibleTurns (2) whole turns of the hand since it was stored or
// given its second chance. The items live in one ring per shard, in the order they were
// placed behind the shard's hand, and each carries the hand's position (a count of shard
// visits) from that moment; the hand visits the shards in turn and each visit ends at
// the shard's first item that is still too young. So a new item, whichever shard it
// lands in, waits at least two turns (items live two to three): it survives at least
// about 0.7 of the memory limit written after it (store_test measures 0.73-0.76; LRU
// would keep it for all of the limit). While the store fills without evicting, the hand's
// position also moves one visit per 1/256 of the memory limit charged, so the first
// items stored are the first to go. The evicting writer already holds its own shard's
// lock and only TryLocks the others (never waiting for a second lock, so no deadlock); a
// busy shard is passed over for that turn, where the order is approximate.
//
// ---- Time ---------------------------------------------------------------------------------
// Times are seconds from StoreConfig::clock (unix time by default). Expiration times
// follow memcached: 0 = never, 1..30 days = relative, larger = absolute unix time,
// negative = already expired. flush_all with a delay invalidates the items stored before
// the flush time once it arrives; an immediate flush unlinks everything at once.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <memory>
#include <string_view>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/base/status.h"
#include "ebbrt/core/per_core.h"
#include "ebbrt/iobuf/iobuf.h"

namespace memcached {

inline constexpr size_t kMaxKeyLength = 250;
// memcached's REALTIME_MAXDELTA: exptimes up to this many seconds are relative.
inline constexpr int64_t kMaxRelativeExptime = 60 * 60 * 24 * 30;

// Seconds since the unix epoch. Tests inject a fake to test expiry without sleeping.
using Clock = int64_t (*)();
// time(nullptr), on native too (the CMOS RTC or kvmclock, docs/build.md#native-c-library).
int64_t SystemClock();

struct StoreConfig {
  // memcached -m: the most bytes the items may take (see ItemSize).
  size_t memory_limit_bytes = 64 << 20;
  // memcached -I: an item whose memcached-style size (key + value + header) exceeds
  // this is refused as too large.
  size_t item_size_limit = 1 << 20;
  // nullptr: SystemClock.
  Clock clock = nullptr;
  // Hash buckets (rounded up to a power of two); 0 chooses one per 512 bytes of memory
  // limit, between 1024 and 4M.
  size_t hash_buckets = 0;
};

enum class StoreMode : uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

enum class StoreResult : uint8_t {
  kStored,
  kNotStored,  // add of an existing key, replace/append/prepend of a missing one
  kExists,     // CAS mismatch
  kNotFound,   // CAS of a missing key
  kTooLarge,   // the resulting item is over item_size_limit (append/prepend growth)
  kNoMemory,   // nothing left to evict
};

enum class DeleteResult : uint8_t { kDeleted, kNotFound, kExists };

enum class DeltaResult : uint8_t { kOk, kNotFound, kNonNumeric, kExists, kNoMemory };

// A hit: the item's flags and CAS, and a SharedIOBuf clone of its value.
struct GetResult {
  uint32_t flags = 0;
  uint64_t cas = 0;
  std::unique_ptr<ebbrt::IOBuf> value;
};

// Binary protocol incr/decr: create the item with `initial` when it is missing.
struct DeltaCreate {
  uint64_t initial = 0;
  int64_t exptime = 0;
};

// Counters and gauges for `stats`, summed over cores.
struct StoreStats {
  uint64_t cmd_get = 0, cmd_set = 0, cmd_flush = 0, cmd_touch = 0;
  uint64_t get_hits = 0, get_misses = 0, get_expired = 0, get_flushed = 0;
  uint64_t delete_hits = 0, delete_misses = 0;
  uint64_t incr_hits = 0, incr_misses = 0, decr_hits = 0, decr_misses = 0;
  uint64_t cas_hits = 0, cas_misses = 0, cas_badval = 0;
  uint64_t touch_hits = 0, touch_misses = 0;
  uint64_t store_too_large = 0, store_no_memory = 0;
  uint64_t evictions = 0, reclaimed = 0;
  uint64_t curr_items = 0, total_items = 0;
  uint64_t bytes = 0, limit_maxbytes = 0;
  uint64_t curr_connections = 0, total_connections = 0;
  int64_t time = 0, uptime = 0;
};

class ItemStore {
 public:
  explicit ItemStore(const StoreConfig& config = {});
  // Frees every item. No other core may use the store any more.
  ~ItemStore();
  ItemStore(const ItemStore&) = delete;
  ItemStore& operator=(const ItemStore&) = delete;

  const StoreConfig& config() const { return config_; }
  int64_t Now() const { return clock_(); }

  // --- Reads ---------------------------------------------------------------------------
  // get: true and the item on a hit (counts cmd_get, get_hits/misses).
  bool Get(std::string_view key, GetResult* out);
  // gat: a get that also sets the expiration time (counts cmd_touch, touch_hits/misses).
  bool GetAndTouch(std::string_view key, int64_t exptime, GetResult* out);
  // touch: sets the expiration time of a live item; false if there is none.
  bool Touch(std::string_view key, int64_t exptime);

  // Whether a live item of this key exists. Unlike Get it counts nothing and does not
  // mark the item read, so tests can watch eviction without steering it.
  bool Contains(std::string_view key) const;

  // --- Writes ----------------------------------------------------------------------------
  // Whether memcached would refuse an item of this shape as too large for the cache
  // (item_size_ok: key + value + 59 header bytes, + 4 when flags != 0).
  bool TooLarge(size_t key_length, size_t value_length, uint32_t flags) const;
  // A protocol's check before it reads a value: true if TooLarge, and then it counts
  // store_too_large and, for kSet, removes the key's current item, as memcached does (a
  // client whose set was refused must not go on reading the value it meant to replace;
  // add/replace/cas/append/prepend leave it). The caller must not then call Store.
  bool RefuseIfTooLarge(StoreMode mode, std::string_view key, size_t value_length,
                        uint32_t flags);
  // set/add/replace/append/prepend/cas. `value` is one SharedIOBuf whose view is the
  // value (the store keeps it; it must not be written afterwards). `cas_in` is the
  // client's CAS for kCas, and for append/prepend a non-zero one must match (binary
  // protocol). For append/prepend the old item's flags and exptime are kept. On kStored,
  // *cas_out (if not null) is the new item's CAS. A too-large shape is refused (kTooLarge)
  // as RefuseIfTooLarge says; a kSet refused for memory (kNoMemory) also removes the
  // key's item; other refusals leave it alone.
  StoreResult Store(StoreMode mode, std::string_view key, uint32_t flags, int64_t exptime,
                    std::unique_ptr<ebbrt::IOBuf> value, uint64_t cas_in, uint64_t* cas_out);
  // delete; with a non-zero cas only if it matches (binary protocol).
  DeleteResult Delete(std::string_view key, uint64_t cas = 0);
  // incr/decr by `delta` (incr wraps at 2^64, decr stops at 0). The value must be a
  // decimal number as memcached's safe_strtoull reads it. A non-zero cas_in must match.
  // With `create`, a missing item is created holding create->initial (binary protocol).
  DeltaResult Delta(std::string_view key, bool incr, uint64_t delta, uint64_t cas_in,
                    const DeltaCreate* create, uint64_t* value_out, uint64_t* cas_out);
  // flush_all [delay]: delay <= 0 flushes now; otherwise (memcached exptime rules) items
  // stored up to the flush time become invalid when it comes.
  void FlushAll(int64_t delay);

  // --- Statistics ------------------------------------------------------------------------
  StoreStats Stats() const;
  // stats reset: counters restart from zero (gauges such as curr_items do not).
  void ResetStats();
  // Sessions report their lifetime here (curr_connections/total_connections).
  void ConnectionOpened();
  void ConnectionClosed();

  // Walks every shard under its lock and checks the structure: each item in its bucket
  // and ring, counts and byte totals agreeing, bytes <= limit. For tests and fuzzers;
  // only meaningful while no write is in flight.
  ebbrt::Status CheckConsistency() const;

  // Bytes an item of this shape is charged against the memory limit.
  static size_t ItemSize(size_t key_length, size_t value_length);
  // The memcached absolute expiration time of a client exptime at `now` (0 = never).
  static int64_t AbsoluteExptime(int64_t exptime, int64_t now);

  struct Item;

 private:
  struct Shard;
  struct CoreCounters;
  enum Counter : uint8_t;

  // Unlinks the key's item, if any, without counting a delete (a refused set).
  void DropStale(std::string_view key);
  Item* NewItem(std::string_view key, uint64_t hash, uint32_t flags, int64_t exptime,
                std::unique_ptr<ebbrt::IOBuf> value, int64_t now);
  static void DestroyItem(Item* item);
  size_t BucketOf(uint64_t hash) const { return static_cast<size_t>(hash) & bucket_mask_; }
  Shard& ShardOfBucket(size_t bucket) const;
  Item* Find(size_t bucket, uint64_t hash, std::string_view key) const;
  std::atomic<Item*>* FindLink(size_t bucket, const Item* item) const;
  bool Live(const Item* item, int64_t now) const;
  bool Lookup(std::string_view key, bool touch, int64_t exptime, GetResult* out);
  void ReclaimIfDead(size_t bucket, Item* item, int64_t now);
  // Publishes `fresh` in place of `old` (or as new when old is null) under the shard lock.
  void Link(Shard& shard, size_t bucket, Item* old, Item* fresh);
  void Unlink(Shard& shard, size_t bucket, Item* item);
  void RingInsert(Shard& shard, Item* item);
  void RingRemove(Shard& shard, Item* item);
  // Charges `delta` bytes, evicting as needed (never `keep`); false when no room.
  bool Charge(Shard& home, int64_t delta, const Item* keep, int64_t now);
  // Evicts one item anywhere (never `keep`); `home` is locked by the caller.
  bool EvictOne(Shard& home, const Item* keep, int64_t now);
  // The hand's visit to one locked shard: true when it evicted an item, false when the
  // visit is over (the shard is empty or its next item is too young).
  bool SweepShard(Shard& shard, const Item* keep, int64_t now);
  void AdvanceEvictCursor(uint64_t from);
  StoreResult Publish(Shard& shard, size_t bucket, Item* expected, bool must_match,
                      StoreMode mode, uint64_t cas_in, Item* fresh, int64_t now);
  void Retire(Item* item);
  void Bump(Counter counter, uint64_t n = 1);
  uint64_t Sum(Counter counter) const;

  const StoreConfig config_;
  const Clock clock_;
  const int64_t started_;
  size_t bucket_mask_ = 0;
  std::atomic<Item*>* buckets_ = nullptr;
  Shard* shards_ = nullptr;
  ebbrt::PerCore<CoreCounters>* counters_ = nullptr;
  // 1 + the highest core index that has counted anything (Sum reads only those).
  std::atomic<size_t> cores_used_{0};
  // Sum of ItemSize over linked items.
  std::atomic<size_t> bytes_{0};
  // memcached's settings.oldest_live: items stored at or before it are invalid once the
  // clock reaches it (0: none).
  std::atomic<int64_t> oldest_live_{0};
  // The eviction hand's position: shard visits so far (it is visiting shard
  // position % kShards), plus the fill steps (Charge). Items are stamped with it.
  std::atomic<uint64_t> evict_cursor_{0};
  // log2 of the bytes charged per fill step (about memory_limit_bytes / 256).
  uint32_t fill_shift_ = 0;
  // Counter values at the last `stats reset`.
  mutable ebbrt::SpinLock baseline_lock_;
  uint64_t* baseline_ = nullptr;
};

}  // namespace memcached
