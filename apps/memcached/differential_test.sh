#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs compare_with_memcached.py (stock memcached vs EbbRT's sessions) for a bounded
# number of random scripts with a fixed seed, so a failure reproduces.
#   differential_test.sh <replay binary> <compare_with_memcached.py> [--binary]
set -euo pipefail
if ! command -v memcached >/dev/null; then
  echo "FAIL: stock memcached not installed (tools/bootstrap.sh installs it)" >&2
  exit 1
fi
exec python3 "$2" "$1" --scripts 60 --seed 7 "${@:3}"
