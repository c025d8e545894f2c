# SPDX-License-Identifier: Apache-2.0
"""`native_transition`: builds a dependency for //platforms:native_x86_64.

Used on the `image` attribute of the QEMU rules, so `bazel build //...` and
`bazel test //...` on the default (hosted) platform still build and boot native images.
"""

def _native_transition_impl(settings, attr):
    return {"//command_line_option:platforms": "//platforms:native_x86_64"}

native_transition = transition(
    implementation = _native_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)
