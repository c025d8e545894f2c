# SPDX-License-Identifier: Apache-2.0
"""`cxx_subset_test`: proves which standard headers native C++ may include.

For every header in `allowed`, a one-line source `#include <header>` must compile with the
native toolchain; for every header in `rejected`, it must fail with
`<header> is outside EbbRT's native C++ subset`; every header in `test_only` must compile
with -DEBBRT_NATIVE_TEST_CXX (what test code gets) and fail like a rejected one without. `rejected_after` pairs check that an
excluded header stays rejected after an allowed header has included it internally
(e.g. <memory> pulls in <typeinfo>). The test also checks that `allowed` + `rejected`
cover every public header of the installed libc++ (`libcxx_dir`), so a libc++ upgrade
cannot add an unreviewed header.

    cxx_subset_test(
        name = "cxx_subset_test",
        allowed = CXX_SUBSET_ALLOWED,
        rejected = CXX_SUBSET_REJECTED,
        rejected_after = {"memory": "typeinfo"},
    )

How: the rule is configured for //platforms:native_x86_64 (an incoming transition), so
it sees the native C++ toolchain. At build time it runs the toolchain's exact C++
compile command line (from cc_common) on each probe source, in an action that always
succeeds and records the compiler's exit status and messages; the test script then
judges those records. A build never fails because a probe does: a rejected header shows
up as a failing test with the compiler output attached.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("//tools:native_transition.bzl", "native_transition")

_REJECTION = "is outside EbbRT's native C++ subset"

# What //ebbrt/testing:native_gtest defines for the code of native tests.
_TEST_DEFINE = "EBBRT_NATIVE_TEST_CXX"

def _shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"

def _probe(ctx, cc_toolchain, feature_configuration, name, source_text, defines = []):
    """Compiles `source_text` at build time; returns the File recording the outcome."""
    src = ctx.actions.declare_file("%s_probes/%s.cc" % (ctx.label.name, name))
    ctx.actions.write(src, source_text)
    variables = cc_common.create_compile_variables(
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        source_file = src.path,
        # Only the verdict matters, not the object.
        output_file = "/dev/null",
        user_compile_flags = ["-D" + define for define in defines],
    )
    argv = cc_common.get_memory_inefficient_command_line(
        feature_configuration = feature_configuration,
        action_name = ACTION_NAMES.cpp_compile,
        variables = variables,
    )
    compiler = cc_common.get_tool_for_action(
        feature_configuration = feature_configuration,
        action_name = ACTION_NAMES.cpp_compile,
    )
    record = ctx.actions.declare_file("%s_probes/%s.result" % (ctx.label.name, name))
    ctx.actions.run_shell(
        inputs = depset([src], transitive = [cc_toolchain.all_files]),
        outputs = [record],
        # First line: the compiler's exit status; then everything it printed.
        command = 'out="$1"; shift; "$@" >"$out.log" 2>&1; rc=$?; ' +
                  '{ echo "$rc"; cat "$out.log"; } >"$out"; rm -f "$out.log"',
        arguments = [record.path, compiler] + argv,
        env = cc_common.get_environment_variables(
            feature_configuration = feature_configuration,
            action_name = ACTION_NAMES.cpp_compile,
            variables = variables,
        ),
        mnemonic = "NativeCompileProbe",
        progress_message = "Probing native C++ include %s" % name,
    )
    return record

def _cxx_subset_test_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    feature_configuration = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        # A probe is a lone source file, not a cc target: Bazel writes it no module map,
        # so the layering check (which needs one) cannot apply to it.
        unsupported_features = ctx.disabled_features + ["layering_check"],
    )

    # (record, expectation, header, description) per probe.
    checks = []
    for header in ctx.attr.allowed:
        record = _probe(ctx, cc_toolchain, feature_configuration, "allowed/" + header,
                        "#include <%s>\n" % header)
        checks.append((record, "compiles", header, "#include <%s>" % header))
    for header in ctx.attr.rejected:
        record = _probe(ctx, cc_toolchain, feature_configuration, "rejected/" + header,
                        "#include <%s>\n" % header)
        checks.append((record, "rejected", header, "#include <%s>" % header))
    for header in ctx.attr.test_only:
        record = _probe(ctx, cc_toolchain, feature_configuration, "test_only/" + header,
                        "#include <%s>\n" % header, defines = [_TEST_DEFINE])
        checks.append((record, "compiles", header, "#include <%s> with %s" % (header, _TEST_DEFINE)))
        record = _probe(ctx, cc_toolchain, feature_configuration, "test_only_outside/" + header,
                        "#include <%s>\n" % header)
        checks.append((record, "rejected", header, "#include <%s> outside tests" % header))
    for first, header in ctx.attr.rejected_after.items():
        name = "after/%s_then_%s" % (first.replace("/", "_"), header.replace("/", "_"))
        record = _probe(ctx, cc_toolchain, feature_configuration, name,
                        "#include <%s>\n#include <%s>\n" % (first, header))
        checks.append((record, "rejected", header, "#include <%s> then <%s>" % (first, header)))

    lines = [
        "#!/usr/bin/env bash",
        "# Generated by //tools:cxx_subset_test.bzl for %s." % ctx.label,
        "set -uo pipefail",
        "cd \"${RUNFILES_DIR:-$0.runfiles}/%s\" || exit 1" % ctx.workspace_name,
        "failures=0",
        "check() {  # record expectation header description",
        "  local rc ok=0; rc=\"$(head -n 1 \"$1\")\"",
        "  if [[ $2 == compiles ]]; then",
        "    [[ $rc == 0 ]] && ok=1",
        "  elif [[ $rc != 0 ]] && grep -qF -- \"<$3> %s\" \"$1\"; then" % _REJECTION,
        "    ok=1",
        "  fi",
        "  if ((ok)); then",
        "    echo \"ok    $2: $4\"",
        "  else",
        "    echo \"FAIL  expected $2: $4 (compiler exit status $rc), compiler output:\"",
        "    tail -n +2 \"$1\" | sed 's/^/      | /'",
        "    failures=$((failures + 1))",
        "  fi",
        "}",
    ]
    for record, expectation, header, description in checks:
        lines.append("check %s %s %s %s" % (
            _shell_quote(record.short_path),
            expectation,
            _shell_quote(header),
            _shell_quote(description),
        ))

    # Coverage: every public libc++ header must be classified.
    known = ctx.attr.allowed + ctx.attr.test_only + ctx.attr.rejected
    lines += [
        "known=(%s)" % " ".join([_shell_quote(h) for h in known]),
        "libcxx=%s" % _shell_quote(ctx.attr.libcxx_dir),
        "if [[ ! -d $libcxx ]]; then",
        "  echo \"FAIL  libc++ headers not found at $libcxx\"; failures=$((failures + 1))",
        "fi",
        "declare -A classified=()",
        "for h in \"${known[@]}\"; do classified[$h]=1; done",
        "unclassified=0",
        "while IFS= read -r h; do",
        "  if [[ -z ${classified[$h]:-} ]]; then",
        "    echo \"FAIL  <$h> (in $libcxx) is neither allowed nor rejected\"",
        "    unclassified=$((unclassified + 1))",
        "  fi",
        # Public headers: no leading underscore, no .h (C library wrappers), no module map.
        "done < <(cd \"$libcxx\" && find . -type f ! -name '_*' ! -name '*.h' " +
        "! -name '*.modulemap' ! -path '*/__*' | sed 's|^\\./||' | sort)",
        "failures=$((failures + unclassified))",
        "echo \"cxx_subset_test: %d allowed, %d test-only, %d rejected, %d rejected-after checks;\" \\" % (
            len(ctx.attr.allowed),
            len(ctx.attr.test_only),
            len(ctx.attr.rejected),
            len(ctx.attr.rejected_after),
        ),
        "  \"$failures failure(s)\"",
        "((failures == 0))",
        "",
    ]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, "\n".join(lines), is_executable = True)
    records = [check[0] for check in checks]
    return [DefaultInfo(executable = script, runfiles = ctx.runfiles(files = records))]

cxx_subset_test = rule(
    implementation = _cxx_subset_test_impl,
    test = True,
    # Configured for the native platform whatever --platforms says, so plain
    # `bazel test //...` runs it with the native toolchain.
    cfg = native_transition,
    attrs = {
        "allowed": attr.string_list(doc = "Headers that must compile on their own."),
        "rejected": attr.string_list(doc = "Headers that must be rejected."),
        "test_only": attr.string_list(
            doc = "Headers that must compile with EBBRT_NATIVE_TEST_CXX and be rejected without.",
        ),
        "rejected_after": attr.string_dict(
            doc = "allowed header -> rejected header included right after it.",
        ),
        "libcxx_dir": attr.string(
            default = "/usr/lib/llvm-14/include/c++/v1",
            doc = "The libc++ headers the native toolchain uses (toolchains/BUILD).",
        ),
        "_cc_toolchain": attr.label(
            default = Label("@bazel_tools//tools/cpp:current_cc_toolchain"),
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    fragments = ["cpp"],
    incompatible_use_toolchain_transition = True,
)
