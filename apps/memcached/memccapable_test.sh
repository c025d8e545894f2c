#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Integration test with a real client library: libmemcached's protocol conformance
# checker (memccapable, Debian package libmemcached-tools) against EbbRT memcached, with
# stock memcached 1.6 (Debian package memcached) as the reference. EbbRT memcached must
# pass every check stock memcached passes (stock itself fails one, `binary stat`, whose
# expectations predate memcached 1.6's stats).
#
#   memccapable_test.sh <path to memcached_hosted>
set -uo pipefail
server_bin="$1"
for tool in memccapable memcached; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool not installed (tools/bootstrap.sh installs memcached and libmemcached-tools)" >&2
    exit 1
  fi
done
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

wait_listening() {
  local port="$1"
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

# Runs memccapable against a server; writes "<test name>\t<pass|FAIL>" lines.
run_checks() {
  local port="$1" out="$2"
  timeout 120 memccapable -h 127.0.0.1 -p "$port" -t 5 >"$out.raw" 2>&1
  sed -n 's/^\(.*[^ ]\) *\[\(pass\|FAIL\)\]$/\1\t\2/p' "$out.raw" >"$out"
}

stock_port="$(free_port)"
memcached -p "$stock_port" -U 0 -l 127.0.0.1 -t 2 -m 64 -u "$(id -un)" &
pids+=($!)
ebbrt_port="$(free_port)"
"$server_bin" -p "$ebbrt_port" -t 2 -m 64 -U 0 &
pids+=($!)
wait_listening "$stock_port" || { echo "FAIL: stock memcached did not start" >&2; exit 1; }
wait_listening "$ebbrt_port" || { echo "FAIL: EbbRT memcached did not start" >&2; exit 1; }

run_checks "$stock_port" "$work/stock"
run_checks "$ebbrt_port" "$work/ebbrt"
echo "--- memccapable against EbbRT memcached:"
cat "$work/ebbrt.raw"

stock_passed=$(grep -c $'\tpass$' "$work/stock")
ebbrt_passed=$(grep -c $'\tpass$' "$work/ebbrt")
echo "stock memcached passed $stock_passed checks; EbbRT memcached passed $ebbrt_passed"
if ((stock_passed < 40)); then
  echo "FAIL: the reference run looks broken (stock passed only $stock_passed)" >&2
  exit 1
fi
missing=0
while IFS=$'\t' read -r name verdict; do
  [[ "$verdict" == pass ]] || continue
  if ! grep -qxF "$name"$'\tpass' "$work/ebbrt"; then
    echo "FAIL: '$name' passes against stock memcached but not against EbbRT memcached" >&2
    missing=1
  fi
done <"$work/stock"
if ((missing)); then exit 1; fi
# The server must still be alive and serving after all of that.
if ! kill -0 "${pids[1]}" 2>/dev/null; then
  echo "FAIL: EbbRT memcached exited during the checks" >&2
  exit 1
fi
echo "PASS: EbbRT memcached passes every memccapable check stock memcached passes"
