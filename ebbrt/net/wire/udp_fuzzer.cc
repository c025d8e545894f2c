// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseUdp: the first 8 packet bytes are the pseudo-header's source and
// destination addresses, the rest the IP payload. A parsed datagram lies within it and
// builds back to the same header (checksum included: a valid non-zero checksum is the
// only one the builder can compute) over the same payload; refusals are wire errors.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/udp.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  if (in.bytes.size() < 8) return 0;
  wire::Ipv4Address src{wire::LoadBe32(in.bytes.data())};
  wire::Ipv4Address dst{wire::LoadBe32(in.bytes.data() + 4)};
  size_t length = in.bytes.size() - 8;
  (void)wire::ParseUdp(*in.chain, 8, length + 1, src, dst);
  auto udp = wire::ParseUdp(*in.chain, 8, length, src, dst);
  if (!udp.ok()) {
    EBBRT_CHECK(wire::WireErrorOf(udp.status()) != wire::WireError::kNotWire);
    return 0;
  }
  EBBRT_CHECK(udp->payload_offset == 16);
  EBBRT_CHECK(udp->payload_length + 8 == udp->header.length && udp->header.length <= length);
  wire::testing::Bytes payload(in.bytes.begin() + 16,
                               in.bytes.begin() + static_cast<long>(16 + udp->payload_length));
  auto rebuilt = wire::testing::WithHeadroom(payload, 8);
  EBBRT_CHECK_OK(wire::PrependUdp(*rebuilt, udp->header, src, dst,
                                  udp->header.checksum == 0 ? wire::UdpChecksumMode::kNone
                                                            : wire::UdpChecksumMode::kCompute));
  auto again = wire::ParseUdp(*rebuilt, 0, udp->header.length, src, dst);
  EBBRT_CHECK(again.ok() && again->header == udp->header);
  wire::testing::Bytes out = wire::testing::Flatten(*rebuilt);
  EBBRT_CHECK(wire::testing::Bytes(out.begin() + 8, out.end()) == payload);
  return 0;
}
