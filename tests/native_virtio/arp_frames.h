// SPDX-License-Identifier: Apache-2.0
// ARP frames for the virtio tests, built and checked by hand (no network stack below
// them yet): a request for QEMU user networking's gateway 10.0.2.2 from the guest address
// 10.0.2.15, and a check that a frame is the gateway's reply to it. RFC 826.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace ebbrt::virtio {

inline constexpr uint8_t kTestMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};  // the BUILD file's mac=
inline constexpr size_t kArpFrameBytes = 42;
inline constexpr size_t kEthernetHeaderBytes = 14;

// Writes the request's Ethernet header (14 bytes) to `header` and its ARP body (28 bytes)
// to `body`, so tests can send them as one buffer or as two links.
inline void BuildArpRequest(uint8_t* header, uint8_t* body) {
  memset(header, 0xff, 6);  // broadcast
  memcpy(header + 6, kTestMac, 6);
  header[12] = 0x08, header[13] = 0x06;  // ARP
  const uint8_t fixed[] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};  // Ethernet, IPv4, request
  memcpy(body, fixed, sizeof(fixed));
  memcpy(body + 8, kTestMac, 6);
  const uint8_t sender_ip[] = {10, 0, 2, 15}, target_ip[] = {10, 0, 2, 2};
  memcpy(body + 14, sender_ip, 4);
  memset(body + 18, 0, 6);
  memcpy(body + 24, target_ip, 4);
}

inline size_t BuildArpRequest(uint8_t* frame) {
  BuildArpRequest(frame, frame + kEthernetHeaderBytes);
  return kArpFrameBytes;
}

// Whether the `length` bytes at `f` are 10.0.2.2's ARP reply to 10.0.2.15 (our MAC).
inline bool IsGatewayArpReply(const uint8_t* f, size_t length) {
  if (length < kArpFrameBytes || f[12] != 0x08 || f[13] != 0x06 || f[21] != 2) return false;
  const uint8_t gateway[] = {10, 0, 2, 2}, us[] = {10, 0, 2, 15};
  return memcmp(f, kTestMac, 6) == 0 && memcmp(f + 28, gateway, 4) == 0 && memcmp(f + 32, kTestMac, 6) == 0 &&
         memcmp(f + 38, us, 4) == 0;
}

}  // namespace ebbrt::virtio
