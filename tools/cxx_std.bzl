# SPDX-License-Identifier: Apache-2.0
"""`REQUIRES_CXX_STD`: target_compatible_with for code that includes C++ standard headers.

Native code now has the curated C++ subset (toolchains/cxx_subset.bzl) and newlib, so this
is empty: every target that uses it builds on both platforms. It stays as the one place to
narrow that again if a standard header a target needs leaves the subset.
"""

REQUIRES_CXX_STD = []
