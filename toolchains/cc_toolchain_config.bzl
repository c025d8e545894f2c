# SPDX-License-Identifier: Apache-2.0
"""`ebbrt_cc_toolchain_config`: one explicit clang 14 toolchain configuration.

Both of the project's C++ toolchains (hosted Linux and native bare metal) are instances of
this rule; toolchains/BUILD passes every flag in, each with a comment saying why, so the
flags live in one visible place and nowhere else (no scattered copts).

Features a target may turn off with `features = ["-name"]`:
  no_exceptions  -fno-exceptions for C++ (on by default: the framework core is
                 exception-free, see docs/design.md "C++ on bare metal").
  no_rtti        -fno-rtti for C++ (on by default, same reason).
  layering_check (on by default) a compile fails if it includes a header of a target
                 that is not a direct dependency (docs/build.md#layering-check).
  fuzzer_instrumentation, fuzzer_main
                 (hosted) libFuzzer + ASan/UBSan; see tools/ebbrt_fuzz_target.bzl.
Third-party code that needs exceptions or RTTI (the capnp compiler) opts out in its own
BUILD file; EbbRT code never does (nor of layering_check).
"""

load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "action_config",
    "feature",
    "flag_group",
    "feature_set",
    "flag_set",
    "tool",
    "tool_path",
    "with_feature_set",
)
load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")

_C_COMPILE_ACTIONS = [
    ACTION_NAMES.c_compile,
]

_CXX_COMPILE_ACTIONS = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.linkstamp_compile,
]

_ASM_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags_feature(name, actions, flags, enabled = True, mode = None):
    if not flags:
        return feature(name = name, enabled = enabled)
    return feature(
        name = name,
        enabled = enabled,
        flag_sets = [flag_set(
            actions = actions,
            flag_groups = [flag_group(flags = flags)],
            with_features = [with_feature_set(features = [mode])] if mode else [],
        )],
    )

# Compiles whose #includes clang checks against the module maps (C and C++; assembly has
# no modules).
_LAYERING_CHECKED_ACTIONS = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
]

def _layering_check_features():
    """The layering check: clang enforces that a target includes only its direct deps' headers.

    `module_maps` makes Bazel write a module map per cc target (<name>.cppmap beside its
    outputs): module "//pkg:name" lists the target's headers (its srcs' headers as private
    ones), `use`s each direct dependency's module and the toolchain's "crosstool" module
    (cc_toolchain.module_map, the system headers), and declares their maps `extern`.
    Clang does not compile modules here (no -fmodules): headers are still included
    textually, the maps only say who owns which header and who may use whom.
    """
    return [
        # Bazel generates the module maps only when the toolchain offers this feature.
        feature(name = "module_maps", enabled = True),
        feature(
            name = "use_module_maps",
            requires = [feature_set(features = ["module_maps"])],
            flag_sets = [flag_set(
                actions = _LAYERING_CHECKED_ACTIONS,
                flag_groups = [flag_group(flags = [
                    # The file being compiled belongs to its target's module ...
                    "-fmodule-name=%{module_name}",
                    # ... whose map this is.
                    "-fmodule-map-file=%{module_map_file}",
                ])],
            )],
        ),
        feature(
            name = "layering_check",
            enabled = True,
            implies = ["use_module_maps"],
            flag_sets = [flag_set(
                actions = _LAYERING_CHECKED_ACTIONS,
                flag_groups = [
                    flag_group(flags = [
                        # An #include from a module must name a header of a module it
                        # `use`s; "strict": a header no loaded map owns is an error too.
                        # That is what rejects a header of a target that is only an
                        # indirect dependency (its map is not loaded), and why every
                        # system header must belong to the toolchain's module map.
                        "-fmodules-strict-decluse",
                        # Including a header another target keeps in its srcs (a private
                        # header in its map) warns, i.e. fails under -Werror.
                        "-Wprivate-header",
                    ]),
                    flag_group(
                        # The direct dependencies' maps (and the toolchain's), so that
                        # their headers have known owners.
                        iterate_over = "dependent_module_map_files",
                        flags = ["-fmodule-map-file=%{dependent_module_map_files}"],
                    ),
                ],
            )],
        ),
    ]

def _isystem_flags(dirs):
    flags = []
    for d in dirs:
        flags += ["-isystem", d]
    return flags

def _impl(ctx):
    tools = ctx.attr.tools
    tool_paths = [tool_path(name = name, path = path) for name, path in tools.items()]

    features = [
        # Bazel's compilation-mode features; declaring them lets the flag sets below key on them.
        feature(name = "opt"),
        feature(name = "dbg"),
        feature(name = "fastbuild"),
        _flags_feature(
            "ebbrt_common_compile_flags",
            _C_COMPILE_ACTIONS + _CXX_COMPILE_ACTIONS + _ASM_ACTIONS,
            ctx.attr.compile_flags,
        ),
        _flags_feature("ebbrt_c_flags", _C_COMPILE_ACTIONS, ctx.attr.c_flags),
        _flags_feature("ebbrt_cxx_flags", _CXX_COMPILE_ACTIONS, ctx.attr.cxx_flags),
        # System include directories, in search order. C and assembly share one list;
        # C++ has its own, because its library headers must come first (libc++'s
        # <stdlib.h> wraps the C library's with #include_next).
        _flags_feature(
            "ebbrt_c_system_includes",
            _C_COMPILE_ACTIONS + _ASM_ACTIONS,
            _isystem_flags(ctx.attr.c_system_includes),
        ),
        _flags_feature(
            "ebbrt_cxx_system_includes",
            _CXX_COMPILE_ACTIONS,
            _isystem_flags(ctx.attr.cxx_system_includes),
        ),
        _flags_feature(
            "ebbrt_opt_flags",
            _C_COMPILE_ACTIONS + _CXX_COMPILE_ACTIONS,
            ctx.attr.opt_flags,
            mode = "opt",
        ),
        _flags_feature(
            "ebbrt_dbg_flags",
            _C_COMPILE_ACTIONS + _CXX_COMPILE_ACTIONS,
            ctx.attr.dbg_flags,
            mode = "dbg",
        ),
        _flags_feature(
            "ebbrt_fastbuild_flags",
            _C_COMPILE_ACTIONS + _CXX_COMPILE_ACTIONS,
            ctx.attr.fastbuild_flags,
            mode = "fastbuild",
        ),
        _flags_feature("no_exceptions", _CXX_COMPILE_ACTIONS, ["-fno-exceptions"]),
        _flags_feature("no_rtti", _CXX_COMPILE_ACTIONS, ["-fno-rtti"]),
        _flags_feature("ebbrt_link_flags", _LINK_ACTIONS, ctx.attr.link_flags),
    ] + _layering_check_features()
    if ctx.attr.fuzzing:
        features += [
            # --config=fuzz: coverage instrumentation and sanitizers for every target.
            feature(
                name = "fuzzer_instrumentation",
                flag_sets = [
                    flag_set(
                        actions = _C_COMPILE_ACTIONS + _CXX_COMPILE_ACTIONS,
                        flag_groups = [flag_group(flags = [
                            "-fsanitize=fuzzer-no-link,address,undefined",
                            "-fno-sanitize-recover=undefined",
                        ])],
                    ),
                    flag_set(
                        actions = _LINK_ACTIONS,
                        flag_groups = [flag_group(flags = [
                            "-fsanitize=address,undefined",
                            # UBSan's "function" check calls into the C++ half of its
                            # runtime, which a link driven by clang (not clang++) omits.
                            "-fsanitize-link-c++-runtime",
                        ])],
                    ),
                ],
            ),
            # On a fuzz target's cc_binary only: libFuzzer's main() drives it.
            feature(
                name = "fuzzer_main",
                flag_sets = [flag_set(
                    actions = _LINK_ACTIONS,
                    flag_groups = [flag_group(flags = ["-fsanitize=fuzzer"])],
                )],
            ),
        ]
    if ctx.attr.supports_pic:
        features.append(feature(name = "supports_pic", enabled = True))

    action_configs = []
    if ctx.attr.link_driver:
        # Links run this program instead of the "gcc" tool (see native/ld_lld_driver.sh).
        action_configs = [
            action_config(
                action_name = ACTION_NAMES.cpp_link_executable,
                enabled = True,
                tools = [tool(path = ctx.attr.link_driver)],
            ),
        ]

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = ctx.attr.toolchain_identifier,
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = ctx.attr.target_system_name,
        target_cpu = "k8",
        target_libc = ctx.attr.target_libc,
        compiler = "clang",
        abi_version = "clang",
        abi_libc_version = ctx.attr.target_libc,
        tool_paths = tool_paths,
        features = features,
        action_configs = action_configs,
        cxx_builtin_include_directories = ctx.attr.builtin_include_directories + [
            # "%workspace%/" makes a path relative to the execution root for Bazel.
            d if d.startswith("/") else "%workspace%/" + d
            for d in ctx.attr.c_system_includes + ctx.attr.cxx_system_includes
        ],
    )

ebbrt_cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "toolchain_identifier": attr.string(mandatory = True),
        "target_system_name": attr.string(mandatory = True),
        "target_libc": attr.string(mandatory = True),
        # Bazel tool name ("gcc", "ld", "ar", ...) -> absolute path of the Debian tool.
        "tools": attr.string_dict(mandatory = True),
        # System header directories the compiler may read; Bazel rejects any other
        # undeclared include it finds in the dependency (.d) files. The directories of
        # c_system_includes and cxx_system_includes are added automatically.
        "builtin_include_directories": attr.string_list(),
        "compile_flags": attr.string_list(),
        # `-isystem` directories for C and assembly, and for C++, in search order (after
        # any -isystem in compile_flags). Paths relative to the execution root, e.g.
        # external/<repo>/..., or absolute. Each must also be covered by
        # builtin_include_directories.
        "c_system_includes": attr.string_list(),
        "cxx_system_includes": attr.string_list(),
        "c_flags": attr.string_list(),
        "cxx_flags": attr.string_list(),
        "opt_flags": attr.string_list(),
        "dbg_flags": attr.string_list(),
        "fastbuild_flags": attr.string_list(),
        "link_flags": attr.string_list(),
        # Optional program that performs executable links, relative to the toolchain's
        # package; it receives driver-style flags (-Wl,...).
        "link_driver": attr.string(),
        "supports_pic": attr.bool(default = False),
        # Offer the libFuzzer features (hosted only: needs clang's fuzzer runtime).
        "fuzzing": attr.bool(default = False),
    },
    provides = [CcToolchainConfigInfo],
)
