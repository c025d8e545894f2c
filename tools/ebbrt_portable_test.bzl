# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_portable_test`: one googletest suite, run on hosted and inside QEMU.

    ebbrt_portable_test(
        name = "future_test",
        srcs = ["future_test.cc"],
        deps = [":future", "//ebbrt/event:run"],
    )

makes
  - `future_test`: a hosted cc_test against googletest (gtest_main);
  - `future_test_native_image`: the same sources linked for //platforms:native_x86_64
    against the googletest-compatible subset (//ebbrt/testing:native_gtest_main);
  - `future_test_native_smp1`, `future_test_native_smp4`: that image booted in QEMU on
    1 and on 4 vCPUs (`smp`); the verdict is the image's exit status (tools/qemu_runner.sh).

`bazel test //...` runs all of them under either --platforms: the QEMU tests reach the
native image through a transition. The sources may use only what the native subset has
(ebbrt/testing/native_gtest/include/gtest/gtest.h); tests that need more cores than a
run has skip themselves (ebbrt/testing/require_cores.h). `deps` must not name googletest.
"""

load("//tools:ebbrt_native_test.bzl", "ebbrt_native_test")

def ebbrt_portable_test(
        name,
        srcs,
        deps = [],
        size = "small",
        smp = [1, 4],
        memory = "256M",
        qemu_timeout = 120,
        **kwargs):
    native.cc_test(
        name = name,
        size = size,
        srcs = srcs,
        target_compatible_with = ["//platforms:hosted"],
        # gtest too: the sources include gtest/gtest.h, which gtest_main does not export.
        deps = deps + [
            "//ebbrt/testing:gtest",
            "//ebbrt/testing:gtest_main",
        ],
        **kwargs
    )
    image = name + "_native_image"
    native.cc_binary(
        name = image,
        testonly = True,
        srcs = srcs,
        target_compatible_with = ["//platforms:native"],
        deps = deps + [
            "//ebbrt/testing:native_gtest",
            "//ebbrt/testing:native_gtest_main",
        ],
    )
    for vcpus in smp:
        ebbrt_native_test(
            name = "%s_native_smp%d" % (name, vcpus),
            size = size,
            image = ":" + image,
            smp = vcpus,
            # Every vCPU must have come up: with one missing, the tests that need all of
            # them would skip and the run would still pass.
            expect_log = ["^\\[==========\\] Running [0-9]+ tests from [0-9]+ test suites on %d vCPUs\\.$" % vcpus],
            memory = memory,
            qemu_timeout = qemu_timeout,
        )
