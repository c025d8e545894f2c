// SPDX-License-Identifier: Apache-2.0
// Fuzz target for ParseIcmp and ParseIcmpQuotedDatagram: a parsed message's payload lies
// within the input; rebuilding its header over its payload parses to the same fields; an
// echo request's reply parses as a reply with the same identifier and payload; a quoted
// datagram lies within the message. Refusals are wire errors.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/icmp.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  (void)wire::ParseIcmp(*in.chain, 0, in.bytes.size() + 1);
  auto icmp = wire::ParseIcmp(*in.chain, 0, in.bytes.size());
  if (!icmp.ok()) {
    EBBRT_CHECK(wire::WireErrorOf(icmp.status()) != wire::WireError::kNotWire);
    return 0;
  }
  EBBRT_CHECK(icmp->payload_offset == 8 && icmp->payload_offset + icmp->payload_length ==
                                               in.bytes.size());
  wire::testing::Bytes payload(in.bytes.begin() + 8, in.bytes.end());

  auto rebuilt = wire::testing::WithHeadroom(payload, 8);
  EBBRT_CHECK_OK(wire::PrependIcmp(*rebuilt, icmp->type, icmp->code, icmp->rest));
  auto again = wire::ParseIcmp(*rebuilt, 0, in.bytes.size());
  EBBRT_CHECK(again.ok() && again->type == icmp->type && again->code == icmp->code &&
              again->rest == icmp->rest);

  auto quoted = wire::ParseIcmpQuotedDatagram(*in.chain, *icmp);
  if (quoted.ok()) {
    EBBRT_CHECK(size_t{quoted->header.header_length} + 8 <= icmp->payload_length);
  } else {
    EBBRT_CHECK(wire::WireErrorOf(quoted.status()) != wire::WireError::kNotWire);
  }

  if (icmp->type == wire::kIcmpEchoRequest) {
    auto reply = wire::BuildEchoReply(std::move(in.chain), *icmp);
    EBBRT_CHECK(reply.ok());
    auto parsed = wire::ParseIcmp(*reply.value(), 0, in.bytes.size());
    EBBRT_CHECK(parsed.ok() && parsed->type == wire::kIcmpEchoReply && parsed->code == 0 &&
                parsed->rest == icmp->rest);
    wire::testing::Bytes out = wire::testing::Flatten(*reply.value());
    EBBRT_CHECK(wire::testing::Bytes(out.begin() + 8, out.end()) == payload);
  }
  return 0;
}
