#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs server_test.py (memcached_hosted and stock memcached as real processes) inside a
# network namespace of its own whose only interface is loopback: both servers listen on
# every address (memcached_hosted has no -l), and there nothing but 127.0.0.1 reaches them.
#   server_test.sh <memcached_hosted> <server_test.py> refused-updates|shutdown|eviction
set -euo pipefail
if ! command -v memcached >/dev/null; then
  echo "FAIL: stock memcached not installed (tools/bootstrap.sh installs it)" >&2
  exit 1
fi
ip_tool="$(command -v ip || echo /usr/sbin/ip)"
namespace=(unshare --net)
((EUID == 0)) || namespace=(unshare --user --map-root-user --net)
if ! "${namespace[@]}" true 2>/dev/null; then
  echo "FAIL: cannot make a private network namespace (${namespace[*]})" >&2
  exit 1
fi
exec "${namespace[@]}" -- /bin/bash -c '"$0" link set lo up && exec python3 "$@"' \
  "$ip_tool" "$2" "$1" "$3"
