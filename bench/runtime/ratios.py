#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Medians and side-by-side ratios from one run of the runtime benchmarks.

    bazel run -c opt //bench/runtime:runtime_benchmark -- \
        --benchmark_out=/tmp/runtime.json --benchmark_out_format=json
    python3 bench/runtime/ratios.py /tmp/runtime.json

Prints the median of the repetitions of every benchmark (ns per iteration, or per item for
the batched ones), then each ratio docs/performance.md reports. The time is CPU time for
benchmarks that stay on one thread (robust against the VM being descheduled) and
wall-clock time for those marked UseRealTime (they wait for another thread or core),
which is also what google-benchmark bases their per-item counters on. A ratio is
only meaningful between benchmarks of the same run, which is why this reads one file.
"""
import json
import sys

# Per-item counters (seconds per item) that replace the per-iteration time.
PER_ITEM = ("per_event", "per_round_trip", "per_then")

# (label, numerator, denominator)
RATIOS = [
    ("EbbRef hit (MulticoreEbb) / virtual call", "BM_EbbRefMulticore", "BM_VirtualCall"),
    ("EbbRef hit (SharedEbb) / virtual call", "BM_EbbRefShared", "BM_VirtualCall"),
    ("EbbRef hit (SharedEbb, static id) / virtual call", "BM_EbbRefSharedStatic",
     "BM_VirtualCall"),
    ("EbbRef hit (MulticoreEbb, cold HandleFault) / virtual call",
     "BM_EbbRefMulticoreColdFault", "BM_VirtualCall"),
    ("EbbRef hit (MulticoreEbb) / shared_ptr", "BM_EbbRefMulticore", "BM_SharedPtr"),
    ("EbbRef hit (SharedEbb) / shared_ptr", "BM_EbbRefShared", "BM_SharedPtr"),
    ("EbbRef + out-of-line call (MulticoreEbb) / virtual call",
     "BM_EbbRefMulticoreOutOfLine", "BM_VirtualCall"),
    ("EbbRef + out-of-line call (SharedEbb) / virtual call", "BM_EbbRefSharedOutOfLine",
     "BM_VirtualCall"),
    ("EbbRef + out-of-line call (MulticoreEbb) / shared_ptr + out-of-line call",
     "BM_EbbRefMulticoreOutOfLine", "BM_SharedPtrOutOfLine"),
    ("EbbRef + out-of-line call (SharedEbb) / shared_ptr + out-of-line call",
     "BM_EbbRefSharedOutOfLine", "BM_SharedPtrOutOfLine"),
    ("SpawnLocal+dispatch per event (batch 1000) / MovableFunction build+call",
     "BM_SpawnLocalBatch/1000", "BM_MovableFunctionConstructAndCall"),
    ("SpawnLocal+dispatch per event, a timer pending / without",
     "BM_SpawnLocalBatchTimerPending/1000", "BM_SpawnLocalBatch/1000"),
    ("SpawnLocal+dispatch per event (chain) / MovableFunction build+call",
     "BM_SpawnLocalChain/1000", "BM_MovableFunctionConstructAndCall"),
    ("SpawnRemote round trip + Block / condvar threads", "BM_SpawnRemoteRoundTripBlock",
     "BM_ThreadCondvarRoundTrip"),
    ("SpawnRemote round trip + Block / eventfd threads", "BM_SpawnRemoteRoundTripBlock",
     "BM_ThreadEventfdRoundTrip"),
    ("SpawnRemote ping-pong per trip / condvar threads", "BM_SpawnRemotePingPong/100",
     "BM_ThreadCondvarRoundTrip"),
    ("SpawnRemote ping-pong per trip / eventfd threads", "BM_SpawnRemotePingPong/100",
     "BM_ThreadEventfdRoundTrip"),
    ("SpawnRemote round trip + Block, both cores polling / spinning threads",
     "BM_SpawnRemoteRoundTripPolling", "BM_ThreadSpinRoundTrip"),
    ("Then on a ready future / MovableFunction build+call", "BM_ThenReady",
     "BM_MovableFunctionCallInt"),
    ("Then on an unready future (+SetValue) / MovableFunction build+call",
     "BM_ThenUnready", "BM_MovableFunctionCallInt"),
    ("Then per link, chain of 10 on a ready future / MovableFunction build+call",
     "BM_ThenChainReady/10", "BM_MovableFunctionCallInt"),
    ("Context switch pair / function call", "BM_ContextSwitchPair", "BM_FunctionCall"),
    ("Block + resume / context switch pair", "BM_BlockResume", "BM_ContextSwitchPair"),
]

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def medians(path):
    with open(path) as f:
        data = json.load(f)
    result = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].split("/min_time")[0]
        ns = None
        for counter in PER_ITEM:
            if counter in b:
                ns = b[counter] * 1e9
        if ns is None:
            column = "real_time" if "/real_time" in b["run_name"] else "cpu_time"
            ns = b[column] * UNIT_NS[b["time_unit"]]
        result[name] = ns
    return data.get("context", {}), result


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    context, m = medians(sys.argv[1])
    print(f"# {context.get('date', '?')}, {context.get('num_cpus', '?')} CPUs "
          f"@ {context.get('mhz_per_cpu', '?')} MHz")
    print("\n| benchmark | median ns (per item where batched) |\n|---|---:|")
    for name, ns in m.items():
        print(f"| `{name}` | {ns:.2f} |")
    print("\n| ratio | value |\n|---|---:|")
    for label, a, b in RATIOS:
        if a in m and b in m:
            print(f"| {label} | {m[a] / m[b]:.2f}x |")


if __name__ == "__main__":
    main()
