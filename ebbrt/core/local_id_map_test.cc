// LocalIdMap: bind, find, unbind, type tags, and the bind race between cores.
#include "ebbrt/core/local_id_map.h"

#include <stdint.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/ebb_id.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

struct RootA {
  int value = 0;
};
struct RootB {
  int value = 0;
};

const void* const kTagA = EbbTypeTag<RootA>();
const void* const kTagB = EbbTypeTag<RootB>();

static_assert(EbbTypeTag<RootA>() == EbbTypeTag<RootA>());
static_assert(EbbTypeTag<RootA>() != EbbTypeTag<RootB>());
static_assert(EbbTypeTag<RootA>() != nullptr);

EbbId FreshId() { return *EbbAllocator::AllocateLocal(); }

// Ids in chunks nothing else in this test binary touches (the top of the global range,
// one per chunk), so the first Bind there also creates the chunk.
EbbId IdInAnUntouchedChunk(int n) {
  return kMaxEbbIds - 1 - static_cast<EbbId>(n) * LocalIdMap::kChunkSize;
}

TEST(LocalIdMapTest, FindOfAnUnboundIdIsNull) {
  // In a chunk that exists (the allocator's ids are bound by other tests) and in one
  // that was never created.
  EXPECT_EQ(LocalIdMap::Find(FreshId(), kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(IdInAnUntouchedChunk(100), kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(kNullEbbId, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(kMaxEbbIds - 1, kTagA), nullptr);
}

TEST(LocalIdMapTest, BindThenFind) {
  static RootA root;
  EbbId id = FreshId();
  EXPECT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &root);
  // Binding one id leaves its neighbours alone.
  EXPECT_EQ(LocalIdMap::Find(id + 1, kTagA), nullptr);
}

TEST(LocalIdMapTest, SecondBindReturnsTheExistingRootAndKeepsIt) {
  static RootA first;
  static RootA second;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &first, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Bind(id, &second, kTagA), &first);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &first);
  // Binding the same root again is also "already bound".
  EXPECT_EQ(LocalIdMap::Bind(id, &first, kTagA), &first);
}

TEST(LocalIdMapTest, UnbindReturnsTheRootAndFindBecomesNull) {
  static RootA root;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Unbind(id), &root);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), nullptr);
  // A second Unbind finds nothing.
  EXPECT_EQ(LocalIdMap::Unbind(id), nullptr);
  // Unbind of an id in a chunk that never existed.
  EXPECT_EQ(LocalIdMap::Unbind(IdInAnUntouchedChunk(101)), nullptr);
}

TEST(LocalIdMapTest, UnboundIdCanBeBoundAgainEvenToAnotherType) {
  static RootA a;
  static RootB b;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &a, kTagA), nullptr);
  ASSERT_EQ(LocalIdMap::Unbind(id), &a);
  // Unbind cleared the type too.
  EXPECT_EQ(LocalIdMap::Bind(id, &b, kTagB), nullptr);
  EXPECT_EQ(LocalIdMap::Find(id, kTagB), &b);
  EXPECT_EQ(LocalIdMap::Unbind(id), &b);
}

TEST(LocalIdMapTest, IdsAcrossChunkBoundariesAreIndependent) {
  static RootA roots[4];
  const EbbId top = IdInAnUntouchedChunk(102);  // The last id of its chunk.
  const EbbId base = top - (LocalIdMap::kChunkSize - 1);
  const EbbId ids[] = {base - 1, base, base + LocalIdMap::kChunkSize - 1,
                       base + LocalIdMap::kChunkSize};
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(LocalIdMap::Bind(ids[i], &roots[i], kTagA), nullptr) << i;
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LocalIdMap::Find(ids[i], kTagA), &roots[i]) << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LocalIdMap::Unbind(ids[i]), &roots[i]) << i;
}

// Eight threads bind eight distinct roots to one fresh id at the same moment: exactly one
// wins, and every loser is handed the winner's root. Repeated on fresh ids, half of them
// in chunks that do not exist yet (so the chunk's creation races too).
TEST(LocalIdMapTest, ConcurrentBindHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const EbbId id = round % 2 == 0 ? FreshId() : IdInAnUntouchedChunk(round);
    RootA roots[kThreads];
    void* results[kThreads] = {};
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        // Yield while waiting: the machine may have fewer CPUs than threads.
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        results[t] = LocalIdMap::Bind(id, &roots[t], kTagA);
      });
    }
    while (ready.load() < kThreads) std::this_thread::yield();
    go.store(true, std::memory_order_release);
    for (auto& thread : threads) thread.join();

    int winners = 0;
    void* winner = nullptr;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t] == nullptr) {
        ++winners;
        winner = &roots[t];
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t] != nullptr) EXPECT_EQ(results[t], winner) << "round " << round;
    }
    EXPECT_EQ(LocalIdMap::Find(id, kTagA), winner);
    // The roots live on this stack frame: unbind before they go.
    EXPECT_EQ(LocalIdMap::Unbind(id), winner);
  }
}

// A reader that Finds an id while another core unbinds it must see either the root or
// nothing (Unbind's own comment: "another core may still be using it"). The child
// process hammers one id with Bind/Unbind on one thread and Find on another, with the
// right type tag throughout, and exits 0 if no Find ever reported a type mismatch.
//
// (Find once loaded `root`, then `type`, and an Unbind completing between the two loads
// made it report a mismatch; it now re-checks `root` after loading `type`.)
TEST(LocalIdMapRaceTest, FindConcurrentWithUnbindNeverReportsAWrongType) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static RootA root;
        const EbbId id = FreshId();
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> cycles{0};
        std::thread binder([&] {
          while (!stop.load(std::memory_order_relaxed)) {
            (void)LocalIdMap::Bind(id, &root, kTagA);
            (void)LocalIdMap::Unbind(id);
            cycles.fetch_add(1, std::memory_order_relaxed);
          }
        });
        // Until the binder has cycled often enough (or a time bound, on a busy machine).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (cycles.load(std::memory_order_relaxed) < 1'000'000 &&
               std::chrono::steady_clock::now() < deadline) {
          for (int i = 0; i < 1000; ++i) {
            void* found = LocalIdMap::Find(id, kTagA);
            if (found != nullptr && found != &root) exit(2);
          }
        }
        stop = true;
        binder.join();
        exit(0);
      },
      testing::ExitedWithCode(0), "");
}

// ---- Misuse is fatal --------------------------------------------------------------------

class LocalIdMapDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(LocalIdMapDeathTest, FindWithAnotherTypesTagIsFatal) {
  static RootA root;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_DEATH((void)LocalIdMap::Find(id, kTagB),
               "local_id_map\\.cc:[0-9]+: .*bound to a root of another type.*backtrace");
}

TEST_F(LocalIdMapDeathTest, BindWithAnotherTypesTagIsFatal) {
  static RootA root;
  static RootB other;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_DEATH((void)LocalIdMap::Bind(id, &other, kTagB),
               "bound to a root of another type.*backtrace");
  // The failed attempt (in the child) changed nothing here.
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &root);
}

TEST_F(LocalIdMapDeathTest, BadArgumentsAreFatal) {
  static RootA root;
  EXPECT_DEATH((void)LocalIdMap::Bind(kNullEbbId, &root, kTagA), "CHECK\\(id != kNullEbbId");
  EXPECT_DEATH((void)LocalIdMap::Bind(kMaxEbbIds, &root, kTagA), "CHECK\\(id != kNullEbbId");
  EXPECT_DEATH((void)LocalIdMap::Bind(FreshId(), nullptr, kTagA), "CHECK\\(root != nullptr");
  EXPECT_DEATH((void)LocalIdMap::Bind(FreshId(), &root, nullptr), "CHECK\\(root != nullptr");
  EXPECT_DEATH((void)LocalIdMap::Find(kMaxEbbIds, kTagA), "CHECK\\(id < kMaxEbbIds\\)");
  EXPECT_DEATH((void)LocalIdMap::Unbind(kMaxEbbIds), "CHECK\\(id < kMaxEbbIds\\)");
}

}  // namespace
}  // namespace ebbrt
