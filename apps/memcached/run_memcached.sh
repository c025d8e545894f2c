#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `tools/ebbrt run memcached [memcached flags]`: EbbRT memcached (hosted for now; native
# once the native network stack exists) on port 11211 unless -p says otherwise.
set -euo pipefail
server="$1"
shift
port=11211
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  if [[ "${args[$i]}" == "-p" && $((i + 1)) -lt ${#args[@]} ]]; then port="${args[$((i + 1))]}"; fi
done
has_port=0
for a in "${args[@]}"; do [[ "$a" == "-p" ]] && has_port=1; done
((has_port)) || args=(-p "$port" "${args[@]}")
cat >&2 <<EOF_HELP
memcached on EbbRT (hosted) starting on port $port (all addresses; e.g. 127.0.0.1:$port).
Reach it with any memcached client, e.g. libmemcached's tools (Debian libmemcached-tools):
  echo hello > greeting && memccp --servers=127.0.0.1:$port greeting
  memccat --servers=127.0.0.1:$port greeting          # prints hello
  memcstat --servers=127.0.0.1:$port
Stop it with Ctrl-C.
EOF_HELP
exec "$server" -v "${args[@]}"
