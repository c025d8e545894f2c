// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseEthernet: any bytes over any link boundaries. A parsed frame's
// payload lies within the input, and building its header in front of its payload gives
// back exactly the input; a refused one is refused with a wire error, for the right reason.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  auto eth = wire::ParseEthernet(*in.chain);
  if (!eth.ok()) {
    wire::WireError error = wire::WireErrorOf(eth.status());
    EBBRT_CHECK(error == wire::WireError::kEthernetShort ||
                error == wire::WireError::kEthernetVlanShort ||
                error == wire::WireError::kEthernetStackedVlan);
    if (error == wire::WireError::kEthernetShort) EBBRT_CHECK(in.bytes.size() < 14);
    return 0;
  }
  EBBRT_CHECK(eth->payload_offset == wire::EthernetHeaderLength(eth->header));
  EBBRT_CHECK(eth->payload_offset + eth->payload_length == in.bytes.size());
  wire::testing::Bytes payload(in.bytes.begin() + static_cast<long>(eth->payload_offset),
                               in.bytes.end());
  auto rebuilt = wire::testing::WithHeadroom(payload, 18);
  EBBRT_CHECK_OK(wire::PrependEthernet(*rebuilt, eth->header));
  EBBRT_CHECK(wire::testing::Flatten(*rebuilt) == in.bytes);
  return 0;
}
