#!/usr/bin/env bash
# The hosted helloworld prints exactly its greeting and exits 0.
set -uo pipefail
out="$("$1")"
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL: helloworld exited $rc" >&2
  exit 1
fi
if [[ "$out" != "Hello from EbbRT!" ]]; then
  echo "FAIL: unexpected output: '$out'" >&2
  exit 1
fi
echo "PASS: hosted helloworld printed its greeting"
