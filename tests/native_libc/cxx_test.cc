// SPDX-License-Identifier: Apache-2.0
// Native image that exercises the curated C++ subset (toolchains/cxx_subset.bzl), one
// TEST per part of it. Every check runs in the booted image; the compiler must not be trusted to have folded it away, so inputs come
// through a volatile where that matters.
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <ranges>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "gtest/gtest.h"

namespace {

using std::string_view_literals::operator""sv;

// Global constructors must still run (ebbrt_native_start runs .init_array before
// AppMain).
int constructed_value = 0;

struct SetOnConstruction {
  SetOnConstruction() { constructed_value = 42; }
};

SetOnConstruction set_on_construction;

// Defeats constant folding: checks below run on values the compiler cannot see.
volatile int opaque_seven = 7;

int Seven() { return opaque_seven; }

TEST(CxxSubsetTest, GlobalConstructors) { EXPECT_EQ(constructed_value, 42); }

TEST(CxxSubsetTest, Optional) {
  std::optional<int> empty;
  EXPECT_FALSE(empty.has_value());
  EXPECT_EQ(empty.value_or(-1), -1);
  std::optional<int> seven = Seven();
  EXPECT_TRUE(seven.has_value());
  EXPECT_EQ(*seven, 7);
  seven.reset();
  EXPECT_FALSE(seven);
}

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

TEST(CxxSubsetTest, Variant) {
  std::variant<int, std::string_view> v = Seven();
  EXPECT_TRUE(std::holds_alternative<int>(v));
  EXPECT_EQ(std::get<int>(v), 7);
  v = "variant"sv;
  EXPECT_EQ(v.index(), 1);
  const size_t visited =
      std::visit(Overloaded{[](int i) { return static_cast<size_t>(i); },
                            [](std::string_view s) { return s.size(); }},
                 v);
  EXPECT_EQ(visited, 7);
  EXPECT_EQ(std::get_if<int>(&v), nullptr);
}

TEST(CxxSubsetTest, ArraySpanAlgorithms) {
  std::array<int, 8> values = {5, Seven(), -3, 42, 0, 9, -3, 1};
  std::sort(values.begin(), values.end());
  EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
  EXPECT_EQ(values.front(), -3);
  EXPECT_EQ(values.back(), 42);
  std::sort(values.begin(), values.end(), std::greater<>());
  EXPECT_EQ(values[0], 42);
  std::span<const int> all(values);
  std::span<const int> middle = all.subspan(2, 3);  // 7, 5, 1
  EXPECT_EQ(std::accumulate(middle.begin(), middle.end(), 0), 13);
  EXPECT_EQ(std::count(values.begin(), values.end(), -3), 2);
  auto it = std::find_if(values.begin(), values.end(), [](int x) { return x < 0; });
  EXPECT_EQ(std::distance(values.begin(), it), 6);
  std::array<int, 5> sequence{};
  std::iota(sequence.begin(), sequence.end(), 1);
  std::reverse(sequence.begin(), sequence.end());
  EXPECT_EQ(sequence[0], 5);
  EXPECT_EQ(std::clamp(Seven(), 0, 5), 5);
  EXPECT_EQ(std::gcd(12, 18), 6);
  EXPECT_TRUE((std::ranges::range<std::array<int, 5>>));
  EXPECT_EQ(std::ranges::size(sequence), 5);
}

TEST(CxxSubsetTest, StringView) {
  char text[] = "hello, native world";
  std::string_view view(text);
  EXPECT_EQ(view.find("native"), 7);
  EXPECT_TRUE(view.substr(7, 6) == "native");
  EXPECT_TRUE(view.starts_with("hello"));
  EXPECT_TRUE(view.ends_with("world"));
  EXPECT_GT(view.compare("hello"), 0);
  EXPECT_EQ(view.find('z'), std::string_view::npos);
  char copy[32] = {};
  std::memcpy(copy, view.data(), view.size());
  EXPECT_STREQ(copy, "hello, native world");
  char formatted[32];
  std::snprintf(formatted, sizeof(formatted), "%.*s!", static_cast<int>(5), view.data());
  EXPECT_STREQ(formatted, "hello!");
}

TEST(CxxSubsetTest, Atomic) {
  std::atomic<int> counter{Seven()};
  EXPECT_EQ(counter.fetch_add(35), 7);
  EXPECT_EQ(counter.load(), 42);
  int expected = 42;
  EXPECT_TRUE(counter.compare_exchange_strong(expected, 1));
  EXPECT_EQ(counter.exchange(2), 1);
  EXPECT_TRUE(std::atomic<uint64_t>::is_always_lock_free);
  std::atomic_flag flag;
  EXPECT_FALSE(flag.test_and_set());
  EXPECT_TRUE(flag.test_and_set());
}

struct Widget {
  explicit Widget(int v) : value(v) {}
  ~Widget() { ++destroyed; }
  int value;
  static int destroyed;
};
int Widget::destroyed = 0;

// Ends a Widget's life without freeing: it lives in caller-provided storage.
struct DestroyInPlace {
  void operator()(Widget* w) const { std::destroy_at(w); }
};

alignas(Widget) unsigned char widget_storage[sizeof(Widget)];

TEST(CxxSubsetTest, UniquePtrAndNew) {
  {
    std::unique_ptr<Widget, DestroyInPlace> widget(new (widget_storage) Widget(Seven()));
    EXPECT_EQ(widget->value, 7);
    EXPECT_EQ(static_cast<void*>(widget.get()), static_cast<void*>(widget_storage));
  }
  EXPECT_EQ(Widget::destroyed, 1);
  // operator new has the GeneralPurposeAllocator behind it.
  std::unique_ptr<int> owned(new int(Seven()));
  EXPECT_EQ(*owned, 7);
  // A request larger than the machine: nothrow new returns nullptr (plain new would stop
  // the machine; see new_failure_image.cc).
  char* huge = new (std::nothrow) char[size_t{1} << 40];
  EXPECT_EQ(static_cast<void*>(huge), nullptr);
  std::unique_ptr<int> empty;
  EXPECT_TRUE(empty == nullptr);
}

TEST(CxxSubsetTest, TupleUtility) {
  auto tuple = std::make_tuple(Seven(), "two"sv, 3u);
  EXPECT_EQ(std::get<0>(tuple), 7);
  EXPECT_TRUE(std::get<1>(tuple) == "two");
  auto [a, b, c] = tuple;
  EXPECT_EQ(a + static_cast<int>(b.size()) + static_cast<int>(c), 13);
  std::pair<int, int> pair{1, 2};
  std::swap(pair.first, pair.second);
  EXPECT_EQ(pair.first, 2);
  EXPECT_EQ(std::exchange(pair.second, 9), 1);
  EXPECT_TRUE(std::tuple(1, 2) < std::tuple(1, 3));
}

struct Version {
  int major;
  int minor;
  auto operator<=>(const Version&) const = default;
};

template <std::integral T>
T Twice(T x) {
  return x * 2;
}

TEST(CxxSubsetTest, BitCompareConcepts) {
  EXPECT_EQ(std::popcount(static_cast<unsigned>(0xF0 + Seven() - 7)), 4);
  EXPECT_EQ(std::countr_zero(8u), 3);
  EXPECT_EQ(std::bit_cast<uint32_t>(1.0f), 0x3f800000u);
  EXPECT_EQ(std::bit_width(255u), 8);
  EXPECT_TRUE((Version{1, 2} < Version{1, Seven()}));
  EXPECT_TRUE((Seven() <=> 7) == 0);
  EXPECT_EQ(Twice(21), 42);
  EXPECT_EQ(std::numeric_limits<int32_t>::max(), 2147483647);
  static_assert(std::is_trivially_copyable_v<std::array<int, 4>>);
}

TEST(CxxSubsetTest, FunctionalChrono) {
  // A small capture fits std::function's inline buffer: no allocation.
  const int k = Seven();
  std::function<int(int)> times_k = [k](int x) { return x * k; };
  EXPECT_EQ(times_k(6), 42);
  EXPECT_EQ(std::invoke(std::plus<>(), 40, 2), 42);
  EXPECT_TRUE(std::hash<int>()(Seven()) == std::hash<int>()(7));

  using namespace std::chrono_literals;
  std::chrono::milliseconds ms = 1500ms + std::chrono::milliseconds(Seven());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(ms).count(), 1);
  EXPECT_EQ(std::chrono::microseconds(ms).count(), 1507000);
}

}  // namespace
