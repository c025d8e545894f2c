// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/numbers.h"

namespace memcached {
namespace {

// C's isspace in the "C" locale.
bool IsSpace(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// What strtoull/strtol see: optional whitespace, optional sign, decimal digits.
struct Scan {
  bool digits = false;    // false: no conversion (endptr == str)
  bool overflow = false;  // the magnitude does not fit in 64 bits
  bool negative = false;
  uint64_t magnitude = 0;
  size_t end = 0;  // index of the first unparsed byte
};

// `at(i)` returns the byte at i, or 0 past the end (a C string's terminator).
template <typename At>
Scan ScanDecimal(At at, size_t length) {
  Scan scan;
  size_t i = 0;
  while (i < length && IsSpace(at(i))) ++i;
  if (i < length && (at(i) == '+' || at(i) == '-')) {
    scan.negative = at(i) == '-';
    ++i;
  }
  while (i < length && at(i) >= '0' && at(i) <= '9') {
    uint64_t digit = static_cast<uint64_t>(at(i) - '0');
    if (scan.magnitude > (UINT64_MAX - digit) / 10) scan.overflow = true;
    scan.magnitude = scan.magnitude * 10 + digit;
    scan.digits = true;
    ++i;
  }
  scan.end = i;
  return scan;
}

bool HasMinus(std::string_view token) { return token.find('-') != std::string_view::npos; }

// strtoull's result for a scan, or false for ERANGE / no conversion.
bool StrtoullValue(const Scan& scan, uint64_t* out) {
  if (!scan.digits || scan.overflow) return false;
  *out = scan.negative ? (0 - scan.magnitude) : scan.magnitude;
  return true;
}

// The end check shared by every safe_strto*: whitespace or the end of the token.
bool EndsWell(std::string_view token, const Scan& scan) {
  return scan.end == token.size() || IsSpace(static_cast<uint8_t>(token[scan.end]));
}

Scan ScanToken(std::string_view token) {
  return ScanDecimal([&](size_t i) { return static_cast<uint8_t>(token[i]); }, token.size());
}

}  // namespace

bool ParseU64(std::string_view token, uint64_t* out) {
  Scan scan = ScanToken(token);
  uint64_t value;
  if (!StrtoullValue(scan, &value) || !EndsWell(token, scan)) return false;
  if (static_cast<int64_t>(value) < 0 && HasMinus(token)) return false;
  *out = value;
  return true;
}

bool ParseU32(std::string_view token, uint32_t* out) {
  // unsigned long is 64 bits on LP64: the same parse as ParseU64, then truncated.
  uint64_t value;
  if (!ParseU64(token, &value)) return false;
  *out = static_cast<uint32_t>(value);
  return true;
}

bool ParseI32(std::string_view token, int32_t* out) {
  Scan scan = ScanToken(token);
  if (!scan.digits || !EndsWell(token, scan)) return false;
  // strtol: ERANGE outside [LONG_MIN, LONG_MAX].
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (scan.overflow || scan.magnitude > kMaxPositive + (scan.negative ? 1 : 0)) return false;
  uint64_t bits = scan.negative ? (0 - scan.magnitude) : scan.magnitude;
  *out = static_cast<int32_t>(static_cast<uint32_t>(bits));
  return true;
}

bool ParseStoredNumber(const uint8_t* value, size_t length, uint64_t* out) {
  if (length == 0) return false;  // "Can't delta zero byte values"
  // memcached parses ITEM_data, i.e. the value followed by "\r\n": a number running to the
  // end of the value ends at '\r', which is whitespace.
  Scan scan = ScanDecimal([&](size_t i) { return value[i]; }, length);
  uint64_t result;
  if (!StrtoullValue(scan, &result)) return false;
  if (scan.end < length && !IsSpace(value[scan.end])) return false;
  if (static_cast<int64_t>(result) < 0) {
    for (size_t i = 0; i < length; ++i) {
      if (value[i] == '-') return false;
    }
  }
  *out = result;
  return true;
}

size_t FormatU64(uint64_t value, char* out) {
  char reversed[20];
  size_t n = 0;
  do {
    reversed[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < n; ++i) out[i] = reversed[n - 1 - i];
  return n;
}

}  // namespace memcached
