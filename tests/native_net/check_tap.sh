#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peer for --net tap (run by tools/qemu_runner.sh inside the namespace while the image
# runs): we are in the namespace the runner named, it holds only lo and the tap, the tap
# is up with the peer address, and QEMU has opened one tap queue per queue pair (the
# kernel counts queues in use plus queues the guest has not enabled yet; a single-queue tap
# has carrier while it is open).
set -uo pipefail

failures=0
fail() {
  echo "check_tap: FAIL: $*"
  failures=$((failures + 1))
}

for var in EBBRT_NETNS EBBRT_TAP EBBRT_NET_QUEUES EBBRT_PEER_ADDR EBBRT_PEER_PREFIX EBBRT_GUEST_ADDR; do
  [[ -n "${!var:-}" ]] || { echo "check_tap: $var is not set"; exit 1; }
done
[[ "$(ip netns identify $$)" == "$EBBRT_NETNS" ]] || fail "not running inside $EBBRT_NETNS"
ip -n "$EBBRT_NETNS" link show "$EBBRT_TAP" >/dev/null || fail "no $EBBRT_TAP in $EBBRT_NETNS"
links="$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
echo "check_tap: links in $EBBRT_NETNS: $links"
[[ "$links" == "$(printf '%s\n' lo "$EBBRT_TAP" | sort | tr '\n' ' ')" ]] || fail "expected only lo and $EBBRT_TAP"
details="$(ip -d link show "$EBBRT_TAP")"
grep -q 'tun type tap' <<<"$details" || fail "$EBBRT_TAP is not a tap"
# QEMU opens a single-queue tap for one queue pair and a multi_queue one for more.
if ((EBBRT_NET_QUEUES > 1)); then
  grep -q 'multi_queue' <<<"$details" || fail "$EBBRT_TAP is not multi-queue"
else
  grep -q 'multi_queue' <<<"$details" && fail "$EBBRT_TAP is multi-queue for one queue pair"
fi
if ((EBBRT_NET_QUEUES > 1)); then
  numqueues="$(grep -oE 'numqueues [0-9]+' <<<"$details" | grep -oE '[0-9]+')"
  numdisabled="$(grep -oE 'numdisabled [0-9]+' <<<"$details" | grep -oE '[0-9]+')"
  echo "check_tap: $EBBRT_TAP queues attached: ${numqueues:-?} enabled + ${numdisabled:-?} not enabled yet (want $EBBRT_NET_QUEUES)"
  ((${numqueues:-0} + ${numdisabled:-0} == EBBRT_NET_QUEUES)) || fail "QEMU holds the wrong number of tap queues"
else
  # A single-queue tap has carrier (LOWER_UP) exactly while a process has it open.
  grep -q '<.*LOWER_UP.*>' <<<"$details" || fail "QEMU does not hold $EBBRT_TAP open"
  echo "check_tap: $EBBRT_TAP single-queue, held open (carrier up)"
fi
ip -o -4 addr show dev "$EBBRT_TAP" | grep -q "inet $EBBRT_PEER_ADDR/$EBBRT_PEER_PREFIX " ||
  fail "$EBBRT_TAP does not have $EBBRT_PEER_ADDR/$EBBRT_PEER_PREFIX"
grep -q '<.*UP.*>' <<<"$details" || fail "$EBBRT_TAP is not up"
# The only routes are the tap's subnet (and nothing through a gateway): traffic stays here.
routes="$(ip -4 route show)"
echo "check_tap: routes: $routes"
grep -q '^default' <<<"$routes" && fail "a default route leads out of the namespace"
exit $((failures > 0))
