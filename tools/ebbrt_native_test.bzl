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
"""

load("//tools:qemu_launcher.bzl", "QEMU_ATTRS", "qemu_launcher")

def _ebbrt_native_test_impl(ctx):
    args = ["--expect", ctx.attr.expect]
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
