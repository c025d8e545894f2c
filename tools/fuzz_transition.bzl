# SPDX-License-Identifier: Apache-2.0
"""`fuzz_transition`: builds a dependency with libFuzzer coverage and ASan/UBSan.

Adds the hosted toolchain's `fuzzer_instrumentation` feature (toolchains/BUILD), as
`--config=fuzz` does, for one edge of the build graph, so `bazel test //...` can run a
real, time-bounded fuzzing session (tools/ebbrt_fuzz_target.bzl) without instrumenting
everything else.
"""

def _fuzz_transition_impl(settings, attr):
    features = list(settings["//command_line_option:features"])
    if "fuzzer_instrumentation" not in features:
        features.append("fuzzer_instrumentation")
    return {"//command_line_option:features": features}

fuzz_transition = transition(
    implementation = _fuzz_transition_impl,
    inputs = ["//command_line_option:features"],
    outputs = ["//command_line_option:features"],
)
