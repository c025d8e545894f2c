// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {
namespace {

// Reads a decimal number of at most `max_digits` digits no larger than `max` at *p.
bool ParseDecimal(const char*& p, uint32_t max, int max_digits, uint32_t* out) {
  if (*p < '0' || *p > '9') return false;
  uint32_t value = 0;
  int digits = 0;
  while (*p >= '0' && *p <= '9') {
    value = value * 10 + static_cast<uint32_t>(*p - '0');
    if (++digits > max_digits || value > max) return false;
    ++p;
  }
  *out = value;
  return true;
}

bool ParseQuad(const char*& p, Ipv4Address* out) {
  uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    uint32_t octet;
    if (!ParseDecimal(p, 255, 3, &octet)) return false;
    value = (value << 8) | octet;
    if (part < 3) {
      if (*p != '.') return false;
      ++p;
    }
  }
  *out = Ipv4Address{value};
  return true;
}

}  // namespace

Result<Ipv4Address> Ipv4Address::Parse(const char* text) {
  Ipv4Address address;
  const char* p = text;
  if (text == nullptr || !ParseQuad(p, &address) || *p != '\0') {
    return Status(StatusCode::kInvalidArgument, "IPv4 address: expected a.b.c.d");
  }
  return address;
}

Ipv4AddressText::Ipv4AddressText(Ipv4Address address) {
  char* out = text_;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint32_t octet = (address.value >> shift) & 0xff;
    if (octet >= 100) *out++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10) *out++ = static_cast<char>('0' + octet / 10 % 10);
    *out++ = static_cast<char>('0' + octet % 10);
    if (shift > 0) *out++ = '.';
  }
  *out = '\0';
}

Result<Ipv4Prefix> Ipv4Prefix::Parse(const char* text) {
  Ipv4Prefix prefix;
  const char* p = text;
  uint32_t length;
  if (text == nullptr || !ParseQuad(p, &prefix.address) || *p++ != '/' ||
      !ParseDecimal(p, 32, 2, &length) || *p != '\0') {
    return Status(StatusCode::kInvalidArgument, "IPv4 prefix: expected a.b.c.d/n, n in 0..32");
  }
  prefix.length = static_cast<uint8_t>(length);
  return prefix;
}

Result<Ipv4Prefix> Ipv4Prefix::FromMask(Ipv4Address address, Ipv4Address mask) {
  uint32_t inverted = ~mask.value;
  // Contiguous from the top: the host part is 2^k - 1.
  if ((inverted & (inverted + 1)) != 0) {
    return Status(StatusCode::kInvalidArgument, "IPv4 prefix: netmask bits not contiguous");
  }
  return Ipv4Prefix{address, static_cast<uint8_t>(__builtin_popcount(mask.value))};
}

}  // namespace ebbrt::net::wire
