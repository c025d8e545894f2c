# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_fuzz_target`: a libFuzzer target plus a bounded regression test of it.

    ebbrt_fuzz_target(
        name = "iobuf_cursor_fuzzer",
        srcs = ["iobuf_cursor_fuzzer.cc"],   # defines LLVMFuzzerTestOneInput
        deps = [":iobuf"],
    )

makes two targets:
  <name>                  the fuzzer: `bazel run --config=fuzz //pkg:<name> -- -max_total_time=60`
                          (libFuzzer, ASan and UBSan; --config=fuzz instruments every target)
  <name>_regression_test  part of `bazel test //...`: the same LLVMFuzzerTestOneInput driven
                          by ebbrt/testing/fuzz_driver_main.cc over the seed corpus and a
                          fixed number of deterministic pseudo-random inputs, so the harness
                          and the parser stay exercised without an open-ended fuzz run.
  <name>_session_test     part of `bazel test //...`: the real fuzzer (built instrumented
                          through a transition) for `session_seconds` with a fixed seed.
Hosted only.
"""

load("//tools:ebbrt_fuzz_session_test.bzl", "ebbrt_fuzz_session_test")

def ebbrt_fuzz_target(name, srcs, deps = [], corpus = [], session_seconds = 20, **kwargs):
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        features = ["fuzzer_main"],
        target_compatible_with = ["//platforms:hosted"],
        testonly = True,
        **kwargs
    )
    native.cc_test(
        name = name + "_regression_test",
        size = "small",
        srcs = srcs,
        args = ["$(location %s)" % c for c in corpus],
        data = corpus,
        target_compatible_with = ["//platforms:hosted"],
        deps = deps + ["//ebbrt/testing:fuzz_driver_main"],
        **kwargs
    )
    ebbrt_fuzz_session_test(
        name = name + "_session_test",
        size = "medium",
        corpus = corpus,
        fuzzer = ":" + name,
        max_total_time = session_seconds,
        target_compatible_with = ["//platforms:hosted"],
    )
