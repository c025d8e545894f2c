# SPDX-License-Identifier: Apache-2.0
"""`capnp_cc_library`: C++ code generated from Cap'n Proto schemas, as a cc_library.

    load("//tools:capnp_cc_library.bzl", "capnp_cc_library")

    capnp_cc_library(
        name = "person_capnp",
        srcs = ["person.capnp"],
        deps = [":date_capnp"],  # other capnp_cc_library targets whose schemas are imported
    )

    // C++: the generated header sits next to the schema, in the output tree.
    #include "tests/capnp/person.capnp.h"

The schema compiler (`capnp compile`) and its C++ plugin (`capnpc-c++`) are built from the
pinned source (@capnproto, third_party/capnproto/BUILD.capnproto) for the exec platform and
run as one action per target; `foo.capnp` becomes `foo.capnp.h` and `foo.capnp.c++` (Bazel
compiles `.c++` as C++). The generated code is then an ordinary cc_library depending on
`@capnproto//:capnp`.

Imports, resolved only against what the build declares (`--no-standard-import`, so nothing is
read from the machine's /usr/include):
  * relative, `import "date.capnp"`: the imported file must be in `srcs` or `deps`;
  * absolute, `import "/tests/capnp/date.capnp"`: from the root of the imported file's
    repository; the generated `#include <tests/capnp/date.capnp.h>` resolves because this rule
    adds the output tree's root as a system include directory;
  * the standard schemas, `using Cxx = import "/capnp/c++.capnp";`, always available.

Exceptions: the generated code is compiled like any EbbRT code (the toolchain's
-fno-exceptions -fno-rtti); Cap'n Proto's headers detect that (KJ_NO_EXCEPTIONS, KJ_NO_RTTI
in kj/common.h). The runtime (@capnproto//:capnp) is built with exceptions, so an error it
detects (a malformed or truncated message, a violated limit) throws a kj::Exception that
-fno-exceptions code cannot catch: the process ends in std::terminate. Code that must survive
malformed input (anything reading from the network) installs a kj::ExceptionCallback on the
stack around the read and overrides onRecoverableException() to record the error instead of
throwing; capnp then continues with safe default values, and the caller turns the recorded
error into a Status. See tests/capnp/capnp_roundtrip_test.cc. Callbacks form a per-thread
LIFO stack, so the scope holding one must not block (switch event contexts). Fatal errors
(onFatalException: broken invariants, out of memory) still end the process.
"""

CapnpInfo = provider(
    doc = "Cap'n Proto schemas of a capnp_cc_library and of everything it imports.",
    fields = {
        "transitive_srcs": "depset of .capnp Files: these schemas and their deps'.",
        "import_dirs": "depset of strings: -I directories for absolute imports of them.",
    },
)

def _import_root(f):
    # The directory an absolute import ("/pkg/foo.capnp") of `f` is relative to: the root of
    # its repository, in the source tree or in the output tree if the schema is generated.
    parts = [p for p in [f.root.path, f.owner.workspace_root] if p]
    return "/".join(parts) if parts else "."

def _repo_relative(f):
    # "pkg/foo.capnp": the path of `f` below _import_root(f).
    root = _import_root(f)
    return f.path if root == "." else f.path[len(root) + 1:]

def _standard_import_dir(schemas):
    # The directory holding capnp/c++.capnp, i.e. <capnproto>/src.
    for f in schemas:
        if f.path.endswith("/capnp/c++.capnp"):
            return f.path[:-len("/capnp/c++.capnp")]
    fail("@capnproto//:capnp_schemas does not contain capnp/c++.capnp")

def _capnp_compile_impl(ctx):
    package = ctx.label.package
    hdrs = []
    srcs = []
    for src in ctx.files.srcs:
        if src.owner.workspace_root != ctx.label.workspace_root or src.owner.package != package:
            fail("%s: %s is not in this package; use a capnp_cc_library there and deps" % (
                ctx.label,
                src.owner,
            ))

        # capnp writes <output dir>/<schema path without --src-prefix>.{h,c++}; the files
        # declared here are exactly those paths (output dir = this repository's output root).
        name = _repo_relative(src)[len(package) + 1:] if package else _repo_relative(src)
        hdrs.append(ctx.actions.declare_file(name + ".h"))
        srcs.append(ctx.actions.declare_file(name + ".c++"))

    transitive_srcs = depset(
        ctx.files.srcs,
        transitive = [dep[CapnpInfo].transitive_srcs for dep in ctx.attr.deps],
    )
    import_dirs = depset(
        [_import_root(f) for f in ctx.files.srcs],
        transitive = [dep[CapnpInfo].import_dirs for dep in ctx.attr.deps],
    )

    # The output root of this target's repository: bazel-out/<config>/bin[/external/<repo>].
    out_root = "/".join([p for p in [ctx.bin_dir.path, ctx.label.workspace_root] if p])
    tool = ctx.attr._capnp_tool[DefaultInfo].files_to_run
    plugin = ctx.attr._capnpc_cxx[DefaultInfo].files_to_run

    args = ctx.actions.args()
    args.add("compile")

    # Only declared inputs: never the build machine's /usr/include/capnp.
    args.add("--no-standard-import")
    args.add(_standard_import_dir(ctx.files._capnp_schemas), format = "-I%s")
    args.add_all(import_dirs, format_each = "-I%s")
    args.add_all(
        depset([_import_root(f) for f in ctx.files.srcs]),
        format_each = "--src-prefix=%s",
    )

    # A plugin path with a slash is run as is, not searched for in $PATH.
    args.add("-o%s:%s" % (plugin.executable.path, out_root))
    args.add_all(ctx.files.srcs)

    ctx.actions.run(
        executable = tool,
        arguments = [args],
        inputs = depset(ctx.files._capnp_schemas, transitive = [transitive_srcs]),
        tools = [plugin],
        outputs = hdrs + srcs,
        mnemonic = "CapnpCompile",
        progress_message = "Generating C++ from Cap'n Proto schemas of %s" % ctx.label,
    )

    return [
        DefaultInfo(files = depset(srcs + hdrs)),
        OutputGroupInfo(hdrs = depset(hdrs), srcs = depset(srcs)),
        CapnpInfo(transitive_srcs = transitive_srcs, import_dirs = import_dirs),
        # Only an include directory (the generated headers belong to the cc_library's hdrs):
        # generated code includes the headers of absolutely imported schemas as
        # <path/in/repo/foo.capnp.h>, which -iquote directories do not serve.
        CcInfo(compilation_context = cc_common.create_compilation_context(
            system_includes = depset([out_root]),
        )),
    ]

_capnp_compile = rule(
    implementation = _capnp_compile_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".capnp"], mandatory = True),
        "deps": attr.label_list(providers = [CapnpInfo]),
        "_capnp_tool": attr.label(
            default = "@capnproto//:capnp_tool",
            executable = True,
            cfg = "exec",
        ),
        "_capnpc_cxx": attr.label(
            default = "@capnproto//:capnpc-c++",
            executable = True,
            cfg = "exec",
        ),
        "_capnp_schemas": attr.label(
            default = "@capnproto//:capnp_schemas",
            allow_files = [".capnp"],
        ),
    },
    provides = [CapnpInfo, CcInfo],
)

def _compile_target(label):
    # ":foo", "foo", "//pkg:foo", "//pkg", "@repo//pkg:foo" -> the same with "_capnp_compile"
    # appended to the target name: the schema-compiling target of that capnp_cc_library.
    if ":" in label:
        return label + "_capnp_compile"
    if "//" in label:
        return "%s:%s_capnp_compile" % (label, label.split("/")[-1])
    return ":%s_capnp_compile" % label

def capnp_cc_library(
        name,
        srcs,
        deps = [],
        visibility = None,
        target_compatible_with = ["@//platforms:hosted"]):
    """C++ code generated from Cap'n Proto schemas.

    Args:
      name: the cc_library's name (`<name>_capnp_compile` is the generating target).
      srcs: .capnp files of this package.
      deps: other capnp_cc_library targets whose schemas `srcs` import.
      visibility: of the cc_library and of the schemas (for importers in other packages).
      target_compatible_with: the capnp runtime builds only for hosted Linux today.
    """
    compile_name = name + "_capnp_compile"
    _capnp_compile(
        name = compile_name,
        srcs = srcs,
        deps = [_compile_target(dep) for dep in deps],
        target_compatible_with = target_compatible_with,
        visibility = visibility,
    )
    native.filegroup(
        name = name + "_hdrs",
        srcs = [":" + compile_name],
        output_group = "hdrs",
        # No target_compatible_with on filegroup in Bazel 4.2; incompatible via compile_name.
        visibility = ["//visibility:private"],
    )
    native.filegroup(
        name = name + "_srcs",
        srcs = [":" + compile_name],
        output_group = "srcs",
        visibility = ["//visibility:private"],
    )
    native.cc_library(
        name = name,
        srcs = [":" + name + "_srcs"],
        hdrs = [":" + name + "_hdrs"],
        target_compatible_with = target_compatible_with,
        visibility = visibility,
        deps = deps + [
            ":" + compile_name,
            "@capnproto//:capnp",
        ],
    )
