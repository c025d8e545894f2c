#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The runner's --net tap cleanup, tested from outside: for a run that passes, one whose
# image fails, one that times out, one whose QEMU is killed under it, one whose QEMU never
# starts, one whose peer fails, and runs stopped with SIGTERM and SIGINT, the namespace and
# tap existed while the image ran (a peer records them) and afterwards the namespace is
# gone, no process of the run is left and nothing holds the namespace (so the kernel has
# destroyed it and its tap). A runner killed with SIGKILL leaves its namespace, and the
# next run removes it. Without root the runner must skip with its message instead.
#
#   tap_cleanup_test.sh LAUNCHER RUNNER   (an ebbrt_native_image of nic_probe; qemu_runner.sh)
set -uo pipefail
# Job control: runs started in the background below get their own process group and keep
# SIGINT (a non-interactive shell would start them with SIGINT ignored).
set -m

launcher="$1"
runner="$2"
if ((EUID != 0)); then
  echo "SKIPPED: needs root (network namespace and tap)"
  exit 0
fi

scratch="$(mktemp -d "${TEST_TMPDIR:-/tmp}/tap_cleanup.XXXXXX")" || exit 1
background=""  # a runner started in the background, stopped if this script ends first
trap '[[ -n "$background" ]] && kill -TERM "$background" 2>/dev/null && wait "$background"; rm -rf "$scratch"' EXIT
failures=0
fail() {
  echo "FAIL [$scenario]: $*"
  failures=$((failures + 1))
}

# A peer command that records, from inside the namespace, what existed while the image ran.
recorder() {
  local dir="$1"
  printf 'ip -n "$EBBRT_NETNS" link show "$EBBRT_TAP" >%q/tap && ip netns pids "$EBBRT_NETNS" >%q/pids && readlink /proc/self/ns/net >%q/nsid' \
    "$dir" "$dir" "$dir"
}

# After a run: the runner's exit code, its summary, and nothing of the run left behind.
check_run() {
  local dir="$1" want_rc="$2" got_rc="$3" want_summary="$4" ns pid nsid holders
  sed 's/^/  | /' "$dir/out"  # the run's own output, indented (it is not this test's verdict)
  ((got_rc == want_rc)) || fail "runner exited $got_rc, wanted $want_rc"
  grep -qE -- "$want_summary" "$dir/out" || fail "no summary matching: $want_summary"
  ns="$(grep -oE 'netns=ebbrt-[0-9]+' "$dir/out" | head -n 1 | cut -d= -f2)"
  [[ -n "$ns" ]] || { fail "the runner did not name its namespace"; return; }
  if ip netns list | grep -qE "^$ns( |$)" || [[ -e "/run/netns/$ns" ]]; then
    fail "namespace $ns still exists"
  fi
  grep -qF "removed network namespace $ns" "$dir/out" || fail "the runner did not report removing $ns"
  [[ -f "$dir/peer_expected" ]] || return
  [[ -s "$dir/tap" ]] || { fail "the peer saw no tap in $ns while the image ran"; return; }
  for pid in $(cat "$dir/pids"); do
    kill -0 "$pid" 2>/dev/null && fail "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) of the run is still alive"
  done
  nsid="$(cat "$dir/nsid")"
  holders="$(for link in /proc/[0-9]*/ns/net; do readlink "$link" 2>/dev/null; done | grep -cxF "$nsid")"
  ((holders == 0)) || fail "$holders processes still hold namespace $nsid"
}

# run NAME WANT_RC WANT_SUMMARY_REGEX [runner options...]: one run in the foreground.
run() {
  scenario="$1"
  local want_rc="$2" want_summary="$3" dir="$scratch/$1"
  shift 3
  mkdir -p "$dir"
  echo "=== $scenario"
  [[ " $* " == *" --peer "* ]] && touch "$dir/peer_expected"
  "$launcher" --quiet --net tap "${@//@DIR@/$dir}" >"$dir/out" 2>&1
  check_run "$dir" "$want_rc" $? "$want_summary"
}

# signalled NAME SIGNAL WANT_RC: a hanging image whose runner gets SIGNAL once the peer has
# recorded the namespace (the peer then sleeps, so it must be stopped too).
signalled() {
  scenario="$1"
  local signal="$2" want_rc="$3" dir="$scratch/$1" pid i
  mkdir -p "$dir"
  echo "=== $scenario"
  touch "$dir/peer_expected"
  "$launcher" --quiet --net tap --append gtest_filter=RunnerFault.HangsOnPurpose --timeout 30 \
    --peer-wait 'hanging on purpose' --peer "$(recorder "$dir"); sleep 60" >"$dir/out" 2>&1 &
  pid=$!
  background=$pid
  for ((i = 0; i < 300; i++)); do  # up to 30 s for the boot and the peer
    [[ -s "$dir/nsid" ]] && break
    sleep 0.1
  done
  [[ -s "$dir/nsid" ]] || fail "the peer never ran"
  kill "-$signal" "$pid"
  wait "$pid"
  local rc=$?
  background=""
  if [[ "$signal" == KILL ]]; then
    return  # nothing could clean up; the caller checks what is left and the next run
  fi
  check_run "$dir" "$want_rc" "$rc" "interrupted by SIG$signal"
}

ok='-> OK \(expected='
run pass 0 "outcome=PASS .*net=tap peer=ok .*$ok" \
  --append 'gtest_filter=RunnerNic.*' --peer-wait 'holding .* for the peer' --peer "$(recorder @DIR@)"
run image_fails 0 "outcome=FAIL status=1 .*peer=ok .*$ok" \
  --append gtest_filter=RunnerFault.FailsOnPurpose --expect fail --peer "$(recorder @DIR@)"
run image_hangs 0 "outcome=TIMEOUT .*peer=ok .*$ok" \
  --append gtest_filter=RunnerFault.HangsOnPurpose --timeout 4 --expect timeout \
  --peer-wait 'hanging on purpose' --peer "$(recorder @DIR@)"
# QEMU dies under the runner: the peer kills it (the only QEMU in this run's namespace).
run qemu_killed 0 "outcome=CRASH \(QEMU killed by signal 9\) .*peer=ok .*$ok" \
  --append gtest_filter=RunnerFault.HangsOnPurpose --timeout 30 --expect crash \
  --peer-wait 'hanging on purpose' \
  --peer "$(recorder @DIR@)"'; for p in $(ip netns pids "$EBBRT_NETNS"); do [[ "$(cat /proc/$p/comm 2>/dev/null)" == qemu-system-x86 ]] && kill -KILL "$p"; done; true'
run qemu_does_not_start 0 "outcome=CRASH \(no start banner .*$ok" --expect crash -- -device no-such-device
# A failing peer stops QEMU at once (well before the 30 s timeout) and fails the run.
run peer_fails 1 "outcome=STOPPED .*peer=failed \(exit 3\) elapsed=([0-9]{1,4}|1[0-9]{4})ms -> WRONG OUTCOME" \
  --append gtest_filter=RunnerFault.HangsOnPurpose --timeout 30 \
  --peer-wait 'hanging on purpose' --peer "$(recorder @DIR@); exit 3"
signalled sigterm TERM 143
signalled sigint INT 130
# SIGKILL cannot be caught: the namespace stays, with QEMU and the peer in it until their
# own timeouts. Once they are gone (stopped here: this test started them), the next run
# removes the leftover.
signalled sigkill KILL 137
leftover="$(grep -oE 'netns=ebbrt-[0-9]+' "$scratch/sigkill/out" | head -n 1 | cut -d= -f2)"
if [[ -n "$leftover" ]] && ip netns list | grep -qE "^$leftover( |$)"; then
  for pid in $(ip netns pids "$leftover"); do kill -KILL "$pid"; done
  for ((i = 0; i < 50; i++)); do  # up to 5 s for them to go
    [[ -z "$(ip netns pids "$leftover")" ]] && break
    sleep 0.1
  done
else
  fail "SIGKILL: expected namespace '${leftover:-?}' to be left behind"
fi
run reaps_leftover 0 "outcome=FAIL status=1 .*$ok" --append gtest_filter=RunnerFault.FailsOnPurpose --expect fail
grep -qF "removed stale network namespace $leftover (its runner" "$scratch/reaps_leftover/out" ||
  fail "the next run did not report removing $leftover"
ip netns list | grep -qE "^$leftover( |$)" && fail "$leftover is still there"

# Without root: the skip message, exit 1 for a plain run and 0 with --allow-skip, and no
# namespace created. The runner is copied where an unprivileged user can read it (the
# runfiles tree is under root's home); the skip comes before anything boots, so the runner
# file itself stands in for the image, which only has to exist.
scenario=not_root
echo "=== $scenario"
unprivileged="$(mktemp -d /tmp/tap_cleanup_unprivileged.XXXXXX)"
cp "$runner" "$unprivileged/qemu_runner.sh"
cp "$runner" "$unprivileged/image"
chmod -R a+rX "$unprivileged"
namespaces_before="$(ip netns list | sort)"
for allow in "" --allow-skip; do
  out="$(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups -- \
    bash "$unprivileged/qemu_runner.sh" --net tap $allow "$unprivileged/image" 2>&1)"
  rc=$?
  sed 's/^/  | /' <<<"$out"
  grep -qxF 'qemu_runner: skipped: --net tap needs root (network namespace and tap)' <<<"$out" ||
    fail "no skip message"
  grep -qE '^qemu_runner: outcome=SKIPPED ' <<<"$out" || fail "no SKIPPED summary"
  want=1
  [[ -n "$allow" ]] && want=0
  ((rc == want)) || fail "unprivileged run${allow:+ with $allow} exited $rc, wanted $want"
done
rm -rf "$unprivileged"
[[ "$(ip netns list | sort)" == "$namespaces_before" ]] || fail "an unprivileged run changed the namespaces"

if ((failures > 0)); then
  echo "tap_cleanup_test: $failures failures"
  exit 1
fi
echo "tap_cleanup_test: all 11 scenarios OK (pass, image fails, image hangs, QEMU killed, QEMU does not start, peer fails, SIGTERM, SIGINT, SIGKILL and the next run's cleanup, not root)"
