# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_native_test`: a test that boots a native image in QEMU.

The image (any cc_binary whose program is an ebbrt::AppMain) is built for
//platforms:native_x86_64 through a transition, so the test runs under plain
`bazel test //...`. The verdict comes from tools/qemu_runner.sh: the status the image
reports through isa-debug-exit plus its start and exit banners; a hang is killed after
`qemu_timeout` seconds and fails.

    ebbrt_native_test(
        name = "helloworld_native_test",
        image = "//apps/helloworld",
        smp = 1,
    )

`expect` checks failure paths: "fail" (the image reported a non-zero status,
`expect_status` pins which), "fatal" (a fatal report: CHECK failure, CPU exception),
"crash" (no exit banner, e.g. a triple fault) or "timeout". `expect_log` regexes must
each match a line of the serial log (e.g. the text of the expected report).

`net` gives the image a virtio-net NIC at PCI 00:02.0: "user" (QEMU user networking,
`forwards` from the host's 127.0.0.1) or "tap" (a multi-queue tap, one queue pair per
vCPU, in a network namespace the runner creates and removes; needs root, and without it
the test passes with SKIPPED in its log and in tools/ebbrt's summary). `peer` is a script
the runner starts beside the image, inside the namespace for "tap", once the serial log
matches `peer_wait` (default: the start banner); the test passes only if it exits 0.

    ebbrt_native_test(
        name = "echo_test",
        image = ":echo_image",
        net = "tap",
        smp = 2,
        peer = ":ping_guest.sh",
        peer_wait = "echo: ready",
    )
"""

load("//tools:qemu_launcher.bzl", "QEMU_ATTRS", "qemu_launcher")

def _ebbrt_native_test_impl(ctx):
    # --allow-skip: a test that cannot run here (--net tap without root) passes with
    # SKIPPED in its log and in tools/ebbrt's summary instead of failing.
    args = ["--expect", ctx.attr.expect, "--allow-skip"]
    if ctx.attr.expect_status >= 0:
        args += ["--expect-status", str(ctx.attr.expect_status)]
    return [qemu_launcher(ctx, args)]

ebbrt_native_test = rule(
    implementation = _ebbrt_native_test_impl,
    test = True,
    attrs = dict(QEMU_ATTRS, **{
        "expect": attr.string(
            default = "pass",
            values = ["pass", "fail", "fatal", "crash", "timeout"],
        ),
        "expect_status": attr.int(default = -1, doc = "With expect = \"fail\": the status."),
    }),
)
