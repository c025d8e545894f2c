# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_native_image`: `bazel run` target that boots a native image in QEMU.

    ebbrt_native_image(name = "helloworld_qemu", image = ":helloworld")

`bazel run //apps/helloworld:helloworld_qemu` builds the image for //platforms:native_x86_64
(whatever --platforms says), boots it with tools/qemu_runner.sh, shows the serial console
and exits 0 only if the image reports status 0. Extra arguments go to the runner
(e.g. `-- --smp 4`, `-- --accel kvm`, `-- --net user --forward 17007:7`). The network
attributes (`net`, `forwards`, `mac`, `peer`, `peer_args`, `peer_wait`) are the same as
ebbrt_native_test's.
"""

load("//tools:qemu_launcher.bzl", "QEMU_ATTRS", "qemu_launcher")

def _ebbrt_native_image_impl(ctx):
    return [qemu_launcher(ctx, [])]

ebbrt_native_image = rule(
    implementation = _ebbrt_native_image_impl,
    executable = True,
    attrs = QEMU_ATTRS,
)
