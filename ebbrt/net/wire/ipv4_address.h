// SPDX-License-Identifier: Apache-2.0
// IPv4 addresses and prefixes as the wire code and the stack use them.
//
// The one IPv4 address type: the wire code, the stack and the application API
// (ebbrt/net/net.h, which names it ebbrt::net::Ipv4Address) all use it.
//
//   Ipv4Prefix net = EBBRT_TRY(Ipv4Prefix::Parse("10.0.2.15/24"));   // kernel command line
//   net.Contains(Ipv4Address::FromOctets(10, 0, 2, 2));               // true
//   net.Broadcast();                                                  // 10.0.2.255
//   printf("%s\n", Ipv4AddressText(net.address).c_str());             // "10.0.2.15"
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"

namespace ebbrt::net::wire {

struct Ipv4Address {
  uint32_t value = 0;  // host byte order: 10.0.2.15 is 0x0a00020f

  static constexpr Ipv4Address FromOctets(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {(uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d}};
  }
  static constexpr Ipv4Address Any() { return {0}; }
  static constexpr Ipv4Address Loopback() { return {0x7f000001}; }
  static constexpr Ipv4Address Broadcast() { return {0xffffffff}; }
  // Dotted quad ("10.0.2.15", each octet 0..255 with at most 3 digits); kInvalidArgument
  // for anything else.
  static Result<Ipv4Address> Parse(const char* text);

  constexpr bool IsAny() const { return value == 0; }
  constexpr bool IsBroadcast() const { return value == 0xffffffff; }
  constexpr bool IsMulticast() const { return (value >> 28) == 0xe; }  // RFC 5771: 224/4
  constexpr bool IsLoopback() const { return (value >> 24) == 127; }

  friend constexpr bool operator==(Ipv4Address a, Ipv4Address b) { return a.value == b.value; }
};

// "a.b.c.d" in an inline buffer (no allocation).
class Ipv4AddressText {
 public:
  explicit Ipv4AddressText(Ipv4Address address);
  const char* c_str() const { return text_; }

 private:
  char text_[16];
};

// An address with a prefix length: the interface's address and its network.
struct Ipv4Prefix {
  Ipv4Address address;
  uint8_t length = 0;  // 0..32

  // "a.b.c.d/n" with n in 0..32; kInvalidArgument otherwise.
  static Result<Ipv4Prefix> Parse(const char* text);
  // From an address and a netmask (e.g. DHCP's subnet mask option); kInvalidArgument if
  // the mask's one bits are not contiguous from the top.
  static Result<Ipv4Prefix> FromMask(Ipv4Address address, Ipv4Address mask);

  constexpr Ipv4Address Mask() const {
    return {length == 0 ? 0u : ~uint32_t{0} << (32 - length)};
  }
  constexpr Ipv4Address Network() const { return {address.value & Mask().value}; }
  // The directed broadcast address (all host bits set).
  constexpr Ipv4Address Broadcast() const { return {address.value | ~Mask().value}; }
  constexpr bool Contains(Ipv4Address a) const {
    return (a.value & Mask().value) == Network().value;
  }

  friend constexpr bool operator==(Ipv4Prefix a, Ipv4Prefix b) {
    return a.address == b.address && a.length == b.length;
  }
};

}  // namespace ebbrt::net::wire
