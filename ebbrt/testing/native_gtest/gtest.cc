// SPDX-License-Identifier: Apache-2.0
// The native googletest subset's failure reporting and value printing (gtest/gtest.h).
#include "gtest/gtest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/testing/native_gtest/test_state.h"

namespace testing {

bool Test::HasFailure() { return internal::CurrentTest().failed.load(); }
bool Test::HasFatalFailure() { return internal::CurrentTest().fatal_failure.load(); }
bool Test::IsSkipped() { return internal::CurrentTest().skipped.load(); }

namespace internal {
namespace {

// Assertions may fail on any core at once; one report at a time keeps them readable.
ebbrt::SpinLock g_report_lock;

void AppendFormatted(std::string* out, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

void AppendFormatted(std::string* out, const char* format, ...) {
  char buffer[64];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  if (n > 0) out->append(buffer, static_cast<size_t>(n) < sizeof(buffer) ? n : sizeof(buffer) - 1);
}

}  // namespace

TestState& CurrentTest() {
  static TestState state;
  return state;
}

void PrintBool(bool value, std::string* out) { out->append(value ? "true" : "false"); }

void PrintSigned(long long value, std::string* out) { AppendFormatted(out, "%lld", value); }

void PrintUnsigned(unsigned long long value, std::string* out) {
  AppendFormatted(out, "%llu", value);
}

// newlib is built without floating-point printf here (docs/build.md), so the digits are
// produced by hand: sign, integer part, six decimals; enough to tell values apart.
void PrintDouble(double value, std::string* out) {
  if (value != value) {
    out->append("nan");
    return;
  }
  if (value < 0) {
    out->push_back('-');
    value = -value;
  }
  if (value > 1e18) {
    out->append(value == __builtin_inf() ? "inf" : "(huge)");
    return;
  }
  auto whole = static_cast<unsigned long long>(value);
  auto millionths = static_cast<unsigned long long>((value - static_cast<double>(whole)) * 1e6 + 0.5);
  if (millionths >= 1000000) {
    ++whole;
    millionths -= 1000000;
  }
  AppendFormatted(out, "%llu.%06llu", whole, millionths);
}

void PrintPointer(const volatile void* value, std::string* out) {
  if (value == nullptr) {
    out->append("NULL");
    return;
  }
  AppendFormatted(out, "%p", const_cast<const void*>(value));
}

void PrintCString(const char* value, std::string* out) {
  if (value == nullptr) {
    out->append("NULL");
    return;
  }
  PrintQuoted(value, out);
}

void PrintQuoted(std::string_view value, std::string* out) {
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      AppendFormatted(out, "\\x%02X", static_cast<unsigned char>(c));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// googletest's form for a value it cannot print: "4-byte object <01-00 00-00>".
void PrintBytes(const void* object, size_t size, std::string* out) {
  AppendFormatted(out, "%zu-byte object <", size);
  const auto* bytes = static_cast<const unsigned char*>(object);
  constexpr size_t kShown = 32;
  for (size_t i = 0; i < size && i < kShown; ++i) {
    if (i != 0) out->push_back(i % 2 == 0 ? ' ' : '-');
    AppendFormatted(out, "%02X", bytes[i]);
  }
  if (size > kShown) out->append(" ...");
  out->push_back('>');
}

AssertionResult EqFailure(const char* lhs_expression, const char* rhs_expression,
                          const std::string& lhs_value, const std::string& rhs_value) {
  AssertionResult result = AssertionFailure();
  result << "Expected equality of these values:\n  " << lhs_expression;
  if (lhs_value != lhs_expression) result << "\n    Which is: " << lhs_value;
  result << "\n  " << rhs_expression;
  if (rhs_value != rhs_expression) result << "\n    Which is: " << rhs_value;
  return result;
}

AssertionResult CmpFailure(const char* lhs_expression, const char* rhs_expression,
                           const char* op, const std::string& lhs_value,
                           const std::string& rhs_value) {
  AssertionResult result = AssertionFailure();
  result << "Expected: (" << lhs_expression << ") " << op << " (" << rhs_expression
         << "), actual: " << lhs_value << " vs " << rhs_value;
  return result;
}

AssertionResult BoolFailure(const char* expression, const char* actual, const char* expected) {
  AssertionResult result = AssertionFailure();
  result << "Value of: " << expression << "\n  Actual: " << actual << "\nExpected: " << expected;
  return result;
}

AssertionResult CmpHelperNEAR(const char* val1_expression, const char* val2_expression,
                              const char* abs_error_expression, double val1, double val2,
                              double abs_error) {
  const double diff = val1 > val2 ? val1 - val2 : val2 - val1;
  if (diff <= abs_error) return AssertionSuccess();
  AssertionResult result = AssertionFailure();
  result << "The difference between " << val1_expression << " and " << val2_expression << " is "
         << Show(diff) << ", which exceeds " << abs_error_expression << ", where\n"
         << val1_expression << " evaluates to " << Show(val1) << ",\n"
         << val2_expression << " evaluates to " << Show(val2) << ", and\n"
         << abs_error_expression << " evaluates to " << Show(abs_error) << ".";
  return result;
}

AssertionResult CmpHelperSTREQ(const char* lhs_expression, const char* rhs_expression,
                               const char* lhs, const char* rhs) {
  bool equal = lhs == nullptr || rhs == nullptr ? lhs == rhs : strcmp(lhs, rhs) == 0;
  if (equal) return AssertionSuccess();
  return EqFailure(lhs_expression, rhs_expression, Show(lhs), Show(rhs));
}

AssertionResult CmpHelperSTRNE(const char* lhs_expression, const char* rhs_expression,
                               const char* lhs, const char* rhs) {
  bool equal = lhs == nullptr || rhs == nullptr ? lhs == rhs : strcmp(lhs, rhs) == 0;
  if (!equal) return AssertionSuccess();
  AssertionResult result = AssertionFailure();
  result << "Expected: (" << lhs_expression << ") != (" << rhs_expression
         << "), actual: " << Show(lhs) << " vs " << Show(rhs);
  return result;
}

void AssertHelper::operator=(const Message& message) const {
  TestState& test = CurrentTest();
  switch (outcome_) {
    case Outcome::kSuccess:
      return;
    case Outcome::kSkip:
      test.skipped.store(true);
      break;
    case Outcome::kFatalFailure:
      test.fatal_failure.store(true);
      [[fallthrough]];
    case Outcome::kNonFatalFailure:
      test.failed.store(true);
      break;
  }
  const char* kind = outcome_ == Outcome::kSkip ? "Skipped" : "Failure";
  ebbrt::SpinLockGuard guard(g_report_lock);
  printf("%s:%d: %s\n", file_, line_, kind);
  if (!summary_.empty() && summary_ != "Skipped") {
    printf("%.*s\n", static_cast<int>(summary_.size()), summary_.data());
  }
  if (!message.text().empty()) printf("%s\n", message.text().c_str());
}

}  // namespace internal
}  // namespace testing
