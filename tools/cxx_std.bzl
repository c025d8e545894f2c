"""`REQUIRES_CXX_STD`: target_compatible_with for code that includes C++ standard headers.

Native code has only clang's freestanding headers until the native C library and the
curated C++ subset land (the native platform issue). Targets that include <atomic>,
<utility>, <new>, ... use this so the native build skips them instead of failing; when the
subset lands, this becomes [] and every such target builds natively.
"""

REQUIRES_CXX_STD = select({
    "//platforms:is_native": ["@platforms//:incompatible"],
    "//conditions:default": [],
})
