#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a native EbbRT image in QEMU and decides the verdict from what the image reports.
#
#   qemu_runner.sh [options] IMAGE [-- EXTRA_QEMU_ARGS...]
#
# Options may also follow IMAGE. A later bare `--` among the QEMU arguments is dropped, so
# a launcher's own QEMU arguments (qemu_args of ebbrt_native_test) and a user's can both
# come after one.
#
# The image prints `[ebbrt] boot: native x86_64` when it starts and
# `[ebbrt] exit status=N` just before it writes N to QEMU's isa-debug-exit port, which makes
# QEMU exit with code 2N+1 (ebbrt/native/debug_exit.h). The outcome is one of:
#   PASS     both banners, status 0, QEMU exit code 1
#   FAIL     both banners, status N > 0, QEMU exit code 2N+1 (the image reported failure)
#   FATAL    start banner, a fatal report (a line starting "[ebbrt] FATAL": CHECK failure,
#            CPU exception, out of memory), QEMU exit code 255 (fatal status 127)
#   CRASH    anything else: a banner missing, exit code not matching the banner (e.g. a
#            triple fault, which QEMU -no-reboot turns into exit code 0), QEMU not starting
#            or killed by a signal before the timeout
#   TIMEOUT  still running after --timeout seconds (killed; never a pass)
#   STOPPED  the --peer failed while the image ran, so the runner stopped QEMU
#   SKIPPED  not run: --net tap without root (see --allow-skip)
# The runner exits 0 when the outcome is the expected one (--expect, default pass) and the
# peer, if any, exited 0, and 1 otherwise, after printing the whole serial log and one
# summary line.
#
# Options:
#   --smp N             vCPUs (default 1)
#   --memory SIZE       guest RAM, QEMU syntax (default 128M)
#   --timeout SECONDS   wall-clock bound (default 60)
#   --expect OUTCOME    pass | fail | fatal | crash | timeout (default pass)
#   --expect-status N   with --expect fail: the exact status the image must report
#   --expect-log REGEX  the serial log must also contain a line matching REGEX (grep -E;
#                       repeatable), e.g. the text of an expected fatal report
#   --icount            count guest instructions deterministically (-icount shift=0;
#                       forces single-threaded TCG)
#   --append CMDLINE    kernel command line passed to the image
#   --accel ACCEL       tcg | kvm (default: $EBBRT_QEMU_ACCEL, else tcg)
#   --cpu MODEL         QEMU CPU model (default: $EBBRT_QEMU_CPU, else max under TCG and
#                       host under KVM), e.g. qemu64, which has no 1 GiB pages
#   --serial-log FILE   keep the serial output in FILE as well
#   --quiet             do not echo the serial output (the summary line is still printed)
#
# Network (one virtio-net NIC, or none):
#   --net MODE          none | user | tap (default none: no NIC at all). Otherwise the NIC
#                       is a modern (virtio 1.x only, disable-legacy=on) virtio-net-pci at
#                       PCI address 00:02.0 on the q35 root bus, vendor:device 1af4:1041,
#                       with 2*queues+2 MSI-X vectors (a receive and a transmit vector per
#                       queue pair, the configuration vector and the control queue's)
#                       and, with more than one queue pair, mq=on.
#     user              QEMU user networking (slirp), no root needed, one queue pair. The
#                       guest gets 10.0.2.15/24 by DHCP; the gateway (the host, as seen
#                       from the guest) is 10.0.2.2 and the DNS server 10.0.2.3. Without
#                       forwards, restrict=on: the guest cannot reach the host or beyond;
#                       with forwards it is unrestricted (slirp's restricted mode drops the
#                       guest's UDP replies to forwarded datagrams).
#     tap               needs root. The runner creates a network namespace ebbrt-<pid> with
#                       a multi-queue tap ebbrt-tap0, one queue pair per vCPU (a plain tap
#                       for one vCPU: QEMU opens a single queue without IFF_MULTI_QUEUE,
#                       which a multi-queue tap refuses), whose Linux side has
#                       10.0.3.1/24 (the guest is to use 10.0.3.2), runs QEMU inside it, and
#                       removes both on every exit (pass, failure, timeout, crash, SIGINT,
#                       SIGTERM, SIGHUP). SIGKILL cannot be caught: the next --net tap
#                       run removes a namespace whose runner is gone and that is empty.
#                       Without root the run is skipped: "skipped: --net tap needs root
#                       (network namespace and tap)".
#   --forward H:G       with --net user: forward TCP and UDP port H on the host's 127.0.0.1
#                       (never other addresses) to the guest's port G; repeatable. H=0 picks
#                       a free host port, printed on the first line and given to the peer.
#   --mac MAC           the NIC's MAC address (default 52:54:00:12:34:56)
#   --peer COMMAND      a bash command run on the host side while the image runs: inside
#                       the namespace for --net tap, on the host otherwise. It starts when
#                       the serial log matches --peer-wait, gets the variables below, and
#                       must exit 0 for the run to pass (whatever --expect says); if it
#                       fails while QEMU runs, QEMU is stopped at once. It is stopped when
#                       --timeout passes, or 10 s after QEMU exits; its output is printed
#                       after the serial log, prefixed "peer| ".
#   --peer-wait REGEX   start the peer once a serial log line matches REGEX (grep -E;
#                       default: the start banner), e.g. a line the image prints when it
#                       is ready for traffic
#   --allow-skip        a run skipped for want of root exits 0 (tests: the log and the
#                       summary say SKIPPED); without it a skipped run exits 1
#
# The peer's environment:
#   EBBRT_NET           none | user | tap
#   EBBRT_NETNS         tap: the namespace (ip -n "$EBBRT_NETNS" ..., ip netns exec)
#   EBBRT_TAP           tap: the tap's name inside it
#   EBBRT_NET_QUEUES    the NIC's queue pairs
#   EBBRT_GUEST_MAC     the NIC's MAC address
#   EBBRT_GUEST_ADDR    10.0.3.2 (tap) or 10.0.2.15 (user): the guest's IPv4 address
#   EBBRT_PEER_ADDR     tap: 10.0.3.1, the tap's address (EBBRT_PEER_PREFIX: 24)
#   EBBRT_FORWARDS      user: the forwards as "H:G H:G ..." with the real host ports
#   EBBRT_SERIAL_LOG    the serial log so far (a file that grows while the image runs)
#
# Environment:
#   EBBRT_QEMU_ACCEL    default accelerator. TCG is the default because on the project's
#                       build machines /dev/kvm is a slow software hypervisor; on a real
#                       host with hardware virtualisation set EBBRT_QEMU_ACCEL=kvm.
#   EBBRT_QEMU_CPU      CPU model when --cpu is not given (default: max under TCG, host
#                       under KVM).
#   EBBRT_QEMU          the QEMU binary (default qemu-system-x86_64).
set -uo pipefail

readonly START_BANNER='[ebbrt] boot: native x86_64'
readonly EXIT_BANNER_RE='^\[ebbrt\] exit status=([0-9]+)$'
readonly FATAL_RE='^\[ebbrt\] FATAL'
readonly FATAL_EXIT_CODE=255

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed '/SPDX-License-Identifier/d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

smp=1
memory=128M
timeout_s=60
expect=pass
expect_status=""
icount=0
append=""
accel="${EBBRT_QEMU_ACCEL:-tcg}"
cpu_model="${EBBRT_QEMU_CPU:-}"
serial_log=""
quiet=0
image=""
extra=()
expect_logs=()
net=none
forwards=()
mac=52:54:00:12:34:56
peer=""
peer_wait=""
allow_skip=0

while (($# > 0)); do
  case "$1" in
    --smp) smp="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --expect) expect="$2"; shift 2 ;;
    --expect-status) expect_status="$2"; shift 2 ;;
    --expect-log) expect_logs+=("$2"); shift 2 ;;
    --icount) icount=1; shift ;;
    --append) append="$2"; shift 2 ;;
    --accel) accel="$2"; shift 2 ;;
    --cpu) cpu_model="$2"; shift 2 ;;
    --serial-log) serial_log="$2"; shift 2 ;;
    --quiet) quiet=1; shift ;;
    --net) net="$2"; shift 2 ;;
    --forward) forwards+=("$2"); shift 2 ;;
    --mac) mac="$2"; shift 2 ;;
    --peer) peer="$2"; shift 2 ;;
    --peer-wait) peer_wait="$2"; shift 2 ;;
    --allow-skip) allow_skip=1; shift ;;
    -h|--help) usage ;;
    --)
      shift
      for arg in "$@"; do [[ "$arg" == -- ]] || extra+=("$arg"); done
      break
      ;;
    -*) echo "qemu_runner: unknown option $1" >&2; usage ;;
    *)
      if [[ -n "$image" ]]; then
        echo "qemu_runner: more than one image given ($image, $1)" >&2
        exit 2
      fi
      image="$1"; shift ;;
  esac
done

die() {
  echo "qemu_runner: error: $*" >&2
  exit 2
}

[[ -n "$image" ]] || usage
[[ -f "$image" ]] || die "image '$image' does not exist"
[[ "$smp" =~ ^[1-9][0-9]*$ ]] || die "--smp wants a positive integer, got '$smp'"
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "--timeout wants whole seconds, got '$timeout_s'"
case "$expect" in pass|fail|fatal|crash|timeout) ;; *) die "--expect wants pass|fail|fatal|crash|timeout, got '$expect'" ;; esac
if [[ -n "$expect_status" && "$expect" != fail ]]; then
  die "--expect-status only makes sense with --expect fail"
fi

case "$net" in none|user|tap) ;; *) die "--net wants none|user|tap, got '$net'" ;; esac
if ((${#forwards[@]} > 0)) && [[ "$net" != user ]]; then
  # A tap's peer reaches the guest directly; forwards are a user networking feature.
  die "--forward needs --net user"
fi
[[ "$mac" =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] ||
  die "--mac wants six hex bytes like 52:54:00:12:34:56, got '$mac'"
# The low bit of the first byte marks a multicast address, which no NIC may own.
(((16#${mac:0:2} & 1) == 0)) || die "--mac $mac is a multicast address"
[[ -z "$peer_wait" || -n "$peer" ]] || die "--peer-wait needs --peer"
readonly FORWARD_RE='^([0-9]{1,5}):([0-9]{1,5})$'
for fwd in "${forwards[@]}"; do
  if ! [[ "$fwd" =~ $FORWARD_RE ]] || ((10#${BASH_REMATCH[1]} > 65535)) ||
    ((10#${BASH_REMATCH[2]} < 1 || 10#${BASH_REMATCH[2]} > 65535)); then
    die "--forward wants HOSTPORT:GUESTPORT (1-65535; host port 0 picks a free one), got '$fwd'"
  fi
done

qemu="${EBBRT_QEMU:-qemu-system-x86_64}"
command -v "$qemu" >/dev/null || die "$qemu not found (Debian package qemu-system-x86; tools/bootstrap.sh installs it)"

case "$accel" in
  tcg)
    cpu="${cpu_model:-max}"
    if ((icount)); then
      # -icount needs the single-threaded TCG loop.
      accel_arg="tcg,thread=single"
    elif ((smp > 1)); then
      # One host thread per vCPU: real parallelism between guest cores.
      accel_arg="tcg,thread=multi"
    else
      accel_arg="tcg"
    fi
    ;;
  kvm)
    ((icount)) && die "--icount needs TCG (instruction counting is a TCG feature)"
    [[ -w /dev/kvm ]] || die "--accel kvm: /dev/kvm is missing or not writable"
    cpu="${cpu_model:-host}"
    accel_arg="kvm"
    ;;
  *) die "--accel wants tcg or kvm, got '$accel'" ;;
esac

args=(
  -machine q35
  -accel "$accel_arg"
  -cpu "$cpu"
  -smp "$smp"
  -m "$memory"
  # No default devices, no display, no monitor: the serial port is the only output.
  -nodefaults -display none -monitor none
  -serial stdio
  # A triple fault ends the run instead of rebooting into the same fault forever.
  -no-reboot
  # Writing N to port 0xf4 makes QEMU exit with code 2N+1.
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
  -kernel "$image"
  # The image file again, as the first boot module: the image reads its own symbol table
  # from it to name functions in fatal reports (ebbrt/native/symbols.h).
  -initrd "$image"
)
((icount)) && args+=(-icount shift=0)
[[ -n "$append" ]] && args+=(-append "$append")

# A run that cannot happen here says so and why; tests pass --allow-skip so that it does
# not fail them, and the summary line's SKIPPED keeps it from looking like a pass.
skip() {
  echo "qemu_runner: skipped: $*"
  if ((allow_skip)); then
    echo "qemu_runner: outcome=SKIPPED ($*) accel=$accel smp=$smp net=$net -> SKIPPED (not run; not a failure)"
    exit 0
  fi
  echo "qemu_runner: outcome=SKIPPED ($*) accel=$accel smp=$smp net=$net -> NOT RUN"
  exit 1
}

# The NIC: one virtio-net function at a fixed address, so tests can predict what the
# image's PCI enumeration finds (docs/build.md, "Networking").
readonly NIC_SLOT=2
readonly NIC_PCI_ADDRESS="00:02.0"
readonly USER_GUEST_ADDR=10.0.2.15  # QEMU user networking's DHCP hands out this address
readonly TAP_PEER_ADDR=10.0.3.1     # the tap's (Linux's) address in the namespace
readonly TAP_GUEST_ADDR=10.0.3.2    # the address the guest is to configure
readonly TAP_PREFIX=24
netns=""          # set once the namespace exists: the EXIT trap removes it
netns_name=""
tap=""
queues=0
net_desc=""
resolved_forwards=()
if [[ "$net" == tap ]]; then
  ((EUID == 0)) || skip "--net tap needs root (network namespace and tap)"
  command -v ip >/dev/null || die "--net tap needs ip (Debian package iproute2)"
  # The runner's pid makes the name unique among concurrent runs on this machine and says
  # whose it is if one is ever left behind (a SIGKILLed runner).
  netns_name="ebbrt-$$"
  tap="ebbrt-tap0"  # unique enough: the namespace holds nothing else
  # One queue pair per vCPU: each core's driver can own one RX/TX pair and its vectors.
  queues=$smp
fi
[[ "$net" == user ]] && queues=1  # slirp is a single-queue backend

# A host port that no socket on this machine uses for TCP or UDP right now (bounded
# tries). QEMU binds it a moment later: a race lost to another program shows as a failed
# forward (reported below), never as traffic to the wrong place.
pick_free_port() {
  local try port
  for ((try = 0; try < 100; try++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [[ " ${resolved_forwards[*]} " == *" $port:"* ]] && continue
    if [[ -z "$(ss -Htaun "sport = :$port")" ]]; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

if [[ "$net" != none ]]; then
  netdev="$net,id=net0"
  if [[ "$net" == user ]]; then
    # restrict=on: the guest reaches neither the host nor the outside world. Only without
    # forwards: in restricted mode QEMU 7.2's slirp drops the guest's UDP replies to a
    # forwarded datagram (they look like new guest-initiated traffic to 10.0.2.2), so a
    # run with forwards is unrestricted, like QEMU's default user networking: the guest
    # could then reach the host's networks through slirp's NAT. Tests with forwards only
    # answer what comes from 127.0.0.1.
    ((${#forwards[@]} == 0)) && netdev+=",restrict=on"
    for fwd in "${forwards[@]}"; do
      [[ "$fwd" =~ $FORWARD_RE ]]
      host_port=$((10#${BASH_REMATCH[1]}))
      guest_port=$((10#${BASH_REMATCH[2]}))
      if ((host_port == 0)); then
        command -v ss >/dev/null || die "--forward 0:$guest_port needs ss (iproute2) to find a free port"
        host_port="$(pick_free_port)" || die "no free host port found for --forward 0:$guest_port"
      fi
      resolved_forwards+=("$host_port:$guest_port")
      # 127.0.0.1 only: nothing off this machine can reach the guest.
      netdev+=",hostfwd=tcp:127.0.0.1:$host_port-:$guest_port,hostfwd=udp:127.0.0.1:$host_port-:$guest_port"
    done
    net_desc=" net=user nic=$NIC_PCI_ADDRESS mac=$mac queues=1 guest=$USER_GUEST_ADDR gateway=10.0.2.2 dns=10.0.2.3"
    net_desc+=" forwards=${resolved_forwards[*]:-none}"
    ((${#resolved_forwards[@]} > 0)) && net_desc+=" (tcp+udp 127.0.0.1:HOST -> guest:PORT)"
  else
    # script=no/downscript=no: the runner configured the tap already; vhost=off: no
    # vhost-net on these machines, QEMU's own backend does the work.
    netdev+=",ifname=$tap,queues=$queues,script=no,downscript=no,vhost=off"
    net_desc=" net=tap nic=$NIC_PCI_ADDRESS mac=$mac queues=$queues netns=$netns_name tap=$tap"
    net_desc+=" peer=$TAP_PEER_ADDR/$TAP_PREFIX guest=$TAP_GUEST_ADDR"
  fi
  # Modern virtio only (device id 0x1041, no I/O BAR); on the root bus QEMU would make it
  # transitional otherwise. vectors: RX and TX per queue pair, configuration, control queue.
  nic="virtio-net-pci,netdev=net0,bus=pcie.0,addr=$NIC_SLOT,disable-legacy=on,disable-modern=off"
  nic+=",mac=$mac,vectors=$((2 * queues + 2))"
  # mq=on offers VIRTIO_NET_F_MQ, which a single queue pair does not need.
  ((queues > 1)) && nic+=",mq=on"
  args+=(-netdev "$netdev" -device "$nic")
fi
# The caller's QEMU arguments come after the NIC, so the NIC's address is taken first.
args+=("${extra[@]}")

work="$(mktemp -d "${TMPDIR:-/tmp}/ebbrt-qemu.XXXXXX")" || die "mktemp failed"
log="$work/serial.log"
qemu_pid=""
peer_pid=""
tail_pid=""

# Stops one process this run started: TERM, which `timeout` passes on to its command's
# whole process group, then KILL if it is still there after 8 s (timeout's own
# --kill-after gives the command 5 s).
stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 80; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  return 0
}

# Removes the namespace and its tap. The tap goes first, explicitly: deleting a namespace
# tears its devices down asynchronously, and tests check the tap is gone at once.
remove_netns() {
  [[ -n "$netns" ]] || return 0
  local ns="$netns"
  netns=""
  ip -n "$ns" link del "$tap" 2>/dev/null
  if ip netns del "$ns"; then
    echo "qemu_runner: removed network namespace $ns and its tap $tap" >&2
    return 0
  fi
  echo "qemu_runner: error: could not remove network namespace $ns (ip netns del $ns)" >&2
  return 1
}

# Every exit path ends here: the peer and QEMU stopped, the namespace and the work
# directory removed. A namespace that could not be removed fails the run.
cleanup() {
  local code=$?
  trap - INT TERM HUP
  stop_pid "$peer_pid"
  stop_pid "$qemu_pid"
  [[ -n "$tail_pid" ]] && kill "$tail_pid" 2>/dev/null
  remove_netns || code=1
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
# A signal ends the run the same way (the EXIT trap cleans up); 128+N as a shell would.
on_signal() {
  echo "qemu_runner: interrupted by SIG$1: stopping QEMU${netns:+, removing network namespace $netns}" >&2
  exit $((128 + $2))
}
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

qemu_cmd=("$qemu" "${args[@]}")
if [[ "$net" == tap ]]; then
  # A runner killed with SIGKILL cannot remove its namespace. One named after a pid that
  # no longer exists and that no process is in (QEMU and the peer are bounded by their own
  # timeouts) is such a leftover: remove it, so leftovers do not pile up.
  while read -r stale _; do
    [[ "$stale" =~ ^ebbrt-([0-9]+)$ ]] || continue
    kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
    [[ -z "$(ip netns pids "$stale" 2>/dev/null)" ]] || continue
    ip netns del "$stale" 2>/dev/null &&
      echo "qemu_runner: removed stale network namespace $stale (its runner, pid ${BASH_REMATCH[1]}, is gone)" >&2
  done < <(ip netns list 2>/dev/null | head -n 1000)
  # QEMU opens a tap with one queue single-queue, and the kernel refuses that on a
  # multi-queue tap; with more, one open per queue pair on a multi_queue tap.
  tap_flags=""
  ((queues > 1)) && tap_flags=multi_queue
  # From here on the EXIT trap removes whatever part of the setup exists; a name that is
  # already taken belongs to someone else and is left alone.
  ip netns add "$netns_name" || die "could not create network namespace $netns_name"
  netns="$netns_name"
  {
    ip -n "$netns" link set lo up &&
      ip -n "$netns" tuntap add dev "$tap" mode tap $tap_flags &&
      ip -n "$netns" addr add "$TAP_PEER_ADDR/$TAP_PREFIX" dev "$tap" &&
      ip -n "$netns" link set "$tap" up
  } || die "could not set up tap $tap in network namespace $netns"
  # ip netns exec execs QEMU, so the timeout below still signals QEMU itself.
  qemu_cmd=(ip netns exec "$netns" "${qemu_cmd[@]}")
fi

# What the peer sees (the runner's help lists the variables).
peer_env=(EBBRT_NET="$net" EBBRT_NET_QUEUES="$queues" EBBRT_SERIAL_LOG="$log")
[[ "$net" != none ]] && peer_env+=(EBBRT_GUEST_MAC="$mac")
if [[ "$net" == tap ]]; then
  peer_env+=(EBBRT_NETNS="$netns" EBBRT_TAP="$tap" EBBRT_GUEST_ADDR="$TAP_GUEST_ADDR"
    EBBRT_PEER_ADDR="$TAP_PEER_ADDR" EBBRT_PEER_PREFIX="$TAP_PREFIX")
elif [[ "$net" == user ]]; then
  peer_env+=(EBBRT_GUEST_ADDR="$USER_GUEST_ADDR" EBBRT_FORWARDS="${resolved_forwards[*]}")
fi

# Whether the serial log has the line the peer waits for.
peer_ready() {
  if [[ -n "$peer_wait" ]]; then
    grep -aqE -- "$peer_wait" "$log"
  else
    grep -aqF -- "$START_BANNER" "$log"
  fi
}

start_peer() {
  local cmd=(bash -c "$peer")
  [[ "$net" == tap ]] && cmd=(ip netns exec "$netns" "${cmd[@]}")
  # timeout bounds the peer by the run's own limit and gives it a process group of its
  # own, so stopping it stops whatever it started too.
  env "${peer_env[@]}" timeout --kill-after=2 "$timeout_s" "${cmd[@]}" </dev/null >"$work/peer.log" 2>&1 &
  peer_pid=$!
  peer_state=running
}

# waiting: not started yet; running; finished (peer_status set); none: no --peer.
peer_state=none
[[ -n "$peer" ]] && peer_state=waiting
peer_status=""
peer_note=""
stopped_for_peer=0

echo "qemu_runner: booting $image accel=$accel cpu=$cpu smp=$smp memory=$memory icount=$icount timeout=${timeout_s}s$net_desc" >&2
start_ns=$(date +%s%N)
: >"$log"
timeout --kill-after=5 "$timeout_s" "${qemu_cmd[@]}" </dev/null >"$log" 2>"$work/qemu.err" &
qemu_pid=$!
if ((!quiet)); then
  # Echo the serial output as it arrives; tail exits shortly after QEMU's timeout process.
  tail -n +1 -s 0.1 -f --pid="$qemu_pid" "$log" &
  tail_pid=$!
fi

if [[ "$peer_state" == waiting ]]; then
  # Poll every 0.1 s, at most as long as the timeout (plus its kill grace) allows.
  for ((poll = 0; poll < (timeout_s + 10) * 10; poll++)); do
    kill -0 "$qemu_pid" 2>/dev/null || break
    if [[ "$peer_state" == waiting ]] && peer_ready; then
      start_peer
    elif [[ "$peer_state" == running ]] && ! kill -0 "$peer_pid" 2>/dev/null; then
      wait "$peer_pid"
      peer_status=$?
      peer_state=finished
      if ((peer_status != 0)); then
        # The run has failed already; stopping QEMU now saves waiting for its timeout.
        stopped_for_peer=1
        stop_pid "$qemu_pid"
        break
      fi
    fi
    sleep 0.1
  done
  stop_pid "$qemu_pid"  # only if the poll bound ran out first
fi
wait "$qemu_pid"
rc=$?
qemu_pid=""
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))

if [[ "$peer_state" == waiting ]] && peer_ready; then
  start_peer  # the image exited right after the line the peer waits for
fi
if [[ "$peer_state" == running ]]; then
  # A peer still running when QEMU has exited gets 10 s more to finish.
  for ((poll = 0; poll < 100; poll++)); do
    kill -0 "$peer_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$peer_pid" 2>/dev/null; then
    peer_note="still running 10 s after QEMU exited; stopped"
    stop_pid "$peer_pid"
  fi
  wait "$peer_pid"
  peer_status=$?
  peer_state=finished
fi
peer_pid=""
if [[ -n "$tail_pid" ]]; then
  wait "$tail_pid"
  tail_pid=""
fi
net_cleanup_ok=1
remove_netns || net_cleanup_ok=0

[[ -n "$serial_log" ]] && cp "$log" "$serial_log"
if [[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]]; then
  cp "$log" "$TEST_UNDECLARED_OUTPUTS_DIR/serial.log" 2>/dev/null
  [[ -f "$work/peer.log" ]] && cp "$work/peer.log" "$TEST_UNDECLARED_OUTPUTS_DIR/peer.log" 2>/dev/null
fi
if [[ -s "$work/qemu.err" ]]; then
  echo "qemu_runner: QEMU stderr:" >&2
  sed 's/^/  /' "$work/qemu.err" >&2
fi
if [[ -s "$work/peer.log" ]]; then
  echo "qemu_runner: peer output:"
  sed 's/^/  peer| /' "$work/peer.log"
fi

status=""
reason=""
if ((stopped_for_peer)); then
  outcome=STOPPED
  reason="QEMU stopped: the peer failed while the image ran"
elif ((rc == 124 || (rc == 137 && elapsed_ms >= timeout_s * 1000))); then
  # 124: timeout stopped QEMU; 137: it had to KILL it after --kill-after.
  outcome=TIMEOUT
  reason="no exit after ${timeout_s}s"
elif ((rc > 128 && rc <= 128 + 64)); then
  # Killed by signal rc-128 (1-64) before the timeout: something outside the runner
  # stopped QEMU. (255 is not a signal: it is the image's fatal exit code.)
  outcome=CRASH
  reason="QEMU killed by signal $((rc - 128))"
elif ! grep -aqF -- "$START_BANNER" "$log"; then
  outcome=CRASH
  reason="no start banner (QEMU exit code $rc)"
  if grep -q 'host forwarding rule' "$work/qemu.err"; then
    reason="QEMU could not bind a --forward port on 127.0.0.1 (in use?)"
  fi
else
  last_exit_line="$(tr -d '\r' <"$log" | grep -aE -- "$EXIT_BANNER_RE" | tail -n 1)"
  if [[ -z "$last_exit_line" ]] && grep -aqE -- "$FATAL_RE" "$log" && ((rc == FATAL_EXIT_CODE)); then
    outcome=FATAL
    reason="$(grep -aE -- "$FATAL_RE" "$log" | head -n 1 | cut -c1-160)"
  elif [[ -z "$last_exit_line" ]]; then
    outcome=CRASH
    reason="no exit banner (QEMU exit code $rc)"
  else
    [[ "$last_exit_line" =~ $EXIT_BANNER_RE ]]
    status="${BASH_REMATCH[1]}"
    if ((rc != 2 * status + 1)); then
      outcome=CRASH
      reason="image said status=$status but QEMU exited $rc (expected $((2 * status + 1)))"
    elif ((status == 0)); then
      outcome=PASS
    else
      outcome=FAIL
      reason="image reported status=$status"
    fi
  fi
fi

verdict_ok=0
case "$expect" in
  pass) [[ $outcome == PASS ]] && verdict_ok=1 ;;
  fail)
    if [[ $outcome == FAIL ]] && [[ -z "$expect_status" || "$status" == "$expect_status" ]]; then
      verdict_ok=1
    fi
    ;;
  fatal) [[ $outcome == FATAL ]] && verdict_ok=1 ;;
  crash) [[ $outcome == CRASH ]] && verdict_ok=1 ;;
  timeout) [[ $outcome == TIMEOUT ]] && verdict_ok=1 ;;
esac

missing_logs=()
for pattern in "${expect_logs[@]}"; do
  grep -aqE -- "$pattern" "$log" || missing_logs+=("$pattern")
done
if ((${#missing_logs[@]} > 0)); then
  verdict_ok=0
  echo "qemu_runner: expected log lines not found: ${missing_logs[*]}"
fi

# The peer must succeed whatever outcome is expected of the image.
peer_desc=""
case "$peer_state" in
  none) ;;
  waiting)
    verdict_ok=0
    peer_desc=" peer=not-started (QEMU exited before the serial log matched ${peer_wait:-the start banner})"
    ;;
  finished)
    if ((peer_status == 0)) && [[ -z "$peer_note" ]]; then
      peer_desc=" peer=ok"
    else
      verdict_ok=0
      ((peer_status == 124)) && peer_note="${peer_note:-still running after ${timeout_s}s; stopped}"
      peer_desc=" peer=failed (exit $peer_status${peer_note:+, $peer_note})"
    fi
    ;;
esac
if ((!net_cleanup_ok)); then
  verdict_ok=0
  peer_desc+=" (network namespace not removed)"
fi

summary="qemu_runner: outcome=$outcome${status:+ status=$status}${reason:+ ($reason)} accel=$accel cpu=$cpu smp=$smp"
[[ "$net" != none ]] && summary+=" net=$net"
summary+="$peer_desc elapsed=${elapsed_ms}ms"
expectation="expected=$expect${expect_status:+ status=$expect_status}"
if ((verdict_ok)); then
  echo "$summary -> OK ($expectation)"
  exit 0
fi
echo "$summary -> WRONG OUTCOME ($expectation)"
if ((quiet)); then
  echo "qemu_runner: serial log follows:"
  sed 's/^/  | /' "$log"
fi
exit 1
