# SPDX-License-Identifier: Apache-2.0
"""Shared implementation of the rules that boot a native image with tools/qemu_runner.sh.

Not a rule itself: `ebbrt_native_test.bzl` and `ebbrt_native_image.bzl` each define one
rule on top of these helpers.
"""

load("//tools:native_transition.bzl", "native_transition")

QEMU_ATTRS = {
    "image": attr.label(
        doc = "A cc_binary; built for //platforms:native_x86_64 whatever the command line says.",
        mandatory = True,
        cfg = native_transition,
    ),
    "smp": attr.int(default = 1, doc = "Number of vCPUs."),
    "memory": attr.string(default = "128M", doc = "Guest RAM in QEMU syntax."),
    "qemu_timeout": attr.int(
        default = 60,
        doc = "Seconds before the runner kills QEMU (a hang is a failure, never a pass).",
    ),
    "append": attr.string(doc = "Kernel command line."),
    "expect_log": attr.string_list(
        doc = "Regexes (grep -E) that must each match a line of the serial log.",
    ),
    "icount": attr.bool(default = False, doc = "Deterministic guest instruction counting."),
    "cpu": attr.string(
        doc = "QEMU CPU model (the runner's --cpu); empty: the runner's default (max under TCG).",
    ),
    "qemu_args": attr.string_list(
        doc = "More QEMU arguments, after the runner's `--` (e.g. -numa options).",
    ),
    "net": attr.string(
        default = "none",
        values = ["none", "user", "tap"],
        doc = "The runner's --net: no NIC, QEMU user networking, or a multi-queue tap in a " +
              "network namespace the runner creates (needs root; skipped otherwise).",
    ),
    "forwards": attr.string_list(
        doc = "With net = \"user\": HOSTPORT:GUESTPORT forwards from the host's " +
              "127.0.0.1 (TCP and UDP; host port 0 picks a free one).",
    ),
    "mac": attr.string(doc = "The NIC's MAC address; empty: the runner's 52:54:00:12:34:56."),
    "peer": attr.label(
        doc = "An executable the runner starts beside the image (inside the namespace with " +
              "net = \"tap\"); it must exit 0 for the test to pass.",
        executable = True,
        allow_files = True,
        # A script for this machine, like the test itself.
        cfg = "target",
    ),
    "peer_args": attr.string_list(doc = "Arguments for `peer`."),
    "peer_wait": attr.string(
        doc = "Start the peer once the serial log matches this regex (grep -E); empty: " +
              "once the image has booted.",
    ),
    "_runner": attr.label(
        default = "//tools:qemu_runner.sh",
        allow_single_file = True,
    ),
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def qemu_launcher(ctx, extra_args):
    """Writes the launcher script and returns the DefaultInfo for it.

    Args:
      ctx: the rule context (attributes from QEMU_ATTRS).
      extra_args: more runner arguments (strings).

    Returns:
      DefaultInfo whose executable boots the image.
    """

    # A Starlark transition on an attribute makes it a list, even for a 1:1 transition.
    image = ctx.attr.image[0][DefaultInfo].files_to_run.executable
    if image == None:
        fail("image must be an executable target such as a cc_binary")
    runner = ctx.file._runner
    args = [
        "--smp",
        str(ctx.attr.smp),
        "--memory",
        ctx.attr.memory,
        "--timeout",
        str(ctx.attr.qemu_timeout),
    ]
    if ctx.attr.icount:
        args.append("--icount")
    if ctx.attr.append:
        args += ["--append", ctx.attr.append]
    if ctx.attr.cpu:
        args += ["--cpu", ctx.attr.cpu]
    for pattern in ctx.attr.expect_log:
        args += ["--expect-log", pattern]
    if ctx.attr.net != "none":
        args += ["--net", ctx.attr.net]
    for forward in ctx.attr.forwards:
        args += ["--forward", forward]
    if ctx.attr.mac:
        args += ["--mac", ctx.attr.mac]
    runfiles = ctx.runfiles(files = [runner, image])
    if ctx.attr.peer:
        peer = ctx.executable.peer

        # The runner runs --peer with bash -c from the runfiles tree (the launcher's cd).
        peer_command = " ".join([_shell_quote("./" + peer.short_path)] +
                                [_shell_quote(a) for a in ctx.attr.peer_args])
        args += ["--peer", peer_command]
        # The peer's file itself (a plain script has no runfiles of its own) and what it
        # needs (an sh_binary's data).
        runfiles = runfiles.merge(ctx.runfiles(files = [peer])).merge(
            ctx.attr.peer[DefaultInfo].default_runfiles,
        )
    elif ctx.attr.peer_args:
        fail("peer_args needs peer")
    if ctx.attr.peer_wait:
        args += ["--peer-wait", ctx.attr.peer_wait]
    args += extra_args
    qemu_args = ""
    if ctx.attr.qemu_args:
        qemu_args = " -- " + " ".join([_shell_quote(a) for a in ctx.attr.qemu_args])
    script = ctx.actions.declare_file(ctx.label.name + ".qemu.sh")
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = "\n".join([
            "#!/usr/bin/env bash",
            "# Generated by //tools:qemu_launcher.bzl for " + str(ctx.label) + ".",
            "# Runs from the runfiles tree (bazel test / bazel run).",
            "cd \"${RUNFILES_DIR:-$0.runfiles}/%s\" 2>/dev/null || true" % ctx.workspace_name,
            # The caller's arguments (runner options, or `-- QEMU args`) go before the
            # rule's QEMU arguments; the runner drops the second `--`.
            "exec %s %s %s \"$@\"%s" % (
                _shell_quote(runner.short_path),
                " ".join([_shell_quote(a) for a in args]),
                _shell_quote(image.short_path),
                qemu_args,
            ),
            "",
        ]),
    )
    return DefaultInfo(executable = script, runfiles = runfiles)
