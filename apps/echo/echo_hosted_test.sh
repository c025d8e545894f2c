#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hosted echo: started on a free port on 127.0.0.1's machine, it echoes the same
# 1,000 datagrams of 1-1,400 bytes byte for byte (peer_udp_echo.py, the native test's peer).
set -uo pipefail
echo_bin="$1"
peer="$2"
port="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$echo_bin" "$port" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
for _ in $(seq 1 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
EBBRT_FORWARDS="$port:7" timeout 90 python3 "$peer"
