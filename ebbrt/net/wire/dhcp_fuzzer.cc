// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseDhcp: a parsed message builds and parses back to itself (every
// option the parser keeps is one the builder writes); refusals are wire errors.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/dhcp.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  (void)wire::ParseDhcp(*in.chain, 0, in.bytes.size() + 2);
  auto m = wire::ParseDhcp(*in.chain, 0, in.bytes.size());
  if (!m.ok()) {
    EBBRT_CHECK(wire::WireErrorOf(m.status()) != wire::WireError::kNotWire);
    return 0;
  }
  auto built = wire::BuildDhcp(*m);
  EBBRT_CHECK(built.ok());
  size_t length = built.value()->ComputeChainDataLength();
  EBBRT_CHECK(length >= wire::kDhcpMinSentLength);
  auto again = wire::ParseDhcp(*built.value(), 0, length);
  EBBRT_CHECK(again.ok() && *again == *m);
  return 0;
}
