// SPDX-License-Identifier: Apache-2.0
// A googletest-compatible subset for native test images (//ebbrt/testing:native_gtest).
//
// The portable unit tests of ebbrt/base, core, event and future are compiled unchanged
// against real googletest on hosted and against this header on native, where they run
// inside QEMU (tools/ebbrt_portable_test.bzl). What is here:
//
//   TEST(Suite, Name) { ... }            TEST_F(Fixture, Name) { ... }
//   EXPECT_/ASSERT_ EQ NE LT LE GT GE TRUE FALSE STREQ STRNE NEAR
//   GTEST_SKIP()  FAIL()  ADD_FAILURE()  SUCCEED()   each takes `<< message << value`
//   ::testing::Test with SetUp() / TearDown()
//
// What is not (a test that needs it stays hosted-only): death tests, parameterized and
// typed tests, matchers (gmock), flags, SCOPED_TRACE, and the ULP-based floating-point
// comparisons (EXPECT_FLOAT_EQ, EXPECT_DOUBLE_EQ). Failures print googletest's wording ("Expected equality of these
// values: ...") and the image's exit status is the verdict (ebbrt/testing/native_gtest/
// gtest_main.cc). Assertions may fail on any core; reporting is serialized.
//
// Tests register without global constructors (docs/design.md: none with side effects on
// native): each TEST places a constant TestInfo record in the `ebbrt_gtest_tests` section
// and the runner walks the section, so tests run in link order, then source order.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace testing {

class Test {
 public:
  virtual ~Test() = default;
  virtual void SetUp() {}
  virtual void TearDown() {}
  virtual void TestBody() = 0;

  // About the running test, as in googletest.
  static bool HasFailure();
  static bool HasFatalFailure();
  static bool IsSkipped();
};

// Text streamed after an assertion (`EXPECT_EQ(a, b) << "at " << i;`).
class Message {
 public:
  template <typename T>
  Message& operator<<(const T& value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Success, or a failure's explanation; what every EXPECT_* evaluates to.
class AssertionResult {
 public:
  explicit AssertionResult(bool success) : success_(success) {}
  explicit operator bool() const { return success_; }
  const std::string& message() const { return message_; }
  AssertionResult& operator<<(std::string_view text) {
    message_.append(text.data(), text.size());
    return *this;
  }

 private:
  bool success_;
  std::string message_;
};

inline AssertionResult AssertionSuccess() { return AssertionResult(true); }
inline AssertionResult AssertionFailure() { return AssertionResult(false); }

namespace internal {

// Appends a readable form of `value` to `out`, googletest-style: numbers in decimal,
// strings quoted, pointers in hex, containers element by element, anything else as its
// bytes.
void PrintBool(bool value, std::string* out);
void PrintSigned(long long value, std::string* out);
void PrintUnsigned(unsigned long long value, std::string* out);
void PrintDouble(double value, std::string* out);
void PrintPointer(const volatile void* value, std::string* out);
void PrintCString(const char* value, std::string* out);
void PrintQuoted(std::string_view value, std::string* out);
void PrintBytes(const void* object, size_t size, std::string* out);

// Containers (anything with begin() and end() that is not a string) print as googletest
// prints them: "{ 1, 2, 3 }", at most 32 elements.
template <typename T>
concept PrintableRange = requires(const T& range) {
  range.begin();
  range.end();
} && !std::is_convertible_v<const T&, std::string_view>;

template <typename T>
void PrintValue(const T& value, std::string* out);

template <typename Range>
void PrintRange(const Range& range, std::string* out) {
  constexpr size_t kShown = 32;
  out->append("{");
  size_t count = 0;
  for (const auto& element : range) {
    if (count == kShown) {
      out->append(", ...");
      break;
    }
    out->append(count == 0 ? " " : ", ");
    PrintValue(element, out);
    ++count;
  }
  out->append(count == 0 ? "}" : " }");
}

template <typename T>
void PrintValue(const T& value, std::string* out) {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    PrintBool(value, out);
  } else if constexpr (std::is_enum_v<U>) {
    PrintValue(static_cast<std::underlying_type_t<U>>(value), out);
  } else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) {
    PrintSigned(value, out);
  } else if constexpr (std::is_integral_v<U>) {
    PrintUnsigned(value, out);
  } else if constexpr (std::is_floating_point_v<U>) {
    PrintDouble(static_cast<double>(value), out);
  } else if constexpr (std::is_same_v<U, std::nullptr_t>) {
    out->append("(nullptr)");
  } else if constexpr (std::is_convertible_v<const U&, const char*>) {
    PrintCString(value, out);
  } else if constexpr (std::is_pointer_v<U>) {
    PrintPointer(value, out);
  } else if constexpr (std::is_convertible_v<const U&, std::string_view>) {
    PrintQuoted(std::string_view(value), out);
  } else if constexpr (PrintableRange<U>) {
    PrintRange(value, out);
  } else {
    PrintBytes(&value, sizeof(value), out);
  }
}

// Message text: strings go in as they are, other values as PrintValue shows them.
template <typename T>
void AppendToMessage(const T& value, std::string* out) {
  if constexpr (std::is_convertible_v<const T&, const char*> &&
                !std::is_same_v<std::decay_t<T>, std::nullptr_t>) {
    const char* text = value;
    out->append(text != nullptr ? text : "(null)");  // As googletest streams a null string.
  } else if constexpr (std::is_convertible_v<const T&, std::string_view> &&
                       !std::is_same_v<std::decay_t<T>, std::nullptr_t>) {
    std::string_view text(value);
    out->append(text.data(), text.size());
  } else if constexpr (std::is_same_v<std::decay_t<T>, char>) {
    out->push_back(value);
  } else {
    PrintValue(value, out);
  }
}

template <typename T>
std::string Show(const T& value) {
  std::string out;
  PrintValue(value, &out);
  return out;
}

AssertionResult EqFailure(const char* lhs_expression, const char* rhs_expression,
                          const std::string& lhs_value, const std::string& rhs_value);
AssertionResult CmpFailure(const char* lhs_expression, const char* rhs_expression,
                           const char* op, const std::string& lhs_value,
                           const std::string& rhs_value);
AssertionResult BoolFailure(const char* expression, const char* actual,
                            const char* expected);
AssertionResult CmpHelperSTREQ(const char* lhs_expression, const char* rhs_expression,
                               const char* lhs, const char* rhs);
// |val1 - val2| <= abs_error, in googletest's wording when not.
AssertionResult CmpHelperNEAR(const char* val1_expression, const char* val2_expression,
                              const char* abs_error_expression, double val1, double val2,
                              double abs_error);
AssertionResult CmpHelperSTRNE(const char* lhs_expression, const char* rhs_expression,
                               const char* lhs, const char* rhs);

template <typename T1, typename T2>
AssertionResult CmpHelperEQ(const char* lhs_expression, const char* rhs_expression,
                            const T1& lhs, const T2& rhs) {
  if (lhs == rhs) return AssertionSuccess();
  return EqFailure(lhs_expression, rhs_expression, Show(lhs), Show(rhs));
}

#define EBBRT_GTEST_DEFINE_CMP_HELPER_(name, op)                                          \
  template <typename T1, typename T2>                                                     \
  AssertionResult CmpHelper##name(const char* lhs_expression, const char* rhs_expression, \
                                  const T1& lhs, const T2& rhs) {                         \
    if (lhs op rhs) return AssertionSuccess();                                            \
    return CmpFailure(lhs_expression, rhs_expression, #op, Show(lhs), Show(rhs));         \
  }
EBBRT_GTEST_DEFINE_CMP_HELPER_(NE, !=)
EBBRT_GTEST_DEFINE_CMP_HELPER_(LT, <)
EBBRT_GTEST_DEFINE_CMP_HELPER_(LE, <=)
EBBRT_GTEST_DEFINE_CMP_HELPER_(GT, >)
EBBRT_GTEST_DEFINE_CMP_HELPER_(GE, >=)
#undef EBBRT_GTEST_DEFINE_CMP_HELPER_

enum class Outcome { kSuccess, kNonFatalFailure, kFatalFailure, kSkip };

// Records an assertion's outcome when a Message is assigned to it; the assignment is an
// expression of type void, so ASSERT_* can `return` it from a void function.
class AssertHelper {
 public:
  AssertHelper(Outcome outcome, const char* file, int line, std::string_view summary)
      : outcome_(outcome), file_(file), line_(line), summary_(summary) {}
  void operator=(const Message& message) const;

 private:
  Outcome outcome_;
  const char* file_;
  int line_;
  std::string_view summary_;
};

// One TEST or TEST_F, as the runner finds it in the ebbrt_gtest_tests section.
struct TestInfo {
  const char* suite;
  const char* name;
  const char* file;
  int line;
  Test* (*factory)();
};

}  // namespace internal

template <typename T>
Message& Message::operator<<(const T& value) {
  internal::AppendToMessage(value, &text_);
  return *this;
}

}  // namespace testing

// The `switch` keeps a user's `if (x) EXPECT_TRUE(y); else ...` from binding the else to
// the macro's own if (googletest's GTEST_AMBIGUOUS_ELSE_BLOCKER_).
#define EBBRT_GTEST_ASSERT_(result, outcome, on_failure)                                 \
  switch (0)                                                                             \
  case 0:                                                                                \
  default:                                                                               \
    if (const ::testing::AssertionResult ebbrt_gtest_result = (result))                  \
      ;                                                                                  \
    else                                                                                 \
      on_failure ::testing::internal::AssertHelper(outcome, __FILE__, __LINE__,          \
                                                   ebbrt_gtest_result.message()) =       \
          ::testing::Message()

#define EBBRT_GTEST_NONFATAL_(result) \
  EBBRT_GTEST_ASSERT_(result, ::testing::internal::Outcome::kNonFatalFailure, )
#define EBBRT_GTEST_FATAL_(result) \
  EBBRT_GTEST_ASSERT_(result, ::testing::internal::Outcome::kFatalFailure, return)

#define EBBRT_GTEST_BOOL_(condition, text, actual, expected)                              \
  (static_cast<bool>(condition)                                                          \
       ? ::testing::AssertionSuccess()                                                   \
       : ::testing::internal::BoolFailure(text, actual, expected))

#define EXPECT_TRUE(condition) \
  EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_BOOL_(condition, #condition, "false", "true"))
#define EXPECT_FALSE(condition) \
  EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_BOOL_(!(condition), #condition, "true", "false"))
#define ASSERT_TRUE(condition) \
  EBBRT_GTEST_FATAL_(EBBRT_GTEST_BOOL_(condition, #condition, "false", "true"))
#define ASSERT_FALSE(condition) \
  EBBRT_GTEST_FATAL_(EBBRT_GTEST_BOOL_(!(condition), #condition, "true", "false"))

#define EBBRT_GTEST_CMP_(helper, a, b) ::testing::internal::helper(#a, #b, a, b)
#define EXPECT_EQ(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperEQ, a, b))
#define EXPECT_NE(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperNE, a, b))
#define EXPECT_LT(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperLT, a, b))
#define EXPECT_LE(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperLE, a, b))
#define EXPECT_GT(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperGT, a, b))
#define EXPECT_GE(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperGE, a, b))
#define EXPECT_STREQ(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperSTREQ, a, b))
#define EXPECT_STRNE(a, b) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_CMP_(CmpHelperSTRNE, a, b))
#define ASSERT_EQ(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperEQ, a, b))
#define ASSERT_NE(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperNE, a, b))
#define ASSERT_LT(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperLT, a, b))
#define ASSERT_LE(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperLE, a, b))
#define ASSERT_GT(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperGT, a, b))
#define ASSERT_GE(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperGE, a, b))
#define ASSERT_STREQ(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperSTREQ, a, b))
#define ASSERT_STRNE(a, b) EBBRT_GTEST_FATAL_(EBBRT_GTEST_CMP_(CmpHelperSTRNE, a, b))
#define EBBRT_GTEST_NEAR_(a, b, e) ::testing::internal::CmpHelperNEAR(#a, #b, #e, a, b, e)
#define EXPECT_NEAR(a, b, abs_error) EBBRT_GTEST_NONFATAL_(EBBRT_GTEST_NEAR_(a, b, abs_error))
#define ASSERT_NEAR(a, b, abs_error) EBBRT_GTEST_FATAL_(EBBRT_GTEST_NEAR_(a, b, abs_error))

#define EBBRT_GTEST_MESSAGE_(outcome, summary) \
  ::testing::internal::AssertHelper(outcome, __FILE__, __LINE__, summary) = ::testing::Message()
#define GTEST_SKIP() \
  return EBBRT_GTEST_MESSAGE_(::testing::internal::Outcome::kSkip, "Skipped")
#define FAIL() \
  return EBBRT_GTEST_MESSAGE_(::testing::internal::Outcome::kFatalFailure, "Failed")
#define ADD_FAILURE() \
  EBBRT_GTEST_MESSAGE_(::testing::internal::Outcome::kNonFatalFailure, "Failed")
#define SUCCEED() EBBRT_GTEST_MESSAGE_(::testing::internal::Outcome::kSuccess, "Succeeded")

// `retain` keeps the record through --gc-sections: nothing refers to it by name.
#define EBBRT_GTEST_TEST_(suite, name, parent)                                           \
  class suite##_##name##_Test : public parent {                                          \
   public:                                                                               \
    void TestBody() override;                                                            \
  };                                                                                     \
  [[gnu::used, gnu::retain, gnu::section("ebbrt_gtest_tests")]] static constexpr         \
      ::testing::internal::TestInfo ebbrt_gtest_info_##suite##_##name = {                \
          #suite, #name, __FILE__, __LINE__,                                             \
          []() -> ::testing::Test* { return new suite##_##name##_Test; }};              \
  void suite##_##name##_Test::TestBody()

#define TEST(suite, name) EBBRT_GTEST_TEST_(suite, name, ::testing::Test)
#define TEST_F(fixture, name) EBBRT_GTEST_TEST_(fixture, name, fixture)
