// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseArp: a parsed packet builds back to the input's first 28 bytes and
// parses to itself; refusals are wire errors (short only below 28 bytes).
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/arp.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  // A length beyond the chain must be refused, not read.
  (void)wire::ParseArp(*in.chain, 0, in.bytes.size() + 28);
  auto arp = wire::ParseArp(*in.chain, 0, in.bytes.size());
  if (!arp.ok()) {
    wire::WireError error = wire::WireErrorOf(arp.status());
    EBBRT_CHECK(error != wire::WireError::kNotWire);
    EBBRT_CHECK((error == wire::WireError::kArpShort) == (in.bytes.size() < 28));
    return 0;
  }
  auto rebuilt = ebbrt::UniqueIOBuf::Create(28, 28);
  EBBRT_CHECK_OK(wire::PrependArp(*rebuilt, *arp));
  EBBRT_CHECK(wire::testing::Flatten(*rebuilt) ==
              wire::testing::Bytes(in.bytes.begin(), in.bytes.begin() + 28));
  auto again = wire::ParseArp(*rebuilt, 0, 28);
  EBBRT_CHECK(again.ok() && *again == *arp);
  EBBRT_CHECK(wire::ArpReplyTo(*arp, arp->target_mac).target_ip == arp->sender_ip);
  return 0;
}
