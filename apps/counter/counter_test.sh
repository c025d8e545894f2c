#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hosted counter app sums every core's increments exactly, for several core counts,
# and rejects a bad core count.
set -uo pipefail
counter="$1"
fail=0

check() {  # check <expected total> [args...]
  local expected="$1"
  shift
  local out rc
  out="$("$counter" "$@")"
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: counter $* exited $rc: $out" >&2
    fail=1
  elif [[ "$out" != "total=$expected expected=$expected" ]]; then
    echo "FAIL: counter $*: unexpected output: '$out'" >&2
    fail=1
  else
    echo "PASS: counter $*: $out"
  fi
}

check 400000          # default: 4 cores x 100000
check 100000 1
check 200000 2
check 800000 8

if "$counter" 0 2>/dev/null; then
  echo "FAIL: counter 0 should be rejected" >&2
  fail=1
fi
exit $fail
