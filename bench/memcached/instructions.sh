#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# User-space instructions per request of a memcached_hosted build, counted by callgrind:
# exact and repeatable where throughput on a shared machine is not (compare.py's ratios
# move by 10-15 % from run to run there), so a small change can be measured A/B.
#
#   bazel build -c opt //apps/memcached:memcached_hosted //bench/memcached:loadgen
#   B=bazel-out/k8-opt/bin/apps/memcached/memcached_hosted
#   bench/memcached/instructions.sh $B 2 20000 0.5       # -m 2, 20000 keys, 50 % GETs: evicting
#   bench/memcached/instructions.sh $B 256 10000 0.9     # compare.py's defaults: no eviction
#
# Arguments: the binary, -m (MB), the number of keys (ETC sizes) and the GET ratio. One
# core (-t 1), idle polling off (its spinning would be counted). A first loadgen run
# preloads every key and warms up; the second (3 s, closed loop) is measured: its
# instructions (callgrind's dump of that period) over the requests the server counted
# (cmd_get + cmd_set from `stats`). Kernel work is not counted. Needs valgrind (Debian
# package valgrind); the loadgen is $LOADGEN or the -c opt build.
set -euo pipefail
(($# == 4)) || { sed -n 2,15p "$0" >&2; exit 2; }
bin="$1" mem="$2" keys="$3" get_ratio="$4"
loadgen="${LOADGEN:-bazel-out/k8-opt/bin/bench/memcached/loadgen}"
for tool in valgrind callgrind_control python3 "$loadgen" "$bin"; do
  command -v "$tool" >/dev/null || { echo "instructions.sh: $tool not found" >&2; exit 1; }
done
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
dir="$(mktemp -d)"
EBBRT_IDLE_POLL_US=0 valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
  "$bin" -p "$port" -t 1 -m "$mem" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), timeout=1).close()" \
    2>/dev/null && break
  sleep 0.1
done
requests() {
  python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"stats\r\n")
out = b""
while not out.endswith(b"END\r\n"):
    out += s.recv(65536)
stat = dict(line.split()[1:3] for line in out.decode().split("\r\n") if line.startswith("STAT"))
print(int(stat["cmd_get"]) + int(stat["cmd_set"]), stat["evictions"])
PY
}
common=(--port="$port" --keys="$keys" --key-dist=etc --value-dist=etc --allow-misses
        --get-ratio="$get_ratio")
"$loadgen" "${common[@]}" --preload --duration=1 --warmup=0.2 >/dev/null 2>&1 || true
callgrind_control --dump "$server" >/dev/null 2>&1
read -r before evicted_before < <(requests)
"$loadgen" "${common[@]}" --duration=3 --warmup=0 >/dev/null 2>&1 || true
read -r after evicted_after < <(requests)
callgrind_control --dump "$server" >/dev/null 2>&1
instructions="$(awk '/^(summary|totals):/ {print $2; exit}' "$dir/cg.out.2")"
python3 -c "
n = $after - $before
print('%s: -m $mem, $keys keys, GET ratio $get_ratio: %d requests, %d evictions, '
      '%.1f instructions per request' % ('$bin', n, $evicted_after - $evicted_before,
                                         $instructions / n))"
