// SPDX-License-Identifier: Apache-2.0
// Status and Result<T>: codes and names, both states of a Result through copies and
// moves (including move-only values), value_or, and EBBRT_TRY propagation.
#include "ebbrt/base/result.h"

#include <errno.h>
#include <string.h>

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "ebbrt/base/status.h"
#include "ebbrt/testing/int_to_string.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// ---- Status -----------------------------------------------------------------------------

static_assert(Status().ok());
static_assert(Status::Ok().ok());
static_assert(Status().code() == StatusCode::kOk);
static_assert(!Status(StatusCode::kInternal, "x").ok());
static_assert(Status(StatusCode::kTimeout, "x").code() == StatusCode::kTimeout);

TEST(StatusTest, DefaultIsOkWithEmptyMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_STREQ(s.message(), "");
  EXPECT_TRUE(Status::Ok() == s);
}

TEST(StatusTest, ErrorKeepsCodeAndMessage) {
  Status s(StatusCode::kNotFound, "no such Ebb");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_STREQ(s.message(), "no such Ebb");
  // status() is the Status itself (what lets EBBRT_TRY treat both alike).
  EXPECT_EQ(&s.status(), &s);
  Status copy = s;
  EXPECT_EQ(copy.code(), StatusCode::kNotFound);
  EXPECT_EQ(copy.message(), s.message());
}

TEST(StatusTest, EqualityComparesCodesOnly) {
  EXPECT_TRUE(Status(StatusCode::kTimeout, "a") == Status(StatusCode::kTimeout, "b"));
  EXPECT_FALSE(Status(StatusCode::kTimeout, "a") == Status(StatusCode::kCancelled, "a"));
  EXPECT_FALSE(Status(StatusCode::kTimeout, "a") == Status::Ok());
}

TEST(StatusTest, EveryCodeHasADistinctStableName) {
  struct Named {
    StatusCode code;
    const char* name;
  };
  const Named kNames[] = {
      {StatusCode::kOk, "OK"},
      {StatusCode::kCancelled, "CANCELLED"},
      {StatusCode::kInvalidArgument, "INVALID_ARGUMENT"},
      {StatusCode::kNotFound, "NOT_FOUND"},
      {StatusCode::kAlreadyExists, "ALREADY_EXISTS"},
      {StatusCode::kOutOfMemory, "OUT_OF_MEMORY"},
      {StatusCode::kResourceExhausted, "RESOURCE_EXHAUSTED"},
      {StatusCode::kFailedPrecondition, "FAILED_PRECONDITION"},
      {StatusCode::kOutOfRange, "OUT_OF_RANGE"},
      {StatusCode::kUnimplemented, "UNIMPLEMENTED"},
      {StatusCode::kUnavailable, "UNAVAILABLE"},
      {StatusCode::kTimeout, "TIMEOUT"},
      {StatusCode::kIoError, "IO_ERROR"},
      {StatusCode::kInternal, "INTERNAL"},
      {StatusCode::kPermissionDenied, "PERMISSION_DENIED"},
  };
  std::set<std::string> seen;
  for (const Named& n : kNames) {
    EXPECT_STREQ(StatusCodeName(n.code), n.name);
    seen.insert(StatusCodeName(n.code));
  }
  EXPECT_EQ(seen.size(), sizeof(kNames) / sizeof(kNames[0]));
  // The table above covers the enum up to its last member.
  EXPECT_EQ(static_cast<int>(StatusCode::kPermissionDenied) + 1,
            static_cast<int>(sizeof(kNames) / sizeof(kNames[0])));
  EXPECT_STREQ(StatusCodeName(static_cast<StatusCode>(200)), "UNKNOWN");
}

TEST(StatusTest, SystemErrorTravelsWithCopies) {
  EXPECT_EQ(Status(StatusCode::kIoError, "x").system_error(), 0);
  Status s(StatusCode::kAlreadyExists, "bind", EADDRINUSE);
  Status copy = s;
  EXPECT_EQ(copy.system_error(), EADDRINUSE);
  EXPECT_STREQ(copy.message(), "bind");
  EXPECT_TRUE(copy == Status(StatusCode::kAlreadyExists, "other"));
}

TEST(StatusTextTest, FormatsSuccessPlainErrorsAndSystemErrors) {
  EXPECT_STREQ(StatusText(Status::Ok()).c_str(), "OK");
  EXPECT_STREQ(StatusText(Status(StatusCode::kNotFound, "no such key")).c_str(),
               "no such key (NOT_FOUND)");
  Status bind_failed(StatusCode::kAlreadyExists, "bind 0.0.0.0:11211", EADDRINUSE);
  std::string expected = std::string("bind 0.0.0.0:11211: ") + strerror(EADDRINUSE) + " (errno " +
                         testing_internal::IntToString(EADDRINUSE) + ", ALREADY_EXISTS)";
  EXPECT_STREQ(StatusText(bind_failed).c_str(), expected.c_str());
}

TEST(StatusTextTest, LongTextIsCutVisibly) {
  static const char kLong[] =
      "a message much longer than the inline buffer can hold, repeated to make sure: "
      "a message much longer than the inline buffer can hold, repeated to make sure: "
      "a message much longer than the inline buffer can hold";
  StatusText text(Status(StatusCode::kInternal, kLong));
  EXPECT_EQ(strlen(text.c_str()), StatusText::kCapacity - 1);
  EXPECT_EQ(strncmp(text.c_str(), kLong, 40), 0);
  EXPECT_STREQ(text.c_str() + StatusText::kCapacity - 4, "...");
}

// ---- Result -----------------------------------------------------------------------------

// Counts live objects (every constructor +1, destructor -1) to catch leaks and
// double destruction through Result's union storage.
struct Tracked {
  static inline int live = 0;
  explicit Tracked(int v) : value(v) { ++live; }
  Tracked(const Tracked& other) : value(other.value) { ++live; }
  Tracked(Tracked&& other) noexcept : value(other.value) {
    other.value = -1;
    ++live;
  }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) = default;
  ~Tracked() { --live; }
  int value;
};

class ResultTest : public testing::Test {
 protected:
  void SetUp() override { Tracked::live = 0; }
  void TearDown() override { EXPECT_EQ(Tracked::live, 0) << "leaked or double-destroyed"; }
};

TEST_F(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  r.value() = 7;
  EXPECT_EQ(*r, 7);
}

TEST_F(ResultTest, HoldsAnError) {
  Result<int> r = Status(StatusCode::kOutOfRange, "too big");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_STREQ(r.status().message(), "too big");
}

TEST_F(ResultTest, ArrowReachesTheValue) {
  Result<std::string> r = std::string("hello");
  EXPECT_EQ(r->size(), 5u);
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr->size(), 5u);
  EXPECT_EQ(*cr, "hello");
}

TEST_F(ResultTest, ConvertsFromAConstructibleType) {
  Result<std::string> from_literal = "abc";  // const char[4] -> std::string
  EXPECT_EQ(*from_literal, "abc");
  Result<std::unique_ptr<const int>> from_derived = std::make_unique<int>(3);
  EXPECT_EQ(**from_derived, 3);
}

TEST_F(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(11);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 11);

  Result<std::unique_ptr<int>> moved = std::move(r);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(**moved, 11);

  std::unique_ptr<int> taken = std::move(moved).value();
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(*taken, 11);
  EXPECT_EQ(moved.value(), nullptr);  // Moved out of, still "ok".

  Result<std::unique_ptr<int>> error = Status(StatusCode::kOutOfMemory, "oom");
  Result<std::unique_ptr<int>> moved_error = std::move(error);
  EXPECT_FALSE(moved_error.ok());
  EXPECT_EQ(moved_error.status().code(), StatusCode::kOutOfMemory);
}

TEST_F(ResultTest, CopyAndMoveOfAValueCopyAndMoveTheValue) {
  {
    Result<Tracked> a = Tracked(5);
    EXPECT_EQ(Tracked::live, 1);
    Result<Tracked> b = a;  // copy
    EXPECT_EQ(Tracked::live, 2);
    EXPECT_EQ(a->value, 5);
    EXPECT_EQ(b->value, 5);
    Result<Tracked> c = std::move(a);  // move: a keeps a moved-from value
    EXPECT_EQ(Tracked::live, 3);
    EXPECT_EQ(c->value, 5);
    EXPECT_EQ(a->value, -1);
  }
  EXPECT_EQ(Tracked::live, 0);
}

TEST_F(ResultTest, CopyAndMoveOfAnErrorKeepTheStatus) {
  const Result<Tracked> error = Status(StatusCode::kUnavailable, "down");
  Result<Tracked> copied = error;
  Result<Tracked> moved = std::move(copied);
  const Result<Tracked>* all[] = {&error, &copied, &moved};
  for (const Result<Tracked>* r : all) {
    EXPECT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), StatusCode::kUnavailable);
    EXPECT_STREQ(r->status().message(), "down");
  }
  EXPECT_EQ(Tracked::live, 0);  // No value was ever built.
}

TEST_F(ResultTest, AssignmentAcrossStates) {
  Result<Tracked> value = Tracked(1);
  Result<Tracked> other_value = Tracked(2);
  Result<Tracked> error = Status(StatusCode::kCancelled, "cancelled");
  EXPECT_EQ(Tracked::live, 2);

  // value <- value (copy)
  value = other_value;
  EXPECT_EQ(value->value, 2);
  EXPECT_EQ(Tracked::live, 2);

  // value <- error: the old value is destroyed.
  value = error;
  EXPECT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(Tracked::live, 1);

  // error <- value (move)
  error = std::move(other_value);
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->value, 2);
  EXPECT_EQ(Tracked::live, 2);  // error's new value + other_value's moved-from one

  // error <- error (move)
  Result<Tracked> another_error = Status(StatusCode::kTimeout, "slow");
  value = std::move(another_error);
  EXPECT_EQ(value.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(Tracked::live, 2);

  // Self-assignment (through references, so the compiler does not object) is a no-op.
  Result<Tracked>& alias = error;
  error = alias;
  error = std::move(alias);
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->value, 2);
  EXPECT_EQ(Tracked::live, 2);
}

TEST_F(ResultTest, ValueOr) {
  Result<int> good = 3;
  Result<int> bad = Status(StatusCode::kNotFound, "nope");
  EXPECT_EQ(good.value_or(-1), 3);
  EXPECT_EQ(bad.value_or(-1), -1);
  Result<std::string> bad_string = Status(StatusCode::kNotFound, "nope");
  EXPECT_EQ(bad_string.value_or("fallback"), "fallback");
  // value_or copies; the Result keeps its value.
  Result<std::string> good_string = std::string("kept");
  EXPECT_EQ(good_string.value_or("fallback"), "kept");
  EXPECT_EQ(*good_string, "kept");
}

// ---- EBBRT_TRY --------------------------------------------------------------------------

int g_reached_after_try = 0;

Status StatusStep(bool fail) {
  if (fail) return Status(StatusCode::kIoError, "status step failed");
  return Status::Ok();
}

Result<int> ResultStep(bool fail, int value) {
  if (fail) return Status(StatusCode::kInvalidArgument, "result step failed");
  return value;
}

// Level 1: one TRY on a Status, one on a Result.
Result<int> LevelOne(bool fail_status, bool fail_result) {
  EBBRT_TRY(StatusStep(fail_status));
  ++g_reached_after_try;
  int v = EBBRT_TRY(ResultStep(fail_result, 20));
  ++g_reached_after_try;
  return v + 1;
}

// Level 2: propagates whatever level 1 returned, into a function returning Status.
Status LevelTwo(bool fail_status, bool fail_result, int* out) {
  int v = EBBRT_TRY(LevelOne(fail_status, fail_result));
  ++g_reached_after_try;
  *out = v * 2;
  return Status::Ok();
}

TEST(TryTest, YieldsTheValueOnSuccess) {
  g_reached_after_try = 0;
  int out = 0;
  Status s = LevelTwo(false, false, &out);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(out, 42);
  EXPECT_EQ(g_reached_after_try, 3);
}

TEST(TryTest, PropagatesAStatusErrorThroughTwoLevels) {
  g_reached_after_try = 0;
  int out = -5;
  Status s = LevelTwo(true, false, &out);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_STREQ(s.message(), "status step failed");
  EXPECT_EQ(out, -5);
  EXPECT_EQ(g_reached_after_try, 0);  // Nothing after the failing TRY ran.
}

TEST(TryTest, PropagatesAResultErrorThroughTwoLevels) {
  g_reached_after_try = 0;
  int out = -5;
  Status s = LevelTwo(false, true, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_STREQ(s.message(), "result step failed");
  EXPECT_EQ(out, -5);
  EXPECT_EQ(g_reached_after_try, 1);  // Only the line between the two TRYs.
}

using testing_internal::IntToString;

TEST(TryTest, ErrorConvertsToAResultOfAnotherType) {
  auto as_string = [](bool fail) -> Result<std::string> {
    int v = EBBRT_TRY(ResultStep(fail, 9));
    return IntToString(v);
  };
  EXPECT_EQ(*as_string(false), "9");
  Result<std::string> failed = as_string(true);
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
}

Result<std::unique_ptr<int>> MakeBox(bool fail) {
  if (fail) return Status(StatusCode::kOutOfMemory, "no box");
  return std::make_unique<int>(99);
}

Result<int> Unbox(bool fail) {
  std::unique_ptr<int> box = EBBRT_TRY(MakeBox(fail));
  return *box + 1;
}

TEST(TryTest, YieldsMoveOnlyValues) {
  EXPECT_EQ(*Unbox(false), 100);
  EXPECT_EQ(Unbox(true).status().code(), StatusCode::kOutOfMemory);
}

TEST(TryTest, EvaluatesItsExpressionOnce) {
  int calls = 0;
  auto counted = [&]() -> Result<int> {
    ++calls;
    return 1;
  };
  auto user = [&]() -> Status {
    int v = EBBRT_TRY(counted());
    EXPECT_EQ(v, 1);
    return Status::Ok();
  };
  EXPECT_TRUE(user().ok());
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace ebbrt
