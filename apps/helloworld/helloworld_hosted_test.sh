#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The hosted helloworld prints its greeting, then one line from the event loop of every
# core it started (one per CPU it may use), and exits 0.
set -uo pipefail
out="$("$1")"
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL: helloworld exited $rc" >&2
  exit 1
fi
if [[ "$(head -n 1 <<<"$out")" != "Hello from EbbRT!" ]]; then
  echo "FAIL: no greeting first: '$out'" >&2
  exit 1
fi
cpus="$(nproc)"
for ((core = 0; core < cpus; ++core)); do
  if ! grep -qx "hello from the event loop of core $core" <<<"$out"; then
    echo "FAIL: no line from core $core in: '$out'" >&2
    exit 1
  fi
done
echo "PASS: hosted helloworld greeted from all $cpus cores"
