#!/usr/bin/env bash
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
#   TIMEOUT  still running after --timeout seconds (killed; never a pass)
# The runner exits 0 when the outcome is the expected one (--expect, default pass) and 1
# otherwise, after printing the whole serial log and one summary line.
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
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
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
args+=("${extra[@]}")

work="$(mktemp -d "${TMPDIR:-/tmp}/ebbrt-qemu.XXXXXX")" || die "mktemp failed"
trap 'rm -rf "$work"' EXIT
log="$work/serial.log"

echo "qemu_runner: booting $image accel=$accel cpu=$cpu smp=$smp memory=$memory icount=$icount timeout=${timeout_s}s" >&2
start_ns=$(date +%s%N)
if ((quiet)); then
  timeout --kill-after=5 "$timeout_s" "$qemu" "${args[@]}" </dev/null >"$log" 2>"$work/qemu.err"
  rc=$?
else
  timeout --kill-after=5 "$timeout_s" "$qemu" "${args[@]}" </dev/null 2>"$work/qemu.err" | tee "$log"
  rc=${PIPESTATUS[0]}
fi
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
[[ -n "$serial_log" ]] && cp "$log" "$serial_log"
if [[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]]; then
  cp "$log" "$TEST_UNDECLARED_OUTPUTS_DIR/serial.log" 2>/dev/null
fi
if [[ -s "$work/qemu.err" ]]; then
  echo "qemu_runner: QEMU stderr:" >&2
  sed 's/^/  /' "$work/qemu.err" >&2
fi

status=""
reason=""
if ((rc == 124 || rc == 137)); then
  outcome=TIMEOUT
  reason="no exit after ${timeout_s}s"
elif ! grep -aqF -- "$START_BANNER" "$log"; then
  outcome=CRASH
  reason="no start banner (QEMU exit code $rc)"
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

summary="qemu_runner: outcome=$outcome${status:+ status=$status}${reason:+ ($reason)} accel=$accel cpu=$cpu smp=$smp elapsed=${elapsed_ms}ms"
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
