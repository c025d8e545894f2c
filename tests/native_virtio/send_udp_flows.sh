#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peer of virtio_net_mq_test (run by the runner inside its namespace): sends UDP datagrams
# to the guest's port 9, each from a fresh socket (so a fresh source port, so flows the
# tap spreads over its queues), until the image prints "virtio_net_mq: done"; at most
# 8,000 datagrams and 60 s. There is no stack in the image to answer ARP, so the guest's
# MAC is entered as a permanent neighbour.
set -uo pipefail
for var in EBBRT_TAP EBBRT_GUEST_ADDR EBBRT_GUEST_MAC EBBRT_SERIAL_LOG; do
  [[ -n "${!var:-}" ]] || { echo "send_udp_flows: $var is not set"; exit 1; }
done
ip neigh replace "$EBBRT_GUEST_ADDR" lladdr "$EBBRT_GUEST_MAC" dev "$EBBRT_TAP" nud permanent || exit 1
deadline=$((SECONDS + 60))
for ((i = 0; i < 8000 && SECONDS < deadline; ++i)); do
  grep -q '^virtio_net_mq: done' "$EBBRT_SERIAL_LOG" && { echo "send_udp_flows: $i datagrams sent"; exit 0; }
  { echo "flow $i" >"/dev/udp/$EBBRT_GUEST_ADDR/9"; } 2>/dev/null
  ((i % 50 == 49)) && sleep 0.05
done
grep -q '^virtio_net_mq: done' "$EBBRT_SERIAL_LOG" && exit 0
echo "send_udp_flows: the image never said it was done ($i datagrams sent)"
exit 1
