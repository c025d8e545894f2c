#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test: the load generator against stock memcached (Debian's package, installed by
# tools/bootstrap.sh). Starts memcached on 127.0.0.1 on a free port, runs ~2 s of closed-
# loop load with preload in each protocol, and checks the report: more than 0 ops/s, no
# errors or timeouts in any phase, and every GET of a preloaded key a hit. It checks
# correctness only; performance is measured by compare.py, never asserted by a test.
#
#   bazel test //bench/memcached:loadgen_smoke_test
set -uo pipefail

loadgen="$1"
# $MEMCACHED overrides; Bazel's strict test PATH still has /usr/bin, but look there anyway.
memcached_bin="${MEMCACHED:-$(command -v memcached || echo /usr/bin/memcached)}"
if [[ ! -x "$memcached_bin" ]]; then
  echo "FAIL: memcached is not installed (the Debian package 'memcached'; tools/bootstrap.sh" \
    "installs it: apt-get install memcached)" >&2
  exit 1
fi

tmp="${TEST_TMPDIR:-$(mktemp -d)}"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null
    # Give it a moment to exit, then make sure.
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Bash can probe a TCP port without extra tools.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: try random ones until our memcached is the one listening (another process
# may take a port between the check and the bind, so success means *our* pid is alive and
# the port answers).
start_memcached() {
  local attempt port
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_open "$port" && continue
    # -U 0: no UDP. -t 1: one worker thread. -m 64: 64 MB of item memory (the preload
    # below needs under 1 MB). Runs as the current user (-u root only when we are root).
    local user_flag=()
    ((EUID == 0)) && user_flag=(-u root)
    "$memcached_bin" -l 127.0.0.1 -p "$port" -U 0 -t 1 -m 64 "${user_flag[@]}" \
      >"$tmp/memcached.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 50); do
      if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
      if port_open "$port"; then
        echo "memcached $("$memcached_bin" -V 2>/dev/null) pid $server_pid on 127.0.0.1:$port (attempt $attempt)"
        PORT="$port"
        return 0
      fi
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
  done
  echo "FAIL: could not start memcached on a free port; last log:" >&2
  cat "$tmp/memcached.log" >&2
  return 1
}

start_memcached || exit 1

# Pulls a number out of loadgen's JSON ("key": value); the JSON is one line.
json_num() { grep -o "\"$1\": [0-9.e+-]*" <<<"$2" | head -n 1 | sed 's/.*: //'; }

fail=0
run() {  # run <name> [loadgen flags...]
  local name="$1"
  shift
  local out rc
  # `timeout` bounds a hung run (two runs fit in the 60 s of a small test); the generous
  # drain keeps a starved CPU on a busy machine from turning slow replies into timeouts.
  out="$(timeout 25 "$loadgen" --port="$PORT" --threads=1 --connections=16 --keys=5000 \
    --preload --duration=2 --warmup=0.5 --drain-timeout=5 --preload-timeout=10 --json "$@" \
    2>"$tmp/$name.stderr")"
  rc=$?
  cat "$tmp/$name.stderr"
  local ops_per_s errors all_errors timeouts gets hits misses
  ops_per_s="$(json_num ops_per_s "$out")"
  errors="$(json_num errors "$out")"
  all_errors="$(json_num errors_all_phases "$out")"
  timeouts="$(json_num timeouts "$out")"
  gets="$(json_num gets "$out")"
  hits="$(json_num hits "$out")"
  misses="$(json_num misses "$out")"
  local problems=()
  ((rc == 0)) || problems+=("loadgen exited $rc")
  [[ -n "$ops_per_s" ]] || problems+=("no ops_per_s in the JSON: $out")
  awk -v x="${ops_per_s:-0}" 'BEGIN { exit !(x > 0) }' || problems+=("ops_per_s=$ops_per_s, want > 0")
  [[ "$errors" == 0 && "$all_errors" == 0 ]] || problems+=("errors=$errors errors_all_phases=$all_errors, want 0")
  [[ "$timeouts" == 0 ]] || problems+=("timeouts=$timeouts, want 0")
  [[ "$misses" == 0 && -n "$gets" && "$gets" -gt 0 && "$hits" == "$gets" ]] ||
    problems+=("gets=$gets hits=$hits misses=$misses: every GET of a preloaded key must hit")
  if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s: %s\n' "$name" "${problems[@]}" >&2
    fail=1
  else
    echo "PASS: $name: $ops_per_s ops/s, $gets gets all hits, 0 errors"
  fi
}

run ascii_fixed --protocol=ascii --value-size=100 --pipeline=4
run binary_etc --protocol=binary --key-dist=etc --value-dist=etc --value-max=16384

kill -0 "$server_pid" 2>/dev/null || { echo "FAIL: memcached died during the test" >&2; fail=1; }
exit $fail
