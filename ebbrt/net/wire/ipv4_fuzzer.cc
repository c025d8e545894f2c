// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseIpv4: the parsed header, options and payload lie within the input
// and add up to it; building the header in front of the payload and parsing it again
// gives the same fields (the checksum may be the other zero, options are not rebuilt);
// refusals are wire errors.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ipv4.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  (void)wire::ParseIpv4(*in.chain, 0, in.bytes.size() + 60);
  auto ip = wire::ParseIpv4(*in.chain, 0, in.bytes.size());
  if (!ip.ok()) {
    EBBRT_CHECK(wire::WireErrorOf(ip.status()) != wire::WireError::kNotWire);
    return 0;
  }
  const wire::Ipv4Header& h = ip->header;
  EBBRT_CHECK(h.header_length >= 20 && h.header_length <= 60);
  EBBRT_CHECK(ip->payload_offset == h.header_length);
  EBBRT_CHECK(ip->payload_offset + ip->payload_length + ip->padding == in.bytes.size());
  EBBRT_CHECK(h.total_length == ip->payload_offset + ip->payload_length);
  wire::testing::Bytes payload(in.bytes.begin() + static_cast<long>(ip->payload_offset),
                               in.bytes.begin() + static_cast<long>(h.total_length));
  auto rebuilt = wire::testing::WithHeadroom(payload, wire::kMaxHeaderRoom);
  EBBRT_CHECK_OK(wire::PrependIpv4(*rebuilt, h));
  auto again = wire::ParseIpv4(*rebuilt, 0, rebuilt->ComputeChainDataLength());
  EBBRT_CHECK(again.ok());
  wire::Ipv4Header expected = h;
  expected.header_length = 20;
  expected.total_length = static_cast<uint16_t>(20 + payload.size());
  expected.checksum = again->header.checksum;
  EBBRT_CHECK(again->header == expected);
  wire::testing::Bytes out = wire::testing::Flatten(*rebuilt);
  EBBRT_CHECK(out.size() == 20 + payload.size());
  EBBRT_CHECK(wire::testing::Bytes(out.begin() + 20, out.end()) == payload);
  return 0;
}
