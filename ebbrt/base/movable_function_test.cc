// SPDX-License-Identifier: Apache-2.0
// MovableFunction: inline and heap targets, move-only captures, moves, Reset, and that
// every capture is destroyed exactly once.
#include "ebbrt/base/movable_function.h"

#include <stdint.h>

#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using Fn = MovableFunction<int()>;

// Whether `p` lies inside the bytes of `f` (an inline target) or elsewhere (heap).
template <typename F>
bool IsInside(const F& f, const void* p) {
  auto begin = reinterpret_cast<uintptr_t>(&f);
  auto at = reinterpret_cast<uintptr_t>(p);
  return at >= begin && at < begin + sizeof(f);
}

// A callable of a chosen size that returns its own address, so a test can see where the
// MovableFunction keeps it.
template <size_t kBytes>
struct WhereAmI {
  unsigned char padding[kBytes] = {};
  const void* operator()() const { return this; }
};
static_assert(sizeof(WhereAmI<48>) == 48);

// Counts live instances (every constructor +1, destructor -1) and the destruction of the
// one instance that was never moved from (the "real" capture).
struct Tracker {
  static inline int live = 0;
  static inline int owners_destroyed = 0;
  Tracker() { ++live; }
  Tracker(const Tracker&) = delete;
  Tracker(Tracker&& other) noexcept : owner(other.owner) {
    other.owner = false;
    ++live;
  }
  ~Tracker() {
    --live;
    if (owner) ++owners_destroyed;
  }
  bool owner = true;
};

// A capture of more than kInlineSize bytes, so the target lives on the heap.
struct Big {
  Tracker tracker;
  unsigned char bytes[64] = {};
};

class MovableFunctionTest : public testing::Test {
 protected:
  void SetUp() override {
    Tracker::live = 0;
    Tracker::owners_destroyed = 0;
  }
};

TEST_F(MovableFunctionTest, DefaultAndNullAreEmpty) {
  Fn a;
  Fn b = nullptr;
  EXPECT_FALSE(static_cast<bool>(a));
  EXPECT_FALSE(static_cast<bool>(b));
  a.Reset();  // Reset of an empty function is fine.
  EXPECT_FALSE(static_cast<bool>(a));
}

TEST_F(MovableFunctionTest, CallsWithArgumentsAndReturnsTheResult) {
  MovableFunction<int(int, int)> add = [](int a, int b) { return a + b; };
  ASSERT_TRUE(static_cast<bool>(add));
  EXPECT_EQ(add(2, 3), 5);
  MovableFunction<void(int&)> set = [](int& out) { out = 17; };
  int out = 0;
  set(out);
  EXPECT_EQ(out, 17);
  MovableFunction<int(std::unique_ptr<int>)> consume = [](std::unique_ptr<int> p) {
    return *p;
  };
  EXPECT_EQ(consume(std::make_unique<int>(8)), 8);
}

TEST_F(MovableFunctionTest, MutableStateSurvivesBetweenCalls) {
  Fn counter = [n = 0]() mutable { return ++n; };
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(counter(), 2);
  Fn moved = std::move(counter);
  EXPECT_EQ(moved(), 3);
}

TEST_F(MovableFunctionTest, SmallTargetsAreInline) {
  static_assert(Fn::kInlineSize == 48);
  MovableFunction<const void*()> small = WhereAmI<8>();
  EXPECT_TRUE(IsInside(small, small()));
  // Exactly kInlineSize bytes still fits.
  MovableFunction<const void*()> exact = WhereAmI<48>();
  EXPECT_TRUE(IsInside(exact, exact()));
  // Moving an inline target moves it into the destination's storage.
  MovableFunction<const void*()> moved = std::move(exact);
  EXPECT_TRUE(IsInside(moved, moved()));
}

TEST_F(MovableFunctionTest, LargeTargetsLiveOnTheHeapAndStayPut) {
  MovableFunction<const void*()> big = WhereAmI<49>();
  const void* where = big();
  EXPECT_FALSE(IsInside(big, where));
  // Moving a heap target moves the pointer, not the target.
  MovableFunction<const void*()> moved = std::move(big);
  EXPECT_EQ(moved(), where);
  EXPECT_FALSE(IsInside(moved, where));
}

TEST_F(MovableFunctionTest, OverAlignedTargetsGoToTheHeap) {
  struct alignas(64) Aligned {
    const void* operator()() const { return this; }
  };
  MovableFunction<const void*()> f = Aligned();
  const void* where = f();
  EXPECT_FALSE(IsInside(f, where));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(where) % 64, 0u);
}

TEST_F(MovableFunctionTest, TargetsThatMayThrowOnMoveGoToTheHeap) {
  // Relocating inline storage must not fail; a potentially-throwing move stays on the heap.
  struct MayThrow {
    MayThrow() = default;
    MayThrow(MayThrow&&) noexcept(false) {}
    const void* operator()() const { return this; }
  };
  MovableFunction<const void*()> f = MayThrow();
  EXPECT_FALSE(IsInside(f, f()));
}

TEST_F(MovableFunctionTest, MoveOnlyCaptures) {
  auto box = std::make_unique<int>(41);
  Fn f = [box = std::move(box)] { return *box + 1; };
  EXPECT_EQ(f(), 42);
  Fn g = std::move(f);
  EXPECT_EQ(g(), 42);
  auto big = std::make_unique<std::string>(200, 'x');
  Fn h = [big = std::move(big), pad = Big()] { return static_cast<int>(big->size()); };
  EXPECT_EQ(h(), 200);
}

TEST_F(MovableFunctionTest, MovedFromIsEmpty) {
  Fn inline_fn = [] { return 1; };
  Fn inline_dest = std::move(inline_fn);
  EXPECT_FALSE(static_cast<bool>(inline_fn));  // NOLINT: testing moved-from state
  EXPECT_TRUE(static_cast<bool>(inline_dest));

  Fn heap_fn = [pad = Big()] { return 2; };
  Fn heap_dest;
  heap_dest = std::move(heap_fn);
  EXPECT_FALSE(static_cast<bool>(heap_fn));  // NOLINT: testing moved-from state
  EXPECT_EQ(heap_dest(), 2);

  // Moving an empty function gives an empty function.
  Fn empty;
  Fn from_empty = std::move(empty);
  EXPECT_FALSE(static_cast<bool>(from_empty));
}

TEST_F(MovableFunctionTest, InlineCaptureIsDestroyedExactlyOnce) {
  {
    Fn f = [t = Tracker()] { return t.owner ? 1 : 0; };
    EXPECT_EQ(f(), 1);
    Fn g = std::move(f);
    Fn h;
    h = std::move(g);
    EXPECT_EQ(h(), 1);
    EXPECT_EQ(Tracker::owners_destroyed, 0);
    EXPECT_EQ(Tracker::live, 1);  // Relocation destroyed each moved-from copy.
  }
  EXPECT_EQ(Tracker::owners_destroyed, 1);
  EXPECT_EQ(Tracker::live, 0);
}

TEST_F(MovableFunctionTest, HeapCaptureIsDestroyedExactlyOnce) {
  {
    Fn f = [b = Big()] { return b.tracker.owner ? 1 : 0; };
    EXPECT_EQ(f(), 1);
    Fn g = std::move(f);
    Fn h;
    h = std::move(g);
    EXPECT_EQ(h(), 1);
    EXPECT_EQ(Tracker::owners_destroyed, 0);
    EXPECT_EQ(Tracker::live, 1);
  }
  EXPECT_EQ(Tracker::owners_destroyed, 1);
  EXPECT_EQ(Tracker::live, 0);
}

TEST_F(MovableFunctionTest, ResetDestroysTheCaptureNow) {
  Fn small = [t = Tracker()] { return 0; };
  Fn large = [b = Big()] { return 0; };
  EXPECT_EQ(Tracker::live, 2);
  small.Reset();
  EXPECT_FALSE(static_cast<bool>(small));
  EXPECT_EQ(Tracker::owners_destroyed, 1);
  large.Reset();
  EXPECT_FALSE(static_cast<bool>(large));
  EXPECT_EQ(Tracker::owners_destroyed, 2);
  EXPECT_EQ(Tracker::live, 0);
  // Reusable after Reset.
  small = [] { return 5; };
  EXPECT_EQ(small(), 5);
}

TEST_F(MovableFunctionTest, AssigningOverATargetDestroysTheOldOne) {
  Fn f = [t = Tracker()] { return 1; };
  f = [b = Big()] { return 2; };
  EXPECT_EQ(Tracker::owners_destroyed, 1);
  EXPECT_EQ(f(), 2);
  f = [t = Tracker()] { return 3; };
  EXPECT_EQ(Tracker::owners_destroyed, 2);
  EXPECT_EQ(f(), 3);
  f = nullptr;
  EXPECT_FALSE(static_cast<bool>(f));
  EXPECT_EQ(Tracker::owners_destroyed, 3);
  EXPECT_EQ(Tracker::live, 0);
}

TEST_F(MovableFunctionTest, SelfMoveAssignmentKeepsTheTarget) {
  Fn f = [t = Tracker()] { return 4; };
  Fn& alias = f;
  f = std::move(alias);
  ASSERT_TRUE(static_cast<bool>(f));
  EXPECT_EQ(f(), 4);
  EXPECT_EQ(Tracker::owners_destroyed, 0);
}

}  // namespace
}  // namespace ebbrt

namespace ebbrt {
namespace {

int Seven() { return 7; }

TEST(MovableFunctionNullTest, NullFunctionPointerMakesAnEmptyFunction) {
  int (*null_fn)() = nullptr;
  MovableFunction<int()> empty(null_fn);
  EXPECT_FALSE(static_cast<bool>(empty));
  MovableFunction<int()> real(&Seven);
  ASSERT_TRUE(static_cast<bool>(real));
  EXPECT_EQ(real(), 7);
}

}  // namespace
}  // namespace ebbrt
