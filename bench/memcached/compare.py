#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Stock memcached vs EbbRT's memcached (hosted), side by side, under the same load.

    bazel build -c opt //bench/memcached:loadgen //apps/memcached:memcached_hosted
    bench/memcached/compare.py                      # 3 reps, about 90 s
    bench/memcached/compare.py --reps 5 --workload fixed --no-ladder

Every measurement is one load-generator run against a freshly started server (preloaded,
then measured), and the two servers always alternate: stock, EbbRT, stock, EbbRT, ... (the
order flips every repetition), so a noisy stretch of a shared machine hits both alike.

1. Closed loop: --reps runs per server of maximum throughput (16 connections, pipeline 4).
2. Open-loop ladder (unless --no-ladder): the same offered loads for both servers, from 15% to
   125% of the faster server's closed-loop median, each load run for both servers before the
   next, --reps times; a server stops climbing in a repetition after three consecutive loads
   over the p99 bound. For each load, the median p99 over the repetitions (a skipped or failed
   run counts as infinite); a server's "QPS at the p99 bound" is the highest load whose
   median passes, refined by interpolating log(p99) to the next load. This p99-vs-load
   curve is what the paper plots; the medians are robust to one noisy run, which a binary
   search per server is not.

It prints every run, each side's medians, and the EbbRT/stock ratios. Only the ratios mean
anything: on a small machine the servers and the load generator share the CPUs. --aa runs
stock against itself instead, to show how far from 1.000 noise alone moves the ratios;
--baseline OLD runs an older memcached_hosted build in stock's place, to measure a change
to EbbRT's server (the ratios are then new/old).

Servers: stock is Debian's memcached 1.6 (`memcached` on PATH, or --memcached), started as
`memcached -l 127.0.0.1 -p PORT -t CORES -m MB -U 0`; EbbRT's is
//apps/memcached:memcached_hosted (--ebbrt or $EBBRT_MEMCACHED), started with the same
`-p PORT -t CORES -m MB -U 0`. If the EbbRT binary is missing the script says so and still
runs the stock side. Both listen on 127.0.0.1, on a port the kernel says is free.

CPU pinning (taskset): with N usable CPUs and --cores C < N, the server gets the first C
CPUs and the load generator the rest; otherwise nothing is pinned (and it says so). A run in
which a server thread escaped its CPUs (re-pinned itself) is INVALID.

Only the Python standard library is used.
"""
import argparse
import json
import os
import shutil
import math
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(msg):
    print(msg, flush=True)


def first_existing(paths):
    for p in paths:
        if p and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def default_loadgen():
    root = os.environ.get("BUILD_WORKSPACE_DIRECTORY", REPO)
    return first_existing([
        os.environ.get("LOADGEN"),
        os.path.join(root, "bazel-out/k8-opt/bin/bench/memcached/loadgen"),
        os.path.join(root, "bazel-bin/bench/memcached/loadgen"),
    ])


def default_ebbrt():
    root = os.environ.get("BUILD_WORKSPACE_DIRECTORY", REPO)
    env = os.environ.get("EBBRT_MEMCACHED")
    if env:
        return env  # explicit: reported as missing if it is not there
    return first_existing([
        os.path.join(root, "bazel-out/k8-opt/bin/apps/memcached/memcached_hosted"),
        os.path.join(root, "bazel-bin/apps/memcached/memcached_hosted"),
    ]) or os.path.join(root, "bazel-out/k8-opt/bin/apps/memcached/memcached_hosted")


def loadavg():
    """The 1-minute load average and the run queue, to show how busy the machine was."""
    try:
        with open("/proc/loadavg") as f:
            fields = f.read().split()
        return "%s (1 min), running/total %s" % (fields[0], fields[3])
    except OSError:
        return "unknown"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Server:
    """One server process on a free port, started and stopped by us."""

    def __init__(self, name, argv_for_port, pin, logdir):
        self.name = name
        self.argv_for_port = argv_for_port
        self.pin = pin
        self.logdir = logdir
        self.proc = None
        self.port = None
        self.log_path = None

    def start(self, timeout=10.0):
        for attempt in range(5):
            self.port = free_port()
            argv = self.pin + self.argv_for_port(self.port)
            self.log_path = os.path.join(self.logdir, "%s-%d.log" % (self.name, self.port))
            with open(self.log_path, "w") as logf:
                self.proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break  # exited: maybe the port was taken after all; try another
                if port_answers(self.port):
                    return argv
                time.sleep(0.05)
            self.stop()
        raise RuntimeError("%s did not start listening; command %s; log:\n%s" %
                           (self.name, " ".join(argv), self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # The server leads its own session: signal the group, in case it has children.
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self.proc = None

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


def parse_cpu_list(text):
    """'0-2,5' -> {0, 1, 2, 5} (the kernel's cpulist format)."""
    cpus = set()
    for part in text.strip().split(","):
        if "-" in part:
            lo, hi = part.split("-")
            cpus.update(range(int(lo), int(hi) + 1))
        elif part:
            cpus.add(int(part))
    return cpus


def stray_threads(pid, allowed):
    """Threads of `pid` whose CPU affinity reaches outside `allowed`: [(tid, name, cpus)].

    A server that re-pins its own threads (e.g. to CPU core % nproc) escapes taskset and can
    land on the load generator's CPU, which would make the comparison unfair."""
    stray = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return stray
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue  # the thread exited
        cpus = parse_cpu_list(fields.get("Cpus_allowed_list", ""))
        if cpus and not cpus <= allowed:
            stray.append((int(tid), fields.get("Name", "?").strip(), sorted(cpus)))
    return stray


def run_loadgen(argv, timeout):
    """Runs loadgen with --json; returns (exit code, parsed JSON or None, stderr)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return -1, None, "loadgen timed out after %ds: %s" % (timeout, e.stderr or "")
    try:
        data = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return p.returncode, data, p.stderr



def median(values):
    """Median that tolerates infinities (a failed or skipped run counts as infinitely slow)."""
    return statistics.median(values) if values else None


def fmt(v, spec="%.1f"):
    if v is None:
        return "-"
    if v == math.inf:
        return "inf"
    return spec % v


def ratio_of(num, den):
    if num in (None, math.inf) or den in (None, math.inf) or not den:
        return None
    return num / den


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Arguments after -- go to every loadgen run.")
    add = ap.add_argument
    add("--loadgen", default=default_loadgen(),
        help="loadgen binary ($LOADGEN, else bazel-out/k8-opt/bin/..., else bazel-bin/...)")
    add("--memcached", default=shutil.which("memcached") or "/usr/bin/memcached",
        help="stock memcached binary")
    add("--ebbrt", default=default_ebbrt(), help="EbbRT memcached_hosted ($EBBRT_MEMCACHED)")
    add("--aa", action="store_true",
        help="A/A run: stock memcached against itself, to measure the noise floor of the ratios")
    add("--baseline", metavar="OLD_MEMCACHED_HOSTED",
        help="A/B of two EbbRT builds: this memcached_hosted takes stock's place (side "
             "'ebbrt-base'); the ratios are --ebbrt over it")
    add("--require-ebbrt", action="store_true",
        help="exit 3 instead of running stock only when EbbRT's binary is missing")
    add("--cores", type=int, default=1, help="server cores/threads (-t), both servers")
    add("--mem", type=int, default=256, help="server memory in MB (-m)")
    add("--reps", type=int, default=3, help="repetitions per server and load, alternating")
    add("--threads", type=int, default=1, help="loadgen threads")
    add("--connections", type=int, default=16, help="loadgen connections")
    add("--pipeline", type=int, default=4,
        help="closed loop: requests in flight per connection (4, as mutilate: at 1 the "
             "load generator, not the server, is the bottleneck on a 2-CPU machine)")
    add("--duration", type=float, default=2.0, help="closed loop: measured seconds")
    add("--warmup", type=float, default=0.5, help="closed loop: warmup seconds")
    add("--workload", choices=["etc", "fixed"], default="etc",
        help="etc: ETC key and value sizes (README.md); fixed: 30 B keys, 32 B values")
    add("--keys", type=int, default=10000)
    add("--get-ratio", type=float, default=0.9)
    add("--protocol", choices=["ascii", "binary"], default="ascii")
    add("--sla-us", type=float, default=500.0, help="the p99 bound, microseconds")
    add("--no-ladder", action="store_true", help="closed-loop throughput only")
    add("--levels", type=int, default=10, help="ladder: number of offered loads")
    add("--level-min", type=float, default=0.15,
        help="ladder: lowest load, as a fraction of the faster closed-loop median")
    add("--level-max", type=float, default=1.25, help="ladder: highest load, same unit")
    add("--level-duration", type=float, default=0.5, help="ladder: measured seconds per run")
    add("--level-warmup", type=float, default=0.2, help="ladder: warmup seconds per run")
    add("--no-pin", action="store_true", help="do not pin with taskset")
    add("--priority", choices=["none", "rt"], default="none",
        help="rt: server and loadgen run SCHED_RR (chrt -r 10), so other work on a shared "
             "machine cannot preempt them (and is starved while the runs last)")
    add("--spin", action="store_true",
        help="loadgen busy-polls (sharper open-loop timing; needs its own CPU; not with rt)")
    add("--max-seconds", type=float, default=115.0,
        help="refuse configurations estimated to take longer; stop starting runs past it")
    add("--json-out", help="also write every run and the summary here as JSON")
    add("extra", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.reps < 1 or args.levels < 2 or not 0 < args.level_min < args.level_max:
        sys.exit("compare: need --reps >= 1, --levels >= 2 and 0 < --level-min < --level-max")
    if args.baseline and args.aa:
        sys.exit("compare: --baseline and --aa exclude each other")
    if args.baseline and not os.access(args.baseline, os.X_OK):
        sys.exit("compare: --baseline %s is not an executable" % args.baseline)
    return args


def is_opt_build(path):
    real = os.path.realpath(path)
    return "fastbuild" not in real and "-dbg" not in real


def check_binaries(args):
    """Exits if loadgen or stock memcached is missing; returns whether EbbRT's server exists."""
    if not args.loadgen or not os.access(args.loadgen, os.X_OK):
        sys.exit("compare: loadgen not found; build it: bazel build -c opt "
                 "//bench/memcached:loadgen (or pass --loadgen / $LOADGEN)")
    if not os.access(args.memcached, os.X_OK):
        sys.exit("compare: stock memcached not found (%s); install Debian's package: "
                 "apt-get install memcached" % args.memcached)
    if not is_opt_build(args.loadgen):
        log("compare: WARNING: %s is not an optimized build; use bazel build -c opt" % args.loadgen)
    have_ebbrt = os.path.isfile(args.ebbrt) and os.access(args.ebbrt, os.X_OK)
    if not have_ebbrt:
        log("compare: *** EbbRT memcached is MISSING: %s does not exist." % args.ebbrt)
        log("compare: *** build it with `bazel build -c opt //apps/memcached:memcached_hosted` "
            "or point --ebbrt / $EBBRT_MEMCACHED at it.")
        log("compare: *** Running the stock side only; no ratios.")
        if args.require_ebbrt:
            sys.exit(3)
    elif not is_opt_build(args.ebbrt):
        log("compare: WARNING: %s is not an optimized build, which is unfair to it (stock "
            "memcached is built -O2): use bazel build -c opt" % args.ebbrt)
    return have_ebbrt


def placement(args):
    """Returns (server prefix, client prefix, server CPUs or None, description)."""
    cpus = sorted(os.sched_getaffinity(0))
    taskset = shutil.which("taskset")
    if not args.no_pin and taskset and len(cpus) > args.cores:
        # The server gets the *first* C CPUs: EbbRT's hosted runtime pins its core i to CPU
        # i % nproc itself (ebbrt/hosted/runtime.cc), so that is where it runs regardless.
        server_cpus = ",".join(map(str, cpus[:args.cores]))
        client_cpus = ",".join(map(str, cpus[args.cores:]))
        pin_server = [taskset, "-c", server_cpus]
        pin_client = [taskset, "-c", client_cpus]
        text = "server on CPU %s, loadgen on CPU %s (taskset)" % (server_cpus, client_cpus)
        server_set = set(cpus[:args.cores])
    else:
        pin_server = pin_client = []
        why = ("--no-pin" if args.no_pin else "no taskset" if not taskset else
               "only %d CPUs for %d server cores" % (len(cpus), args.cores))
        text = "not pinned (%s): server and loadgen share all %d CPUs" % (why, len(cpus))
        server_set = None
    prio = []
    if args.priority == "rt":
        if args.spin:
            sys.exit("compare: --spin with --priority rt would trip the kernel's RT throttling "
                     "(a spinning SCHED_RR task is stopped for 50 ms each second); choose one")
        chrt = shutil.which("chrt")
        if not chrt or subprocess.run([chrt, "-r", "10", "true"]).returncode != 0:
            sys.exit("compare: --priority rt needs chrt and permission for SCHED_RR "
                     "(root or CAP_SYS_NICE)")
        prio = [chrt, "-r", "10"]
        text += "; both SCHED_RR priority 10 (chrt)"
    return prio + pin_server, prio + pin_client, server_set, text


class Comparison:
    """The runs of one invocation: fresh server per run, servers alternating."""

    def __init__(self, args, sides, pin_server, pin_client, server_cpus, t0):
        self.args = args
        self.sides = sides
        self.names = [n for n, _ in sides]
        self.pin_server = pin_server
        self.pin_client = pin_client
        self.server_cpus = server_cpus
        self.t0 = t0
        self.logdir = tempfile.mkdtemp(prefix="memcached-compare-")
        self.runs = []
        self.stopped_early = False
        workload = (["--key-dist=etc", "--value-dist=etc", "--value-max=65536"]
                    if args.workload == "etc" else ["--key-size=30", "--value-size=32"])
        common = ["--threads=%d" % args.threads, "--connections=%d" % args.connections,
                  "--keys=%d" % args.keys, "--get-ratio=%g" % args.get_ratio,
                  "--protocol=" + args.protocol, "--preload", "--json", "--quiet"]
        common += workload + (["--spin"] if args.spin else []) + args.extra
        self.closed_cmd = [args.loadgen, "--pipeline=%d" % args.pipeline,
                           "--duration=%g" % args.duration, "--warmup=%g" % args.warmup] + common
        self.open_cmd = [args.loadgen, "--duration=%g" % args.level_duration,
                         "--warmup=%g" % args.level_warmup] + common
        # Per run: the load plus ~0.4 s of server start, preload, connect and drain.
        self.closed_run = args.duration + args.warmup + 0.4
        self.level_run = args.level_duration + args.level_warmup + 0.4

    def estimate(self):
        a = self.args
        ladder = 0 if a.no_ladder else a.levels * self.level_run
        return a.reps * len(self.sides) * (self.closed_run + ladder)

    def order(self, i):
        """Stock first on even i, EbbRT first on odd i."""
        return self.sides if i % 2 == 0 else list(reversed(self.sides))

    def one_run(self, name, argv_for_port, cmd, timeout, label):
        """A fresh server, one loadgen run, the server stopped. Returns the run's record."""
        run = {"server": name, "label": label, "valid": True, "problems": [], "data": None}
        if time.monotonic() - self.t0 > self.args.max_seconds:
            self.stopped_early = True
            run["valid"] = False
            run["problems"].append("not run: past --max-seconds")
            return run
        server = Server(name, argv_for_port, self.pin_server, self.logdir)
        try:
            run["command"] = " ".join(server.start())
            argv = self.pin_client + cmd + ["--port=%d" % server.port]
            rc, data, err = run_loadgen(argv, timeout)
            if self.server_cpus is not None and server.alive():
                stray = stray_threads(server.proc.pid, self.server_cpus)
                if stray:
                    run["valid"] = False
                    run["problems"].append(
                        "server threads escaped taskset (CPUs %s): %s; they share the load "
                        "generator's CPU, so this run does not measure the intended placement" %
                        (",".join(map(str, sorted(self.server_cpus))),
                         ", ".join("%s[%d] on %s" % (n, t, c) for t, n, c in stray)))
            run["data"] = data
            if rc != 0 or data is None or data["run"]["failed"]:
                run["valid"] = False
                samples = json.dumps(data["run"]["error_samples"]) if data else ""
                run["problems"].append("loadgen exit %d: %s %s" % (rc, err.strip()[-300:], samples))
            if not server.alive():
                run["valid"] = False
                run["problems"].append("server died; log tail:\n" + server.log_tail())
        except RuntimeError as e:
            run["valid"] = False
            run["problems"].append(str(e))
        finally:
            server.stop()
        self.runs.append(run)
        return run

    def closed_loop(self):
        """Phase 1. Returns {server: [run JSON]} for the valid runs."""
        a = self.args
        log("")
        log("closed loop (maximum throughput), %g s per run after %g s warmup:" %
            (a.duration, a.warmup))
        log("%-4s %-6s %12s %9s %9s %9s" % ("rep", "server", "ops/s", "p50 us", "p99 us",
                                            "p99.9 us"))
        closed = {n: [] for n in self.names}
        for rep in range(a.reps):
            for name, argv_for_port in self.order(rep):
                run = self.one_run(name, argv_for_port, self.closed_cmd, self.closed_run + 30,
                                   "closed rep %d" % (rep + 1))
                d = run["data"]["run"] if run["data"] else None
                if run["valid"]:
                    closed[name].append(d)
                line = "%-4d %-6s" % (rep + 1, name)
                if d:
                    lat = d["latency_us"]
                    line += " %12.0f %9.1f %9.1f %9.1f" % (d["ops_per_s"], lat["p50"], lat["p99"],
                                                           lat["p999"])
                log(line + ("" if run["valid"] else "  INVALID"))
                for p in run["problems"]:
                    log("     problem: %s" % p)
        return closed

    def ladder(self, top):
        """Phase 2 at loads relative to `top` ops/s. Returns the ladder's record."""
        a = self.args
        step = (a.level_max - a.level_min) / (a.levels - 1)
        levels = [round(top * (a.level_min + i * step)) for i in range(a.levels)]
        p99s = {n: [[] for _ in levels] for n in self.names}  # per load: one p99 per rep
        log("")
        log("open-loop ladder: %d loads, %.0f to %.0f qps (%.0f%% to %.0f%% of %.0f), %g s per "
            "run after %g s warmup; p99 us, '>' = over %g us" % (
                len(levels), levels[0], levels[-1], 100 * a.level_min, 100 * a.level_max, top,
                a.level_duration, a.level_warmup, a.sla_us))
        for rep in range(a.reps):
            failing = {n: 0 for n in self.names}  # consecutive loads over the bound
            for li, qps in enumerate(levels):
                cells = []
                for name, argv_for_port in self.order(rep + li):
                    if failing[name] >= 3:
                        p99s[name][li].append(math.inf)  # stopped climbing: a failure
                        cells.append("%s skip" % name)
                        continue
                    run = self.one_run(name, argv_for_port, self.open_cmd + ["--qps=%d" % qps],
                                       self.level_run + 30, "ladder rep %d qps %d" % (rep + 1, qps))
                    d = run["data"]["run"] if run["data"] else None
                    ok = (run["valid"] and d is not None and d["timeouts"] == 0 and
                          d["ops_per_s"] >= 0.9 * qps and d["latency_us"]["count"] > 0)
                    p99 = d["latency_us"]["p99"] if ok else math.inf
                    p99s[name][li].append(p99)
                    failing[name] = failing[name] + 1 if p99 > a.sla_us else 0
                    cells.append("%s %s%s" % (name, fmt(p99), ">" if p99 > a.sla_us else ""))
                    cells += ["problem: %s" % p for p in run["problems"]]
                log("  rep %d %8d qps: %s" % (rep + 1, qps, "  ".join(cells)))

        result = {"levels": levels, "p99_us": p99s, "median_p99_us": {}, "qps_at_sla": {}}
        for n in self.names:
            med = [median(v) for v in p99s[n]]
            result["median_p99_us"][n] = med
            # The highest load whose median p99 passes. Not "the last before the first
            # failure": on a shared machine noise fails low loads now and then, while above the
            # knee every run fails, so a lucky pass up there is the unlikely error.
            passing = [i for i, m in enumerate(med) if m is not None and m <= a.sla_us]
            best = levels[passing[-1]] if passing else None
            interp = best
            if passing and passing[-1] + 1 < len(levels):
                i = passing[-1] + 1
                if med[i] not in (None, math.inf) and med[i - 1] > 0:
                    # log(p99) is close to linear in load between neighbouring loads.
                    lo, hi = math.log(med[i - 1]), math.log(med[i])
                    frac = (math.log(a.sla_us) - lo) / (hi - lo) if hi > lo else 0
                    interp = levels[i - 1] + frac * (levels[i] - levels[i - 1])
            result["qps_at_sla"][n] = {"highest_passing_level": best, "interpolated": interp}
            if passing and passing[-1] == len(levels) - 1:
                log("compare: WARNING: %s passes even the highest load (%d qps): its QPS at the "
                    "bound is at least that; raise --level-max to find it" % (n, levels[-1]))

        log("")
        log("median p99 (us) at each offered load, over %d rep(s):" % a.reps)
        a_name = self.names[0]
        b_name = self.names[1] if len(self.names) > 1 else None
        log("%10s %12s %12s %12s" % ("qps", a_name, b_name or "",
                                     "%s/%s" % (b_name, a_name) if b_name else ""))
        for i, qps in enumerate(levels):
            va = result["median_p99_us"][a_name][i]
            vb = result["median_p99_us"][b_name][i] if b_name else None
            log("%10d %12s %12s %12s" % (qps, fmt(va), fmt(vb) if b_name else "",
                                         fmt(ratio_of(vb, va), "%.3f") if b_name else ""))
        return result


def main():
    args = parse_args()
    t0 = time.monotonic()
    have_ebbrt = check_binaries(args) if not args.aa else False
    pin_server, pin_client, server_cpus, where = placement(args)

    user = ["-u", "root"] if os.geteuid() == 0 else []  # memcached refuses root without -u

    def stock_argv(port):
        return [args.memcached, "-l", "127.0.0.1", "-p", str(port), "-t", str(args.cores),
                "-m", str(args.mem), "-U", "0"] + user

    def ebbrt_argv(port, binary=None):
        return [binary or args.ebbrt, "-p", str(port), "-t", str(args.cores), "-m",
                str(args.mem), "-U", "0"]

    sides = [("stock", stock_argv)]
    if args.baseline:
        sides = [("ebbrt-base", lambda port: ebbrt_argv(port, args.baseline))]
    first = sides[0][0]
    if args.aa:
        sides.append(("stock-b", stock_argv))  # A/A: the same server twice
    elif have_ebbrt:
        sides.append(("ebbrt", ebbrt_argv))
    second = sides[1][0] if len(sides) > 1 else None
    cmp = Comparison(args, sides, pin_server, pin_client, server_cpus, t0)
    if cmp.estimate() > args.max_seconds:
        sys.exit("compare: this configuration needs about %.0f s, over --max-seconds=%g; lower "
                 "--reps, --levels or the durations, or raise --max-seconds" %
                 (cmp.estimate(), args.max_seconds))
    version = subprocess.run([args.memcached, "-V"], stdout=subprocess.PIPE, text=True)
    log("compare: %d rep(s) x %s, %d server core(s), %d MB; loadgen %d thread(s) x %d "
        "connections, %s workload, %s protocol; about %.0f s" % (
            args.reps, "/".join(cmp.names), args.cores, args.mem, args.threads,
            args.connections, args.workload, args.protocol, cmp.estimate()))
    log("compare: %s" % where)
    log("compare: loadgen %s" % args.loadgen)
    log("compare: stock   %s (%s)" % (args.memcached, version.stdout.strip()))
    if args.baseline:
        log("compare: A/B run: ebbrt-base %s in stock's place; the ratios are ebbrt/ebbrt-base"
            % args.baseline)
    if args.aa:
        log("compare: A/A run: stock memcached against itself ('stock-b'); the ratios show this "
            "machine's noise floor, not EbbRT")
    else:
        log("compare: ebbrt   %s%s" % (args.ebbrt, "" if have_ebbrt else "  (MISSING)"))
    log("compare: load average before: %s" % loadavg())
    busy = os.getloadavg()[0]
    if args.priority == "none" and busy > len(os.sched_getaffinity(0)) / 2:
        log("compare: NOTE: the machine is busy (load %.1f on %d CPUs); other work will show in "
            "every number. --priority rt shields the runs from it." %
            (busy, len(os.sched_getaffinity(0))))

    closed = cmp.closed_loop()
    summary = {}
    for n in cmp.names:
        summary[n] = {
            "valid_closed_runs": len(closed[n]),
            "closed_ops_per_s": median([d["ops_per_s"] for d in closed[n]]),
            "closed_p50_us": median([d["latency_us"]["p50"] for d in closed[n]]),
            "closed_p99_us": median([d["latency_us"]["p99"] for d in closed[n]]),
        }
    ladder = None
    if not args.no_ladder:
        tops = [summary[n]["closed_ops_per_s"] for n in cmp.names]
        tops = [t for t in tops if t]
        if tops:
            ladder = cmp.ladder(max(tops))
            for n in cmp.names:
                summary[n]["qps_at_sla"] = ladder["qps_at_sla"][n]["interpolated"]
                summary[n]["qps_at_sla_level"] = ladder["qps_at_sla"][n]["highest_passing_level"]
        else:
            log("compare: no valid closed-loop run, so no ladder")

    metrics = [("closed_ops_per_s", "closed-loop throughput (ops/s)", True),
               ("closed_p50_us", "closed-loop p50 (us)", False),
               ("closed_p99_us", "closed-loop p99 (us)", False)]
    if ladder:
        metrics += [("qps_at_sla", "QPS at p99 <= %g us (interpolated)" % args.sla_us, True),
                    ("qps_at_sla_level", "QPS at p99 <= %g us (ladder load)" % args.sla_us, True)]
    log("")
    log("%-40s %12s %12s %12s" % ("summary (medians)", first, second or "ebbrt",
                                  "%s/%s" % (second or "ebbrt", first)))
    ratios = {}
    for key, label, higher_better in metrics:
        st = summary[first].get(key)
        eb = summary[second].get(key) if second else None
        ratios[key] = ratio_of(eb, st)
        log("%-40s %12s %12s %12s  %s" % (
            label, fmt(st), fmt(eb) if second else "MISSING", fmt(ratios[key], "%.3f"),
            "(higher is better)" if higher_better else "(lower is better)"))
    for n in cmp.names:
        ops = [d["ops_per_s"] for d in closed[n]]
        if len(ops) >= 2 and statistics.median(ops) > 0:
            spread = (max(ops) - min(ops)) / statistics.median(ops)
            if spread > 0.15:
                log("compare: NOISY: %s's closed-loop runs span %.0f%% of their median: other "
                    "work is competing for the CPUs. Consider --priority rt and more --reps." %
                    (n, 100 * spread))
    invalid = [r for r in cmp.runs if not r["valid"]]
    log("compare: %d runs, %d invalid (left out of the medians)%s" % (
        len(cmp.runs), len(invalid),
        "; STOPPED EARLY at --max-seconds" if cmp.stopped_early else ""))
    if not have_ebbrt and not args.aa:
        log("compare: EbbRT side MISSING (%s): stock only, no ratios." % args.ebbrt)
    log("compare: %s; elapsed %.0f s; load average after: %s; logs in %s" % (
        where, time.monotonic() - t0, loadavg(), cmp.logdir))

    if args.json_out:
        def no_inf(o):  # JSON has no infinity: a failed load's p99 becomes null
            if isinstance(o, float) and math.isinf(o):
                return None
            if isinstance(o, dict):
                return {k: no_inf(v) for k, v in o.items()}
            if isinstance(o, list):
                return [no_inf(v) for v in o]
            return o
        record = {"placement": where, "args": vars(args), "runs": cmp.runs, "summary": summary,
                  "ladder": ladder, "ratios_over_first": ratios, "first_server": first,
                  "second_server": second,
                  "ebbrt_missing": not have_ebbrt and not args.aa, "aa": args.aa}
        with open(args.json_out, "w") as f:
            json.dump(no_inf(record), f, indent=1)
        log("compare: wrote %s" % args.json_out)
    return 1 if invalid or cmp.stopped_early else 0


if __name__ == "__main__":
    sys.exit(main())
