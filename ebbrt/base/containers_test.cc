// SPDX-License-Identifier: Apache-2.0
// RingQueue and Vector: order, growth, wrap-around, move-only elements, and that every
// element is destroyed exactly once.
#include <stdint.h>

#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/ring_queue.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/base/xorshift.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// An element that counts live instances and the destruction of "owners" (instances that
// hold a value nobody moved away). A moved-from Counted holds -1.
struct Counted {
  static inline int live = 0;
  static inline int owners_destroyed = 0;
  explicit Counted(int v) : value(v) { ++live; }
  Counted(Counted&& other) noexcept : value(other.value) {
    other.value = -1;
    ++live;
  }
  Counted& operator=(Counted&& other) noexcept {
    if (value != -1) ++owners_destroyed;  // The old value is overwritten: it is gone.
    value = other.value;
    other.value = -1;
    return *this;
  }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() {
    --live;
    if (value != -1) ++owners_destroyed;
  }
  int value;
};

class ContainersTest : public testing::Test {
 protected:
  void SetUp() override {
    Counted::live = 0;
    Counted::owners_destroyed = 0;
  }
};

// ---- RingQueue --------------------------------------------------------------------------

TEST_F(ContainersTest, RingQueueStartsEmpty) {
  RingQueue<int> q;
  EXPECT_TRUE(q.Empty());
  EXPECT_EQ(q.Size(), 0u);
}

TEST_F(ContainersTest, RingQueueIsFifoAcrossGrowth) {
  RingQueue<int> q;
  for (int i = 0; i < 1000; ++i) {
    q.Push(i);
    EXPECT_EQ(q.Size(), static_cast<size_t>(i) + 1);
  }
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(q.Pop(), i);
  EXPECT_TRUE(q.Empty());
}

TEST_F(ContainersTest, RingQueueGrowsWhileWrappedAround) {
  // Advance head into the middle of the first 16-slot array, fill it so the live range
  // wraps past the end, then push one more to force growth of a wrapped queue.
  RingQueue<int> q;
  int next_in = 0;
  int next_out = 0;
  for (int i = 0; i < 10; ++i) q.Push(next_in++);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(q.Pop(), next_out++);
  for (int i = 0; i < 16; ++i) q.Push(next_in++);  // Full, wrapped (head at 10).
  q.Push(next_in++);                                // Grows.
  EXPECT_EQ(q.Size(), 17u);
  while (!q.Empty()) ASSERT_EQ(q.Pop(), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST_F(ContainersTest, RingQueueInterleavedPushPopMatchesAModel) {
  RingQueue<int> q;
  std::deque<int> model;
  XorShift64Star rng(12345);  // deterministic, so a failure reproduces
  int next = 0;
  for (int step = 0; step < 50000; ++step) {
    // Bias towards pushing in the first half and popping in the second, so the queue
    // grows through several capacities and then drains while wrapping around.
    uint32_t r = static_cast<uint32_t>(rng.Below(100));
    bool push = step < 25000 ? r < 60 : r < 40;
    if (push || model.empty()) {
      q.Push(next);
      model.push_back(next);
      ++next;
    } else {
      ASSERT_EQ(q.Pop(), model.front()) << "step " << step;
      model.pop_front();
    }
    ASSERT_EQ(q.Size(), model.size());
  }
  while (!model.empty()) {
    ASSERT_EQ(q.Pop(), model.front());
    model.pop_front();
  }
  EXPECT_TRUE(q.Empty());
}

TEST_F(ContainersTest, RingQueueHoldsMoveOnlyElements) {
  RingQueue<std::unique_ptr<int>> q;
  for (int i = 0; i < 100; ++i) q.Push(std::make_unique<int>(i));
  for (int i = 0; i < 100; ++i) {
    std::unique_ptr<int> p = q.Pop();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p, i);
  }
}

TEST_F(ContainersTest, RingQueueOfFunctionsRunsThemInOrder) {
  RingQueue<MovableFunction<void()>> q;
  std::vector<int> order;
  for (int i = 0; i < 40; ++i) q.Push([&order, i] { order.push_back(i); });
  while (!q.Empty()) q.Pop()();
  ASSERT_EQ(order.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST_F(ContainersTest, RingQueueDestroysEveryElementExactlyOnce) {
  {
    RingQueue<Counted> q;
    for (int i = 0; i < 100; ++i) q.Push(Counted(i));  // Grows 16 -> 32 -> 64 -> 128.
    for (int i = 0; i < 30; ++i) {
      Counted c = q.Pop();
      EXPECT_EQ(c.value, i);
    }
    EXPECT_EQ(Counted::owners_destroyed, 30);
    EXPECT_EQ(Counted::live, 70);  // Only the queued elements remain.
  }
  // The destructor destroyed the 70 still queued.
  EXPECT_EQ(Counted::owners_destroyed, 100);
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(ContainersTest, EmptyRingQueueDestructsCleanly) {
  { RingQueue<Counted> never_used; }
  {
    RingQueue<Counted> drained;
    drained.Push(Counted(1));
    (void)drained.Pop();
  }
  EXPECT_EQ(Counted::live, 0);
  EXPECT_EQ(Counted::owners_destroyed, 1);
}

// ---- Vector -----------------------------------------------------------------------------

TEST_F(ContainersTest, VectorStartsEmpty) {
  Vector<int> v;
  EXPECT_TRUE(v.Empty());
  EXPECT_EQ(v.Size(), 0u);
  EXPECT_EQ(v.begin(), v.end());
}

TEST_F(ContainersTest, VectorPushBackGrowsAndKeepsOrder) {
  Vector<int> v;
  for (int i = 0; i < 1000; ++i) {
    v.PushBack(i * 3);
    EXPECT_EQ(v.Back(), i * 3);
  }
  ASSERT_EQ(v.Size(), 1000u);
  EXPECT_FALSE(v.Empty());
  for (size_t i = 0; i < v.Size(); ++i) EXPECT_EQ(v[i], static_cast<int>(i) * 3);
  int expected = 0;
  for (int x : v) {
    EXPECT_EQ(x, expected);
    expected += 3;
  }
  const Vector<int>& cv = v;
  EXPECT_EQ(cv[999], 2997);
  EXPECT_EQ(cv.end() - cv.begin(), 1000);
}

TEST_F(ContainersTest, VectorEmplaceBackConstructsInPlace) {
  struct Pair {
    Pair(int a, const char* b) : a(a), b(b) {}
    int a;
    const char* b;
  };
  Vector<Pair> v;
  Pair& first = v.EmplaceBack(1, "one");
  EXPECT_EQ(first.a, 1);
  EXPECT_EQ(&first, &v[0]);
  for (int i = 2; i <= 20; ++i) {
    Pair& p = v.EmplaceBack(i, "more");
    EXPECT_EQ(&p, &v.Back());
    EXPECT_EQ(p.a, i);
  }
  ASSERT_EQ(v.Size(), 20u);
  EXPECT_STREQ(v[0].b, "one");
  EXPECT_EQ(v[19].a, 20);
}

TEST_F(ContainersTest, VectorReserveKeepsElements) {
  Vector<std::unique_ptr<int>> v;
  for (int i = 0; i < 5; ++i) v.PushBack(std::make_unique<int>(i));
  v.Reserve(1000);
  int* before = v.begin()->get();
  for (int i = 5; i < 1000; ++i) v.PushBack(std::make_unique<int>(i));  // No regrowth.
  EXPECT_EQ(v.begin()->get(), before);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(*v[static_cast<size_t>(i)], i);
  v.Reserve(10);  // Shrinking requests are ignored.
  EXPECT_EQ(v.Size(), 1000u);
}

TEST_F(ContainersTest, VectorSwapRemoveMovesTheLastIntoTheHole) {
  Vector<int> v;
  for (int i = 0; i < 5; ++i) v.PushBack(i);  // 0 1 2 3 4
  v.SwapRemove(1);                            // 0 4 2 3
  ASSERT_EQ(v.Size(), 4u);
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[1], 4);
  EXPECT_EQ(v[2], 2);
  EXPECT_EQ(v[3], 3);
  v.SwapRemove(3);  // Removing the last element: 0 4 2
  ASSERT_EQ(v.Size(), 3u);
  EXPECT_EQ(v[2], 2);
  v.SwapRemove(0);  // 2 4
  ASSERT_EQ(v.Size(), 2u);
  EXPECT_EQ(v[0], 2);
  EXPECT_EQ(v[1], 4);
  v.SwapRemove(0);
  v.SwapRemove(0);
  EXPECT_TRUE(v.Empty());
}

TEST_F(ContainersTest, VectorPopBackAndClear) {
  Vector<int> v;
  for (int i = 0; i < 10; ++i) v.PushBack(i);
  v.PopBack();
  EXPECT_EQ(v.Size(), 9u);
  EXPECT_EQ(v.Back(), 8);
  v.Clear();
  EXPECT_TRUE(v.Empty());
  // Usable again after Clear.
  v.PushBack(42);
  ASSERT_EQ(v.Size(), 1u);
  EXPECT_EQ(v[0], 42);
}

TEST_F(ContainersTest, VectorMoveConstructionTakesTheElements) {
  Vector<std::unique_ptr<int>> a;
  for (int i = 0; i < 20; ++i) a.PushBack(std::make_unique<int>(i));
  int* first = a[0].get();
  Vector<std::unique_ptr<int>> b = std::move(a);
  EXPECT_TRUE(a.Empty());  // NOLINT: testing moved-from state
  EXPECT_EQ(a.begin(), a.end());
  ASSERT_EQ(b.Size(), 20u);
  EXPECT_EQ(b[0].get(), first);  // The same elements, not copies.
  EXPECT_EQ(*b[19], 19);
  // The moved-from vector is usable.
  a.PushBack(std::make_unique<int>(7));
  EXPECT_EQ(*a[0], 7);
}

TEST_F(ContainersTest, VectorMoveAssignmentReplacesTheElements) {
  {
    Vector<Counted> a;
    Vector<Counted> b;
    for (int i = 0; i < 3; ++i) a.EmplaceBack(i);
    for (int i = 10; i < 15; ++i) b.EmplaceBack(i);
    EXPECT_EQ(Counted::live, 8);
    a = std::move(b);
    // a's old 3 elements are destroyed; b's 5 moved over without copies or moves.
    EXPECT_EQ(Counted::owners_destroyed, 3);
    EXPECT_EQ(Counted::live, 5);
    EXPECT_TRUE(b.Empty());  // NOLINT: testing moved-from state
    ASSERT_EQ(a.Size(), 5u);
    EXPECT_EQ(a[0].value, 10);
    EXPECT_EQ(a[4].value, 14);
    Vector<Counted>& alias = a;
    a = std::move(alias);  // Self-move is a no-op.
    EXPECT_EQ(a.Size(), 5u);
    EXPECT_EQ(Counted::live, 5);
  }
  EXPECT_EQ(Counted::owners_destroyed, 8);
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(ContainersTest, VectorDestroysEveryElementExactlyOnce) {
  {
    Vector<Counted> v;
    for (int i = 0; i < 100; ++i) v.EmplaceBack(i);  // Several regrowths.
    EXPECT_EQ(Counted::live, 100);
    EXPECT_EQ(Counted::owners_destroyed, 0);
    v.PushBack(Counted(100));
    EXPECT_EQ(Counted::live, 101);
    v.SwapRemove(0);  // Element 0 goes (overwritten by 100); one shell destroyed.
    EXPECT_EQ(Counted::owners_destroyed, 1);
    EXPECT_EQ(v[0].value, 100);
    v.PopBack();  // Element 99.
    EXPECT_EQ(Counted::owners_destroyed, 2);
    EXPECT_EQ(Counted::live, 99);
    for (int i = 0; i < 9; ++i) v.PopBack();
    EXPECT_EQ(Counted::owners_destroyed, 11);
    v.Clear();
    EXPECT_EQ(Counted::owners_destroyed, 101);
    EXPECT_EQ(Counted::live, 0);
    for (int i = 0; i < 10; ++i) v.EmplaceBack(i);
  }
  // The destructor destroyed the 10 added after Clear.
  EXPECT_EQ(Counted::owners_destroyed, 111);
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(ContainersTest, VectorOfFunctionsSurvivesGrowth) {
  Vector<MovableFunction<int()>> v;
  for (int i = 0; i < 50; ++i) v.PushBack([i, box = std::make_unique<int>(i)] { return i + *box; });
  v.SwapRemove(10);
  int sum = 0;
  for (auto& f : v) sum += f();
  EXPECT_EQ(sum, 2 * (49 * 50 / 2 - 10));
}

// Like std::vector::emplace_back, EmplaceBack accepts an argument that refers into the
// vector itself, also when it must grow (the new element is built before the old array
// is freed; this once read freed memory).
TEST_F(ContainersTest, VectorEmplaceBackOfItsOwnElementWhileGrowing) {
  Vector<long> v;
  for (long i = 0; i < 8; ++i) v.PushBack(1000 + i);  // Exactly the first capacity (8).
  v.EmplaceBack(v[0]);
  ASSERT_EQ(v.Size(), 9u);
  EXPECT_EQ(v.Back(), 1000);
}

}  // namespace
}  // namespace ebbrt
