#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peer for --net user (run by tools/qemu_runner.sh on the host while the image runs):
# every forward in EBBRT_FORWARDS ("HOST:GUEST ...") is listening for TCP and bound for UDP
# on 127.0.0.1:HOST, and on no other address.
#
#   check_forwards.sh COUNT   (how many forwards the test asked for)
set -uo pipefail

want_count="${1:?usage: check_forwards.sh COUNT}"

[[ "${EBBRT_NET:-}" == user ]] || { echo "check_forwards: EBBRT_NET is '${EBBRT_NET:-}', not user"; exit 1; }
[[ -n "${EBBRT_FORWARDS:-}" ]] || { echo "check_forwards: no forwards to check"; exit 1; }
failures=0
read -ra listed <<<"$EBBRT_FORWARDS"
if ((${#listed[@]} != want_count)); then
  echo "check_forwards: EBBRT_FORWARDS has ${#listed[@]} forwards, the test asked for $want_count"
  failures=$((failures + 1))
fi
for forward in $EBBRT_FORWARDS; do
  host_port="${forward%%:*}"
  for proto in t u; do
    # -l: listening (TCP) or bound unconnected (UDP) sockets; -n: numeric addresses.
    sockets="$(ss -Hln"$proto" "sport = :$host_port" | awk '{print $4}')"
    echo "check_forwards: $([[ $proto == t ]] && echo tcp || echo udp) port $host_port bound at: ${sockets:-nothing}"
    if [[ "$sockets" != "127.0.0.1:$host_port" ]]; then
      echo "check_forwards: expected exactly 127.0.0.1:$host_port"
      failures=$((failures + 1))
    fi
  done
done
# The TCP forward accepts a connection on 127.0.0.1 (QEMU's slirp takes it; no guest stack
# answers behind it yet, so nothing is sent).
first_port="${EBBRT_FORWARDS%%:*}"
if timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$first_port"; then
  echo "check_forwards: connected to 127.0.0.1:$first_port"
else
  echo "check_forwards: could not connect to 127.0.0.1:$first_port"
  failures=$((failures + 1))
fi
exit $((failures > 0))
