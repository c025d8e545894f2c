# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_fuzz_session_test`: runs a libFuzzer target for a bounded time as a test.

The fuzzer is built through `fuzz_transition` (coverage instrumentation, ASan, UBSan) and
run with a fixed seed for `max_total_time` seconds over a copy of its seed corpus. Any
crash, sanitizer report or failed check fails the test; the log ends with libFuzzer's
statistics. Created by `ebbrt_fuzz_target` (tools/ebbrt_fuzz_target.bzl).
"""

load("//tools:fuzz_transition.bzl", "fuzz_transition")

def _impl(ctx):
    fuzzer = ctx.attr.fuzzer[0][DefaultInfo].files_to_run.executable
    corpus = ctx.files.corpus
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    lines = [
        "#!/usr/bin/env bash",
        "set -euo pipefail",
        "work=\"$(mktemp -d)\"",
        "trap 'rm -rf \"$work\"' EXIT",
    ]
    for f in corpus:
        lines.append("cp '%s' \"$work/\"" % f.short_path)
    lines.append(
        "exec '%s' -seed=1 -max_total_time=%d -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \"$work\"" %
        (fuzzer.short_path, ctx.attr.max_total_time),
    )
    ctx.actions.write(script, "\n".join(lines) + "\n", is_executable = True)
    return [DefaultInfo(
        executable = script,
        runfiles = ctx.runfiles(files = [fuzzer] + corpus),
    )]

ebbrt_fuzz_session_test = rule(
    implementation = _impl,
    test = True,
    attrs = {
        "fuzzer": attr.label(mandatory = True, cfg = fuzz_transition),
        "corpus": attr.label_list(allow_files = True),
        "max_total_time": attr.int(default = 20),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
